"""The settings reference, ``docs/settings.md``, generated from :mod:`engine.config`.

Every ``AURA_*`` variable is a field of the one settings tree (:class:`engine.config.
Settings`); a test checks that the committed page equals what this module prints::

    python -m engine.config_reference > docs/settings.md
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from engine.config import Settings
from engine.docsref._md import plain

__all__ = ["reference"]

_HEADER = """# Settings reference

AURA reads its settings from `AURA_*` environment variables (and a `.env` file in the
working directory). They form one tree, `engine.config.settings()`, split by area:
`AURA_<AREA>_<NAME>` is `settings().<area>.<name>`. Lists take a JSON list or
comma-separated values.

Generated from `engine/config.py` by `python -m engine.config_reference`; do not edit.

Besides these, single sign-on reads one variable group per login provider,
`AURA_OIDC_<NAME>_<FIELD>` (see docs/auth.md).
"""


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
        if isinstance(value, list | dict) and not value:
            return "empty"
        return "computed" if isinstance(value, Path | int) else f"`{value}`"
    value = field.default
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "empty"
    return f"`{value}`"


def _is_area(field: FieldInfo) -> bool:
    return isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings)


def _names(field: FieldInfo, name: str) -> str:
    """The variable, or its names (``AliasChoices``: the first, then the older ones)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        first, *older = (str(c) for c in alias.choices)
        return f"`{first}`" + "".join(f" (or `{o}`)" for o in older)
    return f"`{alias if isinstance(alias, str) else name}`"


def _rows(model: type[Any], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        if _is_area(field):
            continue  # an area: its own table
        text = plain((field.description or "").replace("|", "\\|"))
        rows.append(f"| {_names(field, prefix + name.upper())} | {_default(field)} | {text} |")
    return rows


def reference() -> str:
    """The Markdown page: general settings, then one table per area."""
    out = [_HEADER, "## General", "", "| variable | default | meaning |", "|---|---|---|"]
    out += _rows(Settings, "AURA_")
    for name, field in Settings.model_fields.items():
        area = field.annotation
        if not (isinstance(area, type) and issubclass(area, BaseSettings)):
            continue
        prefix = str(area.model_config.get("env_prefix", ""))
        out += ["", f"## {name}", "", "| variable | default | meaning |", "|---|---|---|"]
        out += _rows(area, prefix)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
