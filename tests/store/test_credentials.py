"""Credentials: encrypted at rest, never listed with secrets, bound to their row."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import text

from engine.errors import CredentialError, NotFoundError
from engine.store import Cipher, CredentialInfo, Store


class XorTestCipher:
    """A trivial reversible cipher for tests ONLY: XOR with a key stream, plus an HMAC tag
    over the AAD so that tampering and swapped blobs are detected like AES-GCM would."""

    def __init__(self, key: bytes, key_id: str = "test-1") -> None:
        self.key = key
        self.key_id = key_id

    def _stream(self, n: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < n:
            out += hashlib.sha256(self.key + counter.to_bytes(4, "big")).digest()
            counter += 1
        return out[:n]

    def _tag(self, body: bytes, aad: bytes) -> bytes:
        return hmac.new(self.key, aad + b"|" + body, hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        body = bytes(a ^ b for a, b in zip(plaintext, self._stream(len(plaintext)),
                                           strict=True))
        return self._tag(body, aad) + body

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        tag, body = blob[:32], blob[32:]
        if not hmac.compare_digest(tag, self._tag(body, aad)):
            raise ValueError("authentication failed")
        return bytes(a ^ b for a, b in zip(body, self._stream(len(body)), strict=True))


SECRET = {"api_key": "sk-very-secret-123", "nested": {"password": "hunter2"}}


@pytest.fixture
def cipher() -> XorTestCipher:
    return XorTestCipher(b"k" * 32)


def test_test_cipher_satisfies_the_protocol(cipher: XorTestCipher) -> None:
    assert isinstance(cipher, Cipher)


def test_data_round_trips_and_is_encrypted_at_rest(store: Store, cipher: XorTestCipher
                                                   ) -> None:
    info = store.credentials.create("Stripe live", "stripe_api", SECRET, cipher,
                                    project_id="p1")
    assert store.credentials.get_data(info.id, cipher) == SECRET
    assert (info.name, info.kind, info.key_id, info.project_id) == \
        ("Stripe live", "stripe_api", "test-1", "p1")
    with store.engine.connect() as conn:
        blob = conn.execute(text("SELECT data FROM credential")).scalar_one()
    assert b"sk-very-secret" not in bytes(blob) and b"hunter2" not in bytes(blob)


def test_listing_and_getting_never_return_secrets(store: Store, cipher: XorTestCipher
                                                  ) -> None:
    store.credentials.create("b-mail", "smtp", {"password": "hunter2"}, cipher)
    store.credentials.create("a-api", "http_header", SECRET, cipher, project_id="p1")
    listed = store.credentials.list()
    assert [c.name for c in listed] == ["a-api", "b-mail"]
    assert [c.name for c in store.credentials.list(kind="smtp")] == ["b-mail"]
    assert [c.name for c in store.credentials.list(project_id="p1")] == ["a-api"]
    for info in [*listed, store.credentials.get(listed[0].id)]:
        assert isinstance(info, CredentialInfo)
        assert not hasattr(info, "data")
        assert "hunter2" not in repr(info) and "sk-very" not in repr(info)


def test_wrong_key_or_a_swapped_blob_does_not_decrypt(store: Store, cipher: XorTestCipher
                                                      ) -> None:
    a = store.credentials.create("a", "k", {"v": "A"}, cipher)
    b = store.credentials.create("b", "k", {"v": "B"}, cipher)
    with pytest.raises(CredentialError, match="AURA_ENCRYPTION_KEY"):
        store.credentials.get_data(a.id, XorTestCipher(b"x" * 32, key_id="other"))
    with store.engine.begin() as conn:  # an attacker copies b's blob onto a
        conn.execute(text("UPDATE credential SET data = (SELECT data FROM credential "
                          "WHERE id = :b) WHERE id = :a"), {"a": a.id, "b": b.id})
    with pytest.raises(CredentialError):
        store.credentials.get_data(a.id, cipher)
    assert store.credentials.get_data(b.id, cipher) == {"v": "B"}


def test_update_re_encrypts_and_renames(store: Store, cipher: XorTestCipher) -> None:
    info = store.credentials.create("old", "k", {"v": 1}, cipher)
    new_cipher = XorTestCipher(b"n" * 32, key_id="test-2")
    updated = store.credentials.update(info.id, name="new", data={"v": 2}, cipher=new_cipher)
    assert (updated.name, updated.key_id) == ("new", "test-2")
    assert updated.updated_at >= info.updated_at
    assert store.credentials.get_data(info.id, new_cipher) == {"v": 2}
    renamed = store.credentials.update(info.id, name="newer")
    assert renamed.key_id == "test-2"
    assert store.credentials.get_data(info.id, new_cipher) == {"v": 2}
    with pytest.raises(TypeError):
        store.credentials.update(info.id, data={"v": 3})


def test_delete(store: Store, cipher: XorTestCipher) -> None:
    info = store.credentials.create("gone", "k", {}, cipher)
    store.credentials.delete(info.id)
    assert store.credentials.list() == []
    with pytest.raises(NotFoundError):
        store.credentials.get_data(info.id, cipher)
    with pytest.raises(NotFoundError):
        store.credentials.delete(info.id)


def test_plaintext_is_json(cipher: XorTestCipher) -> None:
    blob = cipher.encrypt(json.dumps({"a": 1}).encode(), b"aad")
    assert json.loads(cipher.decrypt(blob, b"aad")) == {"a": 1}
