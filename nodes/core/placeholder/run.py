"""Placeholder: refuses to run, saying which original node to replace it with."""

from __future__ import annotations

from typing import Any

from engine.sdk import NodeContext, NodeExecutionError


def execute(ctx: NodeContext) -> Any:
    """Fails with the original type and reason (disabled placeholders never run)."""
    p = ctx.params()
    kind = getattr(p, "original_type", "") or "an unknown node"
    reason = getattr(p, "reason", "")
    raise NodeExecutionError(
        f"This node is a placeholder for {kind}{': ' + reason if reason else ''}. Replace "
        "it with an AURA node (its original parameters are kept on it), or disable it to "
        "let items pass through."
    )
