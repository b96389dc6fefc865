"""An editor run as the canvas shows it: node rows built from the execution's live events,
merged order-safely, and replaced by the stored record once the run is over.

While a run on the workers is live, nothing here reads the store: ``node.started`` and
``node.finished`` events carry the status, counts, timings and (capped, redacted) output
of each node (:mod:`engine.events.publisher`). When ``execution.finished`` (or
``execution.waiting``) arrives, the stored record is read once and posted as the final
rows, so a finished run's view is exactly its record.

Events may reach the editor late or out of order (pub/sub batches, a slow connection):
:func:`supersedes` keeps the newest state of each node, by the run's ``seq`` when both
rows have one, else by status (a ``running`` row never replaces a finished one).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from engine.services.store import get_store

__all__ = ["FINAL_SEQ", "Follower", "recorded_rows", "supersedes"]

MAX_UI_ITEMS = 200
"""Items per port the editor keeps of a node's output."""

FINAL_SEQ = 1 << 62
"""``seq`` of rows read from the stored record: nothing of the run comes after them."""

SILENCE_CHECK_S = 10.0
"""Without any event for this long, the follower looks at the execution's status once (in
case its last events were lost)."""


class _Poster(Protocol):
    def post(self, ev: dict[str, Any]) -> None: ...


def supersedes(current: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """Whether the node row ``new`` replaces ``current`` on the canvas."""
    if not current:
        return True
    before, after = current.get("seq"), new.get("seq")
    if before is not None and after is not None:
        return int(after) > int(before)
    return not (
        new.get("status") == "running" and current.get("status") not in ("", None, "running")
    )


def _status(raw: Any) -> str:
    status = str(raw)
    return "succeeded" if status == "reused" else status


def _cut(ports: dict[str, Any] | None) -> dict[str, list[Any]]:
    return {p: list(items or [])[:MAX_UI_ITEMS] for p, items in (ports or {}).items()}


class _Rows:
    """Node rows of one run, with each node's input derived from its sources' outputs (the
    record keeps outputs only)."""

    def __init__(self, wf: Any) -> None:
        self.ids = {n.name: n.id for n in wf.nodes}
        self.connections = list(wf.connections)
        self.outputs: dict[str, dict[str, list[Any]]] = {}

    def inputs(self, name: str) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for c in self.connections:
            if c.target == name:
                out.setdefault(c.input, []).extend(
                    self.outputs.get(c.source, {}).get(c.output) or []
                )
        return {p: items[:MAX_UI_ITEMS] for p, items in out.items()}

    def row(self, name: str, *, status: str, seq: int | None, **fields: Any) -> dict[str, Any]:
        row = {
            "kind": "node",
            "node": name,
            "node_id": self.ids.get(name) or name,
            "status": status,
            "seq": seq,
        }
        if status != "running":
            outputs = _cut(fields.pop("outputs", None))
            self.outputs[name] = outputs
            row.update(inputs=self.inputs(name), outputs=outputs, **fields)
        return row


def _error_text(err: dict[str, Any] | None) -> str:
    return str(err.get("message") or err.get("type") or "failed") if err else ""


def recorded_rows(wf: Any, execution_id: str) -> list[dict[str, Any]]:
    """The stored record's node rows of an execution (one read), in recorded order; none
    when the execution is not kept (a workflow that does not save manual runs)."""
    from engine.errors import NotFoundError

    rows = _Rows(wf)
    try:
        runs = get_store().executions.node_runs(execution_id)
    except NotFoundError:
        return []
    out = []
    for r in runs:
        if r.status == "running":
            continue
        ms = (
            (r.finished_at - r.started_at).total_seconds() * 1000
            if r.started_at and r.finished_at
            else None
        )
        out.append(
            rows.row(
                r.node_name,
                status=_status(r.status),
                seq=FINAL_SEQ,
                counts=r.output_counts,
                input_counts=r.input_counts,
                error=_error_text(r.error),
                error_detail=r.error or {},
                outputs=r.output,
                logs=list(r.logs or [])[-200:],
                duration_ms=ms,
            )
        )
    return out


class Follower:
    """Posts an execution's node rows onto the editor's queue from its live events, then
    the stored record once it is over."""

    def __init__(self, wf: Any, execution_id: str, hooks: _Poster) -> None:
        self.wf = wf
        self.eid = execution_id
        self.hooks = hooks
        self.rows = _Rows(wf)

    def follow(self, sub: Any) -> tuple[str, dict[str, Any] | None, list[dict[str, Any]]]:
        """Until the run finishes (or parks): ``(status, error, [{node, status}])``."""
        quiet_since = time.monotonic()
        while True:
            event = sub.get(timeout=1.0)
            if event is None:
                if time.monotonic() - quiet_since >= SILENCE_CHECK_S:
                    quiet_since = time.monotonic()
                    if self._over_without_event():
                        return self._finish({})
                continue
            quiet_since = time.monotonic()
            kind = event.get("type")
            if kind == "node.started":
                self.hooks.post(
                    self.rows.row(str(event.get("node")), status="running", seq=event.get("seq"))
                )
            elif kind == "node.finished":
                self.hooks.post(self._finished_row(event))
            elif kind in ("execution.finished", "execution.waiting"):
                return self._finish(event)

    def _finished_row(self, ev: dict[str, Any]) -> dict[str, Any]:
        err = ev.get("error") or None
        return self.rows.row(
            str(ev.get("node")),
            status=_status(ev.get("status")),
            seq=ev.get("seq"),
            counts=ev.get("output_counts") or {},
            input_counts=ev.get("input_counts") or {},
            error=_error_text(err),
            error_detail=err or {},
            outputs=ev.get("outputs"),
            logs=list(ev.get("logs") or []),
            duration_ms=ev.get("duration_ms"),
        )

    def _over_without_event(self) -> bool:
        from engine.services.executions import ExecutionStatus

        status = get_store().executions.get(self.eid).status
        return bool(ExecutionStatus(status).finished or status == "waiting")

    def _finish(
        self, event: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | None, list[dict[str, Any]]]:
        from engine.errors import NotFoundError

        try:
            row = get_store().executions.get(self.eid)
        except NotFoundError:  # not kept (the workflow does not save manual runs)
            return str(event.get("status") or "succeeded"), event.get("error"), []
        final = recorded_rows(self.wf, self.eid)
        for r in final:
            self.hooks.post(r)
        return (
            str(row.status),
            row.error,
            [{"node": r["node"], "status": r["status"]} for r in final],
        )
