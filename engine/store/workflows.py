"""Workflows and their version history (``store.workflows``).

Every save that changes the definition is a new numbered version (1, 2, 3...); saving
an identical definition (same sha256 of its canonical JSON) adds nothing. The newest
version is the *draft* (``current_version_id``); :meth:`WorkflowRepository.publish` marks
one version as the *published* one that triggers run. Restoring an old version creates a
new version with the old definition, so history is never rewritten.
"""

from __future__ import annotations

import builtins
import copy
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.errors import ConflictError, NotFoundError
from engine.graph.io import load_workflow
from engine.store._db import Database
from engine.store._repo import Repository, json_list_contains, page
from engine.store.models import Webhook, WorkflowRecord, WorkflowVersion
from engine.store.stamps import StampedCache
from engine.store.types import checksum, new_id, utcnow

__all__ = ["WorkflowLike", "WorkflowRepository", "named"]

_LIST_HINT = "List workflows with 'aura workflow list'."


class _HasJsonDict(Protocol):
    def to_json_dict(self) -> dict[str, Any]: ...


WorkflowLike = Mapping[str, Any] | _HasJsonDict
"""A workflow definition: a :class:`engine.graph.Workflow` or its JSON dict."""


def normalize(definition: WorkflowLike) -> dict[str, Any]:
    """The canonical JSON dict of a definition: format upgraded, defaults filled in.

    Raises:
        WorkflowValidationError: the definition is not a well-formed workflow.
    """
    raw = definition.to_json_dict() if hasattr(definition, "to_json_dict") else dict(definition)
    return load_workflow(raw).to_json_dict()


def named(name: str, *where: Any) -> SelectOfScalar[WorkflowRecord]:
    """The workflows named exactly ``name`` (and matching ``where``) in the order a
    reference by name picks from: live ones before archived ones, then the oldest."""
    return (
        select(WorkflowRecord)
        .where(col(WorkflowRecord.name) == name, *where)
        .order_by(
            col(WorkflowRecord.archived_at).is_not(None),
            col(WorkflowRecord.created_at),
            col(WorkflowRecord.id),
        )
    )


