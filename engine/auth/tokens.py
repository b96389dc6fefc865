"""JWT access tokens and 2FA challenge tokens: EdDSA (Ed25519) only, with ``kid``.

Verification trusts nothing from the token before checking it: the algorithm list is
fixed (``["EdDSA"]``, so ``none`` and HS256-with-the-public-key are refused), the key is
looked up by ``kid`` among our own keys (an unknown ``kid`` is refused, never fetched),
and ``iss``, ``aud``, ``exp``, ``iat``, ``sub`` and ``jti`` are required. pyjwt checks
signature, issuer, audience and presence; ``exp``/``iat``/``nbf`` are checked here
against the codec's clock (the auth context's, so tests can move time), and a token
whose ``exp - iat`` exceeds the lifetime this server issues (``AURA_ACCESS_TOKEN_TTL_S``
plus :data:`LEEWAY_S`) is refused however well it is signed. The ``typ``
claim separates access tokens from 2FA challenges, which also have their own audience.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from engine.auth.keys import SigningKeys
from engine.errors import AuthenticationError
from engine.store.types import utcnow

__all__ = ["ALGORITHM", "TokenClaims", "TokenCodec"]

ALGORITHM = "EdDSA"
ACCESS = "access"
CHALLENGE = "2fa"
REQUIRED = ["exp", "iat", "sub", "iss", "aud", "jti"]
LEEWAY_S = 10


@dataclass(frozen=True)
class TokenClaims:
    """The checked claims of a token."""

    sub: str
    jti: str
    iat: int
    exp: int
    typ: str
    sid: str | None
    scopes: tuple[str, ...]
    raw: dict[str, Any]


def _fail(message: str, reason: str) -> AuthenticationError:
    return AuthenticationError(message, details={"reason": reason})


class TokenCodec:
    """Signs and verifies AURA's JWTs with a :class:`SigningKeys` keyring."""

    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuer: str,
        audience: str,
        access_ttl_s: int,
        challenge_ttl_s: int = 300,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.keys = keys
        self.clock = clock
        self.issuer = issuer
        self.audience = audience
        self.access_ttl_s = access_ttl_s
        self.challenge_ttl_s = challenge_ttl_s

    def _audience(self, typ: str) -> str:
        return self.audience if typ == ACCESS else f"{self.audience}:{typ}"

    def encode(
        self,
        sub: str,
        typ: str,
        *,
        ttl_s: int,
        now: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A signed token of type ``typ`` for subject ``sub``."""
        now = now or self.clock()
        key = self.keys.current
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self._audience(typ),
            "sub": sub,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
            "jti": secrets.token_hex(12),
            "typ": typ,
            **(extra or {}),
        }
        return jwt.encode(
            claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"}
        )

    def access_token(
        self,
        user_id: str,
        *,
        session_id: str | None = None,
        scopes: list[str] | None = None,
        now: datetime | None = None,
    ) -> str:
        """A short-lived access token; ``sid`` ties it to its refresh-token family."""
        extra: dict[str, Any] = {}
        if session_id:
            extra["sid"] = session_id
        if scopes:
            extra["scp"] = list(scopes)
        return self.encode(user_id, ACCESS, ttl_s=self.access_ttl_s, now=now, extra=extra)

    def challenge_token(self, user_id: str, *, now: datetime | None = None) -> str:
        """A 2FA challenge: proves the password was right, for a few minutes."""
        return self.encode(user_id, CHALLENGE, ttl_s=self.challenge_ttl_s, now=now)

    def _check_times(self, claims: dict[str, Any], typ: str) -> None:
        times = {k: claims.get(k) for k in ("exp", "iat", "nbf")}
        if any(
            v is not None and (isinstance(v, bool) or not isinstance(v, int | float))
            for v in times.values()
        ):
            raise _fail("Invalid token: exp, iat and nbf must be numbers.", "invalid")
        now = self.clock().timestamp()
        if times["exp"] is not None and times["exp"] <= now - LEEWAY_S:
            what = "2FA challenge" if typ == CHALLENGE else "Access token"
            hint = "sign in again" if typ == CHALLENGE else "refresh it or sign in again"
            raise _fail(f"{what} expired; {hint}.", "expired")
        for name in ("iat", "nbf"):
            value = times[name]
            if value is not None and value > now + LEEWAY_S:
                raise _fail("Invalid token: not valid yet (check the clock).", "immature")
        longest = self.max_lifetime_s(typ)
        if (
            times["exp"] is not None
            and times["iat"] is not None
            and (times["exp"] - times["iat"] > longest + LEEWAY_S)
        ):
            raise _fail(
                f"Invalid token: it claims to live {int(times['exp'] - times['iat'])} "
                f"s, longer than the {longest} s this server issues. Sign in again "
                "for a new one.",
                "lifetime",
            )

    def max_lifetime_s(self, typ: str) -> int:
        """The longest life a token of type ``typ`` may claim (``exp - iat``): what this
        server issues. A longer-lived token, even correctly signed (a leaked signing key,
        a changed setting), is refused."""
        return self.access_ttl_s if typ == ACCESS else self.challenge_ttl_s

    def decode(self, token: str, typ: str = ACCESS) -> TokenClaims:
        """The verified claims of ``token``; AuthenticationError says why it is refused."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise _fail(
                "Invalid token: not a JWT. Send 'Authorization: Bearer <token>'.", "malformed"
            )
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _fail("Invalid token: its header cannot be read.", "malformed") from None
        if header.get("alg") != ALGORITHM:
            raise _fail(
                f"Invalid token: algorithm {header.get('alg')!r} is not accepted "
                f"(only {ALGORITHM}).",
                "algorithm",
            )
        kid = header.get("kid")
        key = self.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise _fail(
                "Invalid token: it was signed with an unknown key (it may predate a "
                "key rotation). Sign in again.",
                "unknown_kid",
            )
        try:
            # times are checked below against our clock, everything else by pyjwt
            claims = jwt.decode(
                token,
                key.public,
                algorithms=[ALGORITHM],
                audience=self._audience(typ),
                issuer=self.issuer,
                options={
                    "require": REQUIRED,
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.MissingRequiredClaimError as exc:
            raise _fail(
                f"Invalid token: claim '{exc.claim}' is missing.", "missing_claim"
            ) from None
        except jwt.InvalidAudienceError:
            raise _fail(
                "Invalid token: it is not meant for this API (audience).", "audience"
            ) from None
        except jwt.InvalidIssuerError:
            raise _fail("Invalid token: issued by someone else (issuer).", "issuer") from None
        except jwt.InvalidSignatureError:
            raise _fail("Invalid token: bad signature.", "signature") from None
        except jwt.PyJWTError as exc:
            raise _fail(f"Invalid token: {exc}.", "invalid") from None
        if claims.get("typ") != typ or not isinstance(claims.get("sub"), str):
            raise _fail("Invalid token: wrong token type.", "type")
        self._check_times(claims, typ)
        scp = claims.get("scp") or []
        return TokenClaims(
            sub=claims["sub"],
            jti=str(claims["jti"]),
            iat=int(claims["iat"]),
            exp=int(claims["exp"]),
            typ=typ,
            sid=claims.get("sid"),
            scopes=tuple(str(s) for s in scp),
            raw=claims,
        )
