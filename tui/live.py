"""An open execution kept current from the server's live events, without asking the
server again while the run is live.

``node.started`` and ``node.finished`` events carry each node's status, timing, item
counts and (capped) output, so :func:`apply_event` turns them into the screen's node rows
directly. Events carry ``seq`` (the run's own order): an older event never overwrites a
newer row, and where no ``seq`` is known (a row read from the server) a ``running`` row
never replaces a finished one. Events
that end the run (``execution.finished``, ``execution.waiting``) are not applied: the
screen then reads the stored record once, so a finished execution shows exactly that.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tui.models import Execution, NodeRun, parse_time

__all__ = ["apply_event"]

RUN_STATES = {"execution.queued": "queued", "execution.started": "running"}


def apply_event(ex: Execution, data: dict[str, Any], seqs: dict[str, int]) -> Execution | None:
    """``ex`` updated by the event ``data``, or None when the event is not one to apply
    here (the run ended, or it is another execution's). ``seqs`` remembers the newest
    ``seq`` applied per node."""
    kind = str(data.get("type") or "")
    if data.get("execution_id") != ex.id:
        return None
    if kind in RUN_STATES:
        return dataclasses.replace(ex, status=RUN_STATES[kind])
    if kind not in ("node.started", "node.finished"):
        return None
    name = str(data.get("node") or "")
    runs = list(ex.node_runs)
    at = next((i for i, r in enumerate(runs) if r.node == name), None)
    seq, known = data.get("seq"), seqs.get(name)
    if isinstance(seq, int) and known is not None:
        if seq <= known:
            return ex  # an older event: the row already shows something newer
    elif kind == "node.started" and at is not None and runs[at].status != "running":
        return ex  # a late start never turns a finished node back to running
    if isinstance(seq, int):
        seqs[name] = seq
    row = _row(data, runs[at] if at is not None else None)
    if at is None:
        runs.append(row)
    else:
        runs[at] = row
    return dataclasses.replace(ex, status="running", node_runs=runs)


def _row(data: dict[str, Any], before: NodeRun | None) -> NodeRun:
    finished = data.get("type") == "node.finished"
    status = str(data.get("status") or ("succeeded" if finished else "running"))
    return NodeRun(
        node=str(data.get("node") or ""),
        type=str(data.get("node_type") or (before.type if before else "")),
        status="succeeded" if status == "reused" else status,
        started_at=parse_time(data.get("started_at")),
        duration_ms=data.get("duration_ms") if finished else None,
        input_counts=dict(data.get("input_counts") or {}),
        output_counts=dict(data.get("output_counts") or {}) if finished else {},
        outputs=dict(data.get("outputs") or {}) if finished else {},
        error=data.get("error") if finished else None,
        logs=list(data.get("logs") or []) if finished else [],
    )
