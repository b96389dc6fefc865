"""Event and log streams for the HTTP layer and the CLI: read, replace and test the
outside systems the owner sends events and log lines to (the work is
:mod:`engine.observability.streaming`)."""

from __future__ import annotations

from typing import Any

from engine.observability.streaming import Stream, StreamsConfig

__all__ = ["Stream", "StreamsConfig", "get_streams", "set_streams", "test_streams"]


def get_streams() -> StreamsConfig:
    """The configured streams."""
    from engine.observability.streaming import load_config

    return load_config()


def set_streams(config: StreamsConfig) -> StreamsConfig:
    """Replaces the streams; every process uses the new ones within a few seconds."""
    from engine.observability.streaming import save_config

    return save_config(config)


def test_streams(config: StreamsConfig | None = None) -> list[dict[str, Any]]:
    """Sends a ``stream.test`` record to each stream (the stored ones, or ``config``)
    and says, per stream, whether it arrived."""
    from engine.observability.streaming import send_test

    return send_test(config)
