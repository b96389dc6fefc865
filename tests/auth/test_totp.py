"""Two-factor authentication: enrolment, login with a code, no replays, recovery codes,
attempt limits, and roles that must use it."""

from __future__ import annotations

from types import ModuleType
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from engine.auth.types import Principal
from engine.errors import AuthenticationError, PermissionDenied, RateLimited
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, Clock, add_user


def _wrong(totp: pyotp.TOTP, clock: Clock) -> str:
    valid = {totp.at(clock.now.timestamp() + d) for d in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in valid)


def _enrol(auth: ModuleType, who: Principal, clock: Clock) -> tuple[pyotp.TOTP, list[str]]:
    enrolment = auth.start_totp_enrolment(who)
    totp = pyotp.TOTP(enrolment.secret)
    codes = auth.confirm_totp(who, totp.at(clock.now))
    clock.advance(seconds=30)
    return totp, codes


def test_enrolment_gives_an_authenticator_uri_and_qr_code(auth: ModuleType, owner: Principal,
                                                          clock: Clock) -> None:
    enrolment = auth.start_totp_enrolment(owner)
    uri = urlparse(enrolment.otpauth_uri)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["issuer"] == ["AURA"]
    assert parse_qs(uri.query)["secret"] == [enrolment.secret]
    assert enrolment.qr_svg and enrolment.qr_svg.lstrip().startswith("<")
    assert "<svg" in enrolment.qr_svg
    # not on until confirmed: login still needs only the password
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    with pytest.raises(AuthenticationError, match="Wrong two-factor code"):
        auth.confirm_totp(owner, "000000")
    codes = auth.confirm_totp(owner, pyotp.TOTP(enrolment.secret).at(clock.now))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert auth.me(owner).totp_enabled
    # the secret is encrypted at rest
    row = auth.context().store.users.get(owner.user_id)
    assert enrolment.secret.encode() not in row.totp_secret


def test_login_with_2fa_needs_a_code_and_a_code_works_once(auth: ModuleType,
                                                           owner: Principal,
                                                           clock: Clock) -> None:
    totp, _ = _enrol(auth, owner, clock)
    first = auth.login(OWNER_EMAIL, OWNER_PASSWORD)
    assert first.tokens is None and first.needs_2fa and first.challenge_token
    code = totp.at(clock.now)
    tokens = auth.verify_2fa(first.challenge_token, code, ip="9.9.9.9")
    assert auth.principal_from_access_token(tokens.access_token).user_id == owner.user_id
    again = auth.login(OWNER_EMAIL, OWNER_PASSWORD)
    with pytest.raises(AuthenticationError, match="already used"):
        auth.verify_2fa(again.challenge_token, code)
    clock.advance(seconds=30)
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD, totp.at(clock.now)).tokens
    methods = [e.details["method"] for e in auth.audit_log(owner, action="user.login")]
    assert methods[0] == "password+totp"


def test_codes_one_step_early_or_late_are_accepted_but_not_two(
        auth: ModuleType, owner: Principal, clock: Clock) -> None:
    totp, _ = _enrol(auth, owner, clock)
    clock.advance(seconds=300)
    t = clock.now.timestamp()
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD, totp.at(t - 30)).tokens
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD, totp.at(t + 30)).tokens
    clock.advance(seconds=300)
    t = clock.now.timestamp()
    with pytest.raises(AuthenticationError):
        auth.login(OWNER_EMAIL, OWNER_PASSWORD, totp.at(t - 90))


def test_recovery_codes_work_once_each(auth: ModuleType, owner: Principal,
                                       clock: Clock) -> None:
    _, codes = _enrol(auth, owner, clock)
    challenge = auth.login(OWNER_EMAIL, OWNER_PASSWORD).challenge_token
    assert auth.verify_2fa(challenge, codes[0].upper().replace("-", " "))
    with pytest.raises(AuthenticationError):
        auth.verify_2fa(challenge, codes[0])
    assert auth.verify_2fa(challenge, codes[1])
    left = auth.audit_log(owner, action="user.recovery_code_used")[0].details["left"]
    assert left == 8


def test_too_many_wrong_codes_lock_2fa(auth: ModuleType, owner: Principal,
                                       clock: Clock) -> None:
    totp, _ = _enrol(auth, owner, clock)
    challenge = auth.login(OWNER_EMAIL, OWNER_PASSWORD).challenge_token
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthenticationError) as err:
            auth.verify_2fa(challenge, _wrong(totp, clock))
        assert err.value.details["attempts_left"] == left
    with pytest.raises(RateLimited):
        auth.verify_2fa(challenge, _wrong(totp, clock))
    with pytest.raises(RateLimited) as err:  # even the right code waits
        auth.verify_2fa(challenge, totp.at(clock.now))
    assert 0 < err.value.details["retry_after"] <= 15 * 60
    clock.advance(minutes=16)
    challenge = auth.login(OWNER_EMAIL, OWNER_PASSWORD).challenge_token
    assert auth.verify_2fa(challenge, totp.at(clock.now))
    assert auth.audit_log(owner, action="user.2fa_locked")


def test_disable_needs_a_code_and_admins_can_reset(auth: ModuleType, owner: Principal,
                                                   clock: Clock) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    totp, _ = _enrol(auth, ed, clock)
    with pytest.raises(AuthenticationError):
        auth.disable_totp(ed, _wrong(totp, clock))
    auth.disable_totp(ed, totp.at(clock.now))
    assert auth.login("ed@example.com", PASSWORD).tokens
    _enrol(auth, ed, clock)
    assert auth.login("ed@example.com", PASSWORD).needs_2fa
    auth.reset_2fa(owner, ed.user_id)  # lost phone
    assert auth.login("ed@example.com", PASSWORD).tokens


def test_roles_that_require_2fa_must_enrol_before_anything_else(
        auth: ModuleType, owner: Principal, clock: Clock) -> None:
    auth.set_required_2fa_roles(owner, ["admin", "owner"])
    assert auth.required_2fa_roles() == ["admin", "owner"]
    add_user_result = auth.invite(owner, "adm@example.com", "admin")
    auth.accept_invitation(add_user_result.token, PASSWORD)
    result = auth.login("adm@example.com", PASSWORD)
    assert result.must_enrol_2fa and result.tokens
    p = auth.principal_from_access_token(result.tokens.access_token)
    with pytest.raises(PermissionDenied, match="requires two-factor"):
        auth.authorize(p, "workflow:read")
    with pytest.raises(PermissionDenied):
        auth.list_users(p)
    enrolment = auth.start_totp_enrolment(p)
    auth.confirm_totp(p, pyotp.TOTP(enrolment.secret).at(clock.now))
    auth.authorize(auth.principal_from_access_token(result.tokens.access_token),
                   "workflow:read")
    with pytest.raises(PermissionDenied, match="requires two-factor"):
        auth.disable_totp(p, "123456")
