"""What an execution produces: its status, each node run, and the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.sdk.items import Binary, Item, items_from_json
from engine.sdk.waits import WaitRequested
from engine.store.enums import ExecutionStatus, NodeRunStatus

__all__ = ["Checkpoint", "ExecutionResult", "ExecutionStatus", "NodeRunRecord", "NodeRunStatus"]


@dataclass
class NodeRunRecord:
    """One run of one node."""

    node: str
    node_id: str
    type: str
    type_version: int
    index: int
    status: NodeRunStatus = NodeRunStatus.RUNNING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    inputs: dict[str, list[Item]] = field(default_factory=dict)
    outputs: dict[str, list[Item]] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def input_counts(self) -> dict[str, int]:
        return {p: len(v) for p, v in self.inputs.items()}

    @property
    def output_counts(self) -> dict[str, int]:
        return {p: len(v) for p, v in self.outputs.items()}

    @property
    def duration_ms(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds() * 1000
        return None

    def to_dict(
        self, *, max_items: int | None = None, include_input: bool = False
    ) -> dict[str, Any]:
        def cut(ports: dict[str, list[Item]]) -> dict[str, list[dict[str, Any]]]:
            return {
                p: [i.to_dict() for i in (v if max_items is None else v[:max_items])]
                for p, v in ports.items()
            }

        d: dict[str, Any] = {
            "node": self.node,
            "node_id": self.node_id,
            "type": self.type,
            "type_version": self.type_version,
            "index": self.index,
            "status": str(self.status),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_ms": self.duration_ms,
            "attempts": self.attempts,
            "input_counts": self.input_counts,
            "output_counts": self.output_counts,
            "outputs": cut(self.outputs),
            "error": self.error,
            "logs": self.logs,
        }
        if include_input:
            d["inputs"] = cut(self.inputs)
        return d


@dataclass
class Checkpoint:
    """Where a parked (``waiting``) execution stopped, enough to resume it anywhere.

    Attributes:
        node: the node that asked to wait.
        inputs: that node's input items, by port.
        outputs: the FULL outputs (not bounded) of every node that finished, by node
            and port; a resumed run reuses them instead of running those nodes again.
        wait: what the node asked for.
    """

    node: str
    inputs: dict[str, list[Item]]
    outputs: dict[str, dict[str, list[Item]]]
    wait: WaitRequested

    def to_json(self) -> dict[str, Any]:
        """JSON for the execution row's ``checkpoint`` column."""
        return {
            "v": 1,
            "node": self.node,
            "inputs": {p: [i.to_dict() for i in v] for p, v in self.inputs.items()},
            "outputs": {
                n: {p: [i.to_dict() for i in v] for p, v in ports.items()}
                for n, ports in self.outputs.items()
            },
            "wait": self.wait.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        """Inverse of :meth:`to_json` (extra keys, such as a resume payload, ignored)."""
        return cls(
            node=data["node"],
            inputs={p: items_from_json(v) for p, v in data["inputs"].items()},
            outputs={
                n: {p: items_from_json(v) for p, v in ports.items()}
                for n, ports in data["outputs"].items()
            },
            wait=WaitRequested.from_json(data["wait"]),
        )


@dataclass
class ExecutionResult:
    """The outcome of running a workflow."""

    id: str
    status: ExecutionStatus
    started_at: datetime
    finished_at: datetime | None = None
    node_runs: list[NodeRunRecord] = field(default_factory=list)
    error: dict[str, Any] | None = None
    last_node: str | None = None
    webhook_response: dict[str, Any] | None = None
    webhook_attachment: Binary | None = None
    """The binary attachment a Respond to Webhook answer sends (``body_type`` binary)."""
    checkpoint: Checkpoint | None = None
    """Set when ``status`` is ``WAITING``: what a resumed run needs."""

    def run_for(self, node: str) -> NodeRunRecord | None:
        for r in reversed(self.node_runs):
            if r.node == node:
                return r
        return None

    @property
    def output(self) -> list[Item]:
        """The ``main`` output of the last node that ran (what a sub-workflow returns)."""
        if self.last_node is None:
            return []
        run = self.run_for(self.last_node)
        if run is None:
            return []
        if "main" in run.outputs:
            return run.outputs["main"]
        return next(iter(run.outputs.values()), [])

    @property
    def ok(self) -> bool:
        return self.status == ExecutionStatus.SUCCEEDED

    def answer(self) -> dict[str, Any]:
        """What a caller waiting for this run gets back (a webhook's answer), as JSON:
        the Respond to Webhook ``response`` (None if none ran) and its binary
        ``attachment``, and the ``json`` of the last node's ``items``. Taken from the run
        itself, never from its record: it does not depend on what the data-retention
        settings keep, nor on where the run ran."""
        att = self.webhook_attachment
        return {
            "response": self.webhook_response,
            "attachment": att.to_dict() if att is not None else None,
            "items": [i.json for i in self.output],
        }

    def to_dict(self, *, max_items: int | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": str(self.status),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
            "last_node": self.last_node,
            "node_runs": [r.to_dict(max_items=max_items) for r in self.node_runs],
        }
