"""Event and log streaming to outside systems, for the owner:

* ``GET /api/v1/streams``: the configured streams (admins may look);
* ``PUT /api/v1/streams``: replace them (owner only; audited);
* ``POST /api/v1/streams/test``: send a ``stream.test`` record to each and say which
  arrived (owner only);
* ``POST /api/v1/streams/{name}/secret``: a new signing secret for a webhook stream,
  shown once (owner only; audited).

Webhook streams are signed (``X-Aura-Signature``); their secrets are write-only: shown
once when AURA generates them, never in ``GET``.

The work is :mod:`engine.observability.streaming` (through :mod:`engine.services.streams`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from engine.services.streams import (
    Stream,
    StreamsConfig,
    get_streams,
    rotate_secret,
    set_streams,
    test_streams,
)
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


class StreamsSavedOut(Out):
    streams: list[Stream]
    new_secrets: dict[str, str] = Field(
        description="Signing secrets AURA generated now, by webhook stream name: shown "
        "this once; store them where the receiver verifies X-Aura-Signature."
    )


class StreamSecretOut(Out):
    name: str
    secret: str = Field(description="The new signing secret, shown this once.")


@router.get("/streams", action="settings:read", summary="Show streams", response=StreamsConfig)
def show_streams(call: Call) -> dict[str, Any]:
    """The outside systems that receive events and log lines."""
    return get_streams().model_dump(mode="json")


@router.put(
    "/streams",
    action="streams:manage",
    summary="Replace streams",
    body=StreamsConfig,
    response=StreamsSavedOut,
)
def replace_streams(call: Call) -> dict[str, Any]:
    """Replaces every stream; all processes use the new ones within a few seconds. New
    webhook streams without a ``secret`` get a generated one, returned this once."""
    saved, generated = set_streams(call.body)
    call.audit(
        "streams.updated",
        "streams",
        None,
        {"streams": [f"{s.name} ({s.kind})" for s in saved.streams]},
    )
    return {**saved.model_dump(mode="json"), "new_secrets": generated}


@router.post(
    "/streams/test",
    action="streams:manage",
    summary="Test streams",
    response=StreamTestsOut,
)
def test_streams_now(call: Call) -> dict[str, Any]:
    """Sends one ``stream.test`` record to each stored stream now."""
    return {"results": test_streams()}


@router.post(
    "/streams/{name}/secret",
    action="streams:manage",
    summary="Renew a stream's signing secret",
    response=StreamSecretOut,
)
def renew_secret(call: Call) -> dict[str, Any]:
    """A new signing secret for the webhook stream ``name`` (the old one stops working
    within a few seconds); shown this once."""
    name = str(call.path["name"])
    secret = rotate_secret(name)
    call.audit("streams.secret_renewed", "streams", None, {"stream": name})
    return {"name": name, "secret": secret}


def routers() -> list[Router]:
    """The streams router."""
    return [router]
