"""The base of credential kinds: a pydantic model whose secret fields are marked.

A kind declares its fields once; from that come the form (JSON Schema, secret fields as
``writeOnly`` password inputs with ``"x-aura-secret": true``), validation of stored
data, masking for the API, redaction of execution data, and a ``test()`` action::

    class BearerToken(CredentialKind):
        kind: ClassVar[str] = "bearer"
        title: ClassVar[str] = "Bearer token"
        token: str = secret("The token sent as 'Authorization: Bearer <token>'.")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SECRET_MARK", "CredentialKind", "TestResult", "secret"]

SECRET_MARK = "x-aura-secret"  # noqa: S105 (a schema keyword)


def secret(description: str, default: Any = ..., **kwargs: Any) -> Any:
    """A secret field: never returned by the API, redacted from execution data."""
    return Field(default, description=description,
                 json_schema_extra={SECRET_MARK: True, "writeOnly": True,
                                    "format": "password"}, **kwargs)


@dataclass(frozen=True)
class TestResult:
    """The outcome of a credential's ``test()``: shown to the user as is."""

    __test__ = False  # not a pytest class

    ok: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "details": self.details}


class CredentialKind(BaseModel):
    """Base of every credential kind (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False,
                              validate_default=True)

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        """Names of the fields marked secret."""
        out = []
        for name, f in cls.model_fields.items():
            extra = f.json_schema_extra
            if isinstance(extra, dict) and extra.get(SECRET_MARK):
                out.append(name)
        return tuple(out)

    @classmethod
    def form_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the form (secret fields carry ``x-aura-secret``)."""
        schema = cls.model_json_schema(by_alias=True)
        props = schema.get("properties", {})
        if "test_url" in props:  # the optional test URL goes last in the form
            props["test_url"] = props.pop("test_url")
        schema["title"] = cls.title or cls.kind
        if cls.description:
            schema["description"] = cls.description
        return schema

    def secret_values(self) -> set[str]:
        """Every secret string of this credential, plus derived forms that may appear in
        requests (e.g. the base64 of ``user:password``), for redaction."""
        return {str(getattr(self, n)) for n in self.secret_fields()
                if getattr(self, n) not in (None, "")}

    def test(self) -> TestResult:
        """Checks the credential against its service. The default only validates."""
        return TestResult(True, f"The {self.title or self.kind} credential is complete "
                          "(this kind has no connection test).")
