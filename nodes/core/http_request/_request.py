"""Builds one HTTP request (query, headers, auth, body) from the params and an item."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from engine.sdk import CredentialError, Item, NodeExecutionError
from nodes.core.http_request.spec import HttpRequestParams, KeyValue

__all__ = ["RequestParts", "build_request_parts", "encode_query", "text_value"]


@dataclass
class RequestParts:
    """Everything needed to send the request (pagination may change url/query/json)."""

    method: str
    url: str
    query: list[tuple[str, str]] = field(default_factory=list)
    auth_query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    auth: httpx.Auth | None = None
    json_body: Any = None
    has_json: bool = False
    data: dict[str, Any] | None = None
    files: list[tuple[str, tuple[str | None, Any, str | None]]] | None = None
    content: bytes | None = None

    def build(self, client: httpx.Client, *, timeout: float | None) -> httpx.Request:
        """An httpx request ready for ``client.send``."""
        kwargs: dict[str, Any] = {"headers": self.headers}
        if self.has_json:
            kwargs["json"] = self.json_body
        if self.data is not None:
            kwargs["data"] = self.data
        if self.files is not None:
            kwargs["files"] = self.files
        if self.content is not None:
            kwargs["content"] = self.content
        if timeout is not None:
            kwargs["timeout"] = timeout
        return client.build_request(self.method, self.full_url(), **kwargs)

    def full_url(self) -> str:
        """The URL with the query pairs appended to any query it already has."""
        pairs = self.query + self.auth_query
        if not pairs:
            return self.url
        s = urlsplit(self.url)
        extra = urlencode(pairs)
        query = f"{s.query}&{extra}" if s.query else extra
        return urlunsplit((s.scheme, s.netloc, s.path, query, ""))


def text_value(value: Any) -> str:
    """A parameter value as text: JSON for objects and lists, 'true'/'false' for booleans."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def encode_query(pairs: list[KeyValue], array_format: str) -> list[tuple[str, str]]:
    """Query pairs, with list values spelled as ``array_format`` says."""
    out: list[tuple[str, str]] = []
    for kv in pairs:
        if not isinstance(kv.value, list):
            out.append((kv.name, text_value(kv.value)))
        elif array_format == "comma":
            out.append((kv.name, ",".join(text_value(v) for v in kv.value)))
        else:
            for n, v in enumerate(kv.value):
                key = {"repeat": kv.name, "brackets": f"{kv.name}[]", "indices": f"{kv.name}[{n}]"}[
                    array_format
                ]
                out.append((key, text_value(v)))
    return out


def _first(data: dict[str, Any], *names: str) -> Any:
    for n in names:
        if data.get(n) not in (None, ""):
            return data[n]
    return None


def _apply_auth(parts: RequestParts, kind: str, cred: dict[str, Any]) -> None:
    """Adds the credential to the request; raises CredentialError when a field is missing."""

    def need(*names: str) -> str:
        value = _first(cred, *names)
        if value is None:
            raise CredentialError(
                f"The {kind} credential has no '{names[0]}' field. Open the credential and "
                "fill it in."
            )
        return str(value)

    if kind == "header_auth":
        parts.headers[need("name", "header")] = need("value")
    elif kind == "bearer":
        parts.headers["Authorization"] = f"Bearer {need('token', 'access_token')}"
    elif kind == "basic_auth":
        parts.auth = httpx.BasicAuth(need("user", "username"), str(cred.get("password") or ""))
    elif kind == "digest_auth":
        parts.auth = httpx.DigestAuth(need("user", "username"), str(cred.get("password") or ""))
    elif kind == "api_key":
        key = need("key", "api_key", "value")
        name = str(_first(cred, "name", "param", "header") or "X-API-Key")
        where = str(cred.get("in") or cred.get("location") or "header").lower()
        if where == "query":
            parts.auth_query.append((name, key))
        else:
            prefix = str(cred.get("prefix") or "")
            parts.headers[name] = f"{prefix} {key}".strip() if prefix else key
    elif kind == "oauth2":
        token = _first(cred, "access_token")
        if token is None:
            raise CredentialError(
                "The OAuth2 credential has no access token yet. Open the credential and "
                "connect (or reconnect) the account."
            )
        token_type = str(cred.get("token_type") or "Bearer")
        token_type = "Bearer" if token_type.lower() == "bearer" else token_type
        parts.headers["Authorization"] = f"{token_type} {token}"


def _binary_of(item: Item, prop: str, what: str) -> tuple[bytes, str, str | None]:
    binary = (item.binary or {}).get(prop)
    if binary is None:
        have = ", ".join(sorted(item.binary or {})) or "none"
        raise NodeExecutionError(
            f"{what}: the item has no binary property '{prop}' (it has: {have}). Set the "
            "binary property name, or add a node that reads the file first."
        )
    return binary.content(), binary.mime_type, binary.file_name


def _json_body(p: HttpRequestParams) -> Any:
    value = p.json_body
    if value is None or value == "":
        return {f.name: f.value for f in p.body_fields}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise NodeExecutionError(
                f"'JSON body' is not valid JSON ({exc.msg} at line {exc.lineno} column "
                f"{exc.colno}). Fix the text or give an object instead."
            ) from None
    return value


def build_request_parts(
    p: HttpRequestParams, item: Item, credential: dict[str, Any] | None
) -> RequestParts:
    """The request for one item."""
    url = p.url.strip()
    if "://" not in url:
        raise NodeExecutionError(
            f"URL {url!r} has no scheme. Start it with 'https://' or 'http://'."
        )
    parts = RequestParts(method=p.method, url=url, query=encode_query(p.query, p.array_format))
    for h in p.headers:
        parts.headers[h.name] = text_value(h.value)
    if p.authentication != "none":
        _apply_auth(parts, p.authentication, credential or {})
    has_type = any(k.lower() == "content-type" for k in parts.headers)
    if p.body_type == "json":
        parts.json_body, parts.has_json = _json_body(p), True
    elif p.body_type == "form_urlencoded":
        form: dict[str, Any] = {}
        for f in p.body_fields:
            v = (
                [text_value(x) for x in f.value]
                if isinstance(f.value, list)
                else text_value(f.value)
            )
            form[f.name] = v
        parts.data = form
    elif p.body_type == "multipart":
        files: list[tuple[str, tuple[str | None, Any, str | None]]] = []
        for f in p.body_fields:
            if f.kind == "file":
                raw, mime, name = _binary_of(item, f.binary_property, f"Multipart field '{f.name}'")
                files.append((f.name, (name or f.name, raw, mime)))
            else:
                files.append((f.name, (None, text_value(f.value).encode(), None)))
        if not files:
            raise NodeExecutionError("Body type 'multipart' needs at least one body field.")
        parts.files = files
    elif p.body_type == "raw":
        parts.content = p.raw_body.encode()
        if not has_type:
            parts.headers["Content-Type"] = p.raw_content_type
    elif p.body_type == "binary":
        raw, mime, _ = _binary_of(item, p.binary_property, "Binary body")
        parts.content = raw
        if not has_type:
            parts.headers["Content-Type"] = mime
    return parts
