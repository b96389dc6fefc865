"""Extract From File and Convert To File on real files: round trips and hand-made PDF/ICS."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sdk import Binary, Item
from engine.sdk.testing import NodeHarness

ROWS = [{"name": "Ann", "age": 31, "tags": ["a"]}, {"name": '=HYPERLINK("x")', "age": None}]


@pytest.fixture(scope="module")
def extract() -> NodeHarness:
    return NodeHarness("core.extract_from_file")


@pytest.fixture(scope="module")
def convert() -> NodeHarness:
    return NodeHarness("core.convert_to_file")


def _file(raw: bytes, name: str, mime: str = "application/octet-stream") -> dict[str, Any]:
    return Item(json={"src": name}, binary={"data": Binary.from_bytes(raw, mime, name)}).to_dict()


def _made(convert: NodeHarness, params: dict[str, Any]) -> Item:
    res = convert.run(params, ROWS)
    assert res.error is None, res.error
    [item] = res.outputs["main"]
    return item


def test_xlsx_round_trip_keeps_values_and_neutralises_formulas(
    convert: NodeHarness, extract: NodeHarness
) -> None:
    made = _made(convert, {"format": "xlsx"})
    assert made.binary is not None and made.binary["data"].file_name == "data.xlsx"
    res = extract.run({"format": "xlsx"}, [made.to_dict()])
    assert res.error is None, res.error
    assert res.json() == [
        {"name": "Ann", "age": 31, "tags": '["a"]'},
        {"name": '\'=HYPERLINK("x")', "age": None, "tags": None},
    ]


def test_csv_round_trip(convert: NodeHarness, extract: NodeHarness) -> None:
    made = _made(convert, {"format": "csv", "columns": ["name", "age"]})
    assert made.binary["data"].content().decode().splitlines()[0] == "name,age"
    res = extract.run({"format": "csv"}, [made.to_dict()])
    assert res.error is None, res.error
    assert [r["name"] for r in res.json()] == ["Ann", '\'=HYPERLINK("x")']


def test_json_each_item_and_text_files(convert: NodeHarness, extract: NodeHarness) -> None:
    res = convert.run({"format": "json", "json_mode": "each_item"}, [{"a": 1}, {"a": 2}])
    assert [i.binary["data"].content() for i in res.outputs["main"]] == [
        b'{\n  "a": 1\n}',
        b'{\n  "a": 2\n}',
    ]
    back = extract.run({"format": "json"}, [res.outputs["main"][1].to_dict()])
    assert back.json() == [{"data": {"a": 2}}]
    text = convert.run({"format": "text", "source_field": "note"}, [{"note": "l1\n\nl2"}])
    lines = extract.run(
        {"format": "text", "split_lines": True}, [text.outputs["main"][0].to_dict()]
    )
    assert lines.json() == [{"data": "l1"}, {"data": "l2"}]


def test_base64_field_becomes_a_file(convert: NodeHarness) -> None:
    res = convert.run({"format": "base64", "file_name": "x.bin"}, [{"data": "aGVsbG8="}])
    assert res.outputs["main"][0].binary["data"].content() == b"hello"
    bad = convert.run({"format": "base64"}, [{"data": "%%%"}])
    assert bad.error is not None and "not base64" in bad.error.message


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_text(extract: NodeHarness) -> None:
    res = extract.run(
        {"format": "pdf", "output_field": "text"},
        [_file(_pdf("Invoice 42 paid"), "a.pdf", "application/pdf")],
    )
    assert res.error is None, res.error
    [row] = res.json()
    assert "Invoice 42 paid" in row["text"] and row["pages"] == 1


ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
BEGIN:VEVENT\r
UID:1@x\r
SUMMARY:Standup\r
DTSTART:20261207T090000Z\r
DTEND:20261207T091500Z\r
LOCATION:Room 1\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@x\r
SUMMARY:Holiday\r
DTSTART;VALUE=DATE:20261225\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ics_events(extract: NodeHarness) -> None:
    res = extract.run({"format": "ics"}, [_file(ICS, "cal.ics", "text/calendar")])
    assert res.error is None, res.error
    got = [(e["summary"], e["start"], e["end"], e["all_day"], e["location"]) for e in res.json()]
    assert got == [
        ("Standup", "2026-12-07T09:00:00+00:00", "2026-12-07T09:15:00+00:00", False, "Room 1"),
        ("Holiday", "2026-12-25", None, True, ""),
    ]


@pytest.mark.parametrize(
    ("fmt", "raw", "says"),
    [
        ("xlsx", b"not a zip", "not an Excel workbook"),
        ("pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
        ("json", b"{oops", "not valid JSON"),
        ("ics", b"hello", "not an iCalendar"),
    ],
)
def test_wrong_files_say_what_was_expected(
    extract: NodeHarness, fmt: str, raw: bytes, says: str
) -> None:
    res = extract.run({"format": fmt}, [_file(raw, "f")])
    assert res.error is not None and says in res.error.message, res.error


def test_missing_file_names_the_property(extract: NodeHarness) -> None:
    res = extract.run({"format": "csv", "binary_property": "upload"}, [{"a": 1}])
    assert res.error is not None and "binary property 'upload'" in res.error.message
