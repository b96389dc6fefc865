"""What a running node sees: :class:`NodeContext`.

The executor provides the concrete context; nodes program against this interface only,
so the same run function works inline, on an RQ worker, in the test harness and (for
installed packages) behind the sandbox boundary.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from engine.sdk.items import Item

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from engine.sdk.knowledge import KnowledgeAccess

__all__ = [
    "SHARED_DATA_KEY",
    "ErrorPolicy",
    "ExecutionInfo",
    "NodeContext",
    "NodeInfo",
    "NodeOutput",
    "WorkflowInfo",
]

ErrorPolicy = Literal["stop", "continue", "route"]
NodeOutput = list[Item] | dict[str, list[Item]] | None


SHARED_DATA_KEY = ""
"""The key of the workflow's shared data in its static data (no node can be named "")."""


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: str
    name: str
    type: str
    version: int
    error_policy: ErrorPolicy = "stop"


@dataclass(frozen=True, slots=True)
class WorkflowInfo:
    id: str | None
    name: str
    timezone: str = "UTC"
    active: bool = False


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    id: str
    mode: str = "manual"  # manual | trigger | webhook | schedule | retry | subworkflow | error
    resume_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class NodeContext(abc.ABC):
    """The node's window on its run: inputs, parameters, credentials, services.

    Attributes:
        node, workflow, execution: who and where.
        log: a logger; lines are also kept with the node run and shown in the editor.
        static_data: a JSON dict persisted per workflow and node (cursors, last ids).
        shared_data: a JSON dict persisted per workflow and shared by all its nodes
            (Node-RED's flow and global context live under ``flow`` and ``global``).
    """

    node: NodeInfo
    workflow: WorkflowInfo
    execution: ExecutionInfo
    log: logging.Logger
    static_data: dict[str, Any]

    @property
    def shared_data(self) -> dict[str, Any]:
        """The workflow's data shared by all its nodes (persisted like ``static_data``)."""
        raise NotImplementedError("this context has no shared workflow data")

    # -- data ---------------------------------------------------------------
    @abc.abstractmethod
    def input(self, port: str = "main") -> list[Item]:
        """Items that arrived on input ``port`` (empty list if none)."""

    @property
    def items(self) -> list[Item]:
        """Items on the ``main`` input."""
        return self.input("main")

    @abc.abstractmethod
    def params(self, index: int = 0) -> BaseModel:
        """The node's parameters with ``{{ expressions }}`` evaluated for item ``index``
        of the main input, validated into the node's params model."""

    @abc.abstractmethod
    def raw_params(self) -> dict[str, Any]:
        """The parameters as saved in the workflow, expressions unevaluated."""

    @abc.abstractmethod
    def evaluate(self, value: Any, index: int = 0, path: str = "") -> Any:
        """Evaluates expressions in ``value`` against item ``index`` (for nodes with
        user-provided templates beyond their params)."""

    # -- services -----------------------------------------------------------
    @abc.abstractmethod
    def credentials(self, slot: str) -> dict[str, Any]:
        """Decrypted credential data for ``slot``; raises CredentialError if unset."""

    @abc.abstractmethod
    def http(self, **options: Any) -> httpx.Client:
        """An HTTP client that refuses private, loopback and link-local targets
        (re-checked on every redirect and resolved address) unless allow-listed."""

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` a node may open a non-HTTP connection to (a database,
        a mail server), under the same rule as :meth:`http`: private, loopback and
        link-local targets are refused unless allow-listed. Connect to one of these
        addresses (not to the name again), so a second DNS answer cannot differ.

        Raises:
            SSRFBlocked: the host is refused. OSError: the name does not resolve.
        """
        from engine.config import settings
        from engine.net import effective_allow, parse_allow, resolve_checked

        allow = effective_allow(parse_allow(settings().http.allow))
        return resolve_checked(host, port, allow)

    @cached_property
    def knowledge(self) -> KnowledgeAccess:
        """The knowledge bases this execution may use (add documents, search), as the
        execution's principal: those of its project, or shared with it (one accessor per
        node run, so the principal is read once, not per item)."""
        from engine.sdk.knowledge import knowledge_for

        return knowledge_for(self.execution.id)

    @abc.abstractmethod
    def run_workflow(
        self, workflow_ref: str | dict[str, Any], items: list[Item], *, wait: bool = True
    ) -> list[Item]:
        """Runs another workflow (id or definition) with ``items``; returns its output."""

    @abc.abstractmethod
    def run_code(self, code: str, inputs: dict[str, Any], timeout_s: float) -> Any:
        """Runs user Python in the sandbox (never in this process)."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """Timezone-aware current time in the workflow's timezone."""

    # -- control ------------------------------------------------------------
    @property
    @abc.abstractmethod
    def cancelled(self) -> bool:
        """True once the execution was cancelled or timed out."""

    @abc.abstractmethod
    def check_cancelled(self) -> None:
        """Raises ExecutionCancelled/ExecutionTimeout if the run must stop."""

    @abc.abstractmethod
    def sleep(self, seconds: float) -> None:
        """Sleeps, waking early (and raising) if the execution is cancelled."""

    # -- helpers ------------------------------------------------------------
    def map(
        self,
        fn: Callable[[Item, int], Item | list[Item] | dict[str, Any] | None],
        port: str = "main",
    ) -> dict[str, list[Item]]:
        """Runs ``fn(item, index)`` for each input item, honouring the error policy.

        ``fn`` returns an :class:`Item`, a list of items, a plain dict (becomes the
        item's JSON with lineage set), or ``None`` (drops the item). If ``fn`` raises,
        the node's error policy decides: ``stop`` re-raises with the item index,
        ``continue`` outputs ``{"error": message}`` on ``main``, ``route`` sends the
        item with the error to the ``error`` output.
        """
        from engine.errors import AuraError, NodeExecutionError

        out: list[Item] = []
        errors: list[Item] = []
        policy = self.node.error_policy
        for i, item in enumerate(self.input(port)):
            self.check_cancelled()
            try:
                r = fn(item, i)
            except Exception as exc:
                if policy == "stop":
                    if isinstance(exc, AuraError):
                        raise
                    raise NodeExecutionError(
                        f"item {i}: {exc}",
                        node=self.node.name,
                        details={"item_index": i},
                        error_type=type(exc).__name__,
                    ) from exc
                err = {"message": str(exc), "type": type(exc).__name__, "item_index": i}
                if policy == "continue":
                    out.append(item.derive({**item.json, "error": err}, index=i))
                else:
                    errors.append(item.derive({**item.json, "error": err}, index=i))
                continue
            if r is None:
                continue
            if isinstance(r, Item):
                if r.paired_item is None:
                    r.paired_item = item.derive(index=i).paired_item
                out.append(r)
            elif isinstance(r, dict):
                out.append(item.derive(r, index=i))
            else:
                for x in r:
                    if x.paired_item is None:
                        x.paired_item = item.derive(index=i).paired_item
                    out.append(x)
        result = {"main": out}
        if errors:
            result["error"] = errors
        return result
