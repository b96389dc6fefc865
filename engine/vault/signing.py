"""Signatures: Ed25519/RSA/ECDSA for package signatures, HMAC-SHA256 for webhooks.

* :func:`generate_keypair`, :func:`sign`, :func:`verify` work on PEM keys. RSA uses
  PSS with SHA-256, ECDSA uses SHA-256, Ed25519 signs the message itself. ``verify``
  returns False for a bad signature (it never raises for one).
* :func:`hmac_sign` / :func:`hmac_verify` compare in constant time and accept the
  ``sha256=<hex>`` form many services send (GitHub's ``X-Hub-Signature-256``).
* :func:`sign_webhook` / :func:`verify_webhook` add a timestamp (``t=<unix>,v1=<hex>``)
  so that a captured request cannot be replayed after ``tolerance_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from engine.errors import ValidationError

__all__ = ["generate_keypair", "hmac_sign", "hmac_verify", "public_key_of", "sign",
           "sign_webhook", "verify", "verify_webhook"]

KeyType = Literal["ed25519", "rsa", "ecdsa"]


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def generate_keypair(key_type: KeyType = "ed25519", *, rsa_bits: int = 3072
                     ) -> tuple[bytes, bytes]:
    """A new ``(private PEM, public PEM)`` pair (private key unencrypted, PKCS#8)."""
    private: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if key_type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    elif key_type == "ecdsa":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValidationError(f"Unknown key type {key_type!r}: use ed25519, rsa or ecdsa.")
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return pem, public_key_of(pem)


def _load_private(pem: bytes | str, password: bytes | str | None) -> object:
    try:
        return serialization.load_pem_private_key(
            _bytes(pem), _bytes(password) if password else None)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"The private key cannot be read: {exc}") from None


def public_key_of(private_pem: bytes | str, password: bytes | str | None = None) -> bytes:
    """The public PEM (SubjectPublicKeyInfo) of a private PEM key."""
    key = _load_private(private_pem, password)
    return key.public_key().public_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(private_pem: bytes | str, data: bytes | str, *,
         password: bytes | str | None = None) -> bytes:
    """The signature of ``data`` with an Ed25519, RSA (PSS) or ECDSA private key."""
    key = _load_private(private_pem, password)
    message = _bytes(data)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                             salt_length=padding.PSS.MAX_LENGTH),
                        hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    raise ValidationError(f"Signing with a {type(key).__name__} key is not supported; use "
                          "Ed25519, RSA or ECDSA.")


def verify(public_pem: bytes | str, data: bytes | str, signature: bytes) -> bool:
    """True when ``signature`` is a valid signature of ``data`` by the key's owner."""
    try:
        key = serialization.load_pem_public_key(_bytes(public_pem))
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"The public key cannot be read: {exc}") from None
    message = _bytes(data)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message,
                       padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                   salt_length=padding.PSS.AUTO), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def hmac_sign(secret: bytes | str, body: bytes | str) -> str:
    """Hex HMAC-SHA256 of ``body``."""
    return hmac.new(_bytes(secret), _bytes(body), hashlib.sha256).hexdigest()


def hmac_verify(secret: bytes | str, body: bytes | str, signature: str | None) -> bool:
    """Constant-time check of a hex HMAC-SHA256 (``sha256=`` prefix accepted)."""
    if not signature or not secret:
        return False
    sig = signature.strip()
    if sig.lower().startswith("sha256="):
        sig = sig[7:]
    return hmac.compare_digest(hmac_sign(secret, body), sig.lower())


def sign_webhook(secret: bytes | str, body: bytes | str, timestamp: int | None = None) -> str:
    """A ``t=<unix>,v1=<hex>`` signature header over ``"<t>." + body``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={hmac_sign(secret, str(t).encode() + b'.' + _bytes(body))}"


def verify_webhook(secret: bytes | str, body: bytes | str, header: str | None, *,
                   tolerance_s: int = 300, now: float | None = None) -> bool:
    """Checks a :func:`sign_webhook` header: right signature, timestamp within
    ``tolerance_s`` of now (stops replays). Any ``v1`` entry may match (key rollover)."""
    if not header:
        return False
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        k, _, v = item.strip().partition("=")
        parts.setdefault(k, []).append(v)
    try:
        t = int(parts["t"][0])
    except (KeyError, ValueError, IndexError):
        return False
    current = time.time() if now is None else now
    if abs(current - t) > tolerance_s:
        return False
    expected = hmac_sign(secret, str(t).encode() + b"." + _bytes(body))
    return any(hmac.compare_digest(expected, v) for v in parts.get("v1", []))
