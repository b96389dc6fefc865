"""Respond to Webhook: sets the HTTP response of a webhook whose mode is 'respond_node'."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

RESPONSE_KEY = "_webhook_response"


class ResponseHeader(Params):
    """One HTTP header of the response."""

    name: str = Field(description="Header name, e.g. 'Cache-Control'.", min_length=1)
    value: str = Field("", description="Header value; can be an expression.")


class RespondParams(Params):
    respond_with: Literal["first_item_json", "all_items", "text", "json", "binary", "no_data",
                          "redirect"] = Field(
        "first_item_json", description="What to answer: the first input item's JSON, all "
        "items as a JSON array, a text, a JSON value, a binary attachment of the first item, "
        "an empty body, or a redirect.")
    response_body: str = Field("", description="text: the body, e.g. '<h1>Thanks {{ "
                               "$json.name }}</h1>'.", json_schema_extra=ui("textarea"))
    response_json: Any = Field(
        default_factory=dict, description="json: the value to send (an object, an array, or "
        "JSON text).", json_schema_extra=ui("json"))
    binary_property: str = Field("data", min_length=1, description="binary: the first item's "
                                 "attachment to send.")
    redirect_url: str = Field("", description="redirect: the URL to send the caller to.")
    response_code: int | None = Field(
        None, ge=100, le=599, description="HTTP status code; default 200, or 307 for "
        "redirects.")
    response_headers: list[ResponseHeader] = Field(
        default_factory=list, description="Headers to send; they override the default "
        "Content-Type.", json_schema_extra=ui("key_value"))
    response_key: str = Field(
        "", description="first_item_json / all_items: put the data under this field, e.g. "
        "'data' answers {\"data\": [...]}.")

    @model_validator(mode="after")
    def _check(self) -> RespondParams:
        if self.respond_with == "redirect" and not self.redirect_url.strip() and (
                "{{" not in self.redirect_url):
            raise ValueError("respond_with 'redirect' needs a redirect_url.")
        return self


SPEC = NodeSpec(
    type="core.respond_to_webhook",
    version=1,
    title="Respond to Webhook",
    description="Send the HTTP response of a webhook set to respond 'using Respond to Webhook "
    "node', then pass the items on.",
    category="Flow",
    icon="reply",
    params=RespondParams,
    run="nodes.core.respond_to_webhook.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.respondToWebhook", "http response"),
)
