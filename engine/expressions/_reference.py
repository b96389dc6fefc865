"""The Markdown reference of helpers and methods, generated from the registries.

``python -m engine.expressions`` prints it; ``docs/expressions.md`` embeds it between
its ``reference`` markers (a test keeps the two in step).
"""

from __future__ import annotations

from engine.expressions._registry import DOCS
from engine.expressions.helpers import HELPERS

__all__ = ["reference"]

_CATEGORIES = {"text": "Text", "number": "Numbers", "list": "Lists", "object": "Objects",
               "json": "JSON", "date": "Dates", "type": "Types and conversion"}
_KINDS = {"text": "Text", "number": "Numbers", "boolean": "Booleans", "list": "Lists",
          "object": "Objects", "date": "Dates", "null": "null", "input": "$input",
          "node": '$node("Name")'}


def reference() -> str:
    """Markdown reference of every helper and method, generated from the registries."""
    lines = ["### Helper functions", ""]
    for cat, title in _CATEGORIES.items():
        lines += [f"#### {title}", "", "| helper | what it does |", "|---|---|"]
        for h in sorted((h for h in HELPERS.values() if h.category == cat),
                        key=lambda h: h.name):
            lines.append(f"| `{h.signature}` | {h.description} |")
        lines.append("")
    lines += ["### Methods and fields", "",
              "Written after a value: `$json.name.upper()`, `$now.plus(1, 'day')`. "
              "Alternative names (aliases) are listed after the first.", ""]
    for kind_name, title in _KINDS.items():
        docs = [d for d in DOCS if d.kinds[0] == kind_name]
        if not docs:
            continue
        lines += [f"#### {title}", "", "| method or field | names | what it does |",
                  "|---|---|---|"]
        for d in docs:
            also = f" (also on {', '.join(d.kinds[1:])})" if len(d.kinds) > 1 else ""
            names = ", ".join(f"`{n}`" for n in d.names)
            shown = d.signature.replace("|", "\\|")
            lines.append(f"| `{shown}` | {names} | {d.description}{also} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

