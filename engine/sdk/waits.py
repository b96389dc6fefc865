"""Durable waits: the signal a node raises to park its execution.

A node that must pause for long (a Wait node until tomorrow, until a webhook call)
raises :class:`WaitRequested` instead of sleeping. The executor records the node run as
``waiting``, stops, and hands back a checkpoint; the runtime parks the execution
(status ``waiting``, nothing held in memory) and resumes it later on any worker, with
the waiting node's output set to its input items (or, for a webhook resume, to the
webhook request item)::

    from engine.sdk import WaitRequested

    def execute(ctx):
        raise WaitRequested(until=ctx.now() + timedelta(hours=2))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = ["ResumeKind", "WaitRequested"]

ResumeKind = Literal["time", "webhook", "external"]


@dataclass(eq=False)
class WaitRequested(Exception):
    """Park the execution at this node and resume it later.

    Attributes:
        until: when to resume (timezone-aware). For ``resume="webhook"`` it is the
            optional limit: at that time the execution resumes without webhook data.
            None with ``resume="webhook"`` waits for the call forever.
        resume: ``time`` (at ``until``), ``webhook`` (when the execution's resume URL,
            ``$execution.resume_url``, is called) or ``external`` (when a service resumes
            it, e.g. a person's decision on an approval; at ``until`` if given).
        webhook_method: the HTTP method the resume URL accepts (webhook resumes).
        webhook_suffix: an optional path after the resume URL (several waits apart).
        response_code: status code answered to the caller of the resume URL.
        options: anything else the node wants to keep with the wait (JSON values).
            ``options["ports"]`` maps how it was resumed (``time``, ``webhook``, or the
            resumer's ``port``) to the output port its items leave by (default ``main``).
    """

    until: datetime | None = None
    resume: ResumeKind = "time"
    webhook_method: str = "GET"
    webhook_suffix: str = ""
    response_code: int = 200
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("WaitRequested.until must be timezone-aware")
        if self.resume not in ("time", "webhook", "external"):
            raise ValueError(
                f"unknown resume kind {self.resume!r}; use 'time', 'webhook' or 'external'"
            )
        if self.resume == "time" and self.until is None:
            raise ValueError("a time wait needs 'until'")
        super().__init__(self.describe())

    def describe(self) -> str:
        """A short human description ("until 2024-06-01T09:00:00+00:00")."""
        when = self.until.isoformat() if self.until else None
        if self.resume == "webhook":
            limit = f" (at the latest until {when})" if when else ""
            return f"waiting for a {self.webhook_method} call of the resume URL{limit}"
        if self.resume == "external":
            limit = f" (at the latest until {when})" if when else ""
            return f"waiting for a decision{limit}"
        return f"waiting until {when}"

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the execution's checkpoint."""
        return {"until": self.until.isoformat() if self.until else None,
                "resume": self.resume, "webhook_method": self.webhook_method.upper(),
                "webhook_suffix": self.webhook_suffix.strip("/"),
                "response_code": self.response_code, "options": dict(self.options)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WaitRequested:
        """Inverse of :meth:`to_json`."""
        until = data.get("until")
        return cls(until=datetime.fromisoformat(until) if until else None,
                   resume=data.get("resume", "time"),
                   webhook_method=data.get("webhook_method", "GET"),
                   webhook_suffix=data.get("webhook_suffix", ""),
                   response_code=int(data.get("response_code", 200)),
                   options=dict(data.get("options") or {}))
