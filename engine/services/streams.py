"""Event and log streams for the HTTP layer and the CLI: read, replace and test the
outside systems the owner sends events and log lines to, and renew a webhook stream's
signing secret (the work is :mod:`engine.observability.streaming`; the secrets are
:mod:`engine.observability.stream_secrets`)."""

from __future__ import annotations

from typing import Any

from engine.observability.streaming import Stream, StreamsConfig

__all__ = [
    "Stream",
    "StreamsConfig",
    "get_streams",
    "rotate_secret",
    "set_streams",
    "test_streams",
]


def get_streams() -> StreamsConfig:
    """The configured streams."""
    from engine.observability.streaming import load_config

    return load_config()


def set_streams(config: StreamsConfig) -> tuple[StreamsConfig, dict[str, str]]:
    """Replaces the streams; every process uses the new ones within a few seconds.
    Returns them and the signing secrets generated for new webhook streams (shown
    once)."""
    from engine.observability.streaming import save_config

    return config, save_config(config)


def rotate_secret(name: str) -> str:
    """A new signing secret for the webhook stream ``name`` (the old one stops working
    within a few seconds, as every process re-reads the streams).

    Raises:
        NotFoundError: no webhook stream has that name.
    """
    from engine.errors import NotFoundError
    from engine.observability import stream_secrets, streaming
    from engine.store.current import get_store

    if not any(s.name == name and s.kind == "webhook" for s in get_streams().streams):
        raise NotFoundError(
            f"No webhook stream named {name!r}; list them with GET /api/v1/streams.",
            details={"name": name},
        )
    secret = stream_secrets.rotate(get_store(), name)
    streaming.forget()
    return secret


def test_streams(config: StreamsConfig | None = None) -> list[dict[str, Any]]:
    """Sends a ``stream.test`` record to each stream (the stored ones, or ``config``)
    and says, per stream, whether it arrived."""
    from engine.observability.streaming import send_test

    return send_test(config)
