"""The auth core: accounts, tokens, 2FA, roles and projects, rate limits, audit log.

Callers outside the engine use :mod:`engine.services.auth` (the one door); the modules
here take an :class:`~engine.auth.context.AuthContext` explicitly so tests can build one
on any store:

* :mod:`~engine.auth.passwords` (argon2id, policy) and :mod:`~engine.auth.accounts`
* :mod:`~engine.auth.keys`, :mod:`~engine.auth.tokens` (EdDSA JWTs) and
  :mod:`~engine.auth.sessions` (login, refresh rotation, logout)
* :mod:`~engine.auth.totp` (2FA), :mod:`~engine.auth.apikeys`
* :mod:`~engine.auth.rbac` (the permission table) and :mod:`~engine.auth.projects`
* :mod:`~engine.auth.ratelimit`, :mod:`~engine.auth.audit`, :mod:`~engine.auth.mailer`
* :mod:`~engine.auth.oidc` (single sign-on: OpenID Connect and GitHub), with
  :mod:`~engine.auth.oidc_config` (providers, login methods) and
  :mod:`~engine.auth.oidc_accounts` (linking identities to users)
"""

from __future__ import annotations

from engine.auth.ratelimit import RateLimiter
from engine.auth.rbac import INSTANCE_ROLES, PERMISSIONS, PROJECT_ROLES, authorize, can
from engine.auth.types import (
    ApiKeyInfo,
    AuditEntry,
    InvitationInfo,
    LoginResult,
    Principal,
    ProjectInfo,
    TokenPair,
    TotpEnrolment,
    UserInfo,
)

__all__ = ["INSTANCE_ROLES", "PERMISSIONS", "PROJECT_ROLES", "ApiKeyInfo", "AuditEntry",
           "InvitationInfo", "LoginResult", "Principal", "ProjectInfo", "RateLimiter",
           "TokenPair", "TotpEnrolment", "UserInfo", "authorize", "can"]
