"""AES-256-GCM with a fresh 96-bit nonce per record and associated data.

Blob layout: ``b"A1" | key_id length (1 byte) | key_id | nonce (12) | ciphertext+tag``.
The associated data binds a blob to its record (id and kind), so a blob copied onto
another record does not decrypt. Keys: ``AURA_ENCRYPTION_KEY`` (base64 of 32 bytes), or
a key generated into ``<data dir>/keys/encryption.key`` with 0600 permissions. Old keys
(``keys/old-<kid>.key``) stay in the keyring for decryption after a rotation
(:mod:`engine.vault.rotation`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.config import private_dir, private_file
from engine.errors import CredentialError

__all__ = ["AesGcmCipher", "Keyring", "cipher_from_settings", "key_id_of", "load_keyring"]

MAGIC = b"A1"


def key_id_of(key: bytes) -> str:
    """A short public identifier of a key (not reversible)."""
    return hashlib.sha256(b"aura-key-id" + key).hexdigest()[:12]


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise CredentialError(
            "AURA_ENCRYPTION_KEY must be 32 random bytes in base64 (44 "
            'characters). Generate one with: python -c "import base64,'
            'os;print(base64.b64encode(os.urandom(32)).decode())"'
        )
    return raw


@dataclass
class Keyring:
    """The current key (encrypts) and older keys (decrypt only), by key id."""

    current: bytes
    old: dict[str, bytes] = field(default_factory=dict)

    @property
    def current_id(self) -> str:
        return key_id_of(self.current)

    def key(self, key_id: str) -> bytes:
        if key_id == self.current_id:
            return self.current
        if key_id in self.old:
            return self.old[key_id]
        raise CredentialError(
            f"Credential was encrypted with key {key_id}, which this "
            "installation does not have. Restore the old key (keys/ in the "
            "data directory) or re-enter the credential."
        )


class AesGcmCipher:
    """Implements the store's ``Cipher`` protocol."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self.key_id: str = keyring.current_id

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        kid = self.key_id.encode()
        nonce = secrets.token_bytes(12)
        ct = AESGCM(self.keyring.current).encrypt(nonce, plaintext, aad)
        return MAGIC + bytes([len(kid)]) + kid + nonce + ct

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 3 or blob[:2] != MAGIC:
            raise CredentialError("Stored credential data is not in a format this AURA reads.")
        n = blob[2]
        kid = blob[3 : 3 + n].decode(errors="replace")
        nonce = blob[3 + n : 15 + n]
        try:
            return AESGCM(self.keyring.key(kid)).decrypt(nonce, blob[15 + n :], aad)
        except InvalidTag:
            raise CredentialError(
                "Credential data failed its integrity check (wrong key, or "
                "the data was changed or moved to another record)."
            ) from None

    @staticmethod
    def blob_key_id(blob: bytes) -> str:
        return blob[3 : 3 + blob[2]].decode(errors="replace") if len(blob) > 3 else ""


def _tighten(keys_dir: Path) -> None:
    """``keys/`` (vault and token signing keys) for this user only: folders 0700, files
    0600, also when an older version left them readable by others."""
    private_dir(keys_dir)
    for path in keys_dir.rglob("*"):
        if path.is_dir():
            private_dir(path)
        else:
            private_file(path)


def load_keyring(data_dir: Path, env_key: str | None = None) -> Keyring:
    """The keyring from ``AURA_ENCRYPTION_KEY`` or the data directory (generated once)."""
    keys_dir = data_dir / "keys"
    old: dict[str, bytes] = {}
    if keys_dir.is_dir():
        _tighten(keys_dir)
        # old-*: keys retired by a rotation; next-*: a rotation's new key before it is
        # installed (so data re-encrypted by a rotation that stopped half-way decrypts)
        for f in [*sorted(keys_dir.glob("old-*.key")), *sorted(keys_dir.glob("next-*.key"))]:
            k = _decode_key(f.read_text())
            old[key_id_of(k)] = k
    if env_key:
        return Keyring(_decode_key(env_key), old)
    path = keys_dir / "encryption.key"
    if not path.exists():
        private_dir(keys_dir)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return Keyring(_decode_key(path.read_text()), old)


def cipher_from_settings() -> AesGcmCipher:
    """The vault cipher of this installation (``AURA_ENCRYPTION_KEY`` or the data dir)."""
    from engine.config import settings

    s = settings()
    return AesGcmCipher(load_keyring(s.data_dir, s.security.encryption_key))
