"""Test helpers for node authors: run one node through the real executor path.

``NodeHarness("core.if").run(parameters=..., input=[...])`` evaluates expressions,
validates parameters, applies the error policy and records logs exactly as a workflow
run would, without a database or a queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import AuraError, NodeExecutionError
from engine.sdk.catalog import Catalog, get_catalog
from engine.sdk.items import Item, items_from_json

__all__ = ["HarnessResult", "NodeHarness", "normalize_input"]


@dataclass
class HarnessResult:
    outputs: dict[str, list[Item]] = field(default_factory=dict)
    error: AuraError | None = None
    logs: list[str] = field(default_factory=list)
    run: Any = None
    webhook_response: dict[str, Any] | None = None

    def json(self, port: str = "main") -> list[dict[str, Any]]:
        return [i.json for i in self.outputs.get(port, [])]

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def normalize_input(data: Any) -> dict[str, list[Item]]:
    """``[objs]`` → main input; ``{"main": [...], "input2": [...]}`` → per port."""
    if data is None:
        return {}
    if isinstance(data, list):
        return {"main": items_from_json(data)}
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        return {k: items_from_json(v) for k, v in data.items()}
    return {"main": items_from_json(data)}


class NodeHarness:
    """Runs a single node type version with given parameters and input items."""

    def __init__(self, type_: str, version: int | None = None, *,
                 catalog: Catalog | None = None) -> None:
        self.catalog = catalog or get_catalog()
        self.spec = self.catalog.get(type_, version)

    def run(self, parameters: dict[str, Any] | None = None, input: Any = None, *,
            credentials: dict[str, dict[str, Any]] | None = None, on_error: str = "stop",
            vars: dict[str, Any] | None = None, run_data: dict[str, Any] | None = None,
            static_data: dict[str, Any] | None = None,
            workflow_runner: Callable[[Any, list[Item]], list[Item]] | None = None,
            http_allow: list[str] | None = None, timezone: str = "UTC",
            node_name: str = "Node", retry: dict[str, Any] | None = None,
            execute_once: bool = False, always_output_data: bool = False,
            mode: str = "manual", raise_errors: bool = False) -> HarnessResult:
        from engine.executor.executor import Execution, Executor, RunRequest, _NodeFailed
        from engine.graph.model import CredentialRef, NodeDef, Workflow, WorkflowSettings

        creds = credentials or {}
        node = NodeDef(name=node_name, type=self.spec.type, type_version=self.spec.version,
                       parameters=parameters or {}, on_error=on_error,  # type: ignore[arg-type,unused-ignore]
                       credentials={k: CredentialRef(id=k) for k in creds},
                       retry=retry or {}, execute_once=execute_once,  # type: ignore[arg-type,unused-ignore]
                       always_output_data=always_output_data)
        wf = Workflow(name="harness", nodes=[node],
                      settings=WorkflowSettings(timezone=timezone))

        def resolve(n: NodeDef, slot: str, ref: CredentialRef) -> dict[str, Any]:
            return dict(creds[slot])

        def sub(ex: Any, n: NodeDef, ref: Any, items: list[Item], wait: bool) -> list[Item]:
            if workflow_runner is None:
                raise NodeExecutionError("no workflow_runner given to the harness")
            return workflow_runner(ref, items)

        executor = Executor(self.catalog, credentials=resolve, http_allow=http_allow,
                            subworkflow_runner=sub if workflow_runner else None)
        execution = Execution(executor, RunRequest(workflow=wf, mode=mode, vars=vars or {},
                                                   static_data={node_name: static_data}
                                                   if static_data is not None else {}),
                              executor.hooks)
        execution.specs[node_name] = self.spec
        execution.run_data.input_port_names[node_name] = [p.name for p in self.spec.inputs]
        for other, items in (run_data or {}).items():
            execution.run_data.outputs[other] = normalize_input(items) or {"main": []}
        inputs = normalize_input(input)
        for port, items in inputs.items():
            execution.run_data.deliver(node_name, port, "__input__", port, items)
            execution.run_data.outputs.setdefault("__input__", {})[port] = items
        inputs = execution.run_data.inputs.get(node_name, {})
        result = HarnessResult()
        try:
            result.outputs = execution._execute(node, self.spec, inputs)
        except _NodeFailed as exc:
            run = execution.result.node_runs[-1]
            err = exc.error
            result.error = NodeExecutionError(err.get("message", "failed"), node=node_name,
                                              details=err.get("details"),
                                              error_type=err.get("type"))
            result.error.code = err.get("code", result.error.code)
            if raise_errors:
                raise result.error from None
            result.run = run
        last = execution.result.node_runs[-1] if execution.result.node_runs else None
        result.run = last
        result.logs = last.logs if last else []
        result.webhook_response = execution.result.webhook_response
        return result
