"""Validation of a workflow against the node catalog, with precise messages.

Errors make a workflow unrunnable; warnings (such as unreachable nodes) are shown but
do not block saving or running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pydantic

from engine.errors import UnknownNodeType, WorkflowValidationError
from engine.graph.choices import bad_choices, plain_path
from engine.graph.index import Graph
from engine.graph.messages import param_path, plain_message
from engine.graph.model import Workflow
from engine.sdk.catalog import Catalog
from engine.sdk.spec import NodeSpec

__all__ = [
    "MAX_NODES",
    "Problem",
    "ValidationReport",
    "contains_expression",
    "validate",
    "validate_params",
]

MAX_NODES = 5000


@dataclass(frozen=True)
class Problem:
    """One finding: ``path`` (e.g. ``nodes['Fetch'].parameters.url``), message, code."""

    path: str
    message: str
    code: str
    node: str | None = None
    extra: dict[str, Any] | None = None  # more about it, e.g. a bad choice's allowed values

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "message": self.message, "code": self.code, "node": self.node}
        return {**out, **self.extra} if self.extra else out


@dataclass
class ValidationReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more problems)" if len(self.errors) > 1 else ""
            raise WorkflowValidationError(
                f"{first.message}{more}", details=[p.to_dict() for p in self.errors]
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


def contains_expression(value: Any) -> bool:
    """True if ``value`` (or anything inside it) is a string with ``{{``."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(contains_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_expression(v) for v in value)
    return False


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def validate_params(spec: NodeSpec, params: dict[str, Any]) -> list[tuple[str, str]]:
    """Pydantic validation of raw parameters, ignoring fields that hold expressions
    (they are checked after evaluation, at run time). Returns ``(path, message)`` pairs."""
    try:
        spec.params.model_validate(params)
    except pydantic.ValidationError as exc:
        out = []
        for e in exc.errors():
            loc = tuple(e.get("loc", ()))
            # an expression at the failing value (or inside it), or one that computes a
            # whole parent (a list given as '{{ ... }}'), may produce a valid value at run
            # time; an expression in a sibling entry says nothing about this one
            if contains_expression(_value_at(params, loc)) or any(
                _is_expression(_value_at(params, loc[:i])) for i in range(1, len(loc))
            ):
                continue
            path = ".".join(str(p) for p in loc) or "(parameters)"
            out.append((path, plain_message(e)))
        return out
    return []


def validate(wf: Workflow, catalog: Catalog) -> ValidationReport:
    """Checks node types and versions, names, connections and ports, cycles,
    parameters and credential slots; warns about unreachable nodes."""
    r = ValidationReport()
    if len(wf.nodes) > MAX_NODES:
        r.errors.append(
            Problem(
                "nodes",
                f"The workflow has {len(wf.nodes):,} nodes; the limit is {MAX_NODES:,}. "
                "Split it into sub-workflows (Execute Workflow node).",
                "too_many_nodes",
            )
        )
        return r

    seen: dict[str, int] = {}
    ids: set[str] = set()
    specs: dict[str, NodeSpec] = {}
    for n in wf.nodes:
        where = f"nodes[{n.name!r}]"
        if n.name in seen:
            r.errors.append(
                Problem(
                    where + ".name",
                    f"Two nodes are named '{n.name}'; node "
                    "names must be unique. Rename one of them.",
                    "duplicate_name",
                    n.name,
                )
            )
        seen[n.name] = 1
        if n.id in ids:
            r.errors.append(
                Problem(where + ".id", f"Node id '{n.id}' is used twice.", "duplicate_id", n.name)
            )
        ids.add(n.id)
        try:
            spec = catalog.get(n.type, n.type_version)
        except UnknownNodeType as exc:
            r.errors.append(
                Problem(where + ".type", f"Node '{n.name}': {exc.message}", "unknown_type", n.name)
            )
            continue
        specs[n.name] = spec
        choices = bad_choices(spec, n.parameters)
        for b in choices:
            r.errors.append(
                Problem(
                    f"{where}.parameters.{b.path}",
                    f"Node '{n.name}', parameter '{param_path(b.path)}': {b.message}",
                    "invalid_choice",
                    n.name,
                    b.details(),
                )
            )
        for path, msg in validate_params(spec, n.parameters):
            plain = plain_path(path)
            if any(b.path == plain or b.path.startswith(plain + ".") for b in choices):
                continue  # said above, with the choices
            r.errors.append(
                Problem(
                    f"{where}.parameters.{path}",
                    f"Node '{n.name}', parameter '{param_path(path)}': {msg}",
                    "invalid_parameter",
                    n.name,
                )
            )
        slots = {s.name: s for s in spec.credentials}
        for slot in n.credentials:
            if slot not in slots:
                r.errors.append(
                    Problem(
                        f"{where}.credentials.{slot}",
                        f"Node '{n.name}' has no credential slot "
                        f"'{slot}' (it has: {', '.join(slots) or 'none'}).",
                        "unknown_slot",
                        n.name,
                    )
                )
        if n.on_error == "route" and spec.trigger:
            r.errors.append(
                Problem(
                    f"{where}.on_error",
                    f"Trigger node '{n.name}' cannot route errors to an output.",
                    "invalid_setting",
                    n.name,
                )
            )

    for name in wf.pinned_data:
        if name not in seen:
            r.warnings.append(
                Problem(
                    f"pinned_data[{name!r}]",
                    f"Pinned data for '{name}', "
                    "which is not a node of this workflow; it is ignored.",
                    "stale_pin",
                    name,
                )
            )

    keys: set[tuple[str, str, str, str]] = set()
    for i, c in enumerate(wf.connections):
        where = f"connections[{i}]"
        if c.key in keys:
            r.warnings.append(
                Problem(
                    where,
                    f"Connection {c.source}.{c.output} -> {c.target}.{c.input} appears twice.",
                    "duplicate_edge",
                )
            )
        keys.add(c.key)
        bad = False
        for end, name in (("source", c.source), ("target", c.target)):
            if name not in seen:
                r.errors.append(
                    Problem(
                        f"{where}.{end}",
                        f"Connection {c.source} -> {c.target} "
                        f"refers to a node '{name}' that does not exist.",
                        "dangling_connection",
                        name,
                    )
                )
                bad = True
        if bad:
            continue
        src, dst = specs.get(c.source), specs.get(c.target)
        if src is not None:
            node = wf.node(c.source)
            ports = [p.name for p in src.output_ports(_try_params(src, node.parameters))]
            if node.on_error == "route":
                ports.append("error")
            if c.output not in ports:
                hint = (
                    " Set the node's 'On error' to 'route' to get an 'error' output."
                    if c.output == "error"
                    else ""
                )
                r.errors.append(
                    Problem(
                        f"{where}.output",
                        f"Node '{c.source}' has no output "
                        f"'{c.output}' (outputs: {', '.join(ports) or 'none'})." + hint,
                        "unknown_port",
                        c.source,
                    )
                )
        if dst is not None:
            ports = [p.name for p in dst.inputs]
            if c.input not in ports:
                what = (
                    "it is a trigger and takes no input"
                    if dst.trigger
                    else f"inputs: {', '.join(ports) or 'none'}"
                )
                r.errors.append(
                    Problem(
                        f"{where}.input",
                        f"Node '{c.target}' has no input '{c.input}' ({what}).",
                        "unknown_port",
                        c.target,
                    )
                )

    g = Graph(wf)
    cycle = g.find_cycle()
    if cycle:
        r.errors.append(
            Problem(
                "connections",
                "The connections form a cycle: "
                + " -> ".join(cycle)
                + ". Remove one connection; loop over "
                "items with nodes that map over them instead.",
                "cycle",
                cycle[0],
            )
        )

    # reachability from triggers (or, without triggers, from the nodes with no inputs)
    starts = [n for n, s in specs.items() if s.trigger] or g.roots()
    reachable = g.descendants(starts)
    for n in wf.nodes:
        if n.name not in reachable:
            r.warnings.append(
                Problem(
                    f"nodes[{n.name!r}]",
                    f"Node '{n.name}' is not connected to a trigger and will not run.",
                    "unreachable",
                    n.name,
                )
            )
    return r


def _try_params(spec: NodeSpec, raw: dict[str, Any]) -> Any:
    if spec.outputs_for is None:
        return None
    try:
        return spec.params.model_validate(raw)
    except pydantic.ValidationError:
        return spec.params.model_construct(**raw)
