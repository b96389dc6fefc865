"""Convert To File: turn items into a file (CSV, XLSX, JSON, HTML table, text, base64 data)."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class ConvertToFileParams(Params):
    """Parameters of the Convert To File node."""

    format: Literal["csv", "xlsx", "json", "html", "text", "base64"] = Field(
        "csv",
        description="'csv', 'xlsx' and 'html' put all items in one file (one row each); "
        "'json' all items in one file or one file per item; 'text' writes a field of each "
        "item to a file; 'base64' decodes a base64 field of each item into a file.",
    )
    binary_property: str = Field(
        "data",
        description="The binary property that receives the file.",
        json_schema_extra=ui(expression=False),
    )
    file_name: str = Field("", description="The file's name (empty: 'data.<format>').")
    source_field: str = Field(
        "data",
        description="text and base64: the field whose content becomes the file.",
        json_schema_extra=ui(expression=False),
    )
    json_mode: Literal["all_items", "each_item"] = Field(
        "all_items",
        description="json: one file with a list of all items, or one file per item.",
    )
    columns: list[str] = Field(
        default_factory=list,
        description="csv, xlsx, html: the fields to write, in order (empty: every field).",
    )
    delimiter: str = Field(",", description="csv: the column separator.", max_length=2)
    sheet_name: str = Field("Sheet1", description="xlsx: the sheet's name.", max_length=31)
    mime_type: str = Field(
        "", description="text and base64: the file's media type (empty: from the format)."
    )


SPEC = NodeSpec(
    type="core.convert_to_file",
    version=1,
    title="Convert To File",
    description="Turn items into a file: CSV, Excel, JSON, an HTML table, text or base64 data.",
    category="Data",
    icon="file-output",
    params=ConvertToFileParams,
    run="nodes.core.convert_to_file.run:execute",
    docs=load_docs(__file__),
)
