"""Node runs: what each node did inside an execution (``store.node_runs``).

The executor records a run when a node starts (``running``) and updates it when the node
ends, or records it once when it ends. Item data is bounded: pass ``max_items`` (the
workflow's ``max_saved_items``) and each port keeps at most that many items, while
``input_counts``/``output_counts`` keep the real counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from engine.errors import NotFoundError, ValidationError
from engine.store._repo import Repository
from engine.store.enums import NodeRunStatus
from engine.store.models import Execution, NodeRun
from engine.store.types import check_aware, error_dict, new_id, utcnow

__all__ = ["NodeRunRepository", "build_rows", "insert_rows"]

# built once
_INSERT = insert(NodeRun.__table__)  # type: ignore[attr-defined]

Ports = Mapping[str, Sequence[Any]]

_UPDATABLE = frozenset(
    {
        "status",
        "started_at",
        "finished_at",
        "attempts",
        "input_counts",
        "output_counts",
        "input",
        "output",
        "error",
        "logs",
    }
)


def _status(value: NodeRunStatus | str) -> NodeRunStatus:
    try:
        return NodeRunStatus(value)
    except ValueError:
        raise ValidationError(
            f"Unknown node run status {value!r}; use one of "
            f"{', '.join(s.value for s in NodeRunStatus)}."
        ) from None


def _counts(ports: Ports | None) -> dict[str, int]:
    return {port: len(items) for port, items in (ports or {}).items()}


def _bound(ports: Ports | None, max_items: int | None) -> dict[str, list[Any]] | None:
    if ports is None:
        return None
    if max_items is None:
        return {port: list(items) for port, items in ports.items()}
    return {port: list(items[:max_items]) for port, items in ports.items()}


class NodeRunRepository(Repository):
    """Record, update and read node runs. Rows come back detached."""

    def record(
        self,
        execution_id: str,
        node_name: str,
        *,
        node_type: str = "",
        type_version: int = 1,
        run_index: int = 0,
        status: NodeRunStatus | str = NodeRunStatus.SUCCEEDED,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        attempts: int = 1,
        input_counts: Mapping[str, int] | None = None,
        output_counts: Mapping[str, int] | None = None,
        input: Ports | None = None,
        output: Ports | None = None,
        error: BaseException | Mapping[str, Any] | None = None,
        logs: Sequence[str] | None = None,
        position: int | None = None,
        max_items: int | None = None,
    ) -> NodeRun:
        """Stores one run of ``node_name``; ``position`` defaults to the next in order.

        Counts default to the number of items given per port (before bounding).

        Raises:
            NotFoundError: no execution ``execution_id``.
        """
        st = _status(status)
        check_aware(started_at=started_at, finished_at=finished_at)
        now = utcnow()
        run = NodeRun(
            execution_id=execution_id,
            node_name=node_name,
            node_type=node_type,
            type_version=type_version,
            run_index=run_index,
            status=st.value,
            started_at=started_at or now,
            finished_at=finished_at or (None if st is NodeRunStatus.RUNNING else now),
            attempts=attempts,
            input_counts=dict(input_counts) if input_counts is not None else _counts(input),
            output_counts=dict(output_counts) if output_counts is not None else _counts(output),
            input=_bound(input, max_items),
            output=_bound(output, max_items),
            error=error_dict(error),
            logs=[str(line) for line in logs or ()],
        )
        try:
            with self._db.write() as s:
                if s.get(Execution, execution_id) is None:
                    raise NotFoundError(
                        f"No execution with id {execution_id!r}.", details={"id": execution_id}
                    )
                if position is None:
                    last = s.exec(
                        select(func.max(NodeRun.position)).where(
                            NodeRun.execution_id == execution_id
                        )
                    ).one()
                    position = 0 if last is None else int(last) + 1
                run.position = position
                s.add(run)
        except IntegrityError:  # the execution was deleted meanwhile
            raise NotFoundError(
                f"No execution with id {execution_id!r}.", details={"id": execution_id}
            ) from None
        return run

    def record_many(self, execution_id: str, runs: Sequence[Mapping[str, Any]]) -> int:
        """Stores several runs of one execution in one transaction (the keyword arguments
        of :meth:`record` per run, ``position`` required). Returns how many were stored."""
        rows = build_rows(execution_id, runs)
        if not rows:
            return 0
        try:
            with self._db.write() as s:
                if s.get(Execution, execution_id) is None:
                    raise NotFoundError(
                        f"No execution with id {execution_id!r}.", details={"id": execution_id}
                    )
                insert_rows(s, rows)
        except IntegrityError:
            raise NotFoundError(
                f"No execution with id {execution_id!r}.", details={"id": execution_id}
            ) from None
        return len(rows)

    def drop_data(self, execution_id: str) -> int:
        """Forgets the item data (input and output) of every run of the execution, keeping
        statuses, timings and counts; one statement. Returns how many runs it changed."""
        from sqlalchemy import null, update

        with self._db.write() as s:
            result = s.exec(
                update(NodeRun)
                .where(col(NodeRun.execution_id) == execution_id)
                .values(input=null(), output=null())
            )
            return int(result.rowcount or 0)

    def update(self, id: str, *, max_items: int | None = None, **fields: Any) -> NodeRun:
        """Changes a recorded run (e.g. ``running`` -> ``succeeded`` with its output).

        Giving ``output``/``input`` without counts sets the counts from them too; a final
        status without ``finished_at`` stamps the current time.
        """
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise TypeError(f"cannot update node run field(s): {', '.join(sorted(unknown))}")
        check_aware(**fields)
        if "status" in fields:
            fields["status"] = _status(fields["status"]).value
            if fields["status"] != NodeRunStatus.RUNNING:
                fields.setdefault("finished_at", utcnow())
        for port_field in ("input", "output"):
            if port_field in fields:
                fields.setdefault(f"{port_field}_counts", _counts(fields[port_field]))
                fields[port_field] = _bound(fields[port_field], max_items)
        if "error" in fields:
            fields["error"] = error_dict(fields["error"])
        if "logs" in fields:
            fields["logs"] = [str(line) for line in fields["logs"] or ()]
        with self._db.write() as s:
            run = self._require(s, NodeRun, id, "node run")
            for k, v in fields.items():
                setattr(run, k, v)
            s.add(run)
            return run

    def get(self, id: str) -> NodeRun:
        """The node run with this id. Raises NotFoundError."""
        with self._db.read() as s:
            return self._require(s, NodeRun, id, "node run")

    def list(self, execution_id: str, node_name: str | None = None) -> list[NodeRun]:
        """The runs of an execution in the order they were recorded."""
        stmt = select(NodeRun).where(NodeRun.execution_id == execution_id)
        if node_name is not None:
            stmt = stmt.where(NodeRun.node_name == node_name)
        with self._db.read() as s:
            return list(
                s.exec(
                    stmt.order_by(
                        col(NodeRun.position), col(NodeRun.run_index), col(NodeRun.started_at)
                    )
                ).all()
            )


def build_rows(execution_id: str, runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The column values of several runs of one execution (the keyword arguments of
    :meth:`NodeRunRepository.record` per run, ``position`` required), for one bulk
    ``INSERT`` (no ORM object per row: they cost more than the statement)."""
    rows = []
    now = utcnow()
    for r in runs:
        st = _status(r.get("status", NodeRunStatus.SUCCEEDED))
        max_items = r.get("max_items")
        input_counts, output_counts = r.get("input_counts"), r.get("output_counts")
        rows.append(
            {
                "id": new_id(),
                "execution_id": execution_id,
                "node_name": r["node_name"],
                "node_type": r.get("node_type", ""),
                "type_version": r.get("type_version", 1),
                "run_index": r.get("run_index", 0),
                "position": r["position"],
                "status": st.value,
                "started_at": r.get("started_at") or now,
                "finished_at": r.get("finished_at")
                or (None if st is NodeRunStatus.RUNNING else now),
                "attempts": r.get("attempts", 1),
                "input_counts": dict(input_counts)
                if input_counts is not None
                else _counts(r.get("input")),
                "output_counts": dict(output_counts)
                if output_counts is not None
                else _counts(r.get("output")),
                "input": _bound(r.get("input"), max_items),
                "output": _bound(r.get("output"), max_items),
                "error": error_dict(r.get("error")),
                "logs": [str(x) for x in r.get("logs") or ()],
            }
        )
    return rows


def insert_rows(session: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts :func:`build_rows` values in ``session`` (one executemany)."""
    if rows:
        session.execute(_INSERT, list(rows))
