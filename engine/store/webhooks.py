"""Webhook registrations (``store.webhooks``): which workflow node answers
``METHOD /webhook/<path>``.

A method and path pair belongs to one node of one workflow. Registering is idempotent
for the same node and refused with a ConflictError for another one. Registrations go
away with their workflow.
"""

from __future__ import annotations

import builtins
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store._repo import Repository
from engine.store.models import Webhook, WorkflowRecord

__all__ = ["METHODS", "WebhookRepository", "normalize_path"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_SEGMENT = re.compile(r"^[A-Za-z0-9._~:@!$&'()*+,;=-]+$")


def normalize_path(path: str) -> str:
    """``path`` without surrounding slashes; refuses empty, ``..`` and odd characters."""
    clean = path.strip().strip("/")
    segments = clean.split("/")
    if not clean or len(clean) > 500 or any(
            seg in ("", ".", "..") or not _SEGMENT.match(seg) for seg in segments):
        raise ValidationError(
            f"Invalid webhook path {path!r}: use segments of letters, digits and "
            "-._~ separated by '/', e.g. 'orders/new'.")
    return clean


def _method(method: str) -> str:
    m = method.strip().upper()
    if m not in METHODS:
        raise ValidationError(f"Invalid webhook method {method!r}; use one of "
                              f"{', '.join(sorted(METHODS))}.")
    return m


class WebhookRepository(Repository):
    """Register, look up, list and remove webhooks. Rows come back detached."""

    def register(self, workflow_id: str, node_name: str, method: str, path: str
                 ) -> Webhook:
        """Routes ``method`` + ``path`` to ``node_name`` of the workflow.

        Raises:
            ConflictError: another workflow or node already uses this method and path.
            NotFoundError: no such workflow.
        """
        m, p = _method(method), normalize_path(path)
        try:
            with self._db.write() as s:
                self._require(s, WorkflowRecord, workflow_id, "workflow")
                row = s.exec(select(Webhook).where(Webhook.method == m,
                                                   Webhook.path == p)).first()
                if row is not None:
                    if row.workflow_id == workflow_id and row.node_name == node_name:
                        return row
                    owner = s.get(WorkflowRecord, row.workflow_id)
                    raise ConflictError(
                        f"{m} /{p} is already used by node '{row.node_name}' of workflow "
                        f"'{owner.name if owner else row.workflow_id}'; choose another path.",
                        details={"method": m, "path": p, "workflow_id": row.workflow_id})
                row = Webhook(workflow_id=workflow_id, node_name=node_name, method=m, path=p)
                s.add(row)
                return row
        except IntegrityError:
            raise ConflictError(f"{m} /{p} was registered by someone else just now.",
                                details={"method": m, "path": p}) from None

    def lookup(self, method: str, path: str) -> Webhook:
        """The registration answering ``method`` + ``path``. Raises NotFoundError."""
        m, p = method.strip().upper(), path.strip().strip("/")
        with self._db.read() as s:
            row = s.exec(select(Webhook).where(Webhook.method == m, Webhook.path == p)).first()
        if row is None:
            raise NotFoundError(f"No webhook is registered for {m} /{p}; is the workflow "
                                "active?", details={"method": m, "path": p})
        return row

    def list(self, *, workflow_id: str | None = None) -> builtins.list[Webhook]:
        """Registrations, of one workflow or all, by path then method."""
        stmt = select(Webhook)
        if workflow_id is not None:
            stmt = stmt.where(Webhook.workflow_id == workflow_id)
        with self._db.read() as s:
            return builtins.list(s.exec(stmt.order_by(col(Webhook.path),
                                                      col(Webhook.method))).all())

    def unregister(self, method: str, path: str) -> bool:
        """Removes one registration; False if there was none."""
        m, p = method.strip().upper(), path.strip().strip("/")
        with self._db.write() as s:
            return bool(s.exec(delete(Webhook).where(col(Webhook.method) == m,
                                                     col(Webhook.path) == p)).rowcount)

    def delete_for_workflow(self, workflow_id: str) -> int:
        """Removes every registration of a workflow (on deactivation); returns how many."""
        with self._db.write() as s:
            return int(s.exec(delete(Webhook).where(
                col(Webhook.workflow_id) == workflow_id)).rowcount)
