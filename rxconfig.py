"""Reflex configuration of the AURA studio (``reflex run`` reads it from the repo root).

Ports and URLs come from the environment (``REFLEX_FRONTEND_PORT``,
``REFLEX_BACKEND_PORT``, ``REFLEX_API_URL``...), so ``aura up`` can choose them.
"""

from __future__ import annotations

import os

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import reflex as rx

config = rx.Config(
    app_name="studio",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="light",
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(
        accent_color="indigo", gray_color="slate", radius="medium", scaling="100%",
        panel_background="solid"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
