"""The start-up check of the encryption key: it must decrypt this installation's data.

A wrong ``AURA_ENCRYPTION_KEY`` (a typo, another environment's key, a lost key file)
would otherwise go unnoticed until someone runs a workflow with a credential. So every
process that serves or runs (``aura up``, the API, ``aura worker``, ``aura scheduler``)
calls :func:`check_encryption_key` first, and ``/readyz`` reports it:

* on the first start, a known sentinel is encrypted with the current key and kept in the
  key-value ``Setting`` table (``vault.key_check``); when the database already holds
  credentials from before this check existed, one of them must decrypt first;
* on every later start the sentinel must decrypt (with the current key or an older one
  the keyring keeps after a rotation; it is then re-encrypted with the current key).

A malformed key or one that does not decrypt raises :class:`EncryptionKeyError` with a
message saying what to do; nothing is changed then.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from sqlmodel import select

from engine.errors import CredentialError
from engine.vault.cipher import AesGcmCipher, load_keyring

__all__ = ["SENTINEL", "SETTING_KEY", "EncryptionKeyError", "check_encryption_key"]

SETTING_KEY = "vault.key_check"
SENTINEL = b"AURA encryption key check v1"
_AAD = b"aura/key-check"


class EncryptionKeyError(CredentialError):
    """The encryption key is malformed, or is not the key this installation's data was
    encrypted with."""

    code = "encryption_key_invalid"


def _source(env_key: str | None, data_dir: Path) -> str:
    return "AURA_ENCRYPTION_KEY" if env_key else f"the key file {data_dir / 'keys'}"


def _wrong(source: str, key_id: str, stored_id: str) -> EncryptionKeyError:
    return EncryptionKeyError(
        f"The encryption key ({source}, key id {key_id}) does not decrypt this "
        f"installation's data, which was encrypted with key {stored_id}. Set "
        "AURA_ENCRYPTION_KEY back to that key (or restore the keys/ folder of the data "
        "directory) and start again; nothing was changed.",
        details={"key_id": key_id, "expected_key_id": stored_id},
    )


def _existing_credential_ok(store: Any, cipher: AesGcmCipher) -> tuple[bool, str]:
    """Whether the first stored credential (if any) decrypts; its key id."""
    from engine.store.credentials import _aad as credential_aad
    from engine.store.models import Credential

    with store.db.read() as s:
        row = s.exec(select(Credential).limit(1)).first()
    if row is None:
        return True, ""
    try:
        cipher.decrypt(row.data, credential_aad(row.id))
    except CredentialError:
        return False, AesGcmCipher.blob_key_id(row.data)
    return True, ""


def check_encryption_key(store: Any, data_dir: Path, env_key: str | None) -> str:
    """Checks that the configured key decrypts this installation's data (see the module
    docstring); returns the current key id.

    Raises:
        EncryptionKeyError: the key is malformed or wrong for the stored data.
    """
    source = _source(env_key, data_dir)
    try:
        cipher = AesGcmCipher(load_keyring(data_dir, env_key))
    except CredentialError as exc:
        raise EncryptionKeyError(
            f"The encryption key ({source}) is unusable: {exc.message}", details={"source": source}
        ) from None
    stored = store.settings.get(SETTING_KEY)
    if isinstance(stored, dict) and isinstance(stored.get("blob"), str):
        try:
            blob = base64.b64decode(stored["blob"])
            ok = cipher.decrypt(blob, _AAD) == SENTINEL
        except (CredentialError, ValueError):
            ok = False
        if not ok:
            raise _wrong(source, cipher.key_id, str(stored.get("key_id", "?")))
        if stored.get("key_id") == cipher.key_id:
            return cipher.key_id
    else:
        ok, stored_id = _existing_credential_ok(store, cipher)
        if not ok:
            raise _wrong(source, cipher.key_id, stored_id)
    blob = cipher.encrypt(SENTINEL, _AAD)
    store.settings.set(
        SETTING_KEY, {"key_id": cipher.key_id, "blob": base64.b64encode(blob).decode()}
    )
    return cipher.key_id
