"""Small helpers of the auth core (private): random tokens and their stored digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["digest", "digest_matches", "new_token"]


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A random URL-safe token (``nbytes`` of entropy) with an optional prefix."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """sha256 hex digest of a high-entropy token (what the database keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def digest_matches(token: str, stored: str) -> bool:
    """Constant-time comparison of ``token``'s digest with a stored one."""
    return hmac.compare_digest(digest(token), stored)
