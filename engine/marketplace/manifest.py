"""The package manifest (``aura-package.json``): what a sandboxed node package declares.

A manifest is data only. It names the package in its publisher's namespace
(``publisher/name``), its version and the AURA versions it runs on, the node types it
provides (parameters as JSON Schema, ports, credential slots, docs, icon, run entry) and
the permissions those nodes need (outbound hosts, credential kinds). Every check here
works on parsed JSON: nothing of the package is imported or executed to validate it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.errors import PackageInstallError
from engine.graph.messages import param_path, plain_message
from engine.sdk.spec import CATEGORIES, PORT_RE, TYPE_RE

__all__ = [
    "MANIFEST_NAME",
    "MAX_MANIFEST_BYTES",
    "CredentialSlotDecl",
    "Manifest",
    "NodeDecl",
    "Permissions",
    "parse_manifest",
]

MANIFEST_NAME = "aura-package.json"
MAX_MANIFEST_BYTES = 256 * 1024
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}/[a-z][a-z0-9-]{1,63}$")
HOST_RE = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}"
    r"[a-z0-9])?(:[0-9]{1,5})?$"
)
KIND_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
RUN_RE = re.compile(r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*\.py:[a-z_][a-z0-9_]*$")
FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Permissions(_Model):
    """What the package's nodes may reach: hosts for ``ctx.http``, kinds of credentials."""

    hosts: tuple[str, ...] = Field(
        (),
        description="Host names (optionally '*.domain' or "
        "'host:port') the nodes may call through ctx.http.",
    )
    credentials: tuple[str, ...] = Field((), description="Credential kinds the nodes may read.")

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for host in v:
            if not HOST_RE.match(host) or host.count("*") > 1:
                raise ValueError(
                    f"'{host}' is not a host name (write 'api.example.com', "
                    "'*.example.com' or 'api.example.com:8443')"
                )
        return tuple(h.lower() for h in v)

    @field_validator("credentials")
    @classmethod
    def _kinds(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for kind in v:
            if not KIND_RE.match(kind):
                raise ValueError(f"'{kind}' is not a credential kind name")
        return v


class CredentialSlotDecl(_Model):
    name: str = Field(pattern=PORT_RE.pattern, description="Slot name the run code asks for.")
    kinds: tuple[str, ...] = Field(min_length=1, description="Accepted credential kinds.")
    required: bool = False
    description: str = ""


class NodeDecl(_Model):
    """One node type version provided by the package."""

    type: str = Field(description="'publisher.node_name'; the namespace is the publisher's.")
    version: int = Field(1, ge=1, le=1000)
    title: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=500)
    category: str = "Utility"
    icon: str = Field("package", max_length=40)
    params: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    inputs: tuple[str, ...] = ("main",)
    outputs: tuple[str, ...] = ("main",)
    credentials: tuple[CredentialSlotDecl, ...] = ()
    run: str = Field(description="'file.py:function' inside the package.")
    timeout_s: float = Field(30.0, gt=0, le=300)
    docs: str = Field("", max_length=200, description="Markdown file inside the package.")

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if not TYPE_RE.match(v):
            raise ValueError(f"node type '{v}' must look like 'publisher.node_name'")
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"category '{v}' must be one of {', '.join(CATEGORIES)}")
        return v

    @field_validator("inputs", "outputs")
    @classmethod
    def _ports(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for port in v:
            if not PORT_RE.match(port):
                raise ValueError(f"port '{port}' must be lower_snake_case")
        if len(set(v)) != len(v):
            raise ValueError("port names must be unique")
        return v

    @field_validator("run")
    @classmethod
    def _run(cls, v: str) -> str:
        if not RUN_RE.match(v):
            raise ValueError(f"run '{v}' must look like 'file.py:function' (lower case)")
        return v

    @field_validator("params")
    @classmethod
    def _params(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            Draft202012Validator.check_schema(v)
        except SchemaError as exc:
            raise ValueError(f"params is not a valid JSON Schema: {exc.message}") from None
        if v.get("type") != "object":
            raise ValueError("params must be a JSON Schema of type 'object'")
        for name, prop in (v.get("properties") or {}).items():
            if not isinstance(prop, dict) or not str(prop.get("description") or "").strip():
                raise ValueError(f"parameter '{name}' needs a description")
        return v

    @property
    def module(self) -> str:
        return self.run.partition(":")[0]

    @property
    def function(self) -> str:
        return self.run.partition(":")[2]


class Manifest(_Model):
    """The parsed ``aura-package.json``."""

    schema_version: int = Field(1, alias="schema", ge=1, le=1)
    name: str = Field(description="'publisher/package-name'.")
    version: str
    aura: str = Field(">=0.1", description="AURA versions the package runs on (PEP 440).")
    title: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=1000)
    categories: tuple[str, ...] = ()
    license: str = ""
    homepage: str = ""
    icon: str = ""
    permissions: Permissions = Permissions()
    nodes: tuple[NodeDecl, ...] = Field(min_length=1, max_length=50)
    tests: tuple[str, ...] = ()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError(f"name '{v}' must look like 'publisher/package-name' (lower case)")
        return v

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        try:
            Version(v)
        except InvalidVersion:
            raise ValueError(f"version '{v}' is not a version number like 1.2.0") from None
        return v

    @field_validator("aura")
    @classmethod
    def _aura(cls, v: str) -> str:
        try:
            SpecifierSet(v)
        except InvalidSpecifier:
            raise ValueError(f"aura '{v}' is not a version range like '>=0.1,<2'") from None
        return v

    @field_validator("icon", "tests")
    @classmethod
    def _files(cls, v: Any) -> Any:
        for path in [v] if isinstance(v, str) else v:
            if path and not FILE_RE.match(path):
                raise ValueError(f"'{path}' is not a relative file path inside the package")
        return v

    @property
    def publisher(self) -> str:
        return self.name.partition("/")[0]

    def node_types(self) -> list[str]:
        return sorted({n.type for n in self.nodes})

    def public(self) -> dict[str, Any]:
        """The manifest as JSON (what the API and the catalogue show)."""
        return self.model_dump(mode="json", by_alias=True)


def _pretty(err: ValidationError) -> list[dict[str, str]]:
    out = []
    for e in err.errors():
        where = param_path(e["loc"]) if e["loc"] else "(manifest)"
        msg = {
            "missing": "missing; add it",
            "extra_forbidden": "not a manifest field; remove it (see docs/marketplace.md)",
        }.get(e["type"]) or plain_message(e)
        out.append({"field": where, "message": msg.rstrip(".")})
    return out


def parse_manifest(data: bytes | str | dict[str, Any]) -> Manifest:
    """Parses and checks a manifest (bytes of JSON, text, or an already parsed dict).

    Beyond the schema: node types live in the publisher's namespace, every
    credential slot's kinds are declared in the permissions, node run entries and docs
    are relative paths, ``(type, version)`` pairs are unique.

    Raises:
        PackageInstallError: naming the first problem (all in ``details["problems"]``).
    """
    if isinstance(data, bytes | str):
        if len(data) > MAX_MANIFEST_BYTES:
            raise PackageInstallError(
                f"The manifest is {len(data)} bytes; at most {MAX_MANIFEST_BYTES} are accepted.",
                details={"check": "manifest"},
            )
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise PackageInstallError(
                f"{MANIFEST_NAME} is not valid JSON: {exc}", details={"check": "manifest"}
            ) from None
    if not isinstance(data, dict):
        raise PackageInstallError(
            f"{MANIFEST_NAME} must hold a JSON object.", details={"check": "manifest"}
        )
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = _pretty(exc)
        first = problems[0]
        raise PackageInstallError(
            f"The manifest is invalid: {first['field']}: {first['message']}."
            + (f" ({len(problems) - 1} more problems.)" if len(problems) > 1 else ""),
            details={"check": "manifest", "problems": problems},
        ) from None
    cross = _cross_checks(manifest)
    if cross:
        raise PackageInstallError(
            f"The manifest is invalid: {cross[0]}",
            details={"check": "manifest", "problems": cross},
        )
    return manifest


def _cross_checks(m: Manifest) -> list[str]:
    problems = []
    seen: set[tuple[str, int]] = set()
    declared = set(m.permissions.credentials)
    for node in m.nodes:
        ns = node.type.partition(".")[0]
        if ns != m.publisher:
            problems.append(
                f"node type '{node.type}' is outside the publisher's namespace "
                f"'{m.publisher}.'; name it '{m.publisher}.{node.type.split('.')[1]}'."
            )
        if (node.type, node.version) in seen:
            problems.append(f"node {node.type} v{node.version} is declared twice.")
        seen.add((node.type, node.version))
        for slot in node.credentials:
            missing = [k for k in slot.kinds if k not in declared]
            if missing:
                problems.append(
                    f"node {node.type} slot '{slot.name}' uses credential kinds "
                    f"{missing} not listed in permissions.credentials."
                )
        if node.docs and not FILE_RE.match(node.docs):
            problems.append(f"docs '{node.docs}' of {node.type} is not a relative path.")
    return problems
