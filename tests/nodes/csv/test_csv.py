"""CSV node: files (binary data), encodings, round trips and lineage."""

from __future__ import annotations

from engine.sdk import Binary
from engine.sdk.testing import HarnessResult, NodeHarness


def run(params: dict, input: list) -> HarnessResult:  # type: ignore[type-arg]
    return NodeHarness("core.csv").run(parameters=params, input=input)


def _file(raw: bytes, prop: str = "data") -> dict:  # type: ignore[type-arg]
    return {"json": {}, "binary": {prop: Binary.from_bytes(raw, "text/csv", "in.csv").to_dict()}}


def test_build_file_then_parse_it_back() -> None:
    rows = [{"name": "Zoë", "n": 1, "note": 'say "hi"'}, {"name": "Ada", "n": 2, "note": ""}]
    built = run({"operation": "build", "file_name": "people.csv", "binary_property": "csv"}, rows)
    [item] = built.outputs["main"]
    assert item.json == {"file_name": "people.csv", "rows": 2, "columns": ["name", "n", "note"]}
    assert item.binary is not None
    b = item.binary["csv"]
    assert (b.mime_type, b.file_name) == ("text/csv", "people.csv")
    assert b.content().decode() == 'name,n,note\nZoë,1,"say ""hi"""\nAda,2,\n'
    assert [p.item for p in item.paired_item or []] == [0, 1]
    parsed = run(
        {"source": "binary", "binary_property": "csv", "auto_type": True}, [item.to_dict()]
    )
    assert parsed.json() == rows


def test_utf8_bom_and_latin1_files() -> None:
    res = run({"source": "binary"}, [_file("\ufeffcity\nKöln\n".encode())])
    assert res.json() == [{"city": "Köln"}]
    res = run(
        {"source": "binary", "encoding": "latin-1"}, [_file("city\nKöln\n".encode("latin-1"))]
    )
    assert res.json() == [{"city": "Köln"}]
    res = run({"source": "binary"}, [_file("city\nKöln\n".encode("latin-1"))])
    assert res.error is not None and "Set 'Encoding'" in res.error.message


def test_missing_binary_property() -> None:
    res = run({"source": "binary", "binary_property": "file"}, [_file(b"a\n1")])
    assert res.error is not None and "no binary property 'file' (it has: data)" in res.error.message


def test_rows_point_at_their_source_item() -> None:
    res = run({}, [{"data": "a\n1\n2"}, {"data": "a\n3"}])
    items = res.outputs["main"]
    assert [i.json["a"] for i in items] == ["1", "2", "3"]
    assert [i.paired_item[0].item for i in items if i.paired_item] == [0, 0, 1]


def test_formula_escaping() -> None:
    res = run(
        {"operation": "build", "destination": "field", "field": "csv", "escape_formulas": True},
        [{"v": '=HYPERLINK("x")'}, {"v": "-5"}, {"v": "ok"}],
    )
    assert res.json() == [{"csv": 'v\n"\'=HYPERLINK(""x"")"\n\'-5\nok\n'}]
