"""The vault: key rotation re-encrypts every secret in one transaction; signatures;
redaction of secrets from data."""

from __future__ import annotations

import base64
import os
import stat
import time
from types import ModuleType

import pyotp
import pytest

from engine.auth.types import Principal
from engine.errors import CredentialError, PermissionDenied
from engine.vault import load_keyring, redact
from engine.vault.redact import Redactor
from engine.vault.signing import (
    generate_keypair,
    hmac_sign,
    hmac_verify,
    sign,
    sign_webhook,
    verify,
    verify_webhook,
)
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, Clock


@pytest.fixture
def creds(auth: ModuleType) -> ModuleType:
    from engine.services import credentials

    return credentials


def _blobs(auth: ModuleType) -> dict[str, bytes]:
    from sqlmodel import select

    from engine.store.models import Credential

    with auth.context().store.db.read() as s:
        return {c.id: c.data for c in s.exec(select(Credential)).all()}


def test_rotate_key_reencrypts_credentials_and_2fa_secrets(
        auth: ModuleType, creds: ModuleType, owner: Principal, clock: Clock) -> None:
    a = creds.create_credential(owner, "API", "bearer", {"token": "tok-aaaa-1111"})
    b = creds.create_credential(owner, "DB", "basic_auth", {"user": "ada", "password": "pw-9"})
    enrolment = auth.start_totp_enrolment(owner)
    auth.confirm_totp(owner, pyotp.TOTP(enrolment.secret).at(clock.now))
    from engine.services import oidc

    oidc.save_provider(owner, "corp", preset="oidc", client_id="aura",
                       client_secret="sso-secret-1", issuer="https://sso.example.com")
    data_dir = auth.context().data_dir
    keys = data_dir / "keys"
    old_kid = load_keyring(data_dir).current_id
    before = _blobs(auth)

    result = creds.rotate_key(owner)

    assert (result.old_key_id, result.credentials, result.totp_secrets,
            result.sso_secrets) == (old_kid, 2, 1, 1)
    assert load_keyring(data_dir).current_id == result.new_key_id != old_kid
    assert (keys / f"old-{old_kid}.key").is_file()
    assert not list(keys.glob("next-*"))
    for f in keys.glob("*.key"):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    after = _blobs(auth)
    assert all(after[i] != before[i] for i in before)
    store = auth.context().store
    assert {c.key_id for c in store.credentials.list()} == {result.new_key_id}
    assert creds.resolve(a.id) == {"token": "tok-aaaa-1111", "test_url": None}
    assert creds.resolve(b.id)["password"] == "pw-9"
    # 2FA still works with the re-encrypted secret
    clock.advance(seconds=30)
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD,
                      pyotp.TOTP(enrolment.secret).at(clock.now)).tokens
    # the data needs only the new key now
    os.remove(keys / f"old-{old_kid}.key")
    assert creds.resolve(a.id)["token"] == "tok-aaaa-1111"
    from engine.auth import oidc_config

    assert oidc_config.get_provider(auth.context(), "corp").client_secret == "sso-secret-1"
    status = creds.key_status()
    assert status["current"] == result.new_key_id
    assert status["credentials_by_key"] == {result.new_key_id: 2}
    assert auth.audit_log(owner, action="vault.key_rotated")


def test_rotation_is_all_or_nothing(auth: ModuleType, creds: ModuleType,
                                    owner: Principal) -> None:
    good = creds.create_credential(owner, "good", "bearer", {"token": "tok-good-1"})
    bad = creds.create_credential(owner, "bad", "bearer", {"token": "tok-bad-1"})
    store = auth.context().store
    from engine.store.models import Credential

    with store.db.write() as s:  # a blob damaged on disk
        row = s.get(Credential, bad.id)
        row.data = row.data[:-1] + bytes([row.data[-1] ^ 1])
        s.add(row)
    data_dir = auth.context().data_dir
    kid = load_keyring(data_dir).current_id
    before = _blobs(auth)
    with pytest.raises(CredentialError, match=r"'bad'.*nothing was rotated"):
        creds.rotate_key(owner)
    assert _blobs(auth) == before
    assert load_keyring(data_dir).current_id == kid
    assert not list((data_dir / "keys").glob("next-*"))
    assert creds.resolve(good.id)["token"] == "tok-good-1"


