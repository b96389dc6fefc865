"""Node specs as the editor needs them: palette entries and per-node port lists.

Everything comes from :func:`engine.sdk.get_catalog` (``NodeSpec.to_dict()``); results
are cached per (type, version) because the catalog does not change while a process runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.errors import AuraError
from engine.sdk import get_catalog
from engine.sdk.spec import CATEGORIES

__all__ = ["CATEGORY_ORDER", "output_ports", "palette", "spec_dict", "spec_or_none"]

CATEGORY_ORDER = CATEGORIES

_UNKNOWN: dict[str, Any] = {
    "title": "Unknown node", "icon": "circle-help", "category": "Utility", "description": "",
    "inputs": [{"name": "main", "title": "main", "required": True}],
    "outputs": [{"name": "main", "title": "main", "required": True}],
    "trigger": None, "dynamic_outputs": False, "credentials": [], "params_schema": {},
    "unknown": True,
}


def spec_or_none(type_: str, version: int | None = None) -> Any:
    """The NodeSpec, or None when the type (or version) is not installed."""
    try:
        return get_catalog().get(type_, version)
    except AuraError:
        return None


@lru_cache(maxsize=1024)
def _spec_dict(type_: str, version: int | None) -> dict[str, Any]:
    spec = spec_or_none(type_, version)
    if spec is None:
        return {**_UNKNOWN, "type": type_, "version": version or 1}
    d = spec.to_dict()
    d["unknown"] = False
    return d


def spec_dict(type_: str, version: int | None = None) -> dict[str, Any]:
    """``NodeSpec.to_dict()`` plus ``unknown``; a placeholder for unknown types."""
    return _spec_dict(type_, version)


def output_ports(node: dict[str, Any]) -> list[dict[str, str]]:
    """Output ports of a node definition: computed from its parameters for nodes with
    dynamic outputs (Switch), plus ``error`` when it routes errors."""
    info = spec_dict(node["type"], node.get("type_version", 1))
    ports = [{"name": p["name"], "title": p["title"]} for p in info["outputs"]]
    if info.get("dynamic_outputs"):
        spec = spec_or_none(node["type"], node.get("type_version", 1))
        if spec is not None:
            try:
                params = spec.params.model_validate(node.get("parameters") or {})
            except Exception:
                params = spec.params.model_construct(**(node.get("parameters") or {}))
            ports = [{"name": p.name, "title": p.title or p.name}
                     for p in spec.output_ports(params)]
    if node.get("on_error") == "route":
        ports.append({"name": "error", "title": "error"})
    return ports


@lru_cache(maxsize=1)
def palette() -> list[dict[str, Any]]:
    """Palette entries (newest version of each type), ordered by category then title."""
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    out = []
    for spec in get_catalog().latest():
        out.append({"type": spec.type, "version": spec.version, "title": spec.title,
                    "description": spec.description, "category": spec.category,
                    "icon": spec.icon, "trigger": bool(spec.trigger),
                    "has_inputs": bool(spec.inputs), "has_outputs": bool(spec.outputs),
                    "search": f"{spec.title} {spec.type} {spec.description} "
                              f"{' '.join(spec.aliases)}".lower()})
    out.sort(key=lambda e: (order.get(e["category"], 99), e["title"]))
    return out
