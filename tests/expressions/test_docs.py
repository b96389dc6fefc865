"""docs/expressions.md stays true: its reference is generated from the registries."""

from __future__ import annotations

import re
from pathlib import Path

from engine.expressions import HELPERS
from engine.expressions._reference import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"


def test_reference_section_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- reference:start[^>]*-->\n(.*)<!-- reference:end -->", text, re.S)
    assert m, "docs/expressions.md lost its reference markers"
    assert m.group(1) == reference(), (
        "docs/expressions.md is out of date: replace the reference section with the output "
        "of `python -m engine.expressions`")


def test_every_helper_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in HELPERS:
        assert f"`{name}(" in text, name
