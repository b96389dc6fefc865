"""Extract From File: read the file of each item (CSV, XLSX, PDF, JSON, ICS...) into items."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class ExtractFromFileParams(Params):
    """Parameters of the Extract From File node."""

    format: Literal["csv", "xlsx", "pdf", "json", "html", "ics", "text"] = Field(
        "csv",
        description="The file's format: 'csv' and 'xlsx' give one item per row, 'ics' one per "
        "event, 'json' one per element of a list, 'pdf', 'html' and 'text' one item with "
        "the text.",
    )
    binary_property: str = Field(
        "data",
        description="The binary property of the item that holds the file.",
        json_schema_extra=ui(expression=False),
    )
    output_field: str = Field(
        "data",
        description="pdf, html, text, and json files that are not a list: the field that "
        "receives the content.",
        json_schema_extra=ui(expression=False),
    )
    delimiter: str = Field(",", description="csv: the column separator.", max_length=2)
    header_row: bool = Field(
        True, description="csv and xlsx: the first row holds the column names."
    )
    sheet: str = Field("", description="xlsx: the sheet to read (empty: the first sheet).")
    encoding: str = Field("utf-8", description="csv, json, html, text: the text encoding.")
    max_pages: int = Field(0, ge=0, description="pdf: read at most this many pages (0: all).")
    split_lines: bool = Field(
        False, description="text: one item per non-empty line instead of one item."
    )


SPEC = NodeSpec(
    type="core.extract_from_file",
    version=1,
    title="Extract From File",
    description="Turn a file (CSV, Excel, PDF, JSON, HTML, calendar, text) into items.",
    category="Data",
    icon="file-input",
    params=ExtractFromFileParams,
    run="nodes.core.extract_from_file.run:execute",
    docs=load_docs(__file__),
)
