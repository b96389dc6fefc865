"""Wait: pause the workflow for a time, until a date-time, or until a webhook call."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs

INLINE_LIMIT_S = 65.0
"""Longest time interval slept inside the running execution; longer intervals, future
date-times and webhook resumes park the execution (status 'waiting') and resume later."""

TimeUnit = Literal["seconds", "minutes", "hours", "days"]


class WaitParams(Params):
    """Parameters of the Wait node."""

    resume: Literal["time_interval", "specific_time", "webhook"] = Field(
        "time_interval",
        description="When to continue: after a time interval, at a "
        "specific date and time, or when the execution's resume URL is called.",
    )
    amount: float = Field(1, description="time_interval: how long to wait, in 'Unit'.", ge=0)
    unit: TimeUnit = Field("seconds", description="time_interval: unit of 'Amount'.")
    date_time: Any = Field(
        None,
        description="specific_time: when to continue, e.g. '2024-06-01T09:00:00' "
        "(no offset: the workflow's timezone) or a Unix timestamp. A time in the past "
        "continues at once.",
    )
    webhook_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = Field(
        "GET", description="webhook: the HTTP method the resume URL accepts."
    )
    webhook_suffix: str = Field(
        "",
        description="webhook: optional path added to the resume URL, to tell several "
        "Wait nodes apart.",
    )
    response_code: int = Field(
        200,
        description="webhook: status code returned to the caller of the resume URL.",
        ge=100,
        le=599,
    )
    respond: Literal["immediately", "when_last_node_finishes", "respond_node"] = Field(
        "immediately",
        description="webhook: answer the caller at once, when the workflow "
        "finishes, or from a Respond to Webhook node.",
    )
    limit_wait: bool = Field(
        False,
        description="webhook: stop waiting after a limit and continue without the webhook data.",
    )
    limit_type: Literal["after_interval", "at_time"] = Field(
        "after_interval",
        description="webhook with a limit: give up after an interval or at a date-time.",
    )
    limit_amount: float = Field(1, description="Limit after this many 'Limit unit'.", ge=0)
    limit_unit: TimeUnit = Field("hours", description="Unit of 'Limit amount'.")
    limit_date_time: Any = Field(None, description="Limit at this date-time.")


SPEC = NodeSpec(
    type="core.wait",
    version=1,
    title="Wait",
    description="Pause the workflow for a while, until a date-time, or until a webhook call.",
    category="Flow",
    icon="hourglass",
    params=WaitParams,
    run="nodes.core.wait.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.wait", "delay"),
)
