"""Access tokens: only our own EdDSA signatures with every required claim are accepted;
keys rotate without signing anyone out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from types import ModuleType

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from engine.auth.types import Principal
from engine.errors import AuthenticationError
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict, payload: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"


def _claims(auth: ModuleType, owner: Principal, **over: object) -> dict:
    now = datetime.now(UTC)
    c = {"iss": "aura", "aud": "aura-api", "sub": owner.user_id, "typ": "access",
         "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp()),
         "jti": "x1"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def _reason(auth: ModuleType, token: str) -> str:
    with pytest.raises(AuthenticationError) as err:
        auth.principal_from_access_token(token)
    return err.value.details["reason"]


def _sign(auth: ModuleType, claims: dict, kid: str | None = None) -> str:
    key = auth.context().keys.current
    return jwt.encode(claims, key.private, algorithm="EdDSA",
                      headers={"kid": kid or key.kid})


def test_a_real_token_works(auth: ModuleType, owner: Principal) -> None:
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    p = auth.principal_from_access_token(tokens.access_token)
    assert (p.user_id, p.email, p.role) == (owner.user_id, OWNER_EMAIL, "owner")
    header = jwt.get_unverified_header(tokens.access_token)
    assert header["alg"] == "EdDSA" and header["kid"] == auth.context().keys.current.kid


def test_alg_none_is_refused(auth: ModuleType, owner: Principal) -> None:
    kid = auth.context().keys.current.kid
    token = _unsigned({"alg": "none", "typ": "JWT", "kid": kid}, _claims(auth, owner)) + "."
    assert _reason(auth, token) == "algorithm"


def test_hs256_signed_with_the_public_key_is_refused(auth: ModuleType,
                                                     owner: Principal) -> None:
    key = auth.context().keys.current
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": key.kid},
                              _claims(auth, owner, sub=owner.user_id))
    for secret in (key.public_pem(), key.public_pem().strip()):
        sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert _reason(auth, f"{signing_input}.{_b64(sig)}") == "algorithm"


def test_expired_token_is_refused_with_a_clear_message(auth: ModuleType,
                                                       owner: Principal) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    token = _sign(auth, _claims(auth, owner, iat=int(past.timestamp()),
                                exp=int((past + timedelta(minutes=15)).timestamp())))
    with pytest.raises(AuthenticationError, match="expired; refresh it or sign in again"):
        auth.principal_from_access_token(token)


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud", "jti"])
def test_missing_claims_are_refused(auth: ModuleType, owner: Principal, claim: str) -> None:
    token = _sign(auth, _claims(auth, owner, **{claim: None}))
    assert _reason(auth, token) in ("missing_claim", "type")


@pytest.mark.parametrize(("claim", "value", "reason"), [
    ("iss", "someone-else", "issuer"), ("aud", "other-api", "audience"),
    ("aud", "aura-api:2fa", "audience"), ("typ", "2fa", "type")])
def test_wrong_issuer_audience_or_type_is_refused(auth: ModuleType, owner: Principal,
                                                  claim: str, value: str,
                                                  reason: str) -> None:
    assert _reason(auth, _sign(auth, _claims(auth, owner, **{claim: value}))) == reason


def test_tampered_payload_is_refused(auth: ModuleType, owner: Principal) -> None:
    token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    h, p, s = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    payload["sub"] = "someone-else"
    forged = f"{h}.{_b64(json.dumps(payload).encode())}.{s}"
    assert _reason(auth, forged) == "signature"


def test_unknown_or_missing_kid_is_refused(auth: ModuleType, owner: Principal) -> None:
    stranger = Ed25519PrivateKey.generate()
    foreign = jwt.encode(_claims(auth, owner), stranger, algorithm="EdDSA",
                         headers={"kid": "0123456789abcdef"})
    assert _reason(auth, foreign) == "unknown_kid"
    no_kid = jwt.encode(_claims(auth, owner), stranger, algorithm="EdDSA")
    assert _reason(auth, no_kid) == "unknown_kid"
    # our kid, someone else's key
    kid = auth.context().keys.current.kid
    assert _reason(auth, jwt.encode(_claims(auth, owner), stranger, algorithm="EdDSA",
                                    headers={"kid": kid})) == "signature"


def test_garbage_is_refused(auth: ModuleType, owner: Principal) -> None:
    for junk in ("", "abc", "a.b", "a.b.c", "Bearer x.y.z"):
        assert _reason(auth, junk) in ("malformed", "algorithm")


def test_challenge_token_is_not_an_access_token(auth: ModuleType, owner: Principal) -> None:
    challenge = auth.context().codec.challenge_token(owner.user_id)
    assert _reason(auth, challenge) == "audience"


def test_rotation_keeps_old_tokens_valid_until_the_old_key_retires(
        auth: ModuleType, owner: Principal) -> None:
    ctx = auth.context()
    old_kid = ctx.keys.current.kid
    old_token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    new_kid = auth.rotate_signing_key(owner)
    assert new_kid != old_kid
    new_token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    assert auth.principal_from_access_token(old_token).user_id == owner.user_id
    assert {k["kid"] for k in auth.jwks()["keys"]} == {old_kid, new_kid}
    # much later, another rotation deletes keys retired long ago
    later = datetime.now(UTC) + timedelta(days=1)
    ctx.keys.rotate(now=later)
    assert old_kid not in ctx.keys.kids()
    assert _reason(auth, old_token) == "unknown_kid"
    assert not (ctx.data_dir / "keys" / "jwt" / f"{old_kid}.pem").exists()


def test_key_files_are_private_and_shared_by_processes(auth: ModuleType,
                                                       owner: Principal) -> None:
    from engine.auth.keys import SigningKeys

    ctx = auth.context()
    d = ctx.data_dir / "keys" / "jwt"
    pem = d / f"{ctx.keys.current.kid}.pem"
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    # another process (same data dir) rotates: this one signs and verifies with the new key
    other = SigningKeys(d, timedelta(minutes=20))
    kid = other.rotate()
    token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    assert jwt.get_unverified_header(token)["kid"] == kid


def test_processes_sharing_aura_secret_key_accept_each_others_tokens(
        auth: ModuleType, owner: Principal, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """API replicas in containers each have their own data directory: with the same
    AURA_SECRET_KEY, a token one signs is valid on the other; rotating is changing the
    secret, with the old one as AURA_SECRET_KEY_PREVIOUS for the tokens still out."""
    from engine.auth.keys import SigningKeys
    from engine.auth.tokens import TokenCodec
    from engine.config import reset_settings
    from engine.errors import ConflictError

    def replica(name: str, secret: str, previous: str | None = None) -> TokenCodec:
        keys = SigningKeys(tmp_path / name, timedelta(minutes=20), secret=secret,
                           previous_secret=previous)
        ttl = auth.context().security.access_token_ttl_s
        return TokenCodec(keys, issuer="aura", audience="aura-api", access_ttl_s=ttl)

    def verified_by(codec: TokenCodec, token: str) -> str | None:
        try:
            return codec.decode(token).sub
        except AuthenticationError as exc:
            return exc.details["reason"]

    old_file_kid = auth.context().keys.current.kid
    old_token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    monkeypatch.setenv("AURA_SECRET_KEY", "first secret, long and random")
    reset_settings()
    auth.reset()
    token = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid != old_file_kid
    assert not (auth.context().data_dir / "keys" / "jwt" / f"{kid}.pem").exists()
    # the token signed with the key file before the secret was set still works here
    assert auth.principal_from_access_token(old_token).user_id == owner.user_id
    other = replica("b", "first secret, long and random")  # another data dir
    assert verified_by(other, token) == owner.user_id
    assert verified_by(replica("c", "some other secret"), token) == "unknown_kid"
    # rotation: the new secret signs, the previous one still verifies
    rotated = replica("d", "second secret", previous="first secret, long and random")
    assert verified_by(rotated, token) == owner.user_id
    assert rotated.keys.current.kid != kid
    with pytest.raises(ConflictError) as info:
        auth.rotate_signing_key(owner)
    assert "AURA_SECRET_KEY_PREVIOUS" in info.value.message
