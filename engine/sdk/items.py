"""Items: the unit of data that flows between nodes.

An item is ``{json, binary, paired_item}``: a JSON object, optional named binary
attachments, and its lineage (which input item(s) it was made from). Lineage lets
expressions such as ``$node("Fetch").item`` reach the matching upstream item.

Items are plain slotted objects rather than pydantic models: a workflow can move
hundreds of thousands of them and validation at every hop would dominate run time.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Binary", "Item", "PairedItem", "items_from_json", "items_to_json"]

JSON = Any


@dataclass(slots=True, frozen=True)
class PairedItem:
    """Points at the input item an output item came from: ``input`` port index, ``item`` index."""

    item: int
    input: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"item": self.item, "input": self.input}


@dataclass(slots=True)
class Binary:
    """A binary attachment. ``data`` is base64 text; large payloads may later move to a store."""

    data: str
    mime_type: str = "application/octet-stream"
    file_name: str | None = None
    file_size: int | None = None

    @classmethod
    def from_bytes(
        cls, raw: bytes, mime_type: str = "application/octet-stream", file_name: str | None = None
    ) -> Binary:
        return cls(base64.b64encode(raw).decode("ascii"), mime_type, file_name, len(raw))

    def content(self) -> bytes:
        return base64.b64decode(self.data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "mime_type": self.mime_type,
            "file_name": self.file_name,
            "file_size": self.file_size,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Binary:
        return cls(
            data=str(d.get("data", "")),
            mime_type=str(d.get("mime_type") or d.get("mimeType") or "application/octet-stream"),
            file_name=d.get("file_name") or d.get("fileName"),
            file_size=d.get("file_size") or d.get("fileSize"),
        )


@dataclass(slots=True)
class Item:
    """One item: ``json`` (a dict), ``binary`` attachments by name, and ``paired_item`` lineage."""

    json: dict[str, JSON] = field(default_factory=dict)
    binary: dict[str, Binary] | None = None
    paired_item: list[PairedItem] | None = None

    def derive(self, json: dict[str, JSON] | None = None, *, index: int, input: int = 0,
               keep_binary: bool = True) -> Item:
        """A new item made from this one (input item number ``index``), with lineage set."""
        return Item(
            json=self.json if json is None else json,
            binary=self.binary if keep_binary else None,
            paired_item=[PairedItem(index, input)],
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"json": self.json}
        if self.binary:
            d["binary"] = {k: b.to_dict() for k, b in self.binary.items()}
        if self.paired_item is not None:
            d["paired_item"] = [p.to_dict() for p in self.paired_item]
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Item:
        """Accepts ``{json, binary, paired_item}`` or, leniently, a bare JSON object."""
        if not isinstance(d, dict):
            return cls(json={"value": d})
        if "json" in d and isinstance(d["json"], dict) and set(d) <= {
            "json", "binary", "paired_item", "pairedItem"
        }:
            binary = d.get("binary")
            paired = d.get("paired_item", d.get("pairedItem"))
            if isinstance(paired, dict):
                paired = [paired]
            return cls(
                json=d["json"],
                binary={k: Binary.from_dict(v) for k, v in binary.items()} if binary else None,
                paired_item=[PairedItem(int(p.get("item", 0)), int(p.get("input", 0)))
                             for p in paired] if paired else None,
            )
        return cls(json=d)


def items_from_json(data: Any) -> list[Item]:
    """Items from user-supplied JSON: a list of objects/items, or one object."""
    if data is None:
        return []
    if isinstance(data, list):
        return [Item.from_dict(x) for x in data]
    return [Item.from_dict(data)]


def items_to_json(items: list[Item]) -> list[dict[str, Any]]:
    return [i.to_dict() for i in items]
