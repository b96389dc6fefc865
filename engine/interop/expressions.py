"""Translating n8n parameter values (``=...{{ js }}...``) into AURA templates.

An n8n string that starts with ``=`` is a template whose ``{{ }}`` parts are JavaScript;
other strings are literal text. :func:`translate_value` returns the AURA value and a
:class:`ExpressionNote` per n8n expression: translated, or kept verbatim with the reason
(the original text stays, so nothing is lost and the node shows what to fix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import compile_template
from engine.interop._jsemit import emit
from engine.interop._jsparse import Untranslatable, parse_js

__all__ = ["ExpressionNote", "escape_literal", "translate_js", "translate_value"]


@dataclass
class ExpressionNote:
    """One n8n expression: where it was, what it became, and why if it was kept."""

    path: str
    original: str
    translated: str | None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.translated is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "original": self.original,
            "translated": self.translated,
            "status": "translated" if self.ok else "kept",
            "note": self.note,
        }


def escape_literal(text: str) -> str:
    """Literal text as an AURA parameter value: ``{{`` is escaped so it is not evaluated."""
    return text.replace("{{", "\\{{")


def translate_js(code: str) -> str:
    """One JavaScript expression as AURA expression text (checked by AURA's compiler).

    Raises:
        Untranslatable: with the reason.
    """
    out = emit(parse_js(code))
    try:
        compile_template("{{ " + out + " }}")
    except ExpressionError as exc:
        raise Untranslatable(
            f"the translation is not a valid AURA expression: {exc.message}"
        ) from None
    return out


def _n8n_parts(text: str) -> list[tuple[bool, str]]:
    """n8n's split: each ``{{`` up to the first ``}}`` whose inside reads as one
    JavaScript expression (so ``}}`` or quotes inside strings and regular expressions
    do not cut it short); the first ``}}`` when none does."""
    parts: list[tuple[bool, str]] = []
    i, n = 0, len(text)
    while i < n:
        start = text.find("{{", i)
        if start < 0:
            parts.append((False, text[i:]))
            break
        if start > i:
            parts.append((False, text[i:start]))
        ends = [m.start() for m in re.finditer(r"(?=\}\})", text[start + 2 :])]
        if not ends:
            raise Untranslatable(f"'{{{{' at position {start} has no matching '}}}}'")
        end = ends[0]
        for e in ends[:50]:
            try:
                parse_js(text[start + 2 : start + 2 + e])
            except Untranslatable:
                continue
            end = e
            break
        parts.append((True, text[start + 2 : start + 2 + end]))
        i = start + 2 + end + 2
    return [(is_expr, part) for is_expr, part in parts if is_expr or part]


def translate_template(text: str) -> str:
    """An n8n template (without its leading ``=``) as an AURA template.

    Raises:
        Untranslatable: a part cannot be translated (the reason says which).
    """
    out: list[str] = []
    for is_expr, part in _n8n_parts(text):
        if not is_expr:
            out.append(escape_literal(part))
            continue
        if not part.strip():
            raise Untranslatable("an empty {{ }}")
        try:
            out.append("{{ " + translate_js(part) + " }}")
        except Untranslatable as exc:
            shown = part.strip().replace("\n", " ")
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise Untranslatable(f"{{{{ {shown} }}}}: {exc}") from None
    return "".join(out)


def translate_value(value: Any, path: str = "", notes: list[ExpressionNote] | None = None) -> Any:
    """``value`` (any JSON) with n8n strings turned into AURA values.

    Each n8n expression found is appended to ``notes``. Expressions that cannot be
    translated are kept verbatim (without the leading ``=``).
    """
    if notes is None:
        notes = []
    if isinstance(value, dict):
        return {
            k: translate_value(v, f"{path}.{k}" if path else str(k), notes)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [translate_value(v, f"{path}[{i}]", notes) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    if not value.startswith("="):
        return escape_literal(value)
    body = value[1:]
    if "{{" not in body:
        notes.append(ExpressionNote(path, value, escape_literal(body)))
        return escape_literal(body)
    try:
        out = translate_template(body)
    except Untranslatable as exc:
        notes.append(ExpressionNote(path, value, None, str(exc)))
        return body
    notes.append(ExpressionNote(path, value, out))
    return out
