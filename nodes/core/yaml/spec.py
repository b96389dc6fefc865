"""YAML: parse YAML text in a field into data, or write data as YAML text."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class YamlParams(Params):
    """Parameters of the YAML node."""

    operation: Literal["parse", "build"] = Field(
        "parse", description="'parse' turns YAML text into data; 'build' turns data into YAML."
    )
    field: str = Field(
        "data",
        description="The field to read; dots reach nested fields. For build, leave empty "
        "to convert the whole item.",
        json_schema_extra=ui(expression=False),
    )
    output_field: str = Field(
        "",
        description="Field that receives the result. Empty: replace 'Field' (build of the "
        "whole item: 'yaml').",
        json_schema_extra=ui(expression=False),
    )
    all_documents: bool = Field(
        False,
        description="parse: read every document of a multi-document stream ('---') into "
        "a list instead of only one document.",
    )
    sort_keys: bool = Field(False, description="build: sort object keys.")


SPEC = NodeSpec(
    type="core.yaml",
    version=1,
    title="YAML",
    description="Parse YAML text from a field into data, or turn data into YAML text.",
    category="Data",
    icon="file-code",
    params=YamlParams,
    run="nodes.core.yaml.run:execute",
    docs=load_docs(__file__),
    aliases=("yaml",),
)
