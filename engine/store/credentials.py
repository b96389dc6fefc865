"""Credentials (``store.credentials``): secrets encrypted at rest behind a :class:`Cipher`.

The repository never decides how to encrypt: callers pass a cipher (AES-256-GCM with a
rotatable key comes with the vault). The ciphertext is bound to the credential's id as
associated data, so a blob copied onto another row does not decrypt. The only way to
read secrets is :meth:`CredentialRepository.get_data`; everything else returns
:class:`CredentialInfo`, which has no ``data`` at all.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select as sa_select
from sqlmodel import col, delete

from engine.errors import CredentialError, NotFoundError
from engine.store._repo import Repository
from engine.store.models import Credential
from engine.store.types import new_id, utcnow

__all__ = ["Cipher", "CredentialInfo", "CredentialRepository"]

_HINT = "List credentials with 'aura credential list'."


@runtime_checkable
class Cipher(Protocol):
    """Encrypts credential data. ``key_id`` names the key, stored beside each blob so
    that a keyring can pick the right key after a rotation."""

    key_id: str

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        """Ciphertext of ``plaintext``, authenticated together with ``aad``."""
        ...

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of ``blob``; raises if it was tampered with or ``aad`` differs."""
        ...


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """What may be shown about a credential: everything except its secrets."""

    id: str
    name: str
    kind: str
    project_id: str | None
    key_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Credential) -> CredentialInfo:
        return cls(id=row.id, name=row.name, kind=row.kind, project_id=row.project_id,
                   key_id=row.key_id, created_at=row.created_at, updated_at=row.updated_at)


def _aad(id: str) -> bytes:
    return f"aura/credential/{id}".encode()


def _seal(id: str, data: Mapping[str, Any], cipher: Cipher) -> bytes:
    plaintext = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"))
    return cipher.encrypt(plaintext.encode("utf-8"), _aad(id))


class CredentialRepository(Repository):
    """Create, read, update, list and delete credentials."""

    def create(self, name: str, kind: str, data: Mapping[str, Any], cipher: Cipher, *,
               project_id: str | None = None) -> CredentialInfo:
        """Encrypts ``data`` (a JSON object) with ``cipher`` and stores it."""
        cid = new_id()
        now = utcnow()
        row = Credential(id=cid, name=name, kind=kind, project_id=project_id,
                         data=_seal(cid, data, cipher), key_id=cipher.key_id,
                         created_at=now, updated_at=now)
        with self._db.write() as s:
            s.add(row)
        return CredentialInfo.of(row)

    def get(self, id: str) -> CredentialInfo:
        """Name, kind and dates of a credential (no secrets). Raises NotFoundError."""
        with self._db.read() as s:
            return CredentialInfo.of(self._require(s, Credential, id, "credential", _HINT))

    def get_data(self, id: str, cipher: Cipher) -> dict[str, Any]:
        """The decrypted secret fields of a credential.

        Raises:
            NotFoundError: no such credential.
            CredentialError: the blob does not decrypt with ``cipher`` (wrong key?).
        """
        with self._db.read() as s:
            row = self._require(s, Credential, id, "credential", _HINT)
        try:
            data = json.loads(cipher.decrypt(row.data, _aad(row.id)).decode("utf-8"))
        except Exception as exc:
            raise CredentialError(
                f"Credential '{row.name}' could not be decrypted with key "
                f"{cipher.key_id!r} (it was encrypted with key {row.key_id!r}). Check "
                "that AURA_ENCRYPTION_KEY is the key this instance was set up with.",
                details={"id": row.id, "key_id": row.key_id}) from exc
        if not isinstance(data, dict):
            raise CredentialError(f"Credential '{row.name}' holds no JSON object.",
                                  details={"id": row.id})
        return data

    def update(self, id: str, *, name: str | None = None, kind: str | None = None,
               data: Mapping[str, Any] | None = None, cipher: Cipher | None = None
               ) -> CredentialInfo:
        """Renames a credential and/or replaces its secrets (re-encrypted with ``cipher``,
        which is required with ``data``)."""
        if data is not None and cipher is None:
            raise TypeError("update(data=...) needs the cipher to encrypt it with")
        with self._db.write() as s:
            row = self._require(s, Credential, id, "credential", _HINT)
            if name is not None:
                row.name = name
            if kind is not None:
                row.kind = kind
            if data is not None and cipher is not None:
                row.data = _seal(row.id, data, cipher)
                row.key_id = cipher.key_id
            row.updated_at = utcnow()
            s.add(row)
            return CredentialInfo.of(row)

    def list(self, *, kind: str | None = None, project_id: str | None = None
             ) -> builtins.list[CredentialInfo]:
        """Credentials by name, optionally of one kind or project; never with secrets."""
        C = Credential
        stmt = sa_select(col(C.id), col(C.name), col(C.kind), col(C.project_id),
                         col(C.key_id), col(C.created_at), col(C.updated_at))
        if kind is not None:
            stmt = stmt.where(col(C.kind) == kind)
        if project_id is not None:
            stmt = stmt.where(col(C.project_id) == project_id)
        with self._db.read() as s:
            rows = s.connection().execute(stmt.order_by(col(C.name), col(C.id))).all()
        return [CredentialInfo(*r) for r in rows]

    def delete(self, id: str) -> None:
        """Deletes a credential. Raises NotFoundError."""
        with self._db.write() as s:
            result = s.exec(delete(Credential).where(col(Credential.id) == id))
            if not result.rowcount:
                raise NotFoundError(f"No credential with id {id!r}. {_HINT}",
                                    details={"id": id})
