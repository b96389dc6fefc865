"""Template: render a mustache template with each item's data (Node-RED's template node)."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class TemplateParams(Params):
    """Parameters of the Template node."""

    template: str = Field(
        "Hello {{name}}!",
        description="The template. Mustache: {{field}} inserts a value (HTML-escaped), "
        "{{{field}}} inserts it as is, {{#list}}...{{/list}} repeats for each element, "
        "{{^field}}...{{/field}} shows when the field is empty. Not evaluated as an AURA "
        "expression.",
        json_schema_extra=ui("code", language="handlebars", expression=False),
    )
    syntax: Literal["mustache", "plain"] = Field(
        "mustache", description="'mustache' renders the template; 'plain' outputs it as it is."
    )
    output_field: str = Field(
        "text",
        description="Field that receives the result; dots reach nested fields "
        "('payload' for Node-RED flows).",
        json_schema_extra=ui(expression=False),
    )
    output_format: Literal["text", "json", "yaml"] = Field(
        "text",
        description="'text' keeps the rendered text; 'json' or 'yaml' parses it into data.",
    )


SPEC = NodeSpec(
    type="core.template",
    version=1,
    title="Template",
    description="Render a mustache template with each item's fields into a text field.",
    category="Data",
    icon="file-text",
    params=TemplateParams,
    run="nodes.core.template.run:execute",
    docs=load_docs(__file__),
    aliases=("template",),
)
