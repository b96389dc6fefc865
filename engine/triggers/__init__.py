"""Triggers: what starts executions from outside (webhooks today; schedules and polling
join here). Activation registers a workflow's triggers; deactivation removes them.

Example::

    from engine.triggers import webhooks

    webhooks.activate(workflow_id)            # publish if needed, register paths
    response = webhooks.handle("POST", "orders/new", request, runner=runner)
"""

from __future__ import annotations

from engine.triggers.webhooks import (
    Runner,
    RunOutcome,
    WebhookRequest,
    WebhookResponse,
    activate,
    deactivate,
    handle,
)

__all__ = ["RunOutcome", "Runner", "WebhookRequest", "WebhookResponse", "activate",
           "deactivate", "handle"]
