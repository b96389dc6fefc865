"""Two-factor authentication: TOTP (RFC 6238, pyotp) and single-use recovery codes.

* Enrolment stores a new secret (encrypted by the vault cipher) and returns the
  ``otpauth://`` URI and a QR code (SVG); 2FA is on once a first code is confirmed,
  which also returns 10 recovery codes (stored as sha256 digests, shown once).
* A code is accepted within one time-step either side (window 1). The time-step of the
  last accepted code is stored per user and claimed atomically, so a code can never be
  used twice, even by two requests at once.
* ``totp_max_failures`` wrong codes lock 2FA for ``totp_lock_minutes``
  (:class:`~engine.errors.RateLimited` with ``retry_after``).
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
from datetime import timedelta

import pyotp

from engine.auth._util import digest
from engine.auth.context import AuthContext
from engine.auth.types import TotpEnrolment
from engine.errors import AuthenticationError, ConflictError, RateLimited, ValidationError
from engine.store.models_auth import User

__all__ = ["RECOVERY_CODES", "confirm", "disable", "qr_svg", "reset", "start", "verify"]

RECOVERY_CODES = 10
STEP_S = 30
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _aad(user_id: str) -> bytes:
    return f"aura/totp/{user_id}".encode()


def _secret(ctx: AuthContext, user: User) -> str:
    if not user.totp_secret:
        raise ValidationError("Two-factor authentication is not set up; start enrolment "
                              "first.")
    plain: bytes = ctx.cipher().decrypt(user.totp_secret, _aad(user.id))
    return plain.decode()


def qr_svg(uri: str) -> str | None:
    """An SVG QR code of ``uri`` (None when the ``qrcode`` package is not installed)."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:
        return None
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    data = img.to_string(encoding="unicode")
    return data if isinstance(data, str) else data.decode()


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).lower()


def start(ctx: AuthContext, user: User) -> TotpEnrolment:
    """Stores a new (not yet active) secret and returns what the authenticator app needs."""
    if user.totp_enabled:
        raise ConflictError("Two-factor authentication is already on; turn it off first to "
                            "enrol a new device.")
    secret = pyotp.random_base32(32)
    blob = ctx.cipher().encrypt(secret.encode(), _aad(user.id))
    ctx.store.users.update(user.id, totp_secret=blob, totp_enabled=False,
                           totp_last_step=None, totp_failures=0)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                              issuer_name=ctx.security.totp_issuer)
    ctx.audit(user.id, "user.2fa_enrolment_started", "user", user.id,
              actor_email=user.email)
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


def _check_lock(ctx: AuthContext, user: User) -> None:
    until = user.totp_locked_until
    now = ctx.now()
    if until is not None and until > now:
        wait = max(1, math.ceil((until - now).total_seconds()))
        raise RateLimited(f"Too many wrong codes: two-factor sign-in is locked for "
                          f"{(wait + 59) // 60} more minute(s).",
                          details={"retry_after": wait})


def _failed(ctx: AuthContext, user: User, message: str) -> AuthenticationError:
    sec = ctx.security
    until = ctx.now() + timedelta(minutes=sec.totp_lock_minutes)
    count = ctx.store.users.totp_failed(user.id, sec.totp_max_failures, until)
    ctx.audit(user.id, "user.2fa_failed", "user", user.id, {"failures": count},
              actor_email=user.email)
    if count >= sec.totp_max_failures:
        ctx.audit(user.id, "user.2fa_locked", "user", user.id, actor_email=user.email)
        raise RateLimited(f"Too many wrong codes: two-factor sign-in is locked for "
                          f"{sec.totp_lock_minutes} minutes.",
                          details={"retry_after": sec.totp_lock_minutes * 60})
    left = sec.totp_max_failures - count
    return AuthenticationError(f"{message} {left} attempt(s) left before a "
                               f"{sec.totp_lock_minutes}-minute lock.",
                               details={"attempts_left": left})


def verify(ctx: AuthContext, user: User, code: str, *, allow_recovery: bool = True) -> str:
    """Checks a TOTP or recovery code; returns ``"totp"`` or ``"recovery_code"``.

    Raises:
        AuthenticationError: wrong, or already used, code.
        RateLimited: 2FA is locked after too many wrong codes.
    """
    _check_lock(ctx, user)
    text = _normalize(code)
    if re.fullmatch(r"\d{6}", text):
        totp = pyotp.TOTP(_secret(ctx, user))
        now_step = int(ctx.now().timestamp()) // STEP_S
        for step in (now_step - 1, now_step, now_step + 1):
            if hmac.compare_digest(totp.generate_otp(step), text):
                if ctx.store.users.claim_totp_step(user.id, step):
                    return "totp"
                raise _failed(ctx, user, "This code was already used; wait for the next "
                              "one.")
        raise _failed(ctx, user, "Wrong two-factor code.")
    if allow_recovery and len(text) == 10 and user.totp_enabled \
            and ctx.store.users.use_recovery_code(user.id, digest(text)):
        left = ctx.store.users.recovery_codes_left(user.id)
        ctx.audit(user.id, "user.recovery_code_used", "user", user.id, {"left": left},
                  actor_email=user.email)
        return "recovery_code"
    raise _failed(ctx, user, "Wrong two-factor code.")


def new_recovery_codes(ctx: AuthContext, user_id: str) -> list[str]:
    """Replaces a user's recovery codes by 10 new ones and returns them (shown once)."""
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    ctx.store.users.replace_recovery_codes(user_id, [digest(_normalize(c)) for c in codes])
    return codes


def confirm(ctx: AuthContext, user: User, code: str) -> list[str]:
    """Turns 2FA on with a first valid code; returns the recovery codes."""
    if user.totp_enabled:
        raise ConflictError("Two-factor authentication is already on.")
    verify(ctx, user, code, allow_recovery=False)
    ctx.store.users.update(user.id, totp_enabled=True)
    codes = new_recovery_codes(ctx, user.id)
    ctx.audit(user.id, "user.2fa_enabled", "user", user.id, actor_email=user.email)
    return codes


def disable(ctx: AuthContext, user: User, code: str) -> None:
    """Turns 2FA off after checking a current (TOTP or recovery) code."""
    if not user.totp_enabled:
        raise ValidationError("Two-factor authentication is not on.")
    verify(ctx, user, code)
    reset(ctx, user.id)
    ctx.audit(user.id, "user.2fa_disabled", "user", user.id, actor_email=user.email)


def reset(ctx: AuthContext, user_id: str) -> None:
    """Removes a user's 2FA secret and recovery codes (no checks; callers authorize)."""
    ctx.store.users.update(user_id, totp_secret=None, totp_enabled=False,
                           totp_last_step=None, totp_failures=0, totp_locked_until=None)
    ctx.store.users.replace_recovery_codes(user_id, [])
