"""Resuming parked executions from outside: the resume URL of a webhook wait.

A Wait node with ``resume: webhook`` parks its execution; ``$execution.resume_url`` is
``AURA_PUBLIC_URL/webhook-waiting/<execution id>/<token>`` (plus ``/<suffix>`` when the
node sets a webhook suffix). The HTTP layer routes ``/webhook-waiting/...`` here::

    from engine.triggers import waits

    wait = waits.find_webhook_wait(execution_id, token)       # 404 when unknown
    eid = waits.resume_from_webhook(execution_id, token, item, method="POST", suffix="")
    # answer the caller with wait.response_code

The token is random per run, kept in the execution row while it waits, compared in
constant time, and cleared by the resume: a resume URL works once. Time waits are
resumed by the scheduler (:func:`engine.runtimes.resume.resume_due`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import NotFoundError
from engine.runtimes.resume import public_url, resume, resume_url
from engine.sdk.items import Item
from engine.store.current import get_store
from engine.store.types import utcnow
from engine.triggers._webhook_http import WebhookMethodNotAllowed

__all__ = ["WebhookWait", "find_webhook_wait", "public_url", "resume_from_webhook",
           "resume_url"]

_UNKNOWN = ("This resume URL is unknown or was already used: the execution is not "
            "waiting for it. Each resume URL works once.")


@dataclass(frozen=True)
class WebhookWait:
    """A webhook wait as its caller needs it (what to accept, what to answer)."""

    execution_id: str
    node: str
    method: str
    suffix: str
    response_code: int
    respond: str


def find_webhook_wait(execution_id: str, token: str) -> WebhookWait:
    """The webhook wait that ``token`` may resume.

    Raises:
        NotFoundError: no execution waits for a webhook with this id and token (never
            says which part was wrong).
    """
    import hmac

    try:
        row = get_store().executions.get(execution_id)
    except NotFoundError:
        raise NotFoundError(_UNKNOWN) from None
    if (row.status != "waiting" or not row.resume_token or not row.checkpoint
            or not hmac.compare_digest(row.resume_token, token)):
        raise NotFoundError(_UNKNOWN)
    wait = row.checkpoint.get("wait") or {}
    return WebhookWait(execution_id=row.id, node=str(row.checkpoint.get("node", "")),
                       method=str(wait.get("webhook_method", "GET")).upper(),
                       suffix=str(wait.get("webhook_suffix", "")).strip("/"),
                       response_code=int(wait.get("response_code", 200)),
                       respond=str((wait.get("options") or {}).get("respond",
                                                                    "immediately")))


def resume_from_webhook(execution_id: str, token: str, request_item: Item | dict[str, Any],
                        *, method: str | None = None, suffix: str | None = None) -> str:
    """Resumes a webhook wait with the caller's request as the Wait node's output item.

    Args:
        execution_id, token: from the resume URL.
        request_item: the request as a trigger item ``{headers, params, query, body,
            method, path}`` (an :class:`Item` or its dict / JSON).
        method: the HTTP method used; must be the wait's method when given.
        suffix: the path after the token; must be the wait's suffix when given.

    Returns:
        The execution id (it is queued again; a worker resumes it).

    Raises:
        NotFoundError: unknown id/token, wrong suffix, or already resumed.
        WebhookMethodNotAllowed: the wait accepts another method (HTTP 405).
    """
    wait = find_webhook_wait(execution_id, token)
    if suffix is not None and suffix.strip("/") != wait.suffix:
        raise NotFoundError(_UNKNOWN)
    if method is not None and method.upper() != wait.method and not (
            method.upper() == "HEAD" and wait.method == "GET"):
        raise WebhookMethodNotAllowed(
            f"This resume URL accepts {wait.method} requests, not {method.upper()}.",
            details={"allowed": [wait.method]})
    item = request_item if isinstance(request_item, Item) else Item.from_dict(
        request_item if "json" in request_item else {"json": request_item})
    payload = {"kind": "webhook", "at": utcnow().isoformat(), "item": item.to_dict()}
    try:
        return resume(execution_id, payload, token=token)
    except NotFoundError:
        raise NotFoundError(_UNKNOWN) from None
