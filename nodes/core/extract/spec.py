"""Information Extractor: a language model reads each item's text and fills in the fields
you describe (structured output, checked against a JSON Schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui
from nodes.core.agent.spec import MODEL_KINDS, ModelParams

FieldType = Literal["string", "number", "integer", "boolean", "array", "object"]


class ExtractField(Params):
    """One field to extract."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$",
        description="Field name, e.g. 'invoice_total'.",
    )
    type: FieldType = Field(
        "string", description="string, number, integer, boolean, array or object."
    )
    description: str = Field("", description="What the field holds; the model reads this.")
    required: bool = Field(
        True,
        description="The model must give it (off: it may leave it out when the text lacks it).",
    )


class ExtractParams(ModelParams):
    """Parameters of the Information Extractor."""

    prompt: str = Field(
        ...,
        min_length=1,
        description="The text to extract from, usually an expression such as "
        "{{ $json.email_body }}.",
        json_schema_extra=ui("textarea"),
    )
    fields: list[ExtractField] = Field(
        default_factory=list,
        description="The fields to extract (or give a full JSON schema below).",
        json_schema_extra=ui("collection", expression=False),
    )
    json_schema: dict[str, Any] | None = Field(
        None,
        description="Instead of fields: a JSON Schema (an object with 'properties') the "
        "answer must follow.",
        json_schema_extra=ui("json", expression=False),
    )
    output_field: str = Field(
        "data", min_length=1, description="Field of the output item that receives the values."
    )

    @model_validator(mode="after")
    def _schema(self) -> ExtractParams:
        from jsonschema import Draft202012Validator, SchemaError

        if not self.fields and self.json_schema is None:
            raise ValueError("Describe at least one field to extract, or give a JSON schema.")
        if self.json_schema is not None:
            if self.json_schema.get("type") != "object" or not self.json_schema.get("properties"):
                raise ValueError("The JSON schema must be an object with 'properties'.")
            try:
                Draft202012Validator.check_schema(self.json_schema)
            except SchemaError as exc:
                raise ValueError(f"The JSON schema is not valid: {exc.message}") from None
        return self

    def schema_out(self) -> dict[str, Any]:
        """The JSON Schema the answer must follow."""
        if self.json_schema is not None:
            return self.json_schema
        return {
            "type": "object",
            "properties": {
                f.name: {
                    "type": f.type,
                    **({"description": f.description} if f.description else {}),
                }
                for f in self.fields
            },
            "required": [f.name for f in self.fields if f.required],
        }


SPEC = NodeSpec(
    type="ai.extract",
    version=1,
    title="Information Extractor",
    description="Extract structured fields from text with a language model.",
    category="AI",
    icon="scan-text",
    params=ExtractParams,
    run="nodes.core.extract.run:execute",
    credentials=(
        CredentialSlot(
            "model", MODEL_KINDS, required=True, description="The model provider's API key."
        ),
    ),
    permissions=frozenset({"network", "credentials"}),
    docs=load_docs(__file__),
    aliases=("@n8n/n8n-nodes-langchain.informationExtractor",),
)
