"""Crypto: hashes, HMACs, signatures and random values for each item."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import uuid
from typing import Any

from engine.sdk import CredentialError, Item, NodeContext, NodeExecutionError
from nodes.core.crypto.spec import CryptoParams

_ALPHABETS = {
    "alphanumeric": string.ascii_letters + string.digits,
    "ascii": "".join(chr(c) for c in range(33, 127)),
    "numeric": string.digits,
}


def _encode(raw: bytes, encoding: str) -> str:
    if encoding == "hex":
        return raw.hex()
    if encoding == "base64url":
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return base64.b64encode(raw).decode("ascii")


def _input_bytes(p: CryptoParams, item: Item) -> bytes:
    if p.input_type == "binary":
        binary = (item.binary or {}).get(p.binary_property)
        if binary is None:
            have = ", ".join(sorted(item.binary or {})) or "none"
            raise NodeExecutionError(
                f"The item has no binary property '{p.binary_property}' (it has: {have}). "
                "Set 'Binary property', or switch 'Input type' to 'value'."
            )
        return binary.content()
    value = p.value
    if value is None:
        raise NodeExecutionError(
            "'Value' is empty (null). Check the expression: the field it reads may be "
            "missing on this item."
        )
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return str(value).encode("utf-8")


def _random(kind: str, length: int) -> str:
    if kind == "uuid":
        return str(uuid.uuid4())
    if kind == "hex":
        return secrets.token_hex((length + 1) // 2)[:length]
    if kind in ("base64", "base64url"):
        raw = secrets.token_bytes(length)  # more than enough entropy for length chars
        return _encode(raw, kind).rstrip("=")[:length]
    alphabet = _ALPHABETS[kind]
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _secret(ctx: NodeContext, p: CryptoParams, cache: dict[str, Any]) -> bytes:
    if p.secret:
        return p.secret.encode("utf-8")
    if "hmac" not in cache:
        try:
            data = ctx.credentials("hmac_secret")
        except CredentialError:
            raise NodeExecutionError(
                "HMAC needs a secret: choose a credential in the 'hmac_secret' slot, or "
                "fill in 'Secret'."
            ) from None
        secret = data.get("secret") or data.get("value") or data.get("key")
        if not secret:
            raise CredentialError(
                "The hmac_secret credential has no 'secret' field. Open "
                "the credential and fill it in."
            )
        cache["hmac"] = str(secret).encode("utf-8")
    secret_bytes: bytes = cache["hmac"]
    return secret_bytes


def _private_key(ctx: NodeContext, p: CryptoParams, cache: dict[str, Any]) -> Any:
    if "key" in cache:
        return cache["key"]
    pem, passphrase = p.private_key, None
    if not pem:
        try:
            data = ctx.credentials("private_key")
        except CredentialError:
            raise NodeExecutionError(
                "Signing needs a private key: choose a credential in the 'private_key' "
                "slot, or paste a PEM key into 'Private key'."
            ) from None
        pem = str(data.get("private_key") or data.get("key") or "")
        passphrase = data.get("passphrase") or None
    from nodes.core.crypto._sign import load_private_key

    cache["key"] = load_private_key(pem, passphrase)
    return cache["key"]


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Computes the operation for each item and stores it in the output field."""
    cache: dict[str, Any] = {}

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, CryptoParams)
        if p.operation == "generate":
            result = _random(p.generate_type, p.length)
        elif p.operation == "hash":
            result = _encode(hashlib.new(p.algorithm, _input_bytes(p, item)).digest(), p.encoding)
        elif p.operation == "hmac":
            mac = hmac.new(_secret(ctx, p, cache), _input_bytes(p, item), p.algorithm)
            result = _encode(mac.digest(), p.encoding)
        else:
            from nodes.core.crypto._sign import sign

            signature = sign(_private_key(ctx, p, cache), p.sign_algorithm, _input_bytes(p, item))
            result = _encode(signature, p.encoding)
        return item.derive({**item.json, p.output_field: result}, index=i)

    return ctx.map(one)
