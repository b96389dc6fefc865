"""Rename Keys: replacement syntax and binary data."""

from __future__ import annotations

import re

from engine.sdk.testing import NodeHarness
from nodes.core.rename_keys.run import python_replacement


def test_javascript_replacements_are_translated() -> None:
    assert re.sub("(a)(?P<x>b)", python_replacement("$2-$1-$&-$<x>"), "ab") == "b-a-ab-b"
    assert re.sub("(a)", python_replacement(r"\1\1"), "a") == "aa"


def test_binary_is_kept() -> None:
    item = {"json": {"a": 1}, "binary": {"f": {"data": "YQ==", "mime_type": "text/plain"}}}
    res = NodeHarness("core.rename_keys").run({"keys": {"a": "b"}}, [item])
    [out] = res.outputs["main"]
    assert out.json == {"b": 1} and out.binary is not None
