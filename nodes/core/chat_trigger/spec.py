"""Chat Trigger ("When a chat message is received"): starts the workflow with a chat
message sent to ``POST /api/v1/workflows/{id}/chat`` (or the studio's chat panel); the
answer streams back."""

from __future__ import annotations

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class ChatTriggerParams(Params):
    """Parameters of the Chat Trigger."""

    welcome: str = Field(
        "",
        description="A first message the chat panel shows before anyone writes.",
        json_schema_extra=ui("textarea", expression=False),
    )


SPEC = NodeSpec(
    type="ai.chat_trigger",
    version=1,
    title="When Chat Message Received",
    description="Start the workflow with a chat message; the answer streams back.",
    category="Trigger",
    icon="messages-square",
    params=ChatTriggerParams,
    run="nodes.core.chat_trigger.run:execute",
    inputs=(),
    trigger="manual",
    docs=load_docs(__file__),
    aliases=("@n8n/n8n-nodes-langchain.chatTrigger",),
)
