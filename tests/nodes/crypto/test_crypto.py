"""Crypto: random values (by their properties), files, signatures verified with the public key."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from engine.sdk import Binary
from engine.sdk.testing import HarnessResult, NodeHarness


def run(params: dict[str, Any], input: Any = None, **kw: Any) -> HarnessResult:
    return NodeHarness("core.crypto").run(parameters=params, input=input or [{}], **kw)


def values(params: dict[str, Any], n: int = 1, **kw: Any) -> list[Any]:
    res = run(params, [{}] * n, **kw)
    assert res.error is None, res.error
    return [o[params.get("output_field", "data")] for o in res.json()]


def test_uuid_v4_is_unique_per_item() -> None:
    out = values({"operation": "generate"}, n=50)
    assert len(set(out)) == 50
    for v in out:
        assert uuid.UUID(v).version == 4


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("hex", r"[0-9a-f]{17}"),
        ("base64", r"[A-Za-z0-9+/]{17}"),
        ("base64url", r"[A-Za-z0-9_\-]{17}"),
        ("alphanumeric", r"[A-Za-z0-9]{17}"),
        ("ascii", r"[!-~]{17}"),
        ("numeric", r"[0-9]{17}"),
    ],
)
def test_random_strings(kind: str, pattern: str) -> None:
    out = values(
        {"operation": "generate", "generate_type": kind, "length": 17, "output_field": "token"},
        n=20,
    )
    assert all(re.fullmatch(pattern, v) for v in out), out
    assert len(set(out)) == 20


def test_hash_of_binary_file() -> None:
    item = {
        "json": {"name": "f"},
        "binary": {"data": Binary.from_bytes(b"\x00\x01file", "application/pdf").to_dict()},
    }
    res = run({"operation": "hash", "input_type": "binary", "algorithm": "sha1"}, [item])
    [out] = res.outputs["main"]
    assert out.json == {"name": "f", "data": hashlib.sha1(b"\x00\x01file").hexdigest()}
    assert out.binary is not None and "data" in out.binary  # the file stays on the item


@pytest.mark.parametrize(
    "algorithm", ["sha224", "sha384", "sha512", "sha3_384", "sha3_512", "blake2b", "blake2s"]
)
def test_all_hash_algorithms(algorithm: str) -> None:
    [v] = values({"operation": "hash", "value": "abc", "algorithm": algorithm})
    assert v == hashlib.new(algorithm, b"abc").hexdigest()


def test_numbers_and_booleans_hash_as_text() -> None:
    assert values({"operation": "hash", "value": 42}) == [hashlib.sha256(b"42").hexdigest()]
    assert values({"operation": "hash", "value": True}) == [hashlib.sha256(b"true").hexdigest()]


def _pem(key: Any, password: bytes | None = None) -> str:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
    ).decode()


def test_rsa_signatures_verify() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    [sig] = values(
        {"operation": "sign", "value": "msg", "encoding": "base64", "private_key": _pem(key)}
    )
    key.public_key().verify(base64.b64decode(sig), b"msg", padding.PKCS1v15(), hashes.SHA256())
    [sig] = values(
        {"operation": "sign", "value": "msg", "sign_algorithm": "rsa_pss_sha256"},
        credentials={"private_key": {"private_key": _pem(key, b"pw"), "passphrase": "pw"}},
    )
    key.public_key().verify(
        bytes.fromhex(sig),
        b"msg",
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        hashes.SHA256(),
    )


def test_ecdsa_and_ed25519_signatures_verify() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    [sig] = values(
        {
            "operation": "sign",
            "value": "msg",
            "sign_algorithm": "ecdsa_sha256",
            "private_key": _pem(ec_key),
        }
    )
    ec_key.public_key().verify(bytes.fromhex(sig), b"msg", ec.ECDSA(hashes.SHA256()))
    ed_key = ed25519.Ed25519PrivateKey.generate()
    one_line = _pem(ed_key).replace("\n", "\\n")  # pasted with escaped newlines
    [sig] = values(
        {"operation": "sign", "value": "msg", "sign_algorithm": "ed25519", "private_key": one_line}
    )
    ed_key.public_key().verify(bytes.fromhex(sig), b"msg")


def test_key_type_mismatch_and_passphrase_errors() -> None:
    ed_pem = _pem(ed25519.Ed25519PrivateKey.generate())
    res = run({"operation": "sign", "value": "m", "private_key": ed_pem})
    assert res.error is not None and "does not fit this Ed25519 key" in res.error.message
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    res = run(
        {"operation": "sign", "value": "m"},
        credentials={"private_key": {"private_key": _pem(rsa_key, b"pw")}},
    )
    assert res.error is not None and "needs a passphrase" in res.error.message
    res = run({"operation": "sign", "value": "m"})
    assert res.error is not None and "'private_key' slot" in res.error.message


def test_parameter_secret_wins_over_credential() -> None:
    import hmac as hmac_mod

    [v] = values(
        {"operation": "hmac", "value": "x", "secret": "param"},
        credentials={"hmac_secret": {"secret": "cred"}},
    )
    assert v == hmac_mod.new(b"param", b"x", "sha256").hexdigest()
