"""HTML: extract values from HTML with CSS selectors, or turn items into an HTML table."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class Extraction(Params):
    """One value to extract."""

    key: str = Field(description="Field that receives the value.", min_length=1)
    selector: str = Field(
        description="CSS selector of the element(s), e.g. 'h1', 'a.title', 'tr td:nth-child(2)'.",
        min_length=1,
    )
    return_value: Literal["text", "html", "attribute", "value"] = Field(
        "text",
        description="'text': the element's text; 'html': its inner HTML; 'attribute': the "
        "attribute named below; 'value': the value of a form field.",
    )
    attribute: str = Field("", description="return_value 'attribute': its name, e.g. 'href'.")
    return_array: bool = Field(
        False, description="Return a list with every matching element instead of the first."
    )


class HtmlParams(Params):
    """Parameters of the HTML node."""

    operation: Literal["extract", "table"] = Field(
        "extract",
        description="'extract' reads values from HTML with CSS selectors; 'table' turns all "
        "items into one HTML table.",
    )
    field: str = Field(
        "data",
        description="extract: the field holding the HTML; dots reach nested fields.",
        json_schema_extra=ui(expression=False),
    )
    extractions: list[Extraction] = Field(
        default_factory=list,
        description="extract: the values to read, each into its own field.",
        json_schema_extra=ui("collection"),
    )
    trim: bool = Field(True, description="extract: remove spaces at the start and end of texts.")
    clean_text: bool = Field(
        False,
        description="extract: collapse runs of spaces and line breaks inside texts to one space.",
    )
    keep_source: bool = Field(
        False, description="extract: keep the item's other fields (off: only the extracted ones)."
    )
    columns: list[str] = Field(
        default_factory=list,
        description="table: the fields to show, in order (empty: every field of the items).",
    )
    output_field: str = Field(
        "table",
        description="table: the field of the single output item that receives the HTML.",
        json_schema_extra=ui(expression=False),
    )
    table_class: str = Field("", description="table: a CSS class for the <table> element.")


SPEC = NodeSpec(
    type="core.html",
    version=1,
    title="HTML",
    description="Extract values from HTML with CSS selectors, or turn items into an HTML table.",
    category="Data",
    icon="code-xml",
    params=HtmlParams,
    run="nodes.core.html.run:execute",
    docs=load_docs(__file__),
    aliases=("html",),
)
