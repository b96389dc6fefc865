"""The trust store of publisher keys, and the signature checks that use it.

Owners and admins keep the public keys of the publishers they trust (setting
``marketplace.publishers``: publisher -> PEM, fingerprint, who added it and when). A
package file is accepted as signed when its ``.sig`` record verifies
(:func:`engine.vault.signing.verify`) with the key of the publisher whose namespace the
package is in; a catalogue index when its signature verifies with the key of a trusted
publisher. Each refusal says which check failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from engine.errors import PackageInstallError, ValidationError
from engine.marketplace.build import signed_message
from engine.marketplace.package import Package

__all__ = [
    "SETTING_KEY",
    "add_publisher",
    "fingerprint",
    "publishers",
    "remove_publisher",
    "verify_index",
    "verify_package",
]

SETTING_KEY = "marketplace.publishers"
_PUBLISHER_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def fingerprint(public_pem: str) -> str:
    """A short stable id of a key: SHA-256 of its PEM text, first 16 hex digits."""
    return hashlib.sha256(public_pem.strip().encode()).hexdigest()[:16]


def publishers(store: Any) -> dict[str, dict[str, Any]]:
    value = store.settings.get(SETTING_KEY)
    return dict(value) if isinstance(value, dict) else {}


def add_publisher(store: Any, name: str, public_pem: str, *, added_by: str = "") -> dict[str, Any]:
    """Trusts ``public_pem`` for publisher ``name`` (replacing an earlier key)."""
    from cryptography.hazmat.primitives import serialization

    if not _PUBLISHER_RE.match(name or ""):
        raise ValidationError(f"Publisher '{name}' must be 2-32 lower-case letters, digits or _.")
    try:
        serialization.load_pem_public_key(public_pem.encode())
    except (ValueError, TypeError):
        raise ValidationError(
            "The publisher key is not a PEM public key (it starts with "
            "'-----BEGIN PUBLIC KEY-----')."
        ) from None
    entry = {
        "public_key": public_pem.strip() + "\n",
        "fingerprint": fingerprint(public_pem),
        "added_by": added_by,
        "added_at": datetime.now(UTC).isoformat(),
    }
    current = publishers(store)
    current[name] = entry
    store.settings.set(SETTING_KEY, current)
    return entry


def remove_publisher(store: Any, name: str) -> bool:
    current = publishers(store)
    if current.pop(name, None) is None:
        return False
    store.settings.set(SETTING_KEY, current)
    return True


def _decode(sig: Any) -> bytes:
    try:
        return base64.b64decode(str(sig), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _fail(message: str, check: str, **details: Any) -> PackageInstallError:
    return PackageInstallError(message, details={"check": check, **details})


def verify_package(store: Any, pkg: Package, sig: dict[str, Any] | None) -> str:
    """The publisher whose trusted key signed ``pkg``.

    Raises:
        PackageInstallError: ``check`` is ``unsigned``, ``hash`` (the record is for other
            bytes), ``namespace`` (signed by a publisher other than the package's),
            ``untrusted_publisher`` or ``signature`` (does not verify with that key).
    """
    from engine.vault.signing import verify

    if not sig or not sig.get("signature"):
        raise _fail(
            f"{pkg.name} {pkg.version} is not signed. Install it only if you trust "
            "its source, with the explicit unsigned-package override.",
            "unsigned",
        )
    if sig.get("sha256") and sig["sha256"] != pkg.sha256:
        raise _fail(
            f"The signature of {pkg.name} {pkg.version} is for another file (hash "
            "mismatch): the package was changed after it was signed.",
            "hash",
        )
    publisher = str(sig.get("publisher") or "")
    if publisher != pkg.manifest.publisher:
        raise _fail(
            f"{pkg.name} is in the namespace '{pkg.manifest.publisher}' but signed by "
            f"'{publisher}': a publisher may only sign its own packages.",
            "namespace",
        )
    trusted = publishers(store).get(publisher)
    if trusted is None:
        raise _fail(
            f"Publisher '{publisher}' is not trusted here. An owner or admin can add "
            "its key ('aura packages trust add') if you trust it.",
            "untrusted_publisher",
            publisher=publisher,
        )
    message = signed_message(pkg.name, pkg.version, pkg.sha256)
    if not verify(trusted["public_key"], message, _decode(sig["signature"])):
        raise _fail(
            f"The signature of {pkg.name} {pkg.version} does not verify with the "
            f"trusted key of '{publisher}' (tampered file or another key).",
            "signature",
            publisher=publisher,
        )
    return publisher


def verify_index(store: Any, body: bytes, sig: dict[str, Any] | None) -> str:
    """The trusted publisher who signed a catalogue index ``body``.

    Raises:
        PackageInstallError: ``check`` is ``index_unsigned``, ``untrusted_publisher`` or
            ``index_signature``.
    """
    from engine.vault.signing import verify

    if not sig or not sig.get("signature") or not sig.get("signer"):
        raise _fail(
            "The catalogue index is not signed; AURA only reads signed catalogues.",
            "index_unsigned",
        )
    signer = str(sig["signer"])
    trusted = publishers(store).get(signer)
    if trusted is None:
        raise _fail(
            f"The catalogue is signed by '{signer}', who is not a trusted publisher "
            "here. Add its key if you trust it.",
            "untrusted_publisher",
            publisher=signer,
        )
    if not verify(trusted["public_key"], body, _decode(sig["signature"])):
        raise _fail(
            f"The catalogue index signature does not verify with the key of "
            f"'{signer}': the index was changed after signing or signed by another "
            "key.",
            "index_signature",
            publisher=signer,
        )
    return signer
