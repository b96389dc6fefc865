"""Signing with a PEM private key (RSA, ECDSA, Ed25519) using ``cryptography``."""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from engine.sdk import NodeExecutionError

__all__ = ["load_private_key", "sign"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def load_private_key(pem: str, passphrase: str | None) -> Any:
    """Parses a PEM private key; raises NodeExecutionError with a hint when it cannot."""
    text = pem.strip()
    if not text:
        raise NodeExecutionError(
            "The private key is empty. Paste a PEM key starting with '-----BEGIN PRIVATE KEY-----'."
        )
    if "\\n" in text and "\n" not in text:
        text = text.replace("\\n", "\n")  # keys pasted as one line with escaped newlines
    try:
        return serialization.load_pem_private_key(
            text.encode(), password=passphrase.encode() if passphrase else None
        )
    except TypeError as exc:
        raise NodeExecutionError(
            f"The private key {'needs' if 'encrypted' in str(exc) else 'does not use'} a "
            "passphrase: set 'passphrase' in the credential accordingly."
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise NodeExecutionError(
            f"Cannot read the private key ({exc}). It must be PEM text, such as "
            "'-----BEGIN PRIVATE KEY-----...', and the passphrase must match."
        ) from None


def sign(key: Any, algorithm: str, data: bytes) -> bytes:
    """Signs ``data`` with ``key`` using ``algorithm`` (e.g. ``rsa_sha256``, ``ed25519``)."""
    if algorithm == "ed25519":
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise _mismatch(algorithm, key)
        return key.sign(data)
    family, _, digest = algorithm.rpartition("_")
    hash_alg = _HASHES[digest]()
    if family in ("rsa", "rsa_pss"):
        if not isinstance(key, rsa.RSAPrivateKey):
            raise _mismatch(algorithm, key)
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=padding.PSS.DIGEST_LENGTH)
            if family == "rsa_pss"
            else padding.PKCS1v15()
        )
        return key.sign(data, pad, hash_alg)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise _mismatch(algorithm, key)
    return key.sign(data, ec.ECDSA(hash_alg))


def _mismatch(algorithm: str, key: Any) -> NodeExecutionError:
    kind = type(key).__name__.removeprefix("_").replace("PrivateKey", "") or "unknown"
    return NodeExecutionError(
        f"Signature algorithm '{algorithm}' does not fit this {kind} key. Choose the "
        "algorithm of the key's type (rsa_*, ecdsa_* or ed25519)."
    )
