"""Node specifications: declare a node once, derive its form, validation, schema and docs.

A node is a :class:`NodeSpec` (cheap to import: a pydantic params model and metadata)
plus a run function reached through a lazy import path (``run="pkg.mod:execute"``), so
the catalog can list every node without importing any heavy dependency.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.sdk.hooks import TRIGGER_HOOKS

__all__ = [
    "CATEGORIES",
    "PERMISSIONS",
    "CredentialSlot",
    "NodeSpec",
    "Params",
    "Port",
    "TriggerKind",
    "load_docs",
    "ui",
]

TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
PORT_RE = re.compile(r"^[a-z][a-z0-9_]*$")

CATEGORIES = ("Trigger", "Flow", "Transform", "Data", "Network", "Code", "AI", "Utility")
PERMISSIONS = frozenset({"network", "filesystem", "subprocess", "workflows", "credentials", "env"})
TriggerKind = Literal["manual", "schedule", "webhook", "error", "subworkflow", "poll"]
ParamsModel = type[BaseModel]


class Params(BaseModel):
    """Base for node parameter models: unknown keys are refused so typos surface."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def ui(kind: str | None = None, *, expression: bool = True, **options: Any) -> dict[str, Any]:
    """Editor hints for a field, used as ``Field(json_schema_extra=ui("code", language="python"))``.

    ``kind`` is one of ``text, textarea, number, boolean, options, json, code,
    collection, key_value, credential, datetime``; ``expression=False`` marks a field
    whose value is never evaluated as an ``{{ expression }}``. Other options, all
    derived by the editor for every node that declares them:

    - ``labels={"manual": "Manual mapping"}``: readable labels of a fixed set of values
      (a ``Literal``/``Enum`` field is drawn as a select).
    - ``show={"mode": ["manual"]}`` / ``hide={...}``: the field applies only when (or
      not when) sibling fields hold one of the listed values, like n8n's
      ``displayOptions``; hidden fields are neither drawn nor checked.
    - ``options_by={"type": {"string": [{"value": "equals", "label": "is equal to"}]}}``:
      the choices depend on a sibling field; the value must be one of them when saved.
    """
    extra: dict[str, Any] = {"x-aura-expression": expression}
    if kind:
        extra["x-aura-ui"] = kind
    for k, v in options.items():
        extra[f"x-aura-{k.replace('_', '-')}"] = v
    return extra


@dataclass(frozen=True, slots=True)
class Port:
    """A named input or output. ``main`` is the default; IF has ``true``/``false``."""

    name: str = "main"
    title: str = ""
    required: bool = True

    def __post_init__(self) -> None:
        if not PORT_RE.match(self.name):
            raise ValueError(f"port name {self.name!r} must be lower_snake_case")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title or self.name, "required": self.required}


@dataclass(frozen=True, slots=True)
class CredentialSlot:
    """A credential the node can use: ``name`` of the slot and the accepted ``kinds``."""

    name: str
    kinds: tuple[str, ...]
    required: bool = False
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kinds": list(self.kinds), "required": self.required,
                "description": self.description}


@dataclass(frozen=True)
class NodeSpec:
    """Everything AURA knows about a node type version, except its code.

    Attributes:
        type: ``namespace.name``, e.g. ``core.http_request``.
        version: integer type version; old versions stay registered.
        title, description, category, icon: what the palette and docs show.
        params: the pydantic model of the parameters; every field has a description.
        run: import path ``module:function`` of the run function, imported lazily.
        inputs, outputs: named ports. ``outputs_for`` can compute outputs from params
            (Switch has one output per rule).
        credentials: credential slots. permissions: what the node may do
            (``network``, ``workflows``...), shown to users and enforced for packages.
        trigger: set on trigger nodes (they start executions and have no inputs).
        hooks: the trigger's hooks by name, as lazy import paths ``module:function``
            (which names each trigger kind takes: :mod:`engine.sdk.hooks`).
        docs: long Markdown documentation. aliases: foreign type names (n8n, Node-RED)
            that import as this node.
        tool: an AI agent may be given this node as a tool: the model's arguments are
            its one input item, its output items the answer (``ai.agent``'s node tools).
    """

    type: str
    version: int
    title: str
    description: str
    category: str
    params: ParamsModel
    run: str
    inputs: tuple[Port, ...] = (Port("main"),)
    outputs: tuple[Port, ...] = (Port("main"),)
    icon: str = "box"
    credentials: tuple[CredentialSlot, ...] = ()
    permissions: frozenset[str] = frozenset()
    trigger: TriggerKind | None = None
    docs: str = ""
    aliases: tuple[str, ...] = ()
    tool: bool = False
    outputs_for: Callable[[Any], tuple[Port, ...]] | None = field(default=None, compare=False)
    hooks: Mapping[str, str] = field(default_factory=dict, compare=False)
    package: str = "core"

    def __post_init__(self) -> None:
        if not TYPE_RE.match(self.type):
            raise ValueError(f"node type {self.type!r} must look like 'namespace.name'")
        if self.version < 1:
            raise ValueError(f"{self.type}: version must be >= 1")
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.type}: category {self.category!r} not in {CATEGORIES}")
        unknown = set(self.permissions) - PERMISSIONS
        if unknown:
            raise ValueError(f"{self.type}: unknown permissions {sorted(unknown)}")
        if ":" not in self.run:
            raise ValueError(f"{self.type}: run must be 'module:function', got {self.run!r}")
        if self.trigger and self.inputs:
            raise ValueError(f"{self.type}: trigger nodes have no inputs")
        allowed = TRIGGER_HOOKS.get(self.trigger or "", ())
        for name, path in self.hooks.items():
            if name not in allowed:
                raise ValueError(f"{self.type}: a {self.trigger or 'non-trigger'} node has no "
                                 f"hook {name!r}; it may declare {list(allowed)}")
            if ":" not in path:
                raise ValueError(f"{self.type}: hook {name} must be 'module:function', "
                                 f"got {path!r}")

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.version)

    def output_ports(self, params: Any = None) -> tuple[Port, ...]:
        """The output ports, computed from ``params`` when the node declares ``outputs_for``."""
        if self.outputs_for is not None and params is not None:
            try:
                return tuple(self.outputs_for(params))
            except Exception:
                return self.outputs
        return self.outputs

    def params_schema(self) -> dict[str, Any]:
        """The params model's JSON Schema (a fresh copy: callers may change it)."""
        return copy.deepcopy(_schema_of(self.params))

    def to_dict(self) -> dict[str, Any]:
        """A JSON description used by the API, the editor palette and the docs generator."""
        return {
            "type": self.type,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "icon": self.icon,
            "inputs": [p.to_dict() for p in self.inputs],
            "outputs": [p.to_dict() for p in self.outputs],
            "dynamic_outputs": self.outputs_for is not None,
            "credentials": [c.to_dict() for c in self.credentials],
            "permissions": sorted(self.permissions),
            "trigger": self.trigger,
            "params_schema": self.params_schema(),
            "package": self.package,
            "aliases": list(self.aliases),
        }


def load_docs(spec_file: str) -> str:
    """Reads ``docs.md`` beside a spec module (empty string if it is missing)."""
    path = Path(spec_file).with_name("docs.md")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


@functools.cache
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """Generated once per params model: pydantic builds it anew on every call (measured:
    a third of a webhook run's CPU went to it when every save and run checks choices)."""
    return model.model_json_schema()
