"""LLM: Message a model — one model call per item with a prompt (no tools, no memory)."""

from __future__ import annotations

from typing import Any

from engine.sdk import CredentialSlot, Field, NodeSpec, load_docs, ui
from nodes.core.agent.spec import MODEL_KINDS, ModelParams


class ChatParams(ModelParams):
    """Parameters of the LLM chat node."""

    json_output: bool = Field(
        False,
        description="Ask for a JSON object and output it parsed in 'data' (the node fails "
        "with the model's text if it is not JSON).",
    )
    json_schema: dict[str, Any] | None = Field(
        None,
        description="Structured output: a JSON Schema (an object with 'properties') the "
        "answer must follow, sent to the model; the answer is output parsed in 'data', and "
        "the node fails if a 'required' field is missing.",
        json_schema_extra=ui("json", expression=False),
    )


SPEC = NodeSpec(
    type="ai.chat",
    version=1,
    title="LLM: Message a Model",
    description="Send a prompt to a language model and output its answer.",
    category="AI",
    icon="message-square",
    params=ChatParams,
    run="nodes.core.chat.run:execute",
    credentials=(
        CredentialSlot(
            "model", MODEL_KINDS, required=True, description="The model provider's API key."
        ),
    ),
    permissions=frozenset({"network", "credentials"}),
    docs=load_docs(__file__),
)
