"""Approval: park the workflow until a person approves or rejects (human in the loop)."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, Port, load_docs


class ApprovalParams(Params):
    """Parameters of the Approval node."""

    title: str = Field(
        "",
        description="What the person is asked, shown in the approvals inbox (default: "
        "'Approve <node name>'). Expressions see the first item.",
    )
    details: str = Field(
        "",
        description="More for the person to read before deciding (text or an expression).",
    )
    limit_wait: bool = Field(
        False, description="Give up waiting after a time: the items leave by 'timeout'."
    )
    limit_amount: float = Field(1, ge=0, description="With a limit: how many 'Limit unit'.")
    limit_unit: Literal["minutes", "hours", "days"] = Field(
        "hours", description="With a limit: unit of 'Limit amount'."
    )


SPEC = NodeSpec(
    type="core.approval",
    version=1,
    title="Approval",
    description="Wait for a person to approve or reject; continue by 'approved', 'rejected' "
    "or 'timeout'.",
    category="Flow",
    icon="user-check",
    params=ApprovalParams,
    run="nodes.core.approval.run:execute",
    outputs=(
        Port("approved", "Approved"),
        Port("rejected", "Rejected"),
        Port("timeout", "Timeout"),
    ),
    docs=load_docs(__file__),
)
