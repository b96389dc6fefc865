"""Signing keys of access tokens: Ed25519 key pairs in ``<data dir>/keys/jwt/``.

Each key is a PKCS#8 PEM file ``<kid>.pem`` (mode 0600; ``keys/`` and ``keys/jwt/`` 0700,
also when they existed with wider modes; ``state.json`` 0600) whose ``kid``
is a thumbprint of its public key. ``state.json`` names the current key and when older
keys were retired. :meth:`SigningKeys.rotate` makes a new current key; retired keys keep
verifying tokens until those tokens have expired, then they are deleted.

Every process sharing the data directory (studio, workers, CLI) sees a rotation: the
state file is re-read when it changes, and an unknown ``kid`` forces a re-read.
Asymmetric keys mean a verifier never holds anything that can sign (see :meth:`jwks`).

Processes that do not share a data directory (API replicas in containers) share
``AURA_SECRET_KEY`` instead: when it is set, the current key is derived from it (HKDF),
the same in every process, and nothing is written; ``AURA_SECRET_KEY_PREVIOUS`` keeps
the tokens signed with the key of the secret before it valid (rotation is changing the
secret everywhere). Key files from before the secret was set still verify until they
retire.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from engine.config import private_dir
from engine.errors import ConflictError
from engine.store.types import utcnow

__all__ = ["SigningKey", "SigningKeys", "kid_of"]


def kid_of(public: Ed25519PublicKey) -> str:
    """A key id: 16 hex digits of the sha256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    """One key pair and its id."""

    kid: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def derived_key(secret: str) -> SigningKey:
    """The signing key every process holding ``secret`` derives alike."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"aura access-token key v1"
    ).derive(secret.encode())
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return SigningKey(kid_of(private.public_key()), private)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class SigningKeys:
    """The Ed25519 keyring of one data directory.

    Args:
        directory: where keys live (``<data dir>/keys/jwt``).
        keep_retired: how long a retired key still verifies (>= the longest token life).
        secret: ``AURA_SECRET_KEY``: the current key is derived from it (no file).
        previous_secret: ``AURA_SECRET_KEY_PREVIOUS``: its derived key still verifies.
    """

    def __init__(
        self,
        directory: Path,
        keep_retired: timedelta,
        *,
        secret: str | None = None,
        previous_secret: str | None = None,
    ) -> None:
        self.directory = directory
        self.keep_retired = keep_retired
        self._derived = [derived_key(s) for s in (secret, previous_secret) if s] if secret else []
        self._keys: dict[str, SigningKey] = {}
        self._current = ""
        self._stamp: float | None = None
        self._load()

    # -- files ----------------------------------------------------------------------------
    @property
    def _state_path(self) -> Path:
        return self.directory / "state.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        private_dir(self.directory.parent)  # keys/: the vault key lives there too
        private_dir(self.directory)
        fd = os.open(self.directory / ".lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self._state_path.read_text())
        except (OSError, ValueError):
            return {"current": None, "retired": {}}
        return state if isinstance(state, dict) else {"current": None, "retired": {}}

    def _write_state(self, state: dict[str, Any]) -> None:
        _write_private(self._state_path, json.dumps(state, indent=1).encode())

    def _new_key(self) -> str:
        private = Ed25519PrivateKey.generate()
        kid = kid_of(private.public_key())
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(self.directory / f"{kid}.pem", pem)
        return kid

    def _prune(self, state: dict[str, Any], now: datetime) -> None:
        retired: dict[str, str] = dict(state.get("retired") or {})
        for kid, when in list(retired.items()):
            if datetime.fromisoformat(when) + self.keep_retired < now:
                with contextlib.suppress(FileNotFoundError):
                    (self.directory / f"{kid}.pem").unlink()
                del retired[kid]
        state["retired"] = retired

    def _load(self) -> None:
        if self._derived:
            self._load_derived()
            return
        with self._locked():
            state = self._read_state()
            if (
                not state.get("current")
                or not (self.directory / f"{state['current']}.pem").exists()
            ):
                state = {"current": self._new_key(), "retired": state.get("retired") or {}}
                self._write_state(state)
            self._stamp = self._state_path.stat().st_mtime_ns
        keys: dict[str, SigningKey] = {}
        for kid in [state["current"], *(state.get("retired") or {})]:
            path = self.directory / f"{kid}.pem"
            if not path.exists():
                continue
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(private, Ed25519PrivateKey):
                keys[kid] = SigningKey(kid, private)
        self._keys, self._current = keys, state["current"]

    def _load_derived(self) -> None:
        """Keys from the secret (the first signs), then any key files still retiring."""
        keys = {k.kid: k for k in self._derived}
        try:
            self._stamp = self._state_path.stat().st_mtime_ns
        except OSError:
            self._stamp = None
        state = self._read_state()
        for kid in [state.get("current"), *(state.get("retired") or {})]:
            path = self.directory / f"{kid}.pem"
            if kid and kid not in keys and path.exists():
                private = serialization.load_pem_private_key(path.read_bytes(), password=None)
                if isinstance(private, Ed25519PrivateKey):
                    keys[kid] = SigningKey(kid, private)
        self._keys, self._current = keys, self._derived[0].kid

    def _fresh(self) -> None:
        try:
            stamp = self._state_path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._load()

    # -- use ------------------------------------------------------------------------------
    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        self._fresh()
        return self._keys[self._current]

    def get(self, kid: str) -> SigningKey | None:
        """The key with id ``kid`` (current or retired), re-reading the directory once."""
        self._fresh()
        if kid not in self._keys:
            self._load()
        return self._keys.get(kid)

    def kids(self) -> list[str]:
        """Ids of the keys that verify tokens, current first."""
        self._fresh()
        return [self._current, *(k for k in self._keys if k != self._current)]

    def rotate(self, *, now: datetime | None = None) -> str:
        """Makes a new current key, retires the old one, deletes expired ones. Returns the
        new ``kid``. Tokens signed before keep working until they expire.

        Raises:
            ConflictError: the keys come from ``AURA_SECRET_KEY`` (rotate that instead).
        """
        if self._derived:
            raise ConflictError(
                "Access tokens are signed with a key derived from AURA_SECRET_KEY. To rotate "
                "it, set AURA_SECRET_KEY_PREVIOUS to the current secret and AURA_SECRET_KEY "
                "to a new one on every process, then restart them.",
                details={"check": "secret_key"},
            )
        now = now or utcnow()
        with self._locked():
            state = self._read_state()
            retired = dict(state.get("retired") or {})
            if state.get("current"):
                retired[state["current"]] = now.isoformat()
            state = {"current": self._new_key(), "retired": retired}
            self._prune(state, now)
            self._write_state(state)
        self._load()
        return self._current

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JSON Web Key Set (for other verifiers)."""
        out = []
        for kid in self.kids():
            raw = self._keys[kid].public.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
            out.append(
                {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x}
            )
        return {"keys": out}
