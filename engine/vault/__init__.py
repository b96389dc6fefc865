"""The credentials vault: AES-256-GCM encryption of credential data at rest."""

from __future__ import annotations

from engine.vault.cipher import AesGcmCipher, Keyring, load_keyring

__all__ = ["AesGcmCipher", "Keyring", "load_keyring"]
