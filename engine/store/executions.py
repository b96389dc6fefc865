"""Executions: runs of workflows and their life cycle (``store.executions``).

Status changes go through :meth:`ExecutionRepository.set_status`, which enforces
:data:`engine.store.enums.TRANSITIONS` in one conditional ``UPDATE`` so that two
processes racing (a worker finishing, a user cancelling) cannot both win: the loser gets
a :class:`~engine.errors.ConflictError`. Fields for the queue runtime (worker, heartbeat,
attempt, durable waits, sub-workflow parent) are recorded here too.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlmodel import col, delete, select

from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store._db import Database
from engine.store._repo import Repository, page
from engine.store.enums import FINISHED, TRANSITIONS, ExecutionMode, ExecutionStatus
from engine.store.models import Execution, NodeRun, WorkflowRecord
from engine.store.node_runs import NodeRunRepository, build_rows, insert_rows
from engine.store.types import check_aware, error_dict, jsonable, new_id, utcnow

__all__ = ["ExecutionRepository"]

_SETTABLE = frozenset(
    {
        "started_at",
        "finished_at",
        "error",
        "output_summary",
        "worker_id",
        "heartbeat_at",
        "wait_until",
        "resume_token",
        "attempt",
        "trigger",
    }
)
_HINT = "List executions with 'aura execution list'."
_TABLE: Table = Execution.__table__  # type: ignore[attr-defined]
_COLUMNS = tuple(_TABLE.c.keys())
_INSERT = insert(_TABLE)
W: Table = WorkflowRecord.__table__  # type: ignore[attr-defined]


_MANAGER = class_mapper(Execution).class_manager


def _detached(values: Mapping[str, Any]) -> Execution:
    """An execution row from its column values, detached, made as the ORM makes the rows
    it loads (no ``__init__``: setting 29 instrumented attributes one by one cost more
    than the statement)."""
    row: Execution = _MANAGER.new_instance()
    row.__dict__.update(values)
    make_transient_to_detached(row)
    return row


_FROM_WAITING = frozenset(TRANSITIONS[ExecutionStatus.WAITING])
_UPDATES: dict[tuple[ExecutionStatus, tuple[str, ...], bool], Any] = {}


def _update(target: ExecutionStatus, keys: tuple[str, ...], coalesce_start: bool) -> Any:
    """The conditional ``UPDATE ... RETURNING`` of :meth:`ExecutionRepository.set_status`
    moving a row to ``target`` and setting the columns ``keys`` (bound as ``v_<key>``,
    the id as ``p_id``), built once per shape: SQLAlchemy then reuses its compiled form
    without building the statement and its cache key again on every execution.
    ``coalesce_start``: ``started_at`` is set only when it is still NULL."""
    key = (target, keys, coalesce_start)
    stmt = _UPDATES.get(key)
    if stmt is None:
        sources = [s.value for s in ExecutionStatus if target in TRANSITIONS[s]]
        values: dict[str, Any] = {k: bindparam(f"v_{k}", type_=_TABLE.c[k].type) for k in keys}
        if coalesce_start:
            values["started_at"] = func.coalesce(_TABLE.c.started_at, values["started_at"])
        # "status = a OR status = b": an IN list would be expanded at every execution
        stmt = (
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("p_id"), or_(*(_TABLE.c.status == s for s in sources)))
            .values(status=target.value, **values)
            .returning(*_TABLE.c)
        )
        _UPDATES[key] = stmt
    return stmt


def _status(value: ExecutionStatus | str) -> ExecutionStatus:
    try:
        return ExecutionStatus(value)
    except ValueError:
        raise ValidationError(
            f"Unknown execution status {value!r}; use one of "
            f"{', '.join(s.value for s in ExecutionStatus)}."
        ) from None


def _mode(value: ExecutionMode | str) -> ExecutionMode:
    try:
        return ExecutionMode(value)
    except ValueError:
        raise ValidationError(
            f"Unknown execution mode {value!r}; use one of "
            f"{', '.join(m.value for m in ExecutionMode)}."
        ) from None


class ExecutionRepository(Repository):
    """Create, move through statuses, list and delete executions. Rows come back detached."""

    def __init__(self, db: Database, node_runs: NodeRunRepository) -> None:
        super().__init__(db)
        self._node_runs = node_runs

    def create(
        self,
        *,
        workflow_id: str | None = None,
        workflow_version_id: str | None = None,
        workflow_name: str | None = None,
        definition: Mapping[str, Any] | None = None,
        mode: ExecutionMode | str = ExecutionMode.MANUAL,
        status: ExecutionStatus | str = ExecutionStatus.QUEUED,
        input: Any = None,
        trigger: Mapping[str, Any] | None = None,
        retry_of: str | None = None,
        attempt: int = 1,
        parent_execution_id: str | None = None,
        project_id: str | None = None,
        worker_id: str | None = None,
        id: str | None = None,
        principal_kind: str = "project",
        principal_user_id: str | None = None,
        principal_api_key_id: str | None = None,
    ) -> Execution:
        """Records a new execution.

        For a stored workflow pass ``workflow_id``: its name, project and current version
        fill in whatever is not given. For an ad-hoc run (a file) pass ``definition``
        (kept as a snapshot) and ``workflow_name``. ``principal_*``: who it acts as (see
        :mod:`engine.services.principals`); the default is a trigger's, its project.

        Raises:
            NotFoundError: ``workflow_id`` names no workflow.
            ConflictError: an execution with ``id`` exists already.
        """
        st, md = _status(status), _mode(mode)
        now = utcnow()
        ex: dict[str, Any] = dict.fromkeys(_COLUMNS)
        ex.update(
            id=id if id is not None else new_id(),
            workflow_id=workflow_id,
            workflow_version_id=workflow_version_id,
            workflow_name=workflow_name or "",
            definition=jsonable(definition) if definition is not None else None,
            mode=md.value,
            status=st.value,
            input=jsonable(input),
            trigger=jsonable(trigger) if trigger is not None else None,
            retry_of=retry_of,
            attempt=attempt,
            parent_execution_id=parent_execution_id,
            project_id=project_id,
            worker_id=worker_id,
            created_at=now,
            principal_kind=principal_kind,
            principal_user_id=principal_user_id,
            principal_api_key_id=principal_api_key_id,
            started_at=now if st is not ExecutionStatus.QUEUED else None,
            heartbeat_at=now if st is ExecutionStatus.RUNNING else None,
            finished_at=now if st.finished else None,
            data_pruned=False,
            kind="workflow",
        )
        if workflow_name is None and definition is not None:
            ex["workflow_name"] = str(definition.get("name") or "")
        try:
            # the row is one INSERT (a workflow deleted after the lookup fails its key)
            with self._db.write_connection(single=True) as conn:
                known = workflow_name and workflow_version_id and project_id
                if workflow_id is not None and not known:  # (else the foreign key checks it)
                    wf = conn.execute(
                        select(W.c.name, W.c.current_version_id, W.c.project_id).where(
                            W.c.id == workflow_id
                        )
                    ).first()
                    if wf is None:
                        raise NotFoundError(
                            f"No workflow with id {workflow_id!r}.", details={"id": workflow_id}
                        )
                    ex["workflow_name"] = workflow_name or wf.name
                    ex["workflow_version_id"] = workflow_version_id or wf.current_version_id
                    ex["project_id"] = project_id or wf.project_id
                # one Core INSERT of the row's values: no ORM object, no unit of work
                conn.execute(_INSERT, ex)
        except IntegrityError:
            # two processes creating the same id (schedulers in a split brain): one wins
            if id is None or not self._exists(id):
                if workflow_id is not None:
                    with self._db.read() as s:  # deleted meanwhile: say so
                        self._require(s, WorkflowRecord, workflow_id, "workflow")
                raise
            raise ConflictError(f"Execution {id} exists already.", details={"id": id}) from None
        return _detached(ex)

    def _exists(self, id: str) -> bool:
        with self._db.read() as s:
            return s.get(Execution, id) is not None

    # -- life cycle ----------------------------------------------------------------------
    def set_status(
        self,
        id: str,
        status: ExecutionStatus | str,
        *,
        node_runs: Sequence[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> Execution:
        """Moves the execution to ``status``, setting ``fields`` in the same update.

        Stamps ``started_at`` on the first start, ``heartbeat_at`` when running,
        ``finished_at`` on a final status; leaving ``waiting`` clears ``wait_until`` and
        ``resume_token``; going back to ``queued`` clears ``worker_id``.

        The check and the change are one statement, so of several callers making the same
        change (two workers claiming a queued execution) exactly one succeeds. ``node_runs``
        (as for :meth:`NodeRunRepository.record_many`) are stored in the same transaction,
        only if the change is made.

        Raises:
            ConflictError: the current status cannot become ``status`` (e.g. finished).
            NotFoundError: no such execution.
        """
        target = _status(status)
        unknown = set(fields) - _SETTABLE
        if unknown:
            raise TypeError(f"cannot set execution field(s): {', '.join(sorted(unknown))}")
        check_aware(**fields)
        values: dict[str, Any] = dict(fields)
        if "error" in values:
            values["error"] = error_dict(values["error"])
        if "output_summary" in values and values["output_summary"] is not None:
            values["output_summary"] = jsonable(values["output_summary"])
        now = utcnow()
        coalesce_start = target is ExecutionStatus.RUNNING and "started_at" not in values
        if target is ExecutionStatus.RUNNING:
            values.setdefault("started_at", now)  # (kept if set already: see _update)
            values.setdefault("heartbeat_at", now)
        if target.finished:
            values.setdefault("finished_at", now)
        if target is not ExecutionStatus.WAITING and target in _FROM_WAITING:
            # (only a waiting row has them: a run finishing leaves their indexes alone)
            values.setdefault("wait_until", None)
            values.setdefault("resume_token", None)
        if target is ExecutionStatus.QUEUED:
            values.setdefault("worker_id", None)
        # everything but the statements themselves is ready before the write lock is taken
        stmt = _update(target, tuple(sorted(values)), coalesce_start)
        params = {f"v_{k}": v for k, v in values.items()}
        params["p_id"] = id
        rows = build_rows(id, node_runs)
        with self._db.write_connection() as conn:
            # one Core statement changes and returns the row (when the change is allowed)
            found = conn.execute(stmt, params).first()
            changed = found is not None
            if found is None:
                found = conn.execute(_TABLE.select().where(_TABLE.c.id == id)).first()
            if found is None:
                raise NotFoundError(f"No execution with id {id!r}. {_HINT}", details={"id": id})
            if not changed:
                row = _detached(dict(found._mapping))
                raise ConflictError(
                    f"Execution {id} is {row.status}; it cannot become {target.value}.",
                    details={"id": id, "status": row.status, "requested": target.value},
                )
            insert_rows(conn, rows)
        return _detached(dict(found._mapping))

    def finish(
        self,
        id: str,
        status: ExecutionStatus | str,
        error: BaseException | Mapping[str, Any] | None = None,
        output_summary: Mapping[str, Any] | None = None,
        node_runs: Sequence[Mapping[str, Any]] = (),
    ) -> Execution:
        """Ends the execution with a final status (succeeded, failed, cancelled, crashed),
        storing ``node_runs`` in the same transaction (see :meth:`set_status`)."""
        st = _status(status)
        if not st.finished:
            raise ValidationError(f"finish() needs a final status, not {st.value!r}.")
        fields: dict[str, Any] = {}
        if error is not None:
            fields["error"] = error
        if output_summary is not None:
            fields["output_summary"] = output_summary
        return self.set_status(id, st, node_runs=node_runs, **fields)

    def heartbeat(self, id: str, worker_id: str | None = None) -> bool:
        """Marks a running execution alive; False if it is not running any more (a worker
        should then stop, e.g. because a user cancelled it)."""
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if worker_id is not None:
            values["worker_id"] = worker_id
        with self._db.write() as s:
            result = s.exec(
                update(Execution)
                .where(
                    col(Execution.id) == id, col(Execution.status) == ExecutionStatus.RUNNING.value
                )
                .values(**values)
            )
            return bool(result.rowcount)

    # -- reading -------------------------------------------------------------------------
    def get(self, id: str) -> Execution:
        """The execution with this id. Raises NotFoundError."""
        with self._db.read() as s:
            return self._require(s, Execution, id, "execution", _HINT)

    def list(
        self,
        *,
        workflow_id: str | None = None,
        status: ExecutionStatus | str | Iterable[ExecutionStatus | str] | None = None,
        mode: ExecutionMode | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        project_id: str | None = None,
        parent_execution_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        in_projects: Iterable[str] | None = None,
        or_workflows: Iterable[str] = (),
        ids: Iterable[str] | None = None,
    ) -> tuple[builtins.list[Execution], int]:
        """One page of executions, newest first, and the total count matching.

        ``since`` (inclusive) and ``until`` (exclusive) bound ``created_at``. With
        ``in_projects``, only executions of those projects or of the workflows
        ``or_workflows`` (what a caller may see, :mod:`engine.services.access`); with
        ``ids``, only those executions.
        """
        check_aware(since=since, until=until)
        E = Execution
        conds: list[Any] = []
        if workflow_id is not None:
            conds.append(col(E.workflow_id) == workflow_id)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            conds.append(col(E.status).in_([_status(x).value for x in statuses]))
        if mode is not None:
            conds.append(col(E.mode) == _mode(mode).value)
        if since is not None:
            conds.append(col(E.created_at) >= since)
        if until is not None:
            conds.append(col(E.created_at) < until)
        if project_id is not None:
            conds.append(col(E.project_id) == project_id)
        if parent_execution_id is not None:
            conds.append(col(E.parent_execution_id) == parent_execution_id)
        if in_projects is not None:
            conds.append(
                or_(
                    col(E.project_id).in_(list(in_projects)),
                    col(E.workflow_id).in_(list(or_workflows)),
                )
            )
        if ids is not None:
            conds.append(col(E.id).in_(list(ids)))
        limit, offset = page(limit, offset)
        with self._db.read() as s:
            total = s.exec(select(func.count()).select_from(E).where(*conds)).one()
            rows = s.exec(
                select(E)
                .where(*conds)
                .order_by(col(E.created_at).desc(), col(E.id).desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return list(rows), int(total)

    def running_for_workflow(self, workflow_id: str) -> int:
        """How many executions of the workflow are running now (for concurrency limits)."""
        with self._db.read() as s:
            return int(
                s.exec(
                    select(func.count())
                    .select_from(Execution)
                    .where(
                        col(Execution.workflow_id) == workflow_id,
                        col(Execution.status) == ExecutionStatus.RUNNING.value,
                    )
                ).one()
            )

    def stale(
        self, older_than: timedelta, *, now: datetime | None = None
    ) -> builtins.list[Execution]:
        """Running executions whose last heartbeat (or start) is older than
        ``older_than``: their worker probably died (candidates for ``crashed``)."""
        check_aware(now=now)
        cutoff = (now or utcnow()) - older_than
        seen = func.coalesce(
            col(Execution.heartbeat_at), col(Execution.started_at), col(Execution.created_at)
        )
        with self._db.read() as s:
            return list(
                s.exec(
                    select(Execution)
                    .where(col(Execution.status) == ExecutionStatus.RUNNING.value, seen < cutoff)
                    .order_by(col(Execution.created_at))
                ).all()
            )

    # -- node runs -----------------------------------------------------------------------
    def record_node_run(self, execution_id: str, node_name: str, **fields: Any) -> NodeRun:
        """Records a node run of this execution; see :meth:`NodeRunRepository.record`."""
        return self._node_runs.record(execution_id, node_name, **fields)

    def node_runs(self, execution_id: str) -> builtins.list[NodeRun]:
        """The node runs of the execution in recorded order."""
        return self._node_runs.list(execution_id)

    # -- delete ----------------------------------------------------------------------------
    def delete(self, id: str, *, force: bool = False) -> None:
        """Deletes a finished execution and its node runs.

        Raises:
            ConflictError: the execution has not finished (cancel it first, or ``force``).
        """
        with self._db.write() as s:
            row = self._require(s, Execution, id, "execution", _HINT)
            if not force and ExecutionStatus(row.status) not in FINISHED:
                raise ConflictError(
                    f"Execution {id} is {row.status}; cancel it before deleting it.",
                    details={"id": id, "status": row.status},
                )
            s.exec(delete(NodeRun).where(col(NodeRun.execution_id) == id))
            s.exec(delete(Execution).where(col(Execution.id) == id))
