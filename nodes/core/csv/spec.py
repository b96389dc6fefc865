"""CSV: parse CSV text or files into items, or build CSV text or a file from items."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class CsvParams(Params):
    """Parameters of the CSV node."""

    operation: Literal["parse", "build"] = Field(
        "parse",
        description="'parse' turns CSV into one item per row; 'build' turns all "
        "input items into one CSV.",
        json_schema_extra=ui(
            labels={"parse": "Parse CSV into items", "build": "Build CSV from items"}
        ),
    )
    source: Literal["field", "binary"] = Field(
        "field",
        description="parse: read CSV text from a field, or from a file in the item's binary data.",
        json_schema_extra=ui(
            show={"operation": ["parse"]},
            labels={"field": "A text field", "binary": "A file (binary property)"},
        ),
    )
    field: str = Field(
        "data",
        description="parse: the field holding CSV text (source 'field'); build: the "
        "field that receives the text (destination 'field').",
        json_schema_extra=ui(expression=False),
    )
    binary_property: str = Field(
        "data",
        description="The binary property to read (parse) or write (build).",
        json_schema_extra=ui(expression=False),
    )
    encoding: str = Field(
        "utf-8",
        description="Text encoding of CSV files ('utf-8', 'latin-1', 'cp1252'...). "
        "A UTF-8 byte-order mark is removed.",
    )
    delimiter: str = Field(
        ",",
        description="Column separator: one character such as ',', ';', '|', or 'tab' (also '\\t').",
    )
    quote_char: str = Field(
        '"',
        description="Character that quotes values containing the delimiter, quotes or line breaks.",
    )
    header_row: bool = Field(
        True,
        description="parse: the first row holds column names (off: columns are named "
        "column_1, column_2...); build: write a header row.",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    column_names: list[str] = Field(
        default_factory=list,
        description="parse: names to use instead of the header row; "
        "build: the columns to write, in order (empty: every field, in order of first "
        "appearance).",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    skip_rows: int = Field(
        0,
        description="parse: lines to skip before the header (titles, notes).",
        ge=0,
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    skip_empty_lines: bool = Field(
        True,
        description="parse: ignore blank lines.",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    max_rows: int = Field(
        0,
        description="parse: stop after this many data rows (0: all).",
        ge=0,
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    trim: bool = Field(
        False,
        description="parse: strip spaces around values.",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    auto_type: bool = Field(
        False,
        description="parse: turn numeric text into numbers ('42', '-3.5', '1e3'); "
        "values with leading zeros such as '007' stay text.",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    empty_as_null: bool = Field(
        False,
        description="parse: empty cells become null instead of ''.",
        json_schema_extra=ui(show={"operation": ["parse"]}),
    )
    output_mode: Literal["items", "list"] = Field(
        "items",
        description="parse: one item per row, or one item with all rows in 'Output field'.",
        json_schema_extra=ui(
            show={"operation": ["parse"]},
            labels={"items": "One item per row", "list": "One item with all rows"},
        ),
    )
    output_field: str = Field(
        "rows",
        description="parse with output 'list': the field that receives the rows.",
        json_schema_extra=ui(expression=False),
    )
    destination: Literal["field", "binary"] = Field(
        "binary",
        description="build: write the CSV to a file (binary property) or to a text field.",
        json_schema_extra=ui(
            show={"operation": ["build"]},
            labels={"field": "A text field", "binary": "A file (binary property)"},
        ),
    )
    file_name: str = Field(
        "data.csv",
        description="build: file name of the CSV file.",
        json_schema_extra=ui(show={"operation": ["build"]}),
    )
    line_terminator: Literal["\n", "\r\n"] = Field(
        "\n",
        description="build: line ending, '\\n' or '\\r\\n' (Excel, RFC 4180).",
        json_schema_extra=ui(
            show={"operation": ["build"]}, labels={"\n": "LF (\\n)", "\r\n": "CRLF (\\r\\n, Excel)"}
        ),
    )
    escape_formulas: bool = Field(
        False,
        description="build: prefix values starting with =, +, - or @ with a quote so "
        "spreadsheets do not run them as formulas.",
        json_schema_extra=ui(show={"operation": ["build"]}),
    )


SPEC = NodeSpec(
    type="core.csv",
    version=1,
    title="CSV",
    description="Parse CSV text or files into items, or build a CSV file from items.",
    category="Data",
    icon="sheet",
    params=CsvParams,
    run="nodes.core.csv.run:execute",
    docs=load_docs(__file__),
    aliases=("csv",),
)
