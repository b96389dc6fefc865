"""Node tools in the agent editor, as plain data: the fields of a node tool's form (its
node's parameters that apply to the values chosen so far, its credential slots, the
arguments the model passes), and the parameters, credentials and argument schema they
give back, with problems in plain words.

A node tool's row (see :mod:`studio.logic.agent_form`) keeps its values as JSON text:
``params`` (parameter key -> value as typed), ``creds`` (slot -> credential id) and
``args`` (argument names, separated by commas). :func:`field_rows` flattens what the
page draws for every node tool into one list (each entry names its tool by index), so
the page needs no nested lists.

Parameters whose editor is a table or JSON (headers, body fields, ...) are not drawn:
their defaults apply, or the values an agent was saved with through the API are kept.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["SCALAR_KINDS", "field_rows", "node_spec_parts", "schema_from_args"]

SCALAR_KINDS = ("text", "textarea", "password", "number", "boolean", "options", "any", "code")
_ARG = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _clean(text: str) -> str:
    return str(text).replace(",", " ").replace("|", "/")


def _loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return value if isinstance(value, str) else json.dumps(value)


def field_rows(tools: list[dict[str, str]], choices: dict[str, Any]) -> list[dict[str, str]]:
    """What the page draws for the node tools among ``tools``: per tool, its visible
    parameters, its credential slots and its arguments (``tool`` = the row's index)."""
    from studio.logic.form import describe
    from studio.logic.form_rules import visible

    nodes = {n["type"]: n for n in choices.get("nodes", [])}
    creds = choices.get("node_credentials", [])
    out: list[dict[str, str]] = []
    for i, row in enumerate(tools):
        if row["kind"] != "node":
            continue
        values = _loads(row.get("params", ""))
        fields = describe(row["target"])
        for f in fields:
            if f["kind"] not in SCALAR_KINDS or not visible(f, values, fields):
                continue
            current = values.get(f["key"], f.get("default"))
            options = f.get("options") or []
            out.append(
                {
                    "tool": str(i),
                    "kind": "options" if options else f["kind"],
                    "key": f["key"],
                    "label": f["label"],
                    "help": str(f.get("help") or "")[:200],
                    "required": "",
                    "value": _text(current),
                    "options": ",".join(
                        f"{_clean(o['value'])}|{_clean(o['label'])}" for o in options
                    ),
                }
            )
        chosen = _loads(row.get("creds", ""))
        for slot in nodes.get(row["target"], {}).get("slots", []):
            usable = [c for c in creds if c["kind"] in slot["kinds"]]
            out.append(
                {
                    "tool": str(i),
                    "kind": "credential",
                    "key": slot["slot"],
                    "label": f"Credential: {slot['slot']}"
                    + ("" if slot["required"] else " (optional)"),
                    "help": "Of kind " + " or ".join(slot["kinds"]),
                    "required": "true" if slot["required"] else "",
                    "value": str(chosen.get(slot["slot"]) or ""),
                    "options": ",".join(
                        f"{c['id']}|{_clean(c['name'])} ({c['kind']})" for c in usable
                    ),
                }
            )
    return out


def schema_from_args(args: str, old: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
    """The JSON Schema of a node tool's arguments from their names (the old schema when
    the names are unchanged; else each required, typed as before or as text), and a
    problem in plain words or ""."""
    names = [a.strip() for a in args.split(",") if a.strip()]
    bad = [n for n in names if not _ARG.match(n)]
    if bad:
        return {}, (
            f"The argument name '{bad[0]}' cannot be used: use letters, digits and '_' "
            "(no spaces), separated by commas."
        )
    before = (old or {}).get("properties") or {}
    if old and list(before) == names:  # unchanged: the schema as it was saved
        return old, ""
    return {
        "type": "object",
        "properties": {n: before.get(n) or {"type": "string"} for n in names},
        "required": names,
    }, ""


def node_spec_parts(
    row: dict[str, str],
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], str]:
    """``(parameters, credentials, input_schema, problem)`` of a node tool's row: its
    parameters as typed (numbers as numbers), checked against the node's spec (a wrong
    value is named in plain words, with its field's label)."""
    from studio.logic.form import coerce, describe
    from studio.logic.form_rules import validation_errors

    typed: dict[str, Any] = {}
    fields = {f["key"]: f for f in describe(row["target"])}
    for key, value in _loads(row.get("params", "")).items():
        f = fields.get(key)
        if f is None:
            continue
        if f["kind"] == "number" and isinstance(value, str):
            text = value.strip()
            if not text:
                continue
            number = coerce("number", text, integer=bool(f.get("integer")))
            if isinstance(number, str) and "{{" not in number:
                whole = "a whole number" if f.get("integer") else "a number"
                return (
                    {},
                    {},
                    {},
                    (
                        f"{f['label']}: '{text}' is not a number; enter {whole} (or an "
                        "expression such as {{ $json.<argument> }})."
                    ),
                )
            typed[key] = number
        elif f["kind"] == "boolean" and isinstance(value, str):
            typed[key] = value == "true"
        else:
            typed[key] = value
    creds = {k: v for k, v in _loads(row.get("creds", "")).items() if v}
    old = _loads(row.get("schema", ""))
    schema, problem = schema_from_args(row.get("args", ""), old)
    if problem:
        return {}, {}, {}, problem
    errors = validation_errors(row["target"], None, typed)
    if errors:
        path, message = next(iter(errors.items()))
        label = fields.get(path.split(".")[0], {}).get("label", path)
        return {}, {}, {}, f"{label}: {message}"
    return typed, creds, schema, ""
