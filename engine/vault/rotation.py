"""``aura credentials rotate-key``: a new encryption key, every secret re-encrypted.

Order of steps, so that a crash at any point loses nothing:

1. the new key is written to ``keys/next-<kid>.key`` and the current one is copied to
   ``keys/old-<kid>.key`` (both 0600; the keyring reads both as decryption keys);
2. in **one** database transaction every credential, TOTP secret, sign-in provider
   secret and stream signing secret is decrypted
   (with whichever key it names) and encrypted with the new key; any failure rolls the
   whole transaction back;
3. the new key atomically replaces ``keys/encryption.key`` and ``next-`` is removed.

When the key comes from ``AURA_ENCRYPTION_KEY`` the file cannot be replaced: the new key
is returned for the operator to put into the environment; until then ``next-<kid>.key``
keeps the re-encrypted data readable.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from engine.config import private_dir
from engine.errors import CredentialError
from engine.store.credentials import _aad as credential_aad  # the one AAD format
from engine.store.models import Credential, Setting
from engine.store.models_auth import User
from engine.store.models_oidc import OidcProvider, provider_secret_aad
from engine.store.types import utcnow
from engine.vault.cipher import AesGcmCipher, Keyring, key_id_of, load_keyring

__all__ = ["RotationResult", "key_status", "rotate_key"]


@dataclass(frozen=True)
class RotationResult:
    """What a rotation did. ``new_key_b64`` is set only when the operator must install it
    (``AURA_ENCRYPTION_KEY`` in use)."""

    old_key_id: str
    new_key_id: str
    credentials: int
    totp_secrets: int
    new_key_b64: str | None = None
    sso_secrets: int = 0
    stream_secrets: int = 0


def _write_key(path: Path, key: bytes) -> None:
    private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(key).decode())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _totp_aad(user_id: str) -> bytes:
    return f"aura/totp/{user_id}".encode()


def rotate_key(
    store: Any, data_dir: Path, env_key: str | None = None, *, new_key: bytes | None = None
) -> RotationResult:
    """Generates (or takes) a new key and re-encrypts every secret with it.

    Raises:
        CredentialError: a secret does not decrypt with any key this installation has
            (nothing is changed then).
    """
    keys_dir = data_dir / "keys"
    keyring = load_keyring(data_dir, env_key)
    old_cipher = AesGcmCipher(keyring)
    key = new_key or secrets.token_bytes(32)
    if len(key) != 32:
        raise CredentialError("The new key must be 32 bytes.")
    new_id = key_id_of(key)
    if new_id == keyring.current_id:
        raise CredentialError("The new key is the current key.")
    next_path = keys_dir / f"next-{new_id}.key"
    _write_key(next_path, key)
    old_path = keys_dir / f"old-{keyring.current_id}.key"
    if not old_path.exists():
        _write_key(old_path, keyring.current)
    new_cipher = AesGcmCipher(Keyring(key, {**keyring.old, keyring.current_id: keyring.current}))
    try:
        creds, totps, sso, hooks = _reencrypt(store, old_cipher, new_cipher)
    except Exception:
        next_path.unlink(missing_ok=True)
        raise
    if env_key:
        return RotationResult(
            keyring.current_id, new_id, creds, totps, base64.b64encode(key).decode(), sso, hooks
        )
    _write_key(keys_dir / "encryption.key", key)
    next_path.unlink(missing_ok=True)
    return RotationResult(
        keyring.current_id, new_id, creds, totps, sso_secrets=sso, stream_secrets=hooks
    )


def _reencrypt(store: Any, old: AesGcmCipher, new: AesGcmCipher) -> tuple[int, int, int, int]:
    from engine.observability import stream_secrets

    creds = totps = sso = hooks = 0
    now = utcnow()
    with store.db.write() as s:
        for row in s.exec(select(Credential)).all():
            try:
                plain = old.decrypt(row.data, credential_aad(row.id))
            except CredentialError as exc:
                raise CredentialError(
                    f"Credential '{row.name}' ({row.id}) cannot be "
                    f"decrypted, so nothing was rotated: {exc.message}",
                    details={"id": row.id},
                ) from None
            row.data = new.encrypt(plain, credential_aad(row.id))
            row.key_id = new.key_id
            row.updated_at = now
            s.add(row)
            creds += 1
        for user in s.exec(select(User).where(col(User.totp_secret).is_not(None))).all():
            assert user.totp_secret is not None
            try:
                plain = old.decrypt(user.totp_secret, _totp_aad(user.id))
            except CredentialError as exc:
                raise CredentialError(
                    f"The 2FA secret of {user.email} cannot be decrypted, "
                    f"so nothing was rotated: {exc.message}"
                ) from None
            user.totp_secret = new.encrypt(plain, _totp_aad(user.id))
            s.add(user)
            totps += 1
        for provider in s.exec(
            select(OidcProvider).where(col(OidcProvider.client_secret).is_not(None))
        ).all():
            assert provider.client_secret is not None
            aad = provider_secret_aad(provider.name)
            try:
                plain = old.decrypt(provider.client_secret, aad)
            except CredentialError as exc:
                raise CredentialError(
                    f"The client secret of the sign-in provider "
                    f"'{provider.name}' cannot be decrypted, so nothing was "
                    f"rotated: {exc.message}"
                ) from None
            provider.client_secret = new.encrypt(plain, aad)
            s.add(provider)
            sso += 1
        row = s.get(Setting, stream_secrets.SETTING)
        if row is not None and row.value:
            try:
                row.value, hooks = stream_secrets.reencrypt(row.value, old, new)
            except Exception as exc:
                raise CredentialError(
                    "A stream's signing secret cannot be decrypted, so nothing was "
                    f"rotated: {getattr(exc, 'message', exc)}"
                ) from None
            row.updated_at = now
            s.add(row)
    return creds, totps, sso, hooks


def key_status(store: Any, data_dir: Path, env_key: str | None = None) -> dict[str, Any]:
    """The current key id, the other keys kept, and how many credentials use each key."""
    keyring = load_keyring(data_dir, env_key)
    counts: dict[str, int] = {}
    for info in store.credentials.list():
        counts[info.key_id] = counts.get(info.key_id, 0) + 1
    return {
        "current": keyring.current_id,
        "old": sorted(keyring.old),
        "source": "AURA_ENCRYPTION_KEY" if env_key else str(data_dir / "keys"),
        "credentials_by_key": counts,
    }
