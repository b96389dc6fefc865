"""Credential services: create, read (masked), update, test, delete, share; resolve for
the executor; rotate the vault key.

Secrets never come back out: every view is masked (:data:`~engine.credentials.MASK`
for a set secret), and an update that sends the mask back keeps the stored value. Data
is validated against its kind (:mod:`engine.credentials`) before it is encrypted.
Every change is authorized (``credential:*`` actions in the credential's project,
shares included) and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.auth import projects
from engine.auth.rbac import authorize
from engine.auth.types import Principal
from engine.credentials import TestResult, get_kind, mask, merge_update, secret_values
from engine.credentials.masking import MASK, dump, validate
from engine.errors import CredentialError, ValidationError
from engine.services import access
from engine.services.auth import context
from engine.store.credentials import CredentialInfo
from engine.vault.cipher import cipher_from_settings

__all__ = ["MASK", "CredentialView", "create_credential", "delete_credential", "get_credential",
           "get_kind", "key_status", "kinds", "list_credentials", "resolve", "rotate_key",
           "secrets_of", "test_credential", "test_credential_data", "update_credential"]


@dataclass(frozen=True)
class CredentialView:
    """A credential as the API shows it: ``data`` has its secrets masked."""

    id: str
    name: str
    kind: str
    project_id: str | None
    created_at: datetime
    updated_at: datetime
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind,
                "project_id": self.project_id, "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat(), "data": self.data}


def _view(info: CredentialInfo, data: dict[str, Any] | None) -> CredentialView:
    return CredentialView(info.id, info.name, info.kind, info.project_id, info.created_at,
                          info.updated_at, mask(info.kind, data) if data is not None else None)


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("A credential needs a name of 1-200 characters.")
    return name


def _check(principal: Principal, action: str, credential_id: str) -> None:
    """PermissionDenied, or NotFoundError when the caller may not even read it."""
    access.resource(principal, action, "credential", credential_id)


def kinds() -> list[dict[str, Any]]:
    """Every credential kind with its form schema and secret fields."""
    from engine.credentials import describe

    return describe()


def create_credential(principal: Principal, name: str, kind: str, data: dict[str, Any],
                      project_id: str | None = None) -> CredentialView:
    """Validates, encrypts and stores a credential in ``project_id`` (default: the
    caller's personal project)."""
    ctx = context()
    project_id = project_id or projects.default_project(ctx, principal)
    authorize(principal, "credential:create", project_id=project_id)
    model = validate(kind, data)
    clean = dump(model)
    info = ctx.store.credentials.create(_name(name), kind, clean, cipher_from_settings(),
                                        project_id=project_id)
    ctx.audit(principal, "credential.created", "credential", info.id,
              {"name": info.name, "kind": kind, "project_id": project_id})
    return _view(info, clean)


def get_credential(principal: Principal, credential_id: str) -> CredentialView:
    """One credential, secrets masked."""
    _check(principal, "credential:read", credential_id)
    store = context().store
    info = store.credentials.get(credential_id)
    return _view(info, store.credentials.get_data(credential_id, cipher_from_settings()))


def list_credentials(principal: Principal, *, kind: str | None = None,
                     project_id: str | None = None, with_data: bool = False
                     ) -> list[CredentialView]:
    """The credentials the caller may read (masked data only with ``with_data``)."""
    ctx = context()
    authorize(principal, "credential:read", project_id=project_id)
    rows = projects.filter_visible(ctx, principal, "credential",
                                   ctx.store.credentials.list(kind=kind,
                                                              project_id=project_id))
    cipher = cipher_from_settings() if with_data else None
    return [_view(r, ctx.store.credentials.get_data(r.id, cipher) if cipher else None)
            for r in rows]


def update_credential(principal: Principal, credential_id: str, *, name: str | None = None,
                      data: dict[str, Any] | None = None) -> CredentialView:
    """Renames and/or changes fields. Secret fields sent as the mask (or left out) keep
    their stored values."""
    _check(principal, "credential:update", credential_id)
    ctx = context()
    store = ctx.store
    info = store.credentials.get(credential_id)
    cipher = cipher_from_settings()
    stored = store.credentials.get_data(credential_id, cipher)
    changed: list[str] = []
    if data is not None:
        merged = merge_update(info.kind, stored, data)
        try:
            get_kind(info.kind)
            merged = dump(validate(info.kind, merged))
        except CredentialError:
            pass  # a kind no longer installed: keep its fields as they are
        changed = sorted(k for k in set(merged) | set(stored) if merged.get(k) != stored.get(k))
        stored = merged
    info = store.credentials.update(credential_id, name=_name(name) if name else None,
                                    data=stored if data is not None else None,
                                    cipher=cipher if data is not None else None)
    ctx.audit(principal, "credential.updated", "credential", credential_id,
              {"name": info.name, "fields_changed": changed})
    return _view(info, stored)


def delete_credential(principal: Principal, credential_id: str) -> None:
    """Deletes a credential (workflows using it fail until given another)."""
    _check(principal, "credential:delete", credential_id)
    ctx = context()
    info = ctx.store.credentials.get(credential_id)
    ctx.store.credentials.delete(credential_id)
    ctx.store.projects.unshare_all("credential", credential_id)
    ctx.audit(principal, "credential.deleted", "credential", credential_id,
              {"name": info.name, "kind": info.kind})


def test_credential(principal: Principal, credential_id: str) -> TestResult:
    """Runs the kind's test against its service (a connection, a token fetch...). A
    refreshed OAuth2 token is kept."""
    _check(principal, "credential:use", credential_id)
    ctx = context()
    info = ctx.store.credentials.get(credential_id)
    data = ctx.store.credentials.get_data(credential_id, cipher_from_settings())
    try:
        model = validate(info.kind, data)
    except (ValidationError, CredentialError) as exc:
        return TestResult(False, exc.message)
    result = model.test()
    ctx.audit(principal, "credential.tested", "credential", credential_id,
              {"ok": result.ok})
    return result


def test_credential_data(principal: Principal, kind: str, data: dict[str, Any], *,
                         credential_id: str | None = None) -> TestResult:
    """Tests form data before saving; with ``credential_id``, masked fields are taken
    from the stored credential."""
    if credential_id:
        _check(principal, "credential:use", credential_id)
        stored = context().store.credentials.get_data(credential_id, cipher_from_settings())
        data = merge_update(kind, stored, data)
    else:
        authorize(principal, "credential:create", project_id=projects.default_project(
            context(), principal))
    try:
        model = validate(kind, data)
    except (ValidationError, CredentialError) as exc:
        return TestResult(False, exc.message)
    return model.test()


def resolve(credential_id: str, secrets: set[str] | None = None) -> dict[str, Any]:
    """The decrypted data for a node at run time (no principal: the executor checked the
    workflow). An OAuth2 token about to expire is refreshed and stored first. ``secrets``,
    when given, receives the credential's secret strings (for redaction)."""
    ctx = context()
    store = ctx.store
    info = store.credentials.get(credential_id)
    cipher = cipher_from_settings()
    data = store.credentials.get_data(credential_id, cipher)
    if info.kind == "oauth2":
        from engine.credentials.kinds.oauth2 import OAuth2

        model = OAuth2.model_validate(data)
        if model.needs_refresh():
            data = dump(model.refreshed())
            store.credentials.update(credential_id, data=data, cipher=cipher)
            ctx.audit(None, "credential.token_refreshed", "credential", credential_id)
    if secrets is not None:
        secrets.update(secret_values(info.kind, data))
    return data


def secrets_of(credential_id: str) -> set[str]:
    """The secret strings of a credential, for :func:`engine.vault.redact.redact`."""
    store = context().store
    info = store.credentials.get(credential_id)
    return secret_values(info.kind, store.credentials.get_data(credential_id,
                                                               cipher_from_settings()))


def rotate_key(principal: Principal | None = None, *, new_key: bytes | None = None) -> Any:
    """Re-encrypts every credential and 2FA secret with a new key (see
    :mod:`engine.vault.rotation`). ``None`` is the operator at the console."""
    from engine.vault.rotation import rotate_key as rotate

    if principal is not None:
        authorize(principal, "vault:rotate")
    ctx = context()
    result = rotate(ctx.store, ctx.data_dir, ctx.security.encryption_key, new_key=new_key)
    ctx.audit(principal, "vault.key_rotated", "key", result.new_key_id,
              {"old_key_id": result.old_key_id, "credentials": result.credentials,
               "totp_secrets": result.totp_secrets, "sso_secrets": result.sso_secrets})
    return result


def key_status() -> dict[str, Any]:
    """The current vault key id, older keys, and credentials per key."""
    from engine.vault.rotation import key_status as status

    ctx = context()
    return status(ctx.store, ctx.data_dir, ctx.security.encryption_key)
