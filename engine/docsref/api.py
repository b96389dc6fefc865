"""The HTTP API reference, generated from the OpenAPI document the API itself serves
(``/api/v1/openapi.json``): every operation by tag with its permission, parameters,
request body, answers, and the fields of every schema.

The document comes from ``python -m studio.api --openapi`` in a child process, so the
engine never imports the studio; without the studio package installed the page says
so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from engine.docsref._md import cell, default_text, table, type_text

__all__ = ["PAGE", "openapi_document", "page", "write"]

PAGE = "reference/api.md"
_METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict[str, Any] | None:
    """The API's OpenAPI document, or None when the studio package is not installed.

    Raises:
        ValidationError: the studio is installed but could not print its document.
    """
    import importlib.util

    from engine.errors import ValidationError

    if importlib.util.find_spec("studio.api") is None:
        return None
    run = subprocess.run(  # this interpreter, fixed arguments
        [sys.executable, "-m", "studio.api", "--openapi"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if run.returncode != 0:
        raise ValidationError(
            "The API reference could not be generated: 'python -m studio.api --openapi' "
            f"failed: {run.stderr.strip()[-500:]}"
        )
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _ref(schema: dict[str, Any]) -> str:
    name = type_text(schema)
    if "$ref" in schema:
        return f"[{name}](#{_slug('schema ' + name)})"
    return f"`{name}`"


def _operation(method: str, path: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### {method.upper()} `{path}` {{#{_slug(op['operationId'])}}}", ""]
    if op.get("summary"):
        lines += [f"**{op['summary']}.** {cell(op.get('description'))}", ""]
    action = op.get("x-aura-action")
    lines += [f"Permission: `{action}`." if action else "Public: no sign-in needed.", ""]
    lines += table(
        ["Parameter", "In", "Type", "Default", "Description"],
        [
            [
                f"`{p['name']}`",
                p["in"],
                type_text(p.get("schema", {})),
                default_text(p.get("schema", {}), bool(p.get("required"))),
                p.get("description", ""),
            ]
            for p in op.get("parameters", [])
        ],
    )
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        lines += [f"Body: {_ref(body['schema'])}", ""]
    answers = []
    for code, answer in op.get("responses", {}).items():
        content = answer.get("content", {}).get("application/json", {})
        shape = _ref(content["schema"]) if "schema" in content else ""
        answers.append([f"`{code}`", answer.get("description", ""), shape])
    lines += table(["Answer", "When", "Body"], answers)
    return lines


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name} {{#{_slug('schema ' + name)}}}", ""]
    if schema.get("description"):
        lines += [cell(schema["description"]), ""]
    required = set(schema.get("required", []))
    rows = [
        [
            f"`{field}`",
            type_text(prop),
            default_text(prop, field in required),
            prop.get("description", ""),
        ]
        for field, prop in schema.get("properties", {}).items()
    ]
    if rows:
        lines += table(["Field", "Type", "Default", "Description"], rows)
    elif "enum" in schema:
        lines += [f"One of: {', '.join(f'`{v}`' for v in schema['enum'])}", ""]
    else:
        lines += [f"Type: `{type_text(schema)}`", ""]
    return lines


def page(doc: dict[str, Any] | None) -> str:
    """The Markdown page of the API described by ``doc`` (None: not installed)."""
    lines = [
        "# HTTP API reference",
        "",
        "Every operation of the HTTP API, generated from its OpenAPI document by "
        "`aura docs build` (do not edit). A running server serves the same document at "
        "`/api/v1/openapi.json` and a browsable page at `/api/v1/docs`. Sign in with "
        "`Authorization: Bearer <token>` (from `POST /api/v1/auth/login`) or an "
        "`X-API-Key` header; errors are JSON `{error, message, details}`.",
        "",
    ]
    if doc is None:
        return "\n".join(
            [
                *lines,
                "The studio package is not installed here, so this "
                "reference could not be generated.",
                "",
            ]
        )
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in doc.get("paths", {}).items():
        for method in _METHODS:
            if method in methods:
                op = methods[method]
                by_tag.setdefault((op.get("tags") or ["Other"])[0], []).append((method, path, op))
    lines += ["## Operations", ""]
    lines += table(
        ["Operation", "Summary"],
        [
            [f"[{m.upper()} `{p}`](#{_slug(op['operationId'])})", op.get("summary", "")]
            for ops in by_tag.values()
            for m, p, op in ops
        ],
    )
    for tag, ops in by_tag.items():
        lines += [f"## {tag}", ""]
        for method, path, op in ops:
            lines += _operation(method, path, op)
    schemas = doc.get("components", {}).get("schemas", {})
    if schemas:
        lines += ["## Schemas", ""]
        for name in sorted(schemas):
            lines += _schema(name, schemas[name])
    return "\n".join(lines).rstrip() + "\n"


def write(pages: Path, doc: dict[str, Any] | None = None) -> str:
    """Writes the page under ``pages`` (``doc`` or the API's own); returns its path
    relative to ``pages``."""
    target = pages / PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page(doc if doc is not None else openapi_document()), encoding="utf-8")
    return PAGE
