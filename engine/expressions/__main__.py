"""``python -m engine.expressions``: prints the generated helper and method reference
(the part of ``docs/expressions.md`` between the ``reference`` markers)."""

from __future__ import annotations

from engine.expressions._reference import reference

print(reference(), end="")
