"""Node tools in the agent editor, as plain data: the fields of a node tool's form (its
node's parameters that apply to the values chosen so far, its credential slots, the
arguments the model passes), and the parameters, credentials and argument schema they
give back, with problems in plain words.

A node tool's row (see :mod:`studio.logic.agent_form`) keeps its values as JSON text:
``params`` (parameter key -> value as typed), ``creds`` (slot -> credential id) and
``args`` (argument names, separated by commas). :func:`field_rows` flattens what the
page draws for every node tool into one list (each entry names its tool by index), so
the page needs no nested lists.

Parameters whose editor is a table or JSON (headers, body fields, a JSON body, a list)
are drawn as a JSON editor: the row keeps the text as typed; a problem (not JSON, or
not the shape the node expects) is said under the field as it is typed, and saving
refuses it; an empty editor leaves the node's default.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["JSON_KINDS", "SCALAR_KINDS", "field_rows", "node_spec_parts", "schema_from_args"]

SCALAR_KINDS = ("text", "textarea", "password", "number", "boolean", "options", "any", "code")
JSON_KINDS = ("json", "key_value", "collection", "list")
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


def _example(f: dict[str, Any]) -> str:
    """A value of the shape a JSON field takes, for its hint."""
    from studio.logic.form import default_item

    if f["kind"] == "key_value":
        return '[{"name": "Accept", "value": "application/json"}]'
    if f["kind"] == "collection":
        return json.dumps([default_item(f.get("fields") or [])])
    if f["kind"] == "list":
        return '["first", "second"]'
    return '{"city": "{{ $json.city }}"}'


def _json_value(f: dict[str, Any], value: str) -> tuple[Any, str]:
    """A JSON field's value from its text, or a problem in plain words."""
    text = value.strip()
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        if "{{" in text and not text.startswith(("{", "[")):
            return text, ""  # an expression giving the whole value
        return None, (
            f"{f['label']}: this is not JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}); enter e.g. {_example(f)}"
        )


def _typed(
    values: dict[str, Any], fields: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A node tool's parameters as typed (numbers as numbers, JSON parsed), and the
    problems of the fields that cannot be typed, by key."""
    from studio.logic.form import coerce

    typed: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, value in values.items():
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
                problems[key] = (
                    f"{f['label']}: '{text}' is not a number; enter {whole} (or an "
                    "expression such as {{ $json.<argument> }})."
                )
                continue
            typed[key] = number
        elif f["kind"] == "boolean" and isinstance(value, str):
            typed[key] = value == "true"
        elif f["kind"] in JSON_KINDS and isinstance(value, str):
            if not value.strip():
                continue  # the node's default
            parsed, problem = _json_value(f, value)
            if problem:
                problems[key] = problem
            else:
                typed[key] = parsed
        else:
            typed[key] = value
    return typed, problems


def _shape_problem(key: str, label: str, errors: dict[str, str]) -> str:
    """The first problem the node's spec finds in field ``key`` (``Headers, row 1,
    name: ...``), or ""."""
    for path, message in errors.items():
        if path == key:
            return f"{label}: {message}"
        if path.startswith(key + "."):
            parts = path.split(".")[1:]
            where = ", ".join(f"row {int(p) + 1}" if p.isdigit() else p for p in parts)
            return f"{label} ({where}): {message}"
    return ""


def _row(i: int, f: dict[str, Any], kind: str, value: str, **extra: str) -> dict[str, str]:
    return {
        "tool": str(i),
        "kind": kind,
        "key": f["key"],
        "label": f["label"],
        "help": str(f.get("help") or "")[:200],
        "required": "",
        "value": value,
        "options": "",
        "error": "",
        "example": "",
        **extra,
    }


def field_rows(tools: list[dict[str, str]], choices: dict[str, Any]) -> list[dict[str, str]]:
    """What the page draws for the node tools among ``tools``: per tool, its visible
    parameters (a JSON editor for tables and JSON, with its problem if any), its
    credential slots and its arguments (``tool`` = the row's index)."""
    from studio.logic.form import describe
    from studio.logic.form_rules import validation_errors, visible

    nodes = {n["type"]: n for n in choices.get("nodes", [])}
    creds = choices.get("node_credentials", [])
    out: list[dict[str, str]] = []
    for i, row in enumerate(tools):
        if row["kind"] != "node":
            continue
        values = _loads(row.get("params", ""))
        fields = describe(row["target"])
        typed, problems = _typed(values, {f["key"]: f for f in fields})
        errors = validation_errors(row["target"], None, typed) if fields else {}
        for f in fields:
            if not visible(f, values, fields):
                continue
            current = values.get(f["key"], f.get("default"))
            if f["kind"] in JSON_KINDS:
                problem = problems.get(f["key"]) or _shape_problem(f["key"], f["label"], errors)
                text = current if isinstance(current, str) else _pretty(current)
                out.append(_row(i, f, "json", text, error=problem, example=_example(f)))
                continue
            if f["kind"] not in SCALAR_KINDS:
                continue
            options = f.get("options") or []
            out.append(
                _row(
                    i,
                    f,
                    "options" if options else f["kind"],
                    _text(current),
                    options=",".join(f"{_clean(o['value'])}|{_clean(o['label'])}" for o in options),
                )
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
                    "error": "",
                    "example": "",
                }
            )
    return out


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2)


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
    parameters as typed (numbers as numbers, JSON editors parsed), checked against the
    node's spec (a wrong value is named in plain words, with its field's label)."""
    from studio.logic.form import describe
    from studio.logic.form_rules import validation_errors

    fields = {f["key"]: f for f in describe(row["target"])}
    typed, problems = _typed(_loads(row.get("params", "")), fields)
    if problems:
        return {}, {}, {}, next(iter(problems.values()))
    creds = {k: v for k, v in _loads(row.get("creds", "")).items() if v}
    old = _loads(row.get("schema", ""))
    schema, problem = schema_from_args(row.get("args", ""), old)
    if problem:
        return {}, {}, {}, problem
    errors = validation_errors(row["target"], None, typed)
    if errors:
        path, message = next(iter(errors.items()))
        key = path.split(".")[0]
        label = fields.get(key, {}).get("label", path)
        return {}, {}, {}, _shape_problem(key, label, {path: message}) or f"{label}: {message}"
    return typed, creds, schema, ""