class WorkflowRepository(Repository):
    """Create, version, publish, list and delete workflows. Rows come back detached."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._records: StampedCache[str, WorkflowRecord] = StampedCache(db, size=1024)

    # -- create and save ---------------------------------------------------------------
    def create(
        self,
        workflow: WorkflowLike,
        message: str = "",
        *,
        id: str | None = None,
        project_id: str | None = None,
        folder: str = "",
        active: bool = False,
        author_id: str | None = None,
    ) -> WorkflowRecord:
        """Stores a new workflow with its definition as version 1.

        ``id`` keeps a given id (e.g. on import); by default a new one is assigned. The
        stored definition's ``id`` is always the workflow's id.

        Raises:
            WorkflowValidationError: the definition is malformed.
            ConflictError: ``id`` is already taken.
        """
        data = normalize(workflow)
        wid = id or new_id()
        data["id"] = wid
        now = utcnow()
        rec = WorkflowRecord(
            id=wid,
            name=data["name"],
            description=data["description"],
            tags=list(data["tags"]),
            project_id=project_id,
            folder=folder.strip("/"),
            active=active,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._db.write() as s:
                if s.get(WorkflowRecord, wid) is not None:
                    raise ConflictError(
                        f"A workflow with id {wid!r} already exists; import "
                        "it without keeping its id to get a copy."
                    )
                s.add(rec)
                s.flush()
                self._add_version(s, rec, data, message or "Created", author_id)
        except IntegrityError:
            raise ConflictError(f"A workflow with id {wid!r} already exists.") from None
        return rec

    def save(
        self,
        id: str,
        definition: WorkflowLike,
        message: str = "",
        *,
        author_id: str | None = None,
        base_version: int | None = None,
    ) -> WorkflowVersion:
        """Saves a definition; returns the new version, or the current one if unchanged.

        Name, description and tags of the workflow follow the definition. Pass
        ``base_version`` (the version number the editor loaded) to refuse overwriting
        somebody else's newer save.

        Raises:
            NotFoundError: no such workflow.
            ConflictError: ``base_version`` is not the current version any more.
        """
        data = normalize(definition)
        data["id"] = id
        with self._db.write() as s:
            rec = self._locked(s, id)
            if base_version is not None and base_version != rec.version_counter:
                raise ConflictError(
                    f"Workflow '{rec.name}' was saved again (now version "
                    f"{rec.version_counter}) after you opened version {base_version}; "
                    "reload it and re-apply your changes.",
                    details={"current_version": rec.version_counter},
                )
            current = (
                s.get(WorkflowVersion, rec.current_version_id) if rec.current_version_id else None
            )
            if current is not None and current.checksum == checksum(data):
                return current
            return self._add_version(s, rec, data, message, author_id)

    def restore(
        self, id: str, number: int, message: str | None = None, *, author_id: str | None = None
    ) -> WorkflowVersion:
        """Makes the definition of version ``number`` current again, as a new version."""
        with self._db.write() as s:
            rec = self._locked(s, id)
            old = self._version(s, id, number)
            current = (
                s.get(WorkflowVersion, rec.current_version_id) if rec.current_version_id else None
            )
            if current is not None and current.checksum == old.checksum:
                return current
            return self._add_version(
                s, rec, dict(old.definition), message or f"Restored version {number}", author_id
            )

    def _add_version(
        self,
        s: Session,
        rec: WorkflowRecord,
        data: dict[str, Any],
        message: str,
        author_id: str | None,
    ) -> WorkflowVersion:
        rec.version_counter += 1
        ver = WorkflowVersion(
            workflow_id=rec.id,
            number=rec.version_counter,
            definition=data,
            checksum=checksum(data),
            message=message,
            author_id=author_id,
        )
        rec.current_version_id = ver.id
        rec.name = data["name"]
        rec.description = data.get("description", "")
        rec.tags = list(data.get("tags", []))
        rec.updated_at = ver.created_at
        s.add(ver)
        s.add(rec)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError(
                f"Workflow '{rec.name}' was saved by someone else at the "
                "same moment; reload it and save again."
            ) from None
        return ver

    # -- state ---------------------------------------------------------------------------
    def publish(self, id: str, number: int | None = None) -> WorkflowVersion:
        """Marks version ``number`` (default: the current draft) as the published one."""
        with self._db.write() as s:
            rec = self._locked(s, id)
            ver = self._version(s, id, number if number is not None else rec.version_counter)
            rec.published_version_id = ver.id
            rec.updated_at = utcnow()
            s.add(rec)
            return ver

    def unpublish(self, id: str) -> WorkflowRecord:
        """Clears the published version and deactivates the workflow (its triggers would
        have nothing to run)."""
        return self._update(id, published_version_id=None, active=False)

    def set_active(self, id: str, active: bool) -> WorkflowRecord:
        """Turns the workflow's triggers on or off."""
        return self._update(id, active=active)

    def archive(self, id: str, archived: bool = True) -> WorkflowRecord:
        """Archives (hides from lists, deactivates) or un-archives a workflow."""
        if archived:
            return self._update(id, archived_at=utcnow(), active=False)
        return self._update(id, archived_at=None)

    def move(self, id: str, folder: str) -> WorkflowRecord:
        """Puts the workflow in ``folder`` ("" is the top level)."""
        return self._update(id, folder=folder.strip("/"))

    def _update(self, id: str, **fields: Any) -> WorkflowRecord:
        with self._db.write() as s:
            rec = self._locked(s, id)
            for k, v in fields.items():
                setattr(rec, k, v)
            rec.updated_at = utcnow()
            s.add(rec)
            return rec

    # -- reading -------------------------------------------------------------------------
    def get(self, id: str) -> WorkflowRecord:
        """The workflow with this id. Raises NotFoundError."""
        with self._db.read() as s:
            return self._require(s, WorkflowRecord, id, "workflow", _LIST_HINT)

    def cached(self, id: str) -> WorkflowRecord:
        """The workflow with this id as last read by this process while the store's stamp
        is unchanged (:mod:`engine.store.stamps`; a change by any process is seen). The
        record is shared: read it, never change it. Raises NotFoundError."""
        return self._records.get(id, lambda: self.get(id))

    def get_by_name(self, name: str) -> WorkflowRecord:
        """The oldest workflow with exactly this name (un-archived ones first)."""
        with self._db.read() as s:
            row = s.exec(named(name).limit(1)).first()
        if row is None:
            raise NotFoundError(f"No workflow named {name!r}. {_LIST_HINT}", details={"name": name})
        return row

    def list(
        self,
        *,
        search: str | None = None,
        tag: str | None = None,
        folder: str | None = None,
        active: bool | None = None,
        project_id: str | None = None,
        archived: bool | None = False,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[builtins.list[WorkflowRecord], int]:
        """One page of workflows, most recently updated first, and the total count.

        ``search`` matches name or description (case-insensitive substring); ``tag`` an
        exact tag; ``archived=None`` lists archived and live ones together.
        """
        W = WorkflowRecord
        conds: list[Any] = []
        if search:
            needle = search.lower()
            conds.append(
                or_(
                    func.lower(col(W.name)).contains(needle, autoescape=True),
                    func.lower(col(W.description)).contains(needle, autoescape=True),
                )
            )
        if tag is not None:
            conds.append(json_list_contains(col(W.tags), tag, self._db.dialect))
        if folder is not None:
            conds.append(col(W.folder) == folder.strip("/"))
        if active is not None:
            conds.append(col(W.active) == active)
        if project_id is not None:
            conds.append(col(W.project_id) == project_id)
        if archived is not None:
            conds.append(
                col(W.archived_at).is_not(None) if archived else col(W.archived_at).is_(None)
            )
        limit, offset = page(limit, offset)
        with self._db.read() as s:
            total = s.exec(select(func.count()).select_from(W).where(*conds)).one()
            rows = s.exec(
                select(W)
                .where(*conds)
                .order_by(col(W.updated_at).desc(), col(W.id))
                .limit(limit)
                .offset(offset)
            ).all()
        return list(rows), int(total)

    def versions(self, id: str) -> builtins.list[WorkflowVersion]:
        """Every version of the workflow, newest first."""
        with self._db.read() as s:
            self._require(s, WorkflowRecord, id, "workflow", _LIST_HINT)
            return list(
                s.exec(
                    select(WorkflowVersion)
                    .where(WorkflowVersion.workflow_id == id)
                    .order_by(col(WorkflowVersion.number).desc())
                ).all()
            )

    def get_version(self, id: str, number: int) -> WorkflowVersion:
        """Version ``number`` of the workflow. Raises NotFoundError."""
        with self._db.read() as s:
            return self._version(s, id, number)

    def definition(self, id: str, published: bool = False) -> dict[str, Any]:
        """The current draft's definition, or the published one with ``published=True``."""
        with self._db.read() as s:
            rec = self._require(s, WorkflowRecord, id, "workflow", _LIST_HINT)
            vid = rec.published_version_id if published else rec.current_version_id
            if vid is None:
                raise NotFoundError(
                    f"Workflow '{rec.name}' has no published version; publish one first "
                    "(Publish in the editor, or 'aura workflow activate' publishes the "
                    "draft).",
                    details={"id": id},
                )
            ver = s.get(WorkflowVersion, vid)
            if ver is None:  # pragma: no cover - guarded by the repository
                raise NotFoundError(f"Version {vid!r} of workflow '{rec.name}' is missing.")
            return dict(ver.definition)

    def get_static_data(self, id: str) -> dict[str, Any]:
        """The workflow's static data (state triggers keep between executions), a copy
        of the :meth:`cached` record's (every run of a stored workflow reads it)."""
        return copy.deepcopy(dict(self.cached(id).static_data or {}))

    def set_static_data(self, id: str, data: Mapping[str, Any]) -> None:
        """Replaces the workflow's static data (does not create a version)."""
        with self._db.write() as s:
            rec = self._locked(s, id)
            rec.static_data = dict(data)
            s.add(rec)

    def merge_static_data(
        self, id: str, base: Mapping[str, Any], mine: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Saves what one execution changed in the static data (``base`` is what it read,
        ``mine`` what it ended with) onto what is stored now, under the row lock: two
        executions running at once keep each other's changes to different nodes or keys
        (the same key: the last to finish wins). Returns the stored result."""
        with self._db.write() as s:
            rec = self._locked(s, id)
            merged = _merge_static(base, mine, dict(rec.static_data or {}))
            rec.static_data = merged
            s.add(rec)
            return merged

    # -- delete ----------------------------------------------------------------------------
    def delete(self, id: str) -> None:
        """Deletes the workflow, its versions and webhooks. Its executions stay (they keep
        the workflow's name and id)."""
        with self._db.write() as s:
            self._require(s, WorkflowRecord, id, "workflow", _LIST_HINT)
            s.exec(delete(Webhook).where(col(Webhook.workflow_id) == id))
            s.exec(delete(WorkflowVersion).where(col(WorkflowVersion.workflow_id) == id))
            s.exec(delete(WorkflowRecord).where(col(WorkflowRecord.id) == id))

    # -- helpers -------------------------------------------------------------------------
    def _locked(self, s: Session, id: str) -> WorkflowRecord:
        rec = s.get(WorkflowRecord, id, with_for_update=True)
        if rec is None:
            raise NotFoundError(f"No workflow with id {id!r}. {_LIST_HINT}", details={"id": id})
        return rec

    @staticmethod
    def _version(s: Session, id: str, number: int) -> WorkflowVersion:
        ver = s.exec(
            select(WorkflowVersion).where(
                WorkflowVersion.workflow_id == id, WorkflowVersion.number == number
            )
        ).first()
        if ver is None:
            raise NotFoundError(
                f"Workflow {id!r} has no version {number}; list its "
                "versions with 'aura workflow history'.",
                details={"id": id, "number": number},
            )
        return ver


_GONE = object()


def _merge_static(
    base: Mapping[str, Any], mine: Mapping[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """Three-way merge, two levels deep (node name → key), of static data."""
    return _merge_level(base, mine, copy.deepcopy(current), depth=2)


def _merge_level(
    base: Mapping[str, Any], mine: Mapping[str, Any], out: dict[str, Any], depth: int
) -> dict[str, Any]:
    """Applies what changed from ``base`` to ``mine`` onto ``out`` (modified, returned);
    mappings changed on both sides are merged ``depth - 1`` levels further down."""
    for key in set(base) | set(mine):
        b, m = base.get(key, _GONE), mine.get(key, _GONE)
        if b == m:
            continue
        if m is _GONE:
            out.pop(key, None)
        elif (
            depth > 1
            and isinstance(m, Mapping)
            and (b is _GONE or isinstance(b, Mapping))
            and isinstance(out.get(key, {}), Mapping)
        ):
            out[key] = _merge_level(
                b if isinstance(b, Mapping) else {}, m, dict(out.get(key) or {}), depth - 1
            )
        else:
            out[key] = copy.deepcopy(m)
    return out
