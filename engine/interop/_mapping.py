"""What a node mapper receives and returns, shared by the n8n and Node-RED importers.

A mapper reads one source node through a :class:`MapContext` (parameters, expression
translation that records notes) and returns a :class:`Mapped` AURA node: its type and
parameters, and how the source's output/input indexes become AURA port names. A mapper
that cannot map this node raises :class:`Unmappable`; the importer then builds a
disabled placeholder (:func:`placeholder`) carrying the original parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.interop.expressions import ExpressionNote, escape_literal, translate_value

__all__ = ["PLACEHOLDER", "MapContext", "Mapped", "Unmappable", "placeholder", "snake"]

PLACEHOLDER = "core.placeholder"
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


class Unmappable(ValueError):
    """This node cannot be mapped (the message says why); it becomes a placeholder.

    ``known=False`` says AURA has no node for what this one does (not counted among the
    nodes AURA could map), e.g. JavaScript code when no JavaScript node is installed.
    """

    def __init__(self, message: str, *, known: bool = True) -> None:
        super().__init__(message)
        self.known = known


def snake(name: str) -> str:
    """``camelCase`` as ``snake_case``."""
    return _CAMEL.sub(r"_\1", name).lower()


@dataclass
class Mapped:
    """The AURA node a source node becomes."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=lambda: ["main"])
    inputs: list[str] = field(default_factory=lambda: ["main"])


class MapContext:
    """One source node's parameters plus the notes and expressions recorded while mapping.

    ``js_expressions`` says whether string values are n8n templates (``=...``); Node-RED
    values are plain text.
    """

    def __init__(
        self, params: dict[str, Any], *, version: Any = 1, js_expressions: bool = True
    ) -> None:
        self.p = params
        self.version = version
        self.js = js_expressions
        self.notes: list[str] = []
        """Notes to check (the node is then mapped with notes)."""
        self.infos: list[str] = []
        """Informational notes: how the node was mapped, nothing to check."""
        self.expressions: list[ExpressionNote] = []
        self.node: dict[str, Any] = {}
        """The whole source node (ids, webhook ids...), for mappers that need more than
        its parameters."""
        self.installed: frozenset[str] | None = None
        """Node types the catalog has (None: not known, assume all)."""
        self.needs: list[tuple[str, str, str]] = []
        """Credentials the mapped node needs that the source did not name:
        ``(what, AURA kind, slot)``."""
        self.object_input = False
        self.dict_input = False
        """Node-RED: ... and what it sends is known to be an object (not a list)."""
        """Node-RED: the node before this one sends objects (not text) in msg.payload."""

    def get(self, path: str, default: Any = None) -> Any:
        """The raw value at a dotted ``path`` of the parameters."""
        cur: Any = self.p
        for part in path.split("."):
            if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                cur = cur[int(part)]
            elif isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                return default
        return cur

    def x(self, path: str, default: Any = None) -> Any:
        """The value at ``path``, translated into an AURA value (expressions included)."""
        return self.value(self.get(path, default), path)

    def value(self, raw: Any, path: str) -> Any:
        """``raw`` translated into an AURA value; expressions recorded at ``path``."""
        if not self.js:
            return escape_literal(raw) if isinstance(raw, str) else raw
        return translate_value(raw, path, self.expressions)

    def literal(self, path: str, default: Any = None) -> Any:
        """The value at ``path`` when it must be a literal (an option AURA does not
        evaluate); an expression there raises :class:`Unmappable`."""
        v = self.get(path, default)
        if isinstance(v, str) and v.startswith("=") and self.js and "{{" not in v:
            self.expressions.append(ExpressionNote(path, v, v[1:]))
            return v[1:]
        if isinstance(v, str) and v.startswith("=") and self.js:
            raise Unmappable(f"'{path}' is an expression ({v[:60]}); AURA needs a fixed value here")
        return v

    def has(self, node_type: str) -> bool:
        """True if ``node_type`` is installed (mappers fall back to other nodes if not)."""
        return self.installed is None or node_type in self.installed

    def note(self, message: str) -> None:
        """A note the user should check (a difference in behaviour, something to set up)."""
        if message not in self.notes:
            self.notes.append(message)

    def info(self, message: str) -> None:
        """A note that only explains the mapping (the node does what the source did)."""
        if message not in self.infos:
            self.infos.append(message)


def placeholder(
    source_type: str, version: Any, params: dict[str, Any], reason: str, outputs: int = 1
) -> Mapped:
    """A disabled ``core.placeholder`` keeping everything the source node had."""
    ports = ["main"] + [f"output_{i}" for i in range(1, max(1, outputs))]
    return Mapped(
        PLACEHOLDER,
        {
            "original_type": source_type,
            "original_version": version,
            "original_parameters": params,
            "reason": reason,
            "outputs": ports,
        },
        outputs=ports,
    )
