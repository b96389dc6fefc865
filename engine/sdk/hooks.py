"""Trigger hooks: what a trigger node declares so the engine can serve it without
knowing the node.

A trigger's :class:`~engine.sdk.spec.NodeSpec` names its hooks as lazy import paths, like
``run``: ``hooks={"fire_times": "pkg.mod:next_fire_times"}``. The catalog imports a hook
on first use (:meth:`engine.sdk.catalog.Catalog.hook`); the engine calls it with the
node's validated parameters. The hooks each trigger kind may declare:

``schedule``
    ``fire_times(params, after, count, *, default_timezone) -> list[datetime]``: the next
    ``count`` instants strictly after ``after`` (timezone-aware, ascending); the scheduler
    fires each one once.
``webhook``
    ``check_request(params, credentials, *, method, headers, body, client_ip, now,
    tolerance_s, allow_legacy) -> Rejection | None``: refuse a request before a run starts;
    ``cors_headers(params, origin) -> dict[str, str]``: the CORS answer for ``origin``
    (empty: not allowed); ``replay_token(params, headers) -> str | None``: what identifies
    a signed request, accepted once within the replay window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TRIGGER_HOOKS", "Rejection"]

TRIGGER_HOOKS: dict[str, tuple[str, ...]] = {
    "schedule": ("fire_times",),
    "webhook": ("check_request", "cors_headers", "replay_token"),
}
"""The hooks each trigger kind may declare (the others declare none)."""


@dataclass(frozen=True)
class Rejection:
    """Why a webhook request is refused: HTTP ``status``, a ``message`` safe to show the
    caller, and headers to send."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
