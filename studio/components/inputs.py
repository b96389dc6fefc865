"""Small behaviours shared by the studio's text inputs."""

from __future__ import annotations

from reflex.vars.function import FunctionStringVar

__all__ = ["commit_on_enter"]

commit_on_enter = FunctionStringVar.create(
    '((key) => { if (key === "Enter" || key === "Escape") document.activeElement?.blur(); })'
)
"""``on_key_down`` of an input that saves on blur: Enter (and Esc, before a dialog closes
on it) leaves the field, so what was typed is committed instead of lost."""
