"""The modules user code may import, exposed as read-only proxies.

A real CPython module leaks far more than its documented functions: ``datetime.sys``,
``json.codecs``, ``random._os``, ``collections._sys``... each reaches ``os``, ``sys`` or
``open``. User code therefore never receives a module object. ``import json`` gives a
:func:`proxy` whose only attributes are the names listed here; it has no ``__dict__``,
cannot be written to and hides even its own class. Functions that would let code reach
the file system, the environment, other processes or unguarded attribute access
(``json.load``, ``time.sleep``, ``uuid.uuid1``, ``operator.attrgetter``,
``string.Formatter``...) are simply not listed.
"""

from __future__ import annotations

import base64
import bisect
import calendar
import collections
import copy
import datetime
import decimal
import fractions
import functools
import hashlib
import heapq
import hmac
import html
import itertools
import json
import math
import operator
import random
import re
import secrets
import statistics
import string
import textwrap
import time
import unicodedata
import urllib.parse
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

from engine.sandbox._state import refuse

__all__ = ["MODULES", "WRITABLE_TYPES", "SandboxModule", "module_names", "proxy", "warm_up"]

_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,3}$")


class SandboxModule:
    """Base class of the module proxies (each proxy has its own subclass)."""

    __slots__ = ()


def proxy(name: str, members: dict[str, Any]) -> SandboxModule:
    """A read-only stand-in for module ``name`` offering exactly ``members``.

    Any other name is refused (a :class:`~engine.sandbox._state.Violation` listing what
    is available), so ``datetime.sys`` or ``string.Formatter`` end the run.
    """
    table = dict(members)
    listing = ", ".join(sorted(table))

    class Proxy(SandboxModule):
        __slots__ = ()

        def __getattribute__(self, attr: str) -> Any:
            try:
                return table[attr]
            except (KeyError, TypeError):
                pass
            if type(attr) is str and attr.startswith("_"):  # implicit lookups (isinstance...)
                raise AttributeError(attr)
            raise refuse(f"'{name}.{attr}' is not available in the sandbox (available: {listing})")

        def __setattr__(self, attr: str, value: Any) -> None:
            raise refuse(f"module '{name}' is read-only in the sandbox")

        def __delattr__(self, attr: str) -> None:
            raise refuse(f"module '{name}' is read-only in the sandbox")

        def __repr__(self) -> str:
            return f"<module '{name}' (sandbox)>"

        def __dir__(self) -> list[str]:
            return sorted(table)

    Proxy.__name__ = Proxy.__qualname__ = "module"
    return Proxy()


def _pick(mod: Any, names: str) -> dict[str, Any]:
    return {n: getattr(mod, n) for n in names.split()}


def _public(mod: Any, exclude: str = "") -> dict[str, Any]:
    skip = set(exclude.split())
    return {n: getattr(mod, n) for n in dir(mod) if not n.startswith("_") and n not in skip}


