"""Webhooks for the HTTP layer: activation, test listeners, one request end to end, and
resuming a run that waits for a webhook (the service API of :mod:`engine.triggers`)."""

from __future__ import annotations

from typing import Any

from engine.triggers.webhooks import (
    TEST_TTL_S,
    RunOutcome,
    WebhookRequest,
    WebhookResponse,
    activate,
    arm_test,
    assign_paths,
    deactivate,
    disarm_test,
    dispatch,
    preflight,
    request_item,
    resolve,
    test_listeners,
)

__all__ = [
    "TEST_TTL_S",
    "RunOutcome",
    "WebhookRequest",
    "WebhookResponse",
    "activate",
    "arm_test",
    "assign_paths",
    "deactivate",
    "disarm_test",
    "dispatch",
    "find_webhook_wait",
    "preflight",
    "request_item",
    "resolve",
    "resume_from_webhook",
    "test_listeners",
]


def find_webhook_wait(execution_id: str, token: str) -> Any:
    """The webhook wait that ``token`` may resume (:mod:`engine.triggers.waits`)."""
    from engine.triggers import waits

    return waits.find_webhook_wait(execution_id, token)


def resume_from_webhook(
    execution_id: str,
    token: str,
    request_item: Any,
    *,
    method: str | None = None,
    suffix: str | None = None,
) -> str:
    """Resumes a webhook wait with the caller's request as the Wait node's output item;
    returns the execution id (:mod:`engine.triggers.waits`)."""
    from engine.triggers import waits

    return waits.resume_from_webhook(
        execution_id, token, request_item, method=method, suffix=suffix
    )
