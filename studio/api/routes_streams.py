"""Event and log streaming to outside systems, for the owner:

* ``GET /api/v1/streams``: the configured streams (admins may look);
* ``PUT /api/v1/streams``: replace them (owner only; audited);
* ``POST /api/v1/streams/test``: send a ``stream.test`` record to each and say which
  arrived (owner only).

The work is :mod:`engine.observability.streaming` (through :mod:`engine.services.streams`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from engine.services.streams import StreamsConfig, get_streams, set_streams, test_streams
from studio.api.routing import Call, Router
from studio.api.schemas import Out

__all__ = ["router", "routers"]

router = Router("Streams")


class StreamTestOut(Out):
    name: str
    ok: bool = Field(description="Whether the stream's system accepted the record.")
    error: str | None = Field(description="Why it did not, if it did not.")


class StreamTestsOut(Out):
    results: list[StreamTestOut]


@router.get("/streams", action="settings:read", summary="Show streams", response=StreamsConfig)
def show_streams(call: Call) -> dict[str, Any]:
    """The outside systems that receive events and log lines."""
    return get_streams().model_dump(mode="json")


@router.put(
    "/streams",
    action="streams:manage",
    summary="Replace streams",
    body=StreamsConfig,
    response=StreamsConfig,
)
def replace_streams(call: Call) -> dict[str, Any]:
    """Replaces every stream; all processes use the new ones within a few seconds."""
    saved = set_streams(call.body)
    call.audit(
        "streams.updated",
        "streams",
        None,
        {"streams": [f"{s.name} ({s.kind})" for s in saved.streams]},
    )
    return saved.model_dump(mode="json")


@router.post(
    "/streams/test",
    action="streams:manage",
    summary="Test streams",
    response=StreamTestsOut,
)
def test_streams_now(call: Call) -> dict[str, Any]:
    """Sends one ``stream.test`` record to each stored stream now."""
    return {"results": test_streams()}


def routers() -> list[Router]:
    """The streams router."""
    return [router]