def _json_dumps(
    obj: Any,
    *,
    indent: int | str | None = None,
    sort_keys: bool = False,
    ensure_ascii: bool = True,
    separators: tuple[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str:
    return json.dumps(
        obj,
        indent=indent,
        sort_keys=sort_keys,
        ensure_ascii=ensure_ascii,
        separators=separators,
        default=default,
    )


def _json_loads(s: str | bytes) -> Any:
    return json.loads(s)


def _zone(key: str) -> zoneinfo.ZoneInfo:
    if type(key) is not str or not _ZONE_KEY.match(key) or ".." in key:
        raise zoneinfo.ZoneInfoNotFoundError(f"No time zone found with key {key!r}")
    return zoneinfo.ZoneInfo(key)


def _build() -> dict[str, object]:
    mods: dict[str, dict[str, Any]] = {
        "base64": _pick(
            base64,
            "b64encode b64decode urlsafe_b64encode urlsafe_b64decode "
            "standard_b64encode standard_b64decode b32encode b32decode "
            "b16encode b16decode a85encode a85decode",
        ),
        "bisect": _pick(bisect, "bisect bisect_left bisect_right insort insort_left insort_right"),
        "calendar": _pick(
            calendar,
            "isleap leapdays monthrange weekday timegm "
            "MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY",
        ),
        "collections": _pick(
            collections, "Counter defaultdict OrderedDict deque namedtuple ChainMap"
        ),
        "copy": _pick(copy, "copy deepcopy"),
        "datetime": _pick(
            datetime, "date datetime time timedelta timezone tzinfo MINYEAR MAXYEAR UTC"
        ),
        "decimal": _pick(
            decimal,
            "Decimal Context localcontext getcontext "
            "InvalidOperation DivisionByZero ROUND_HALF_UP ROUND_HALF_EVEN "
            "ROUND_HALF_DOWN ROUND_UP ROUND_DOWN ROUND_CEILING ROUND_FLOOR",
        ),
        "fractions": _pick(fractions, "Fraction"),
        "functools": _pick(functools, "reduce partial lru_cache cache cmp_to_key"),
        "hashlib": _pick(
            hashlib, "md5 sha1 sha224 sha256 sha384 sha512 sha3_256 sha3_512 blake2b blake2s new"
        ),
        "hmac": _pick(hmac, "new compare_digest digest"),
        "heapq": _pick(
            heapq, "heappush heappop heapify heapreplace heappushpop nlargest nsmallest merge"
        ),
        "html": _pick(html, "escape unescape"),
        "itertools": _public(itertools),
        "json": {
            "dumps": _json_dumps,
            "loads": _json_loads,
            "JSONDecodeError": json.JSONDecodeError,
        },
        "math": _public(math),
        "operator": _pick(
            operator,
            "abs add and_ concat contains eq floordiv ge gt "
            "index inv invert itemgetter le lshift lt mod mul ne neg not_ or_ "
            "pos pow rshift sub truediv truth xor",
        ),
        "random": _pick(
            random,
            "random randint randrange choice choices shuffle sample "
            "uniform gauss normalvariate triangular betavariate expovariate "
            "getrandbits seed Random",
        ),
        "re": _pick(
            re,
            "compile search match fullmatch findall finditer sub subn split "
            "escape error A ASCII I IGNORECASE M MULTILINE S DOTALL X VERBOSE",
        ),
        "secrets": _pick(
            secrets, "token_bytes token_hex token_urlsafe choice randbelow compare_digest"
        ),
        "statistics": _pick(
            statistics,
            "mean fmean geometric_mean harmonic_mean median "
            "median_low median_high median_grouped mode multimode "
            "quantiles pstdev pvariance stdev variance StatisticsError",
        ),
        "string": _pick(
            string,
            "ascii_letters ascii_lowercase ascii_uppercase digits "
            "hexdigits octdigits punctuation printable whitespace capwords",
        ),
        "textwrap": _pick(textwrap, "dedent indent fill wrap shorten"),
        "time": _pick(time, "time time_ns monotonic perf_counter gmtime strftime struct_time"),
        "unicodedata": _pick(
            unicodedata,
            "normalize category name lookup numeric digit decimal combining east_asian_width",
        ),
        "urllib.parse": _pick(
            urllib.parse,
            "urlparse urlunparse urlsplit urlunsplit urljoin "
            "urldefrag urlencode quote quote_plus unquote unquote_plus "
            "parse_qs parse_qsl",
        ),
        "uuid": _pick(
            uuid, "UUID uuid3 uuid4 uuid5 NAMESPACE_DNS NAMESPACE_URL NAMESPACE_OID NAMESPACE_X500"
        ),
        "zoneinfo": {"ZoneInfo": _zone, "ZoneInfoNotFoundError": zoneinfo.ZoneInfoNotFoundError},
    }
    out: dict[str, object] = {name: proxy(name, members) for name, members in mods.items()}
    out["urllib"] = proxy("urllib", {"parse": out["urllib.parse"]})
    return out


MODULES: dict[str, object] = _build()
"""Importable name → proxy. ``urllib`` exists only to reach ``urllib.parse``."""

WRITABLE_TYPES: tuple[type, ...] = (dict, list, bytearray, set, collections.deque, decimal.Context)
"""Types whose items or attributes user code may assign (besides its own classes)."""


def module_names() -> list[str]:
    """The importable module names, for error messages and the docs."""
    return sorted(n for n in MODULES if n != "urllib")


def warm_up() -> None:
    """Triggers the lazy imports and caches of the listed modules ahead of any user code."""
    datetime.datetime.strptime("2024-01-02 03:04 +0000", "%Y-%m-%d %H:%M %z").strftime("%A")
    time.strptime("2024", "%Y")
    datetime.datetime.now(datetime.UTC).astimezone(_zone("UTC")).isoformat()
    json.loads(json.dumps({"a": [1, 2.5, None, "é"]}, indent=2, sort_keys=True))
    re.compile(r"(\w+)@(\w+)\.com", re.I).sub(r"\1", "a@b.com")
    statistics.median([1, 2, 3])
    statistics.stdev([1.0, 2.0, 3.0])
    decimal.Decimal("1.10") + decimal.Decimal("2")
    hashlib.sha256(b"x").hexdigest()
    hmac.new(b"k", b"m", "sha256").hexdigest()
    unicodedata.normalize("NFKD", "é")
    uuid.uuid4()
    urllib.parse.urlencode({"a": "b c"})
    f"{1:>5}"
    f"{1.5:.1f}"
