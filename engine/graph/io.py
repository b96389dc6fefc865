"""Reading and writing workflow JSON, with clear errors for malformed input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic

from engine.errors import WorkflowValidationError
from engine.graph.messages import plain_message
from engine.graph.model import FORMAT, Workflow

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_JSON_DEPTH",
    "dump_workflow",
    "load_workflow",
    "parse_json",
    "workflow_json_schema",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_JSON_DEPTH = 64

# format tag -> function upgrading a dict of that format to the next one
_UPGRADERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if d > limit:
            return False
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return True


def parse_json(text: str | bytes, *, what: str = "input", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parses JSON text, refusing oversized or over-nested documents with a clear message."""
    if len(text) > MAX_FILE_BYTES:
        raise WorkflowValidationError(
            f"The {what} is {len(text):,} bytes; the limit is {MAX_FILE_BYTES:,}."
        )
    try:
        data = json.loads(text)
    except RecursionError:
        raise WorkflowValidationError(
            f"The {what} is nested too deeply to read (limit {max_depth} levels)."
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WorkflowValidationError(
            f"The {what} is not valid JSON: {exc}. Export workflows with 'aura workflow "
            "export' or from the studio to get a valid file."
        ) from None
    if not _depth_ok(data, max_depth):
        raise WorkflowValidationError(
            f"The {what} is nested more than {max_depth} levels deep; flatten the data."
        )
    return data


def _format_pydantic(exc: pydantic.ValidationError, data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        loc = list(e.get("loc", ()))
        path = ""
        for part in loc:
            if isinstance(part, int):
                # name the node instead of its index when possible
                if (
                    path == "nodes"
                    and isinstance(data.get("nodes"), list)
                    and part < len(data["nodes"])
                    and isinstance(data["nodes"][part], dict)
                    and data["nodes"][part].get("name")
                ):
                    path += f"[{data['nodes'][part]['name']!r}]"
                else:
                    path += f"[{part}]"
            else:
                path += f".{part}" if path else str(part)
        out.append({"path": path, "message": plain_message(e), "type": e.get("type")})
    return out


def load_workflow(
    source: str | bytes | dict[str, Any] | Path, *, what: str = "workflow"
) -> Workflow:
    """A :class:`Workflow` from JSON text, a dict, or a file path.

    Structure only: use :func:`engine.graph.validate` for node types, ports and cycles.

    Raises:
        WorkflowValidationError: with ``details`` listing every problem and its path.
    """
    if isinstance(source, Path):
        path = source
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise WorkflowValidationError(f"Cannot read {path}: {exc.strerror}.") from None
    data = parse_json(source, what=what) if isinstance(source, str | bytes) else source
    if not isinstance(data, dict):
        raise WorkflowValidationError(
            f"A {what} must be a JSON object with 'nodes' and 'connections', "
            f"got {type(data).__name__}."
        )
    if "nodes" not in data and "connections" not in data:
        raise WorkflowValidationError(
            f"This {what} has neither 'nodes' nor 'connections'; it does not look like an "
            "AURA workflow."
        )
    data = _upgrade(dict(data))
    try:
        return Workflow.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = _format_pydantic(exc, data)
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise WorkflowValidationError(
            f"Invalid {what}: {first['path']}: {first['message']}{more}.", details=problems
        ) from None


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    fmt = data.get("format", FORMAT)
    seen = set()
    while fmt != FORMAT:
        if fmt in seen or fmt not in _UPGRADERS:
            raise WorkflowValidationError(
                f"Unknown workflow format {fmt!r}; this AURA reads {FORMAT!r}. "
                "Upgrade AURA or re-export the workflow."
            )
        seen.add(fmt)
        data = _UPGRADERS[fmt](data)
        fmt = data.get("format", FORMAT)
    return data


def dump_workflow(wf: Workflow, *, indent: int | None = 2) -> str:
    """Canonical JSON text of a workflow."""
    return json.dumps(wf.to_json_dict(), indent=indent, ensure_ascii=False)


def workflow_json_schema() -> dict[str, Any]:
    """JSON Schema of the workflow file format."""
    schema = Workflow.model_json_schema()
    schema["$id"] = "https://aura.dev/schema/workflow-1.json"
    schema["title"] = "AURA workflow"
    return schema
