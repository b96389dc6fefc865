"""Users, projects, API keys, the audit log and login: the parts of the API that need
``engine.services.auth``. Without it (early builds) these operations are not served."""

from __future__ import annotations

from studio.api.routing import Router
from studio.api.security import auth_backend

__all__ = ["routers"]


def routers() -> list[Router]:
    """The admin and auth routers, when the auth service is installed."""
    if auth_backend() is None:
        return []
    return []
