"""HTTP Request: call any HTTP API, once per input item, with auth, bodies and pagination."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui

AUTH_KINDS = ("header_auth", "bearer", "basic_auth", "digest_auth", "api_key", "oauth2")


class KeyValue(Params):
    """One query parameter or header."""

    name: str = Field(description="Name of the parameter or header.", min_length=1)
    value: Any = Field("", description="Its value; a list sends the parameter once per value.")


class BodyField(Params):
    """One field of a form, multipart or JSON body."""

    name: str = Field(description="Field name.", min_length=1)
    value: Any = Field("", description="Field value (text fields and JSON bodies).")
    kind: Literal["text", "file"] = Field(
        "text",
        description="Multipart only: 'file' uploads the item's binary property "
        "named in 'Binary property' instead of a text value.",
    )
    binary_property: str = Field(
        "data",
        description="Multipart 'file' fields: the item's binary property to upload.",
    )


class HttpRequestParams(Params):
    """Parameters of the HTTP Request node."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = Field(
        "GET", description="HTTP method."
    )
    url: str = Field(
        description="The URL to call, e.g. 'https://api.example.com/users'.", min_length=1
    )
    authentication: Literal[
        "none", "header_auth", "bearer", "basic_auth", "digest_auth", "api_key", "oauth2"
    ] = Field(
        "none",
        description="How to authenticate, using the credential in the 'auth' slot: "
        "header_auth (a header name and value), bearer (token), basic_auth, digest_auth, "
        "api_key (in a header or the query string), oauth2 (the access token).",
        json_schema_extra=ui(
            labels={
                "none": "None",
                "header_auth": "Header auth",
                "bearer": "Bearer token",
                "basic_auth": "Basic auth",
                "digest_auth": "Digest auth",
                "api_key": "API key",
                "oauth2": "OAuth2",
            }
        ),
    )
    query: list[KeyValue] = Field(
        default_factory=list,
        description="Query parameters added to the URL.",
        json_schema_extra=ui("key_value"),
    )
    array_format: Literal["repeat", "brackets", "indices", "comma"] = Field(
        "repeat",
        description="How list values are sent in the query: 'a=1&a=2' (repeat), "
        "'a[]=1&a[]=2' (brackets), 'a[0]=1&a[1]=2' (indices) or 'a=1,2' (comma).",
    )
    headers: list[KeyValue] = Field(
        default_factory=list, description="Request headers.", json_schema_extra=ui("key_value")
    )
    body_type: Literal["none", "json", "form_urlencoded", "multipart", "raw", "binary"] = Field(
        "none",
        description="What to send as the request body.",
        json_schema_extra=ui(
            labels={
                "none": "No body",
                "json": "JSON",
                "form_urlencoded": "Form (URL-encoded)",
                "multipart": "Multipart form",
                "raw": "Raw text",
                "binary": "File (binary)",
            }
        ),
    )
    body_fields: list[BodyField] = Field(
        default_factory=list,
        description="Fields of a form, multipart or JSON body.",
        json_schema_extra=ui(
            "collection", show={"body_type": ["json", "form_urlencoded", "multipart"]}
        ),
    )
    json_body: Any = Field(
        None,
        description="JSON body (an object, a list or JSON text); used instead of "
        "'Body fields' when set.",
        json_schema_extra=ui("json", show={"body_type": ["json"]}),
    )
    raw_body: str = Field(
        "",
        description="Body text for the 'raw' body type.",
        json_schema_extra=ui("textarea", show={"body_type": ["raw"]}),
    )
    raw_content_type: str = Field(
        "text/plain",
        description="Content-Type of a raw body.",
        json_schema_extra=ui(show={"body_type": ["raw"]}),
    )
    binary_property: str = Field(
        "data",
        description="For the 'binary' body type: the input item's binary property to send.",
        json_schema_extra=ui(show={"body_type": ["binary"]}),
    )
    response_format: Literal["auto", "json", "text", "binary"] = Field(
        "auto",
        description="How to read the response: 'auto' follows its Content-Type; "
        "'binary' stores it as a file on the item.",
        json_schema_extra=ui(
            labels={
                "auto": "Automatic (by Content-Type)",
                "json": "JSON",
                "text": "Text",
                "binary": "File (binary)",
            }
        ),
    )
    output_field: str = Field(
        "data",
        description="Field (text responses, non-object JSON) or binary property "
        "(file responses) that receives the response.",
    )
    full_response: bool = Field(
        False, description="Output status code, headers and body instead of the body only."
    )
    never_error: bool = Field(False, description="Output 4xx and 5xx responses instead of failing.")
    split_into_items: bool = Field(
        True, description="When the response is a JSON list, output one item per element."
    )
    split_field: str = Field(
        "",
        description="Dotted path of a list inside the response to split into items, "
        "e.g. 'data.results' (default: the body itself when it is a list).",
        json_schema_extra=ui(expression=False, show={"split_into_items": [True]}),
    )
    timeout_s: float | None = Field(
        None, description="Seconds to wait for the server (default: AURA_HTTP_TIMEOUT_S).", gt=0
    )
    follow_redirects: bool = Field(True, description="Follow 3xx redirects.")
    max_redirects: int = Field(10, description="Most redirects to follow.", ge=0, le=50)
    ignore_ssl_issues: bool = Field(
        False,
        description="Accept invalid TLS certificates (self-signed servers). Unsafe on "
        "the internet.",
    )
    max_response_mb: float = Field(
        50.0, description="Fail when a response is larger than this many megabytes.", gt=0
    )
    batch_size: int = Field(
        0,
        description="Send this many items' requests, then pause 'batch interval' "
        "(0 sends all without pausing).",
        ge=0,
    )
    batch_interval_ms: int = Field(0, description="Pause between batches, in milliseconds.", ge=0)
    pagination: Literal["off", "next_url", "link_header", "page", "cursor"] = Field(
        "off",
        description="Fetch further pages: 'next_url' (the response names the next "
        "URL), 'link_header' (RFC 8288 Link: rel=next), 'page' (a page number or offset "
        "parameter incremented each request), 'cursor' (a cursor from the response sent "
        "back as a parameter).",
        json_schema_extra=ui(
            labels={
                "off": "Off",
                "next_url": "Next URL in the response",
                "link_header": "Link header (rel=next)",
                "page": "Page number or offset",
                "cursor": "Cursor",
            }
        ),
    )
    next_url_field: str = Field(
        "next",
        description="next_url mode: path of the next URL in the response, e.g. "
        "'links.next' or '$response.body.next' or '$response.headers.x-next'.",
        json_schema_extra=ui(expression=False, show={"pagination": ["next_url"]}),
    )
    page_parameter: str = Field(
        "page",
        description="page/cursor mode: name of the parameter to send ('page', "
        "'offset', 'cursor'...).",
        json_schema_extra=ui(show={"pagination": ["page", "cursor"]}),
    )
    page_parameter_in: Literal["query", "body"] = Field(
        "query",
        description="page/cursor mode: send the parameter in the query string or "
        "as a field of the JSON body.",
        json_schema_extra=ui(show={"pagination": ["page", "cursor"]}),
    )
    page_start: int = Field(
        1,
        description="page mode: value of the first request (0 for offsets).",
        json_schema_extra=ui(show={"pagination": ["page"]}),
    )
    page_increment: int = Field(
        1,
        description="page mode: added after each request (the page size for offsets).",
        json_schema_extra=ui(show={"pagination": ["page"]}),
    )
    cursor_field: str = Field(
        "next_cursor",
        description="cursor mode: path of the next cursor in the response.",
        json_schema_extra=ui(expression=False, show={"pagination": ["cursor"]}),
    )
    complete_when: Literal["empty_response", "field_empty", "max_pages"] = Field(
        "empty_response",
        description="page mode: stop when a response is empty (empty "
        "body or empty list), when 'Stop field' is empty or missing, or only at 'Max "
        "pages'.",
        json_schema_extra=ui(
            show={"pagination": ["page"]},
            labels={
                "empty_response": "The response is empty",
                "field_empty": "A field is empty",
                "max_pages": "Max pages reached",
            },
        ),
    )
    stop_field: str = Field(
        "",
        description="page mode with 'field_empty': path in the response, e.g. 'data'.",
        json_schema_extra=ui(
            expression=False, show={"pagination": ["page"], "complete_when": ["field_empty"]}
        ),
    )
    max_pages: int = Field(
        100,
        description="Most pages to fetch per item.",
        ge=1,
        json_schema_extra=ui(hide={"pagination": ["off"]}),
    )
    page_interval_ms: int = Field(
        0,
        description="Pause between page requests, in milliseconds.",
        ge=0,
        json_schema_extra=ui(hide={"pagination": ["off"]}),
    )


SPEC = NodeSpec(
    type="core.http_request",
    version=1,
    title="HTTP Request",
    description="Call any HTTP API: auth, JSON/form/multipart/binary bodies, pagination.",
    category="Network",
    icon="globe",
    params=HttpRequestParams,
    run="nodes.core.http_request.run:execute",
    credentials=(
        CredentialSlot(
            "auth", AUTH_KINDS, description="Credential used when 'Authentication' is not 'none'."
        ),
    ),
    permissions=frozenset({"network", "credentials"}),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.httpRequest", "http request"),
    tool=True,
)
