"""The executor: runs a workflow graph node by node, n8n-style, and records it all.

Order is deterministic: from the start node, each branch runs depth first (the first
output's first connection before the second), and a node with several parents waits
until every parent that can still send it data has finished. A node that received no
items does not run (its branch ends), unless it is a multi-input node (Merge) that got
data on another input. The executor is pure with respect to where it runs: runtimes
(inline, RQ) call :meth:`Executor.run` and observe it through hooks.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from engine.errors import (
    AuraError,
    CredentialError,
    ExecutionCancelled,
    ExecutionTimeout,
    NodeExecutionError,
    WorkflowValidationError,
)
from engine.executor.context import ExecContext, Interrupt
from engine.executor.hooks import ExecutionHooks
from engine.executor.result import (
    Checkpoint,
    ExecutionResult,
    ExecutionStatus,
    NodeRunRecord,
    NodeRunStatus,
)
from engine.executor.run_data import RunData, RunDataView
from engine.graph.index import Graph
from engine.graph.model import CredentialRef, NodeDef, Workflow
from engine.graph.validate import validate
from engine.sdk.catalog import Catalog, get_catalog
from engine.sdk.context import ExecutionInfo, WorkflowInfo
from engine.sdk.items import Item, items_from_json
from engine.sdk.spec import NodeSpec
from engine.sdk.waits import WaitRequested

__all__ = ["Executor", "RunRequest"]

log = logging.getLogger(__name__)
MANUAL_MODES = frozenset({"manual", "cli", "test"})
WEBHOOK_RESPONSE_KEY = "_webhook_response"


@dataclass
class RunRequest:
    """What to run and how.

    Attributes:
        workflow: the definition to run.
        mode: manual, cli, trigger, webhook, schedule, retry, subworkflow, error.
        trigger_node: node to start from; default: the manual trigger, else the first
            trigger, else every node without inputs.
        input_items: items given to the start node.
        destination: partial run up to (and including) this node.
        reuse: outputs of nodes from an earlier run, used instead of running them.
        use_pinned: use pinned data (default: in manual modes only).
    """

    workflow: Workflow
    execution_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    mode: str = "manual"
    trigger_node: str | None = None
    input_items: list[Item] | None = None
    destination: str | None = None
    reuse: dict[str, dict[str, list[Item]]] = field(default_factory=dict)
    use_pinned: bool | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    static_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancel_event: Any = None
    timeout_s: float | None = None
    depth: int = 0
    resume_url: str | None = None
    active: bool = False
    validate: bool = True


SubworkflowRunner = Callable[
    ["Execution", NodeDef, "str | dict[str, Any]", list[Item], bool], list[Item]
]
CredentialResolver = Callable[[NodeDef, str, CredentialRef], dict[str, Any]]
WorkflowLoader = Callable[[str], Workflow]


class Executor:
    """Runs workflows. Reusable and thread-safe; one :class:`Execution` per run."""

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        hooks: ExecutionHooks | None = None,
        credentials: CredentialResolver | None = None,
        workflow_loader: WorkflowLoader | None = None,
        subworkflow_runner: SubworkflowRunner | None = None,
        http_allow: list[str] | None = None,
        env_allow: list[str] | None = None,
        max_depth: int | None = None,
    ) -> None:
        from engine.config import settings

        s = settings()
        self.catalog = catalog or get_catalog()
        self.hooks = hooks or ExecutionHooks()
        self.credentials = credentials
        self.workflow_loader = workflow_loader
        self.subworkflow_runner = subworkflow_runner
        self.http_allow = list(s.http.allow if http_allow is None else http_allow)
        allow = s.execution.env_allow if env_allow is None else env_allow
        self.env = {k: os.environ[k] for k in allow if k in os.environ}
        self.max_depth = max_depth or s.execution.max_subworkflow_depth

    def run(self, request: RunRequest, *, hooks: ExecutionHooks | None = None) -> ExecutionResult:
        """Runs the workflow to completion and returns the result (never raises for
        failures inside the workflow; raises WorkflowValidationError for bad input)."""
        return Execution(self, request, hooks or self.hooks).run()


@lru_cache(maxsize=512)
def _no_expression_fields(params_model: type) -> frozenset[str]:
    out = set()
    for name, f in params_model.model_fields.items():  # type: ignore[attr-defined]
        extra = f.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-aura-expression") is False:
            out.add(f.alias or name)
    return frozenset(out)


class Execution:
    """The state of one run."""

    def __init__(self, executor: Executor, request: RunRequest, hooks: ExecutionHooks) -> None:
        self.executor = executor
        self.request = request
        self.hooks = hooks
        self.workflow = request.workflow
        self.id = request.execution_id
        self.graph = Graph(self.workflow)
        self.run_data = RunData()
        self.env = executor.env
        self.http_allow = executor.http_allow
        self.now = datetime.now(UTC)
        wf = self.workflow
        self.workflow_info = WorkflowInfo(wf.id, wf.name, wf.settings.timezone, request.active)
        self.execution_info = ExecutionInfo(self.id, request.mode, request.resume_url)
        timeout = request.timeout_s or wf.settings.timeout_s
        self.interrupt = Interrupt(
            request.cancel_event, time.monotonic() + timeout if timeout else None
        )
        self.result = ExecutionResult(self.id, ExecutionStatus.RUNNING, self.now)
        self.specs: dict[str, NodeSpec] = {}
        self.use_pinned = (
            request.mode in MANUAL_MODES if request.use_pinned is None else request.use_pinned
        )
        self.parked: Checkpoint | None = None

    # -- helpers used by ExecContext ------------------------------------------------
    def run_data_view(self, node: str) -> RunDataView:
        return RunDataView(self.run_data, node)

    @staticmethod
    def no_expression_fields(spec: NodeSpec) -> frozenset[str]:
        return _no_expression_fields(spec.params)

    def resolve_credential(self, node: NodeDef, slot: str, ref: CredentialRef) -> dict[str, Any]:
        if self.executor.credentials is None:
            raise CredentialError(
                f"Node '{node.name}' uses a credential, but this run has no credential store. "
                "Run the workflow from the studio or with 'aura run' against a data directory."
            )
        return self.executor.credentials(node, slot, ref)

    def run_subworkflow(
        self, node: NodeDef, ref: str | dict[str, Any], items: list[Item], *, wait: bool
    ) -> list[Item]:
        if self.request.depth + 1 > self.executor.max_depth:
            raise NodeExecutionError(
                f"Sub-workflows are nested more than {self.executor.max_depth} deep; a "
                "workflow probably calls itself. Break the loop.",
                node=node.name,
            )
        if self.executor.subworkflow_runner is not None:
            return self.executor.subworkflow_runner(self, node, ref, items, wait)
        if isinstance(ref, dict):
            from engine.graph.io import load_workflow

            wf = load_workflow(ref, what="sub-workflow")
        elif self.executor.workflow_loader is not None:
            wf = self.executor.workflow_loader(ref)
        else:
            raise NodeExecutionError(
                f"Cannot load workflow '{ref}': no workflow store in this "
                "run. Pass the definition as JSON instead.",
                node=node.name,
            )
        start = next(
            (
                n.name
                for n in wf.nodes
                if getattr(self._spec_or_none(n), "trigger", None) == "subworkflow"
            ),
            None,
        )
        child = RunRequest(
            workflow=wf,
            mode="subworkflow",
            trigger_node=start,
            input_items=items,
            vars=self.request.vars,
            depth=self.request.depth + 1,
            cancel_event=self.interrupt.event,
        )
        res = Execution(self.executor, child, ExecutionHooks()).run()
        if res.status == ExecutionStatus.WAITING:
            raise NodeExecutionError(
                f"Sub-workflow '{wf.name}' reached a Wait node that parks the execution; "
                "durable waits work only in the top-level workflow. Move the Wait into the "
                "calling workflow or make it short (65 s or less).",
                node=node.name,
            )
        if not res.ok:
            msg = (res.error or {}).get("message", "failed")
            raise NodeExecutionError(
                f"Sub-workflow '{wf.name}' {res.status}: {msg}",
                node=node.name,
                details={"sub_execution": res.id},
            )
        return res.output if wait else items

    def _spec_or_none(self, node: NodeDef) -> NodeSpec | None:
        try:
            return self.executor.catalog.get(node.type, node.type_version)
        except AuraError:
            return None

    # -- the run -----------------------------------------------------------------------
    def run(self) -> ExecutionResult:
        wf = self.workflow
        if self.request.validate:
            report = validate(wf, self.executor.catalog)
            report.raise_for_errors()
        for n in wf.nodes:
            spec = self.executor.catalog.get(n.type, n.type_version)
            self.specs[n.name] = spec
            self.run_data.input_port_names[n.name] = [p.name for p in spec.inputs]
        starts = self._start_nodes()
        self.hooks.execution_started(self.result)
        try:
            self._walk(starts)
            self.result.status = ExecutionStatus.SUCCEEDED
        except ExecutionCancelled as exc:
            self.result.status = ExecutionStatus.CANCELLED
            self.result.error = {"type": "ExecutionCancelled", "message": exc.message}
        except ExecutionTimeout as exc:
            self.result.status = ExecutionStatus.FAILED
            self.result.error = {"type": "ExecutionTimeout", "message": exc.message}
        except _NodeFailed as exc:
            self.result.status = ExecutionStatus.FAILED
            self.result.error = exc.error
        except WaitRequested:
            # a node asked to wait: stop here; the runtime parks the execution
            self.result.status = ExecutionStatus.WAITING
            self.result.checkpoint = self.parked
        if self.result.status != ExecutionStatus.WAITING:
            self.result.finished_at = datetime.now(UTC)
        self.hooks.execution_ending(self.result)
        self.hooks.execution_finished(self.result)
        return self.result

    def _start_nodes(self) -> list[str]:
        req, wf = self.request, self.workflow
        if req.trigger_node:
            if req.trigger_node not in self.specs:
                raise WorkflowValidationError(
                    f"There is no node '{req.trigger_node}' to start from."
                )
            return [req.trigger_node]
        triggers = [n.name for n in wf.nodes if self.specs[n.name].trigger and not n.disabled]
        manual = [t for t in triggers if self.specs[t].trigger == "manual"]
        if manual:
            return manual[:1]
        if triggers:
            return triggers[:1]
        roots = self.graph.roots()
        if not roots:
            raise WorkflowValidationError(
                "The workflow has no node to start from: add a Manual Trigger."
            )
        return roots

    def _walk(self, starts: list[str]) -> None:
        g = self.graph
        allowed = g.descendants(starts)
        if self.request.destination:
            dest = self.request.destination
            if dest not in self.specs:
                raise WorkflowValidationError(f"There is no node '{dest}' to run up to.")
            allowed &= g.ancestors(dest) | {dest}
        waiting = {n: len([p for p in g.parents(n) if p in allowed]) for n in allowed}
        for s in starts:
            items = self.request.input_items
            self.run_data.inputs[s] = {"main": list(items) if items is not None else []}
        stack = list(reversed(starts))
        while stack:
            self.interrupt.check()
            name = stack.pop()
            outputs = self._run_or_skip(name, is_start=name in starts)
            ready: list[str] = []
            for c in g.outgoing.get(name, ()):
                if c.target not in allowed:
                    continue
                if outputs is not None:
                    items = outputs.get(c.output, [])
                    if items:
                        self.run_data.deliver(c.target, c.input, name, c.output, items)
            for child in g.children(name):
                if child not in allowed:
                    continue
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
            stack.extend(reversed(ready))

    def _run_or_skip(self, name: str, *, is_start: bool) -> dict[str, list[Item]] | None:
        node = self.graph.nodes[name]
        spec = self.specs[name]
        inputs = self.run_data.inputs.get(name, {})
        got_items = any(inputs.values())
        if not is_start and not got_items:
            return None  # nothing arrived: this branch ends here
        if name in self.request.reuse:
            return self._record_static(
                node, spec, inputs, self.request.reuse[name], NodeRunStatus.REUSED
            )
        if self.use_pinned and name in self.workflow.pinned_data:
            pinned = items_from_json(self.workflow.pinned_data[name])
            first = spec.outputs[0].name if spec.outputs else "main"
            return self._record_static(node, spec, inputs, {first: pinned}, NodeRunStatus.PINNED)
        if node.disabled:
            passed = list(inputs.get("main") or next(iter(inputs.values()), []))
            first = spec.outputs[0].name if spec.outputs else "main"
            return self._record_static(node, spec, inputs, {first: passed}, NodeRunStatus.DISABLED)
        return self._execute(node, spec, inputs)

    def _record_static(
        self,
        node: NodeDef,
        spec: NodeSpec,
        inputs: dict[str, list[Item]],
        outputs: dict[str, list[Item]],
        status: NodeRunStatus,
    ) -> dict[str, list[Item]]:
        run = self._new_run(node, spec, inputs)
        now = datetime.now(UTC)
        run.started_at = run.finished_at = now
        run.status = status
        run.outputs = outputs
        self.run_data.outputs[node.name] = outputs
        self.result.last_node = node.name
        self.hooks.node_finished(self.result, run)
        return outputs

    def _new_run(
        self, node: NodeDef, spec: NodeSpec, inputs: dict[str, list[Item]]
    ) -> NodeRunRecord:
        run = NodeRunRecord(
            node=node.name,
            node_id=node.id,
            type=spec.type,
            type_version=spec.version,
            index=len(self.result.node_runs),
            inputs=inputs,
        )
        self.result.node_runs.append(run)
        return run

    def _execute(
        self, node: NodeDef, spec: NodeSpec, inputs: dict[str, list[Item]]
    ) -> dict[str, list[Item]]:
        if node.execute_once:
            inputs = {p: v[:1] for p, v in inputs.items()}
        run = self._new_run(node, spec, inputs)
        run.started_at = datetime.now(UTC)
        self.hooks.node_started(self.result, run)
        fn = self.executor.catalog.run_function(spec)
        tries = node.retry.max_tries if node.retry.enabled else 1
        error: BaseException | None = None
        outputs: dict[str, list[Item]] = {}
        for attempt in range(1, tries + 1):
            run.attempts = attempt
            if attempt > 1:
                run.logs.append(f"retry: attempt {attempt} of {tries} after: {error}")
                try:
                    self.interrupt.sleep(node.retry.wait_before(attempt))
                except (ExecutionCancelled, ExecutionTimeout):
                    self._finish_run(run, NodeRunStatus.CANCELLED, {}, error)
                    raise
            ctx = ExecContext(self, node, spec, inputs, run.logs)
            try:
                outputs = self._normalize(fn(ctx), spec)
                error = None
                break
            except (ExecutionCancelled, ExecutionTimeout) as exc:
                self._finish_run(run, NodeRunStatus.CANCELLED, {}, exc)
                raise
            except WaitRequested as wait:
                self._park(run, inputs, wait)
                raise
            except Exception as exc:
                error = exc
        if error is not None:
            if node.on_error == "stop":
                self._finish_run(run, NodeRunStatus.FAILED, {}, error)
                raise _NodeFailed(run.error or {})
            err = _error_dict(error, node.name)
            main_in = inputs.get("main") or next(iter(inputs.values()), [])
            err_items = [
                i.derive({**i.json, "error": err}, index=k) for k, i in enumerate(main_in)
            ] or [Item(json={"error": err})]
            outputs = {"main" if node.on_error == "continue" else "error": err_items}
            run.error = err
        if WEBHOOK_RESPONSE_KEY in outputs:
            resp = outputs.pop(WEBHOOK_RESPONSE_KEY)
            if resp and self.result.webhook_response is None:
                self.result.webhook_response = resp[0].json
                self.result.webhook_attachment = next(iter((resp[0].binary or {}).values()), None)
        if node.always_output_data and not any(outputs.values()):
            first = spec.outputs[0].name if spec.outputs else "main"
            outputs[first] = [Item(json={})]
        self._finish_run(run, NodeRunStatus.SUCCEEDED, outputs, None, keep_error=True)
        return outputs

    def _park(self, run: NodeRunRecord, inputs: dict[str, list[Item]], wait: WaitRequested) -> None:
        """Records ``run`` as waiting and keeps what a resumed run needs."""
        run.finished_at = datetime.now(UTC)
        run.status = NodeRunStatus.WAITING
        run.logs.append(f"info: {wait.describe()}")
        self.parked = Checkpoint(
            node=run.node, inputs=inputs, outputs=dict(self.run_data.outputs), wait=wait
        )
        self.hooks.node_finished(self.result, run)

    def _finish_run(
        self,
        run: NodeRunRecord,
        status: NodeRunStatus,
        outputs: dict[str, list[Item]],
        error: BaseException | None,
        *,
        keep_error: bool = False,
    ) -> None:
        run.finished_at = datetime.now(UTC)
        run.status = status
        run.outputs = outputs
        if error is not None:
            run.error = _error_dict(error, run.node)
        elif not keep_error:
            run.error = None
        self.run_data.outputs[run.node] = outputs
        if status in (NodeRunStatus.SUCCEEDED, NodeRunStatus.FAILED):
            self.result.last_node = run.node
        self.hooks.node_finished(self.result, run)

    def _normalize(self, out: Any, spec: NodeSpec) -> dict[str, list[Item]]:
        if inspect.isawaitable(out):
            import asyncio

            out = asyncio.run(_await(out))
        if out is None:
            return {}
        if isinstance(out, list):
            return {"main": _check_items(out, spec)}
        if isinstance(out, dict):
            return {str(k): _check_items(v, spec) for k, v in out.items()}
        raise NodeExecutionError(
            f"Node {spec.type} returned {type(out).__name__}; a node must "
            "return a list of items or a dict of port -> items."
        )


async def _await(aw: Any) -> Any:
    return await aw


def _check_items(v: Any, spec: NodeSpec) -> list[Item]:
    if not isinstance(v, list):
        raise NodeExecutionError(
            f"Node {spec.type} returned {type(v).__name__} for a port; expected a list of items."
        )
    return [x if isinstance(x, Item) else Item.from_dict(x) for x in v]


class _NodeFailed(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error


def _error_dict(exc: BaseException, node: str) -> dict[str, Any]:
    if isinstance(exc, AuraError):
        etype = getattr(exc, "error_type", None) or type(exc).__name__
        d: dict[str, Any] = {"type": etype, "code": exc.code, "message": exc.message, "node": node}
        if exc.details is not None:
            d["details"] = exc.details
        return d
    # an unexpected exception inside a node: keep the last frames for the developer
    tb = traceback.extract_tb(exc.__traceback__)[-3:]
    return {
        "type": type(exc).__name__,
        "code": "node_crashed",
        "node": node,
        "message": f"{type(exc).__name__}: {exc}",
        "details": {
            "where": [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in tb]
        },
    }
