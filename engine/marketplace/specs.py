"""Node specs of sandboxed packages, derived from their manifests (no package code).

A package node becomes an ordinary :class:`~engine.sdk.spec.NodeSpec`: the palette, the
editor form, validation and the docs see it like a built-in. Its parameters model
validates with the manifest's JSON Schema (defaults filled in) and publishes that very
schema; its run function is the one generic :func:`engine.marketplace.runtime.execute`,
which runs the package's code in the sandbox.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, ClassVar

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict, model_validator

from engine.marketplace.manifest import NodeDecl
from engine.marketplace.package import Package
from engine.sdk.spec import CredentialSlot, NodeSpec, Port

__all__ = ["RUN_ENTRY", "node_specs", "params_model"]

RUN_ENTRY = "engine.marketplace.runtime:execute"


class PackageParams(BaseModel):
    """Base of the parameter models of package nodes (validated by JSON Schema)."""

    model_config = ConfigDict(extra="allow")
    schema_: ClassVar[dict[str, Any]] = {}
    validator_: ClassVar[Draft202012Validator | None] = None
    """Built once per node type (building one per run cost more than validating)."""

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("parameters must be an object")
        out = dict(data)
        for name, prop in (cls.schema_.get("properties") or {}).items():
            if name not in out and isinstance(prop, dict) and "default" in prop:
                out[name] = copy.deepcopy(prop["default"])
        validator = cls.validator_ or Draft202012Validator(cls.schema_)
        errors = sorted(validator.iter_errors(out), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = ".".join(str(p) for p in first.path) or "parameters"
            raise ValueError(f"{where}: {first.message}")
        return out

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return copy.deepcopy(cls.schema_)


@lru_cache(maxsize=1024)
def _model(key: str, schema_json: str) -> type[PackageParams]:
    import json

    name = "".join(p.capitalize() for p in key.replace(".", "_").split("_")) + "Params"
    schema = json.loads(schema_json)
    return type(
        name,
        (PackageParams,),
        {
            "schema_": schema,
            "validator_": Draft202012Validator(schema),
            "__module__": __name__,
        },
    )


def params_model(node: NodeDecl) -> type[PackageParams]:
    import json

    return _model(f"{node.type}_v{node.version}", json.dumps(node.params, sort_keys=True))


def _permissions(pkg: Package, node: NodeDecl) -> frozenset[str]:
    perms = set()
    if pkg.manifest.permissions.hosts:
        perms.add("network")
    if node.credentials:
        perms.add("credentials")
    return frozenset(perms)


def node_specs(pkg: Package) -> list[NodeSpec]:
    """One spec per node the package declares."""
    out = []
    for node in pkg.manifest.nodes:
        out.append(
            NodeSpec(
                type=node.type,
                version=node.version,
                title=node.title,
                description=node.description,
                category=node.category,
                params=params_model(node),
                run=RUN_ENTRY,
                inputs=tuple(Port(p) for p in node.inputs),
                outputs=tuple(Port(p) for p in node.outputs),
                icon=node.icon,
                credentials=tuple(
                    CredentialSlot(c.name, c.kinds, c.required, c.description)
                    for c in node.credentials
                ),
                permissions=_permissions(pkg, node),
                docs=pkg.node_docs(node),
                package=pkg.name,
            )
        )
    return out
