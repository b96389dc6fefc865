"""The AURA HTTP server: REST API, webhooks and health checks (Starlette, no Reflex).

Run it with ``python -m studio.api --host 127.0.0.1 --port 5678`` or build it with
:func:`create_app` (to mount it inside the studio backend, or in tests).
"""

from __future__ import annotations

from studio.api.app import create_app

__all__ = ["create_app"]
