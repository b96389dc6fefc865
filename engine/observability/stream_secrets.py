"""Signing secrets of the webhook streams (:mod:`engine.observability.streaming`).

Each webhook stream has its own secret. Every ``POST`` to it carries
``X-Aura-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``
(:func:`engine.vault.signing.sign_webhook`), so the receiver can check the body came from
this AURA and refuse replays of old deliveries (see docs/operations.md for a
verification snippet).

The secrets live in the vault: encrypted with AES-256-GCM under the installation's key
(additional data naming the stream) in the ``Setting`` table under :data:`SETTING`, apart
from the streams' configuration, which never holds them. They are shown once, when AURA
generates one (saving a new webhook stream, or :func:`rotate`), and every process that
reads one registers it with the log masker, so it never appears in a log line. The key
rotation (``aura credentials rotate-key``) re-encrypts them with the other secrets.
"""

from __future__ import annotations

import base64
import secrets as _secrets
from collections.abc import Iterable
from typing import Any

__all__ = ["HEADER", "SETTING", "aad", "load_all", "rotate", "sync"]

SETTING = "observability.stream_secrets"
HEADER = "X-Aura-Signature"
"""The request header carrying ``t=<unix>,v1=<hex>``."""
MIN_LENGTH = 24


def aad(name: str) -> bytes:
    """The additional authenticated data of a stream's secret (ties it to the stream)."""
    return f"aura/stream-secret/{name}".encode()


def _cipher() -> Any:
    from engine.vault import cipher_from_settings

    return cipher_from_settings()


def _raw(store: Any) -> dict[str, str]:
    raw = store.settings.get(SETTING) or {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _seal(cipher: Any, name: str, secret: str) -> str:
    return base64.b64encode(cipher.encrypt(secret.encode(), aad(name))).decode()


def load_all(store: Any) -> dict[str, str]:
    """Every stream's secret in the clear, by stream name (registered with the log
    masker); a secret that does not decrypt is left out (that stream goes unsigned)."""
    from engine.observability.logging import register_secrets

    sealed = _raw(store)
    if not sealed:
        return {}
    cipher, out = _cipher(), {}
    for name, blob in sealed.items():
        try:
            out[name] = cipher.decrypt(base64.b64decode(blob), aad(name)).decode()
        except Exception:  # noqa: S112 (a wrong key: unsigned, and the sender says so)
            continue
    register_secrets(out.values())
    return out


def new_secret() -> str:
    """A fresh secret (256 bits, URL-safe text)."""
    return "whsec_" + _secrets.token_urlsafe(32)


def sync(store: Any, names: Iterable[str], given: dict[str, str]) -> dict[str, str]:
    """Makes the stored secrets match the webhook streams ``names``: ``given`` ones are
    set, streams without a secret get a generated one, secrets of streams gone are
    dropped. Returns the generated secrets (to be shown once)."""
    from engine.observability.logging import register_secrets

    wanted = list(names)
    sealed = {k: v for k, v in _raw(store).items() if k in wanted}
    cipher, generated = _cipher(), {}
    for name in wanted:
        if name in given:
            sealed[name] = _seal(cipher, name, given[name])
        elif name not in sealed:
            generated[name] = new_secret()
            sealed[name] = _seal(cipher, name, generated[name])
    register_secrets([*given.values(), *generated.values()])
    store.settings.set(SETTING, sealed)
    return generated


def rotate(store: Any, name: str) -> str:
    """A new secret for the stream ``name`` (the old one stops working at once)."""
    secret = new_secret()
    sealed = _raw(store)
    sealed[name] = _seal(_cipher(), name, secret)
    store.settings.set(SETTING, sealed)
    from engine.observability.logging import register_secrets

    register_secrets([secret])
    return secret


def reencrypt(value: Any, old: Any, new: Any) -> tuple[dict[str, str], int]:
    """The stored ``value`` re-encrypted from cipher ``old`` to ``new`` (key rotation),
    and how many secrets it holds. Raises when one does not decrypt."""
    out: dict[str, str] = {}
    for name, blob in (value or {}).items():
        plain = old.decrypt(base64.b64decode(blob), aad(name))
        out[name] = base64.b64encode(new.encrypt(plain, aad(name))).decode()
    return out, len(out)
