"""Parameter plans: evaluate only the parts of a node's parameters that hold expressions.

A plan is built once per node run and then applied per item, so a 100,000-item run
walks the parameters once, not 100,000 times, and keeps unchanged values shared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Plan", "build_plan"]

Plan = Callable[[Any, str | None], Any]  # (expression context, node name) -> value


def build_plan(value: Any, path: str = "") -> Plan | None:
    """A function producing ``value`` with its expressions evaluated, or None if it has none."""
    if isinstance(value, str):
        if "{{" not in value:
            return None
        from engine.expressions import evaluate

        parameter = path or None

        def leaf(ctx: Any, node: str | None) -> Any:
            return _plain(evaluate(value, ctx, node=node, parameter=parameter))

        return leaf
    if isinstance(value, dict):
        subs = [(k, p) for k, v in value.items()
                if (p := build_plan(v, f"{path}.{k}" if path else str(k))) is not None]
        if not subs:
            return None

        def obj(ctx: Any, node: str | None) -> Any:
            out = dict(value)
            for k, p in subs:
                out[k] = p(ctx, node)
            return out

        return obj
    if isinstance(value, list):
        subl = [(i, p) for i, v in enumerate(value)
                if (p := build_plan(v, f"{path}[{i}]")) is not None]
        if not subl:
            return None

        def seq(ctx: Any, node: str | None) -> Any:
            out = list(value)
            for i, p in subl:
                out[i] = p(ctx, node)
            return out

        return seq
    return None


def _plain(v: Any) -> Any:
    iso = getattr(v, "iso", None)
    if callable(iso) and not isinstance(v, str | dict | list):
        return iso()
    return v
