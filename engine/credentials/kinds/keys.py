"""Key material kinds: an HMAC secret and a PEM private key."""

from __future__ import annotations

from typing import ClassVar

from engine.credentials.base import CredentialKind, TestResult, secret

__all__ = ["HmacSecret", "PrivateKey"]


class HmacSecret(CredentialKind):
    kind: ClassVar[str] = "hmac_secret"
    title: ClassVar[str] = "HMAC secret"
    description: ClassVar[str] = "A shared secret for signing and checking webhooks."

    secret: str = secret("The shared signing secret.", min_length=1)

    def test(self) -> TestResult:
        if len(self.secret) < 16:
            return TestResult(False, "The secret is shorter than 16 characters; use a long "
                              "random one.")
        return TestResult(True, "The secret is set.")


class PrivateKey(CredentialKind):
    kind: ClassVar[str] = "private_key"
    title: ClassVar[str] = "Private key"
    description: ClassVar[str] = "A PEM private key (RSA, EC or Ed25519) for signing."

    private_key: str = secret("PEM private key.", min_length=1)
    passphrase: str = secret("Passphrase of the key.", default="")

    def test(self) -> TestResult:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        try:
            key = load_pem_private_key(self.private_key.encode(),
                                       self.passphrase.encode() or None)
        except (ValueError, TypeError) as exc:
            return TestResult(False, f"The key cannot be read: {exc}")
        return TestResult(True, f"A {type(key).__name__.lstrip('_')} loads.")
