"""Password hashing (argon2id) and the password policy.

Why argon2id (argon2-cffi) rather than ``hashlib.scrypt``: both are memory-hard, but
argon2id is the first choice of OWASP and RFC 9106, and its PHC string
(``$argon2id$v=19$m=...,t=...,p=...$salt$hash``) records its own parameters, so raising
them later re-hashes each password at its owner's next login
(:meth:`PasswordHasher.needs_rehash`). Defaults are RFC 9106's low-memory profile
(t=3, m=64 MiB, p=4); tests lower them through ``AURA_PASSWORD_HASH_*``.

Policy: at least ``password_min_length`` (10) characters, at most 1024, characters of at
least two classes (lower, upper, digit, other), not the e-mail address or its name part,
and not a commonly used password (nor one followed by digits or symbols).
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.errors import ValidationError

__all__ = ["COMMON_PASSWORDS", "PasswordHasher", "check_password_policy"]

MAX_LENGTH = 1024

COMMON_PASSWORDS: frozenset[str] = frozenset("""
123456 123456789 12345678 1234567890 password password1 password12 password123 qwerty
qwerty123 qwertyuiop 1q2w3e4r5t 1qaz2wsx3edc 111111 000000 abc123 abcd1234 iloveyou
admin admin123 administrator letmein welcome welcome1 welcome123 monkey dragon football
baseball sunshine princess master master123 superman batman trustno1 starwars whatever
passw0rd p@ssw0rd p@ssword changeme changeme123 secret secret123 login123 zaq12wsx
qazwsx qwerty12345 asdfghjkl asdfgh zxcvbnm 987654321 aa123456 abcdefghij 1234qwer
q1w2e3r4t5 q1w2e3r4t5y6 123qwe123qwe password2024 password2025 password2026 summer2024
summer2025 winter2024 winter2025 spring2025 autumn2025 football1 iloveyou1 michael1
jennifer1 computer1 internet1 freedom123 shadow123 hello12345 helloworld helloworld1
aura123456 aurapassword automation automation1 workflow123 n8n123456 default123
""".split())  # noqa: SIM905
"""A small list of passwords that attackers try first (compared case-insensitively)."""

_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"),
            re.compile(r"[^a-zA-Z0-9]"))


def check_password_policy(password: str, *, email: str | None = None,
                          min_length: int = 10) -> None:
    """Raises :class:`ValidationError` (``details['problems']``) for a weak password."""
    problems: list[str] = []
    if not isinstance(password, str):
        raise ValidationError("The password must be text.")
    if len(password) < min_length:
        problems.append(f"use at least {min_length} characters (this one has "
                        f"{len(password)})")
    if len(password) > MAX_LENGTH:
        problems.append(f"use at most {MAX_LENGTH} characters")
    if sum(1 for c in _CLASSES if c.search(password)) < 2:
        problems.append("mix at least two kinds of characters (lower case, upper case, "
                        "digits, symbols)")
    low = password.lower()
    if email:
        address = email.strip().lower()
        local = address.split("@", 1)[0]
        if low == address or (len(local) >= 4 and local in low):
            problems.append("do not use your e-mail address or its name part")
    base = re.sub(r"[\d\W_]+$", "", low)  # "Password2026!" -> "password"
    if low in COMMON_PASSWORDS or base in COMMON_PASSWORDS or \
            re.sub(r"[\W_]+$", "", low) in COMMON_PASSWORDS:
        problems.append("this is one of the most common passwords; choose another")
    if problems:
        raise ValidationError("Password too weak: " + "; ".join(problems) + ".",
                              details={"problems": problems})


class PasswordHasher:
    """argon2id hashing with configurable cost."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 65536,
                 parallelism: int = 4) -> None:
        self._ph = _Argon2(time_cost=time_cost, memory_cost=max(memory_kib, 8 * parallelism),
                           parallelism=parallelism, hash_len=32, salt_len=16,
                           type=Type.ID)
        # a hash to verify against when the user does not exist (equal timing)
        self._dummy = self._ph.hash("aura-dummy-password")

    def hash(self, password: str) -> str:
        """The PHC string of ``password`` (random salt)."""
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches ``stored``; a missing hash still costs a hash."""
        try:
            return self._ph.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with other parameters than the current ones."""
        try:
            return self._ph.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True
