"""The one exception tree of AURA.

Every error a user can cause derives from :class:`AuraError`. Each class carries a
stable machine-readable ``code`` and the HTTP status the API maps it to, so that the
HTTP layer can turn any of them into ``{error, message, details}`` with a 4xx status.
Messages say what went wrong *and what to do about it*.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuraError",
    "AuthenticationError",
    "ConflictError",
    "CredentialError",
    "ExecutionCancelled",
    "ExecutionTimeout",
    "ExpressionError",
    "NodeExecutionError",
    "NotFoundError",
    "PackageInstallError",
    "PermissionDenied",
    "RateLimited",
    "SSRFBlocked",
    "SandboxError",
    "SandboxMemoryError",
    "SandboxTimeout",
    "SandboxViolation",
    "UnknownNodeType",
    "ValidationError",
    "WorkflowValidationError",
]


class AuraError(Exception):
    """Base of every AURA error. Catchable with ``except Exception``."""

    code: str = "aura_error"
    http_status: int = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body used by the API and the CLI's ``--json`` output."""
        return {"error": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return self.message


class ValidationError(AuraError):
    """Some user input (a parameter, a request body, a setting) is not valid."""

    code = "validation_error"
    http_status = 422


class WorkflowValidationError(ValidationError):
    """A workflow definition is malformed; ``details`` lists each problem found."""

    code = "workflow_invalid"


class UnknownNodeType(WorkflowValidationError):
    """A node type or type version is not installed."""

    code = "unknown_node_type"


class NodeExecutionError(AuraError):
    """A node failed while running. ``node`` names it."""

    code = "node_failed"
    http_status = 422

    def __init__(
        self, message: str, *, node: str | None = None, details: Any = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.node = node
        self.error_type = error_type or type(self).__name__


class ExpressionError(AuraError):
    """An ``{{ expression }}`` could not be evaluated; names node and parameter path."""

    code = "expression_error"
    http_status = 422

    def __init__(
        self, message: str, *, node: str | None = None, parameter: str | None = None,
        details: Any = None,
    ) -> None:
        parts = [f"node '{node}'" if node else "", f"parameter '{parameter}'" if parameter else ""]
        where = ", ".join(p for p in parts if p)
        full = f"{message} (in {where})" if where and "(in " not in message else message
        super().__init__(full, details=details)
        self.node = node
        self.parameter = parameter
        self.bare_message = message


class CredentialError(AuraError):
    """A credential is missing, of the wrong kind, or could not be decrypted."""

    code = "credential_error"
    http_status = 422


class AuthenticationError(AuraError):
    """Not logged in, or the token/key is invalid or expired."""

    code = "unauthenticated"
    http_status = 401


class PermissionDenied(AuraError):
    """The caller's role does not allow this action."""

    code = "forbidden"
    http_status = 403


class NotFoundError(AuraError):
    """The named object does not exist (or the caller may not know it exists)."""

    code = "not_found"
    http_status = 404


class ConflictError(AuraError):
    """The request conflicts with the current state (duplicate name, stale version...)."""

    code = "conflict"
    http_status = 409


class RateLimited(AuraError):
    """Too many attempts; ``details['retry_after']`` says when to try again."""

    code = "rate_limited"
    http_status = 429


class SSRFBlocked(AuraError):
    """An outbound request targeted a private, loopback or link-local address."""

    code = "ssrf_blocked"
    http_status = 422


class ExecutionCancelled(AuraError):
    """The execution was cancelled by a user or by shutdown."""

    code = "cancelled"
    http_status = 409


class ExecutionTimeout(AuraError):
    """The workflow ran longer than its timeout setting."""

    code = "timeout"
    http_status = 422


class SandboxError(AuraError):
    """Base of errors raised by the user-code sandbox."""

    code = "sandbox_error"
    http_status = 422


class SandboxViolation(SandboxError):
    """User code tried something the sandbox refuses (import, dunder access...)."""

    code = "sandbox_violation"


class SandboxTimeout(SandboxError):
    """User code ran longer than its time limit and was killed."""

    code = "sandbox_timeout"


class SandboxMemoryError(SandboxError):
    """User code exceeded its memory limit."""

    code = "sandbox_memory"


class PackageInstallError(AuraError):
    """A node package could not be installed or verified."""

    code = "package_install_error"
