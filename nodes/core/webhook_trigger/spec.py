"""Webhook Trigger: starts the workflow when an HTTP request arrives at its path."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "ANY")
_SEGMENT = re.compile(r"^(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+)$")
MAX_PATH = 255


class Header(Params):
    """One HTTP header sent with the response."""

    name: str = Field(description="Header name, e.g. 'Cache-Control'.", min_length=1)
    value: str = Field("", description="Header value.")


class WebhookParams(Params):
    http_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "ANY"] = Field(
        "GET", description="The HTTP method the webhook answers ('ANY' accepts every method).",
        json_schema_extra=ui(expression=False))
    path: str = Field(
        description="The URL path after /webhook/, e.g. 'orders/new' or 'users/:id' (':id' "
        "captures a path parameter). Letters, digits and - . _ ~ only, segments separated by "
        "'/', no leading slash.", json_schema_extra=ui(expression=False))
    authentication: Literal["none", "header_auth", "basic_auth", "hmac"] = Field(
        "none", description="How callers prove who they are: a secret header (credential "
        "'header_auth'), HTTP basic auth (credential 'basic_auth'), or an HMAC signature of "
        "the body (credential 'hmac_secret').", json_schema_extra=ui(expression=False))
    hmac_header: str = Field(
        "X-Signature-256", description="hmac: the request header holding "
        "'t=<unix time>,v1=<signature of \"<t>.<body>\">' (see docs/security.md).",
        json_schema_extra=ui(expression=False))
    hmac_algorithm: Literal["sha256", "sha1", "sha512"] = Field(
        "sha256", description="hmac: the hash algorithm of the signature.",
        json_schema_extra=ui(expression=False))
    hmac_encoding: Literal["hex", "base64"] = Field(
        "hex", description="hmac: how the signature is encoded in the header.",
        json_schema_extra=ui(expression=False))
    response_mode: Literal["immediately", "last_node", "respond_node"] = Field(
        "immediately", description="When to answer: immediately (the run continues after), "
        "when the last node finishes (with its data), or at a 'Respond to Webhook' node.",
        json_schema_extra=ui(expression=False))
    response_code: int = Field(200, ge=100, le=599, description="HTTP status code of the "
                               "response (immediately and last_node modes).",
                               json_schema_extra=ui(expression=False))
    response_data: Literal["first_item_json", "all_items", "no_body"] = Field(
        "first_item_json", description="last_node mode: answer with the first item's JSON, a "
        "JSON array of all items, or an empty body.", json_schema_extra=ui(expression=False))
    response_headers: list[Header] = Field(
        default_factory=list, description="Extra headers sent with the response.",
        json_schema_extra=ui("key_value", expression=False))
    allowed_origins: str = Field(
        "*", description="CORS: comma-separated origins allowed to call the webhook from a "
        "browser ('*' for any).", json_schema_extra=ui(expression=False))
    ip_allowlist: str = Field(
        "", description="Comma-separated IP addresses or networks (CIDR) allowed to call; "
        "empty allows all.", json_schema_extra=ui(expression=False))
    max_body_bytes: int = Field(
        16 * 1024 * 1024, ge=1, description="Largest request body accepted, in bytes "
        "(bigger requests get 413).", json_schema_extra=ui(expression=False))
    raw_body: bool = Field(
        False, description="Keep the request body unparsed as binary data (for signatures, "
        "XML or files) instead of parsing JSON/form bodies.",
        json_schema_extra=ui(expression=False))
    binary_property: str = Field(
        "data", min_length=1, description="Name of the binary attachment for the raw body or "
        "uploaded files (files get name, name1, ...).", json_schema_extra=ui(expression=False))

    @field_validator("path")
    @classmethod
    def _check_path(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("the webhook path is empty; give one such as 'orders/new'.")
        if v.startswith("/"):
            raise ValueError(f"the webhook path '{v}' starts with '/'; write it without the "
                             f"leading slash: '{v.lstrip('/')}'.")
        if len(v) > MAX_PATH:
            raise ValueError(f"the webhook path is {len(v)} characters long; the limit is "
                             f"{MAX_PATH}.")
        for seg in v.split("/"):
            if seg in ("", ".", ".."):
                raise ValueError(f"the webhook path '{v}' has an empty, '.' or '..' segment; "
                                 "remove double or trailing slashes.")
            if not _SEGMENT.match(seg):
                raise ValueError(f"the webhook path segment '{seg}' has characters that are "
                                 "not URL-safe; use letters, digits, '-', '.', '_', '~', or "
                                 "':name' for a path parameter.")
        names = [s[1:] for s in v.split("/") if s.startswith(":")]
        if len(names) != len(set(names)):
            raise ValueError(f"the webhook path '{v}' uses a path parameter name twice.")
        return v

    @field_validator("ip_allowlist")
    @classmethod
    def _check_ips(cls, v: str) -> str:
        import ipaddress

        for part in (p.strip() for p in v.split(",")):
            if part:
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError:
                    raise ValueError(f"'{part}' in the IP allowlist is not an IP address or "
                                     "network such as 203.0.113.7 or 10.0.0.0/8.") from None
        return v


SPEC = NodeSpec(
    type="core.webhook_trigger",
    version=1,
    title="Webhook",
    description="Starts the workflow when an HTTP request arrives at /webhook/<path>.",
    category="Trigger",
    icon="webhook",
    params=WebhookParams,
    run="nodes.core.webhook_trigger.run:execute",
    inputs=(),
    trigger="webhook",
    hooks={
        "check_request": "nodes.core.webhook_trigger.verify:check_request",
        "cors_headers": "nodes.core.webhook_trigger.verify:cors_headers",
        "replay_token": "nodes.core.webhook_trigger.verify:replay_token",
    },
    credentials=(
        CredentialSlot("header_auth", ("header_auth",), description="authentication "
                       "'header_auth': data {name, value}: the header and its secret value."),
        CredentialSlot("basic_auth", ("basic_auth",), description="authentication "
                       "'basic_auth': data {user, password}."),
        CredentialSlot("hmac_secret", ("hmac_secret",), description="authentication 'hmac': "
                       "data {secret}: the shared signing secret."),
    ),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.webhook", "http in"),
)
