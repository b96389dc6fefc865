"""The credentials vault: AES-256-GCM encryption at rest and its key rotation, signing
helpers (Ed25519/RSA/ECDSA, HMAC), and redaction of secrets from data and logs."""

from __future__ import annotations

from engine.vault.cipher import AesGcmCipher, Keyring, cipher_from_settings, load_keyring
from engine.vault.redact import Redactor, redact

__all__ = ["AesGcmCipher", "Keyring", "Redactor", "cipher_from_settings", "load_keyring",
           "redact"]
