"""Network helpers of credential tests (private): SSRF-guarded like nodes' requests.

A credential test connects from the server to an address a user typed, so it follows the
same rule as nodes: private and loopback targets only when ``AURA_HTTP_ALLOW`` or the
admins' outbound allow-list allows.
"""

from __future__ import annotations

from typing import Any

import httpx

from engine.credentials.base import TestResult
from engine.errors import SSRFBlocked

__all__ = ["TIMEOUT_S", "checked_addresses", "http_test"]

TIMEOUT_S = 10.0


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses of ``host`` it is allowed to connect to (SSRFBlocked otherwise)."""
    from engine.net import effective_allow, resolve_checked

    return resolve_checked(host, port, effective_allow())


def http_test(url: str, *, what: str, headers: dict[str, str] | None = None,
              params: list[tuple[str, str]] | None = None, auth: Any = None,
              method: str = "GET") -> TestResult:
    """Requests ``url`` with the credential applied; 2xx is a success."""
    from engine.net import safe_client

    try:
        with safe_client(timeout=TIMEOUT_S) as client:
            response = client.request(method, url, headers=headers,
                                      params=params,  # type: ignore[arg-type]
                                      auth=auth)
    except SSRFBlocked as exc:
        return TestResult(False, exc.message)
    except httpx.HTTPError as exc:
        return TestResult(False, f"Could not reach {url}: {exc}.")
    if response.is_success:
        return TestResult(True, f"{what}: {url} answered {response.status_code}.",
                          {"status": response.status_code})
    hint = {401: " The service refused the credential (wrong or expired?).",
            403: " The credential is valid but not allowed to do this."}.get(
        response.status_code, "")
    return TestResult(False, f"{what}: {url} answered {response.status_code} "
                      f"{response.reason_phrase}.{hint}", {"status": response.status_code})
