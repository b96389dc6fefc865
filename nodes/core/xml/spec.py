"""XML: parse XML text in a field into data, or write data as XML text."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class XmlParams(Params):
    """Parameters of the XML node."""

    operation: Literal["parse", "build"] = Field(
        "parse", description="'parse' turns XML text into data; 'build' turns data into XML."
    )
    field: str = Field(
        "data",
        description="The field to read; dots reach nested fields. For build, leave empty "
        "to convert the whole item (it must have exactly one key: the root element).",
        json_schema_extra=ui(expression=False),
    )
    output_field: str = Field(
        "",
        description="Field that receives the result. Empty: replace 'Field' (build of the "
        "whole item: 'xml').",
        json_schema_extra=ui(expression=False),
    )
    attribute_prefix: str = Field(
        "@",
        description="Attributes become keys with this prefix ('<a id=\"1\">' → {'@id': '1'}); "
        "in build, keys with it become attributes.",
        json_schema_extra=ui(expression=False),
    )
    text_key: str = Field(
        "#text",
        description="Key holding an element's text when it also has attributes or children.",
        json_schema_extra=ui(expression=False),
    )
    always_list: list[str] = Field(
        default_factory=list,
        description="parse: element names that always become lists, even with one element "
        "(so the data has the same shape for one or many).",
    )
    pretty: bool = Field(True, description="build: indent the XML.")
    declaration: bool = Field(
        True, description="build: start with the '<?xml version=\"1.0\" ...?>' declaration."
    )


SPEC = NodeSpec(
    type="core.xml",
    version=1,
    title="XML",
    description="Parse XML text from a field into data, or turn data into XML text.",
    category="Data",
    icon="file-code",
    params=XmlParams,
    run="nodes.core.xml.run:execute",
    docs=load_docs(__file__),
    aliases=("xml",),
)