def test_a_rotation_interrupted_after_commit_loses_nothing(
        auth: ModuleType, creds: ModuleType, owner: Principal,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.vault import rotation

    c = creds.create_credential(owner, "c", "bearer", {"token": "tok-crash-1"})
    real = rotation._write_key

    def crash_on_install(path: object, key: bytes) -> None:
        if str(path).endswith("encryption.key"):
            raise KeyboardInterrupt("power cut")
        real(path, key)  # type: ignore[arg-type]

    monkeypatch.setattr(rotation, "_write_key", crash_on_install)
    with pytest.raises(KeyboardInterrupt):
        creds.rotate_key(owner)
    # data is under the new key, which still sits in keys/next-<kid>.key
    assert creds.resolve(c.id)["token"] == "tok-crash-1"
    monkeypatch.setattr(rotation, "_write_key", real)
    creds.rotate_key(owner)  # a later rotation finishes the job
    assert creds.resolve(c.id)["token"] == "tok-crash-1"


def test_with_an_environment_key_the_new_key_is_handed_to_the_operator(
        auth: ModuleType, creds: ModuleType, owner: Principal,
        monkeypatch: pytest.MonkeyPatch) -> None:
    env_key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setattr(auth.context().security, "encryption_key", env_key)
    monkeypatch.setenv("AURA_ENCRYPTION_KEY", env_key)
    from engine.config import reset_settings

    reset_settings()
    c = creds.create_credential(owner, "c", "bearer", {"token": "tok-env-1"})
    result = creds.rotate_key(owner)
    assert result.new_key_b64 and len(base64.b64decode(result.new_key_b64)) == 32
    assert creds.resolve(c.id)["token"] == "tok-env-1"  # readable before the env changes
    monkeypatch.setenv("AURA_ENCRYPTION_KEY", result.new_key_b64)
    reset_settings()
    assert creds.resolve(c.id)["token"] == "tok-env-1"


def test_only_the_owner_rotates(auth: ModuleType, creds: ModuleType, owner: Principal) -> None:
    from tests.auth.conftest import add_user

    admin = add_user(auth, owner, "adm@example.com", "admin")
    with pytest.raises(PermissionDenied, match="owner"):
        creds.rotate_key(admin)


@pytest.mark.parametrize("key_type", ["ed25519", "rsa", "ecdsa"])
def test_package_signatures(key_type: str) -> None:
    private, public = generate_keypair(key_type, rsa_bits=2048)  # type: ignore[arg-type]
    sig = sign(private, b"package-1.0.tar.gz contents")
    assert verify(public, b"package-1.0.tar.gz contents", sig)
    assert not verify(public, b"package-1.0.tar.gz contents!", sig)
    _, other_public = generate_keypair(key_type, rsa_bits=2048)  # type: ignore[arg-type]
    assert not verify(other_public, b"package-1.0.tar.gz contents", sig)


def test_webhook_hmac_signatures() -> None:
    body = b'{"event":"paid"}'
    sig = hmac_sign("whsec-123", body)
    assert hmac_verify("whsec-123", body, sig)
    assert hmac_verify("whsec-123", body, "sha256=" + sig.upper())
    assert not hmac_verify("whsec-123", body + b" ", sig)
    assert not hmac_verify("other", body, sig)
    assert not hmac_verify("whsec-123", body, None)
    header = sign_webhook("whsec-123", body)
    assert verify_webhook("whsec-123", body, header)
    assert not verify_webhook("whsec-123", body, header, now=time.time() + 600)  # replay
    assert not verify_webhook("whsec-123", b"{}", header)
    assert not verify_webhook("whsec-123", body, "t=abc,v1=00")


def test_redact_replaces_secrets_anywhere_in_json() -> None:
    secrets = {"s3cr3t-token", "p@ss word", "ab"}
    data = {"headers": {"Authorization": "Bearer s3cr3t-token"},
            "url": "https://x.test/?key=p%40ss%20word&q=1",
            "items": [{"note": "token s3cr3t-token twice s3cr3t-token", "n": 5}],
            "s3cr3t-token": True, "short": "ab stays", "ok": None}
    out = redact(data, secrets)
    assert out == {"headers": {"Authorization": "Bearer ***"},
                   "url": "https://x.test/?key=***&q=1",
                   "items": [{"note": "token *** twice ***", "n": 5}],
                   "***": True, "short": "ab stays", "ok": None}
    assert data["headers"]["Authorization"] == "Bearer s3cr3t-token"  # a copy
    assert redact("json: \"p@ss word\"", secrets) == 'json: "***"'
    assert redact({"a": 1}, set()) == {"a": 1}
    assert not Redactor([])


def test_redact_prefers_the_longest_secret() -> None:
    assert redact("abcd-efgh", {"abcd", "abcd-efgh"}) == "***"
