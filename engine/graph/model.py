"""The workflow model: pure data, no code objects, no secrets.

A workflow is nodes plus connections between named ports, settings, pinned data and
sticky notes. It is saved as versioned JSON (``format: "aura.workflow/1"``); readers
upgrade older formats on load, so saved workflows keep working.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "FORMAT",
    "Connection",
    "CredentialRef",
    "NodeDef",
    "RetrySettings",
    "StickyNote",
    "Workflow",
    "WorkflowSettings",
]

FORMAT = "aura.workflow/1"
MAX_NAME = 128


def new_id() -> str:
    return uuid.uuid4().hex


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RetrySettings(_Model):
    """Per-node retry: ``max_tries`` attempts in all, waiting ``wait_s`` then
    multiplying by ``backoff`` after each failure (capped at ``max_wait_s``)."""

    enabled: bool = Field(False, description="Retry the node when it fails.")
    max_tries: int = Field(3, ge=1, le=10, description="Attempts in all, the first included.")
    wait_s: float = Field(1.0, ge=0, le=3600, description="Wait before the second attempt.")
    backoff: float = Field(2.0, ge=1, le=10, description="Multiplier applied to the wait.")
    max_wait_s: float = Field(300.0, ge=0, le=3600, description="Upper bound of one wait.")

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (2 = first retry)."""
        return float(min(self.max_wait_s, self.wait_s * self.backoff ** max(0, attempt - 2)))


class CredentialRef(_Model):
    """Points at a stored credential by id; never holds the secret itself."""

    id: str = Field(description="Credential id.")
    name: str = Field("", description="Credential name at the time it was chosen (display).")


class NodeDef(_Model):
    """One node on the canvas."""

    id: str = Field(default_factory=new_id, description="Stable id; survives renames.")
    name: str = Field(min_length=1, max_length=MAX_NAME, description="Unique in the workflow.")
    type: str = Field(min_length=3, max_length=200, description="Node type, 'namespace.name'.")
    type_version: int = Field(1, ge=1, description="Version of the node type.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Parameter values.")
    credentials: dict[str, CredentialRef] = Field(
        default_factory=dict, description="Credential slot name -> stored credential.")
    position: tuple[float, float] = Field((0.0, 0.0), description="Canvas position (x, y).")
    disabled: bool = Field(False, description="A disabled node passes its input through.")
    notes: str = Field("", max_length=10_000, description="Free text shown on the node.")
    retry: RetrySettings = Field(default_factory=RetrySettings)
    on_error: Literal["stop", "continue", "route"] = Field(
        "stop", description="stop the workflow, continue with the error as data, or route "
        "failed items to the 'error' output.")
    execute_once: bool = Field(False, description="Run with the first input item only.")
    always_output_data: bool = Field(
        False, description="Output one empty item when the node produces none.")

    @field_validator("name")
    @classmethod
    def _name_ok(cls, v: str) -> str:
        if v != v.strip():
            raise ValueError("node names cannot start or end with spaces")
        if any(c in v for c in '"\n\r\t'):
            raise ValueError("node names cannot contain quotes, tabs or line breaks")
        return v


class Connection(_Model):
    """Output port ``output`` of node ``source`` feeds input port ``input`` of ``target``."""

    source: str = Field(description="Name of the node the data comes from.")
    output: str = Field("main", description="Output port of the source node.")
    target: str = Field(description="Name of the node the data goes to.")
    input: str = Field("main", description="Input port of the target node.")

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.output, self.target, self.input)


class StickyNote(_Model):
    """A Markdown note on the canvas; has no effect on execution."""

    id: str = Field(default_factory=new_id)
    content: str = Field("", max_length=20_000)
    position: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (240.0, 160.0)
    color: str = "yellow"


class WorkflowSettings(_Model):
    """Workflow-wide settings."""

    timezone: str = Field("UTC", description="IANA timezone for $now, schedules and dates.")
    error_workflow: str | None = Field(
        None, description="Id of a workflow (with an Error Trigger) run when this one fails.")
    timeout_s: float | None = Field(
        None, gt=0, le=7 * 24 * 3600, description="Fail the execution after this many seconds.")
    save_data_success: Literal["all", "none"] = Field(
        "all", description="Keep node data of successful executions.")
    save_data_error: Literal["all", "none"] = Field(
        "all", description="Keep node data of failed executions.")
    save_manual: bool = Field(True, description="Keep manual (editor/CLI) executions.")
    max_saved_items: int = Field(
        1000, ge=0, le=1_000_000, description="Items kept per node output in execution data.")
    concurrency: int | None = Field(
        None, ge=1, le=1000, description="Most executions of this workflow running at once.")
    concurrency_overflow: Literal["queue", "drop"] = Field(
        "queue", description="What to do with a trigger beyond the concurrency limit.")
    retry_on_crash: int = Field(
        0, ge=0, le=10, description="Re-run an execution whose worker died this many times.")
    callers: Literal["any", "none", "same_project"] = Field(
        "any", description="Which workflows may run this one as a sub-workflow.")

    @field_validator("timezone")
    @classmethod
    def _tz_ok(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {v!r}; use an IANA name like 'Europe/Paris'") \
                from exc
        return v


class Workflow(_Model):
    """A workflow definition (what is saved, versioned, exported and imported)."""

    format: str = Field(FORMAT, description="File format tag; older formats are upgraded.")
    id: str | None = Field(None, description="Id in the store (absent in fresh files).")
    name: str = Field("Untitled workflow", min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    nodes: list[NodeDef] = Field(default_factory=list)
    connections: list[Connection] = Field(default_factory=list)
    settings: WorkflowSettings = Field(default_factory=WorkflowSettings)
    pinned_data: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="Node name -> items used instead of running it "
        "(manual runs only).")
    sticky_notes: list[StickyNote] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict, description="Free-form tool metadata.")

    @field_validator("tags")
    @classmethod
    def _tags_ok(cls, v: list[str]) -> list[str]:
        for tag in v:
            if any(ord(c) < 32 or ord(c) == 127 for c in tag):
                raise ValueError(f"tag {tag!r} contains a control character (a NUL, tab or "
                                 "line break); tags are short labels: remove it")
            if len(tag) > 200:
                raise ValueError(f"tag {tag[:20]!r}… is longer than 200 characters")
        return v

    # -- helpers -------------------------------------------------------------
    def node(self, name: str) -> NodeDef:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def node_names(self) -> list[str]:
        return [n.name for n in self.nodes]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)
