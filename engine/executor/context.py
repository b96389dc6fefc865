"""The concrete :class:`~engine.sdk.NodeContext` the executor hands to a node."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pydantic

from engine.errors import (
    AuraError,
    CredentialError,
    ExecutionCancelled,
    ExecutionTimeout,
    NodeExecutionError,
)
from engine.executor.params import build_plan
from engine.graph.messages import param_path, plain_message
from engine.graph.validate import contains_expression
from engine.sdk.context import (
    SHARED_DATA_KEY,
    NodeContext,
    NodeInfo,
)
from engine.sdk.items import Item

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from engine.executor.executor import Execution
    from engine.graph.model import NodeDef
    from engine.sdk.spec import NodeSpec

__all__ = ["ExecContext", "Interrupt"]

_NODE_LOG_PARENT = logging.getLogger("aura.node")
_ExpressionContext: Any = None


class _Capture(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.sink) < 1000:
            self.sink.append(f"{record.levelname.lower()}: {record.getMessage()}"[:2000])


class _Forward(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        _NODE_LOG_PARENT.handle(record)


class Interrupt:
    """Cancellation and deadline shared by all nodes of one execution."""

    def __init__(self, event: threading.Event | None, deadline: float | None) -> None:
        self.event = event or threading.Event()
        self.deadline = deadline

    def check(self) -> None:
        if self.event.is_set():
            raise ExecutionCancelled("The execution was cancelled.")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ExecutionTimeout(
                "The workflow ran longer than its timeout setting "
                "(Settings → Timeout); raise it or make the workflow faster."
            )

    @property
    def stopped(self) -> bool:
        try:
            self.check()
        except AuraError:
            return True
        return False

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + max(0.0, seconds)
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            if self.deadline is not None:
                left = min(left, max(0.0, self.deadline - time.monotonic()) + 0.001)
            self.event.wait(min(left, 0.25))


class ExecContext(NodeContext):
    """Context for one run of one node inside an :class:`Execution`."""

    def __init__(
        self,
        execution: Execution,
        node: NodeDef,
        spec: NodeSpec,
        inputs: dict[str, list[Item]],
        logs: list[str],
    ) -> None:
        self._ex = execution
        self._node = node
        self._spec = spec
        self._inputs = inputs
        self._logs = logs
        self._params_cache: dict[int, BaseModel] = {}
        self._static_params: BaseModel | None = None
        self._plans: dict[str, Any] | None = None
        self._has_expr = contains_expression(node.parameters)
        self.node = NodeInfo(node.id, node.name, spec.type, spec.version, node.on_error)
        self.workflow = execution.workflow_info
        self.execution = execution.execution_info
        self.static_data = execution.request.static_data.setdefault(node.name, {})

    @property
    def shared_data(self) -> dict[str, Any]:
        # created when first used, so workflows that never use it store nothing new
        return self._ex.request.static_data.setdefault(SHARED_DATA_KEY, {})

    @cached_property
    def log(self) -> logging.Logger:  # type: ignore[override]
        lg = logging.Logger(f"aura.node.{self._node.name}", logging.DEBUG)
        lg.propagate = False  # lines belong to the node run; only warnings reach the process log
        lg.addHandler(_Capture(self._logs))
        lg.addHandler(_Forward())
        return lg

    # -- data ------------------------------------------------------------------
    def input(self, port: str = "main") -> list[Item]:
        return self._inputs.get(port, [])

    def raw_params(self) -> dict[str, Any]:
        return self._node.parameters

    def _expression_context(self, index: int) -> Any:
        global _ExpressionContext
        if _ExpressionContext is None:
            from engine.expressions import ExpressionContext as _EC

            _ExpressionContext = _EC
        ExpressionContext = _ExpressionContext
        items = self.input("main")
        item = items[index] if 0 <= index < len(items) else None
        ex = self._ex
        return ExpressionContext(
            json=item.json if item else {},
            item_index=index,
            items=items,
            binary={
                k: {"mime_type": b.mime_type, "file_name": b.file_name, "file_size": b.file_size}
                for k, b in item.binary.items()
            }
            if item and item.binary
            else None,
            node_name=self._node.name,
            run_data=ex.run_data_view(self._node.name),
            vars=ex.request.vars,
            env=ex.env,
            timezone=ex.workflow.settings.timezone,
            now=ex.now,
            workflow={
                "id": ex.workflow.id,
                "name": ex.workflow.name,
                "active": ex.workflow_info.active,
            },
            execution={
                "id": ex.id,
                "mode": ex.request.mode,
                "resume_url": ex.execution_info.resume_url,
            },
            extra=self._context_vars(),
        )

    def _context_vars(self) -> dict[str, Any]:
        """``$flow`` and ``$global`` (the workflow's shared context), when it has any."""
        shared = self._ex.request.static_data.get(SHARED_DATA_KEY)
        if not shared:
            return {}
        return {k: shared[k] for k in ("flow", "global") if isinstance(shared.get(k), dict)}

    def evaluate(self, value: Any, index: int = 0, path: str = "") -> Any:
        plan = build_plan(value, path)
        if plan is None:
            return value
        return plan(self._expression_context(index), self._node.name)

    def _param_plans(self) -> dict[str, Any]:
        if self._plans is None:
            skip = self._ex.no_expression_fields(self._spec)
            self._plans = {
                k: p
                for k, v in self._node.parameters.items()
                if k not in skip and (p := build_plan(v, k)) is not None
            }
        return self._plans

    def params(self, index: int = 0) -> BaseModel:
        if not self._has_expr:
            if self._static_params is None:
                self._static_params = self._validate(self._node.parameters, None)
            return self._static_params
        cached = self._params_cache.get(index)
        if cached is not None:
            return cached
        plans = self._param_plans()
        if not plans:
            self._has_expr = False
            return self.params(index)
        evaluated = dict(self._node.parameters)
        ctx = self._expression_context(index)
        for k, plan in plans.items():
            evaluated[k] = plan(ctx, self._node.name)
        p = self._validate(evaluated, index)
        if len(self._params_cache) < 100_000:
            self._params_cache[index] = p
        return p

    def _validate(self, raw: dict[str, Any], index: int | None) -> BaseModel:
        try:
            return self._spec.params.model_validate(raw)
        except pydantic.ValidationError as exc:
            problems = []
            for e in exc.errors():
                problems.append({"path": param_path(e.get("loc", ())), "message": plain_message(e)})
            first = problems[0]
            where = f" for item {index}" if index is not None else ""
            raise NodeExecutionError(
                f"Parameter '{first['path']}'{where}: {first['message']} Fix the value in the "
                "node's parameters (if it is an expression, check what it evaluates to).",
                node=self._node.name,
                details={"problems": problems},
                error_type="ParameterError",
            ) from None

    # -- services --------------------------------------------------------------
    def credentials(self, slot: str) -> dict[str, Any]:
        ref = self._node.credentials.get(slot)
        if ref is None:
            raise CredentialError(
                f"Node '{self._node.name}' needs a credential in slot '{slot}'. Choose one in the "
                "node's Credentials section."
            )
        return self._ex.resolve_credential(self._node, slot, ref)

    def http(self, **options: Any) -> httpx.Client:
        from engine.net import safe_client

        allow = list(self._ex.http_allow) + list(options.pop("allow", []))
        return safe_client(allow=allow, **options)

    def addresses(self, host: str, port: int) -> list[str]:
        from engine.net import effective_allow, parse_allow, resolve_checked

        allow = effective_allow(parse_allow(list(self._ex.http_allow)))
        return resolve_checked(host, port, allow)

    def run_workflow(
        self, workflow_ref: str | dict[str, Any], items: list[Item], *, wait: bool = True
    ) -> list[Item]:
        return self._ex.run_subworkflow(self._node, workflow_ref, items, wait=wait)

    def run_code(self, code: str, inputs: dict[str, Any], timeout_s: float) -> Any:
        from engine.sandbox import run_code

        return run_code(code, inputs, timeout_s)

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(ZoneInfo(self._ex.workflow.settings.timezone))

    # -- control ---------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._ex.interrupt.stopped

    def check_cancelled(self) -> None:
        self._ex.interrupt.check()

    def sleep(self, seconds: float) -> None:
        self._ex.interrupt.sleep(seconds)


CredentialResolver = Callable[..., dict[str, Any]]
