"""The console's exception tree: what can go wrong talking to the AURA API.

Every error the client raises derives from :class:`ConsoleError` and carries a message
that says what happened and what to do, ready to show in a notification.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "AuthRequired", "ConsoleError", "NotAvailable", "TwoFactorRequired",
           "Unreachable"]


class ConsoleError(Exception):
    """Base of every error the console reports."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unreachable(ConsoleError):
    """The server did not answer (refused, timed out, DNS, TLS...)."""


class ApiError(ConsoleError):
    """The server answered with an error status and an ``{error, message}`` body."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status} {self.code})"


class AuthRequired(ApiError):
    """401: no credentials, or they expired and could not be refreshed."""


class NotAvailable(ApiError):
    """A feature route (events, services, queues, workers) is not on this server."""

    def __init__(self, feature: str, path: str) -> None:
        super().__init__(404, "not_available",
                         f"This server has no {feature} ({path} answered 404).")
        self.feature = feature
        self.path = path


class TwoFactorRequired(ConsoleError):
    """The password was right and the account has 2FA on: send a code next."""

    def __init__(self, challenge_token: str) -> None:
        super().__init__("Enter the 6-digit code from your authenticator app.")
        self.challenge_token = challenge_token
