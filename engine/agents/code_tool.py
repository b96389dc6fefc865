"""The ``run_python`` tool as the model sees it: Python in the sandbox, its ``return``
value the answer. The AI Agent node and stored agents offer the same definition; each
runs the code in the sandbox processes (:mod:`engine.sandbox`), never in its own."""

from __future__ import annotations

from engine.agents.types import ToolDef

__all__ = ["CODE_TOOL"]

CODE_TOOL = ToolDef(
    "run_python",
    "Run Python code in a sandbox (no files, no network, no imports beyond json, math, re, "
    "datetime and a few more). The code is the body of a function: 'return' a JSON value. "
    "Values passed in 'inputs' are variables of the code.",
    {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "Python statements; 'return' the result."},
            "inputs": {"type": "object", "description": "Variables for the code, by name."},
        },
        "required": ["code"],
    },
)
