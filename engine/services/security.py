"""Security settings an owner or admin changes at run time: the outbound HTTP allow-list.

The allow-list that node HTTP calls may reach although private is the union of two
lists: ``AURA_HTTP_ALLOW`` (fixed by the server's environment; shown, never editable
here) and the entries kept in the store, which :func:`set_http_allow_list` replaces.
Workers read the stored list through :mod:`engine.net.allowlist` and follow a change
within :data:`engine.net.allowlist.CACHE_S` seconds. Every change is audited.

Which roles must use 2FA lives in :mod:`engine.services.auth`
(``required_2fa_roles``/``set_required_2fa_roles``); sign-in methods and OIDC providers
in ``engine.services.oidc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.auth.types import Principal
from engine.errors import ValidationError
from engine.net import allowlist
from engine.net.ssrf import normalize_allow_entry

__all__ = ["MAX_ENTRIES", "HttpAllowList", "check_allow_entries", "get_http_allow_list",
           "normalize_allow_entry", "set_http_allow_list"]

MAX_ENTRIES = 500


@dataclass(frozen=True)
class HttpAllowList:
    """The outbound HTTP allow-list.

    Attributes:
        fixed: entries from ``AURA_HTTP_ALLOW`` (set by the server's environment).
        entries: entries an owner or admin added (editable).
    """

    fixed: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"fixed": list(self.fixed), "entries": list(self.entries)}


def _authorize(principal: Principal | None, action: str) -> None:
    if principal is not None:
        from engine.services import auth

        auth.authorize(principal, action)


def _fixed() -> list[str]:
    from engine.config import settings

    return [str(e) for e in settings().http.allow]


def check_allow_entries(entries: list[str]) -> list[str]:
    """The entries checked and written canonically, duplicates and blanks dropped.

    Raises:
        ValidationError: naming every bad entry and what to write instead
            (``details["errors"]`` lists ``{"entry", "message"}``).
    """
    clean: list[str] = []
    errors: list[dict[str, str]] = []
    for raw in entries:
        if not str(raw).strip():
            continue
        try:
            entry = normalize_allow_entry(str(raw))
        except ValueError as exc:
            errors.append({"entry": str(raw), "message": str(exc)})
            continue
        if entry not in clean:
            clean.append(entry)
    if errors:
        first = errors[0]["message"]
        more = f" ({len(errors) - 1} more entries are invalid too.)" if len(errors) > 1 else ""
        raise ValidationError(f"Allow-list entry not saved: {first}.{more}",
                              details={"errors": errors})
    if len(clean) > MAX_ENTRIES:
        raise ValidationError(f"The allow-list holds at most {MAX_ENTRIES} entries; use CIDR "
                              "ranges or '*.domain' entries to cover several hosts.")
    return clean


def get_http_allow_list(principal: Principal | None = None) -> HttpAllowList:
    """The fixed (environment) and editable (stored) entries. With a ``principal``,
    needs ``settings:read`` (admins); ``None`` is the server itself (CLI, workers)."""
    _authorize(principal, "settings:read")
    from engine.services.store import get_store

    value = get_store().settings.get(allowlist.SETTING_KEY)
    stored = [str(v) for v in value] if isinstance(value, list) else []
    return HttpAllowList(fixed=_fixed(), entries=stored)


def set_http_allow_list(principal: Principal | None, entries: list[str]) -> HttpAllowList:
    """Replaces the editable entries (needs ``settings:update``: owner or admin).

    Entries are host names (``intranet.local``), subdomains (``*.corp.example``), IP
    addresses, CIDR ranges (``10.0.0.0/8``) or a host or address with a port
    (``intranet.local:8443``). Entries already fixed by ``AURA_HTTP_ALLOW`` are not
    stored twice. Workers follow the change within a few seconds.

    Raises:
        PermissionDenied: the caller is not an owner or admin.
        ValidationError: an entry is invalid (nothing is saved then).
    """
    _authorize(principal, "settings:update")
    if isinstance(entries, str) or not isinstance(entries, list | tuple):
        raise ValidationError("Send the allow-list as a list of entries, e.g. "
                              "[\"intranet.local\", \"10.0.0.0/8\"].")
    fixed = _fixed()
    fixed_norm = set()
    for e in fixed:
        try:
            fixed_norm.add(normalize_allow_entry(e))
        except ValueError:
            fixed_norm.add(e)
    clean = [e for e in check_allow_entries(list(entries)) if e not in fixed_norm]
    from engine.services import auth
    from engine.services.store import get_store

    before = get_http_allow_list(None).entries
    get_store().settings.set(allowlist.SETTING_KEY, clean)
    allowlist.invalidate()
    auth.record_audit(principal, "settings.http_allow_updated", "setting",
                      allowlist.SETTING_KEY,
                      {"added": [e for e in clean if e not in before],
                       "removed": [e for e in before if e not in clean], "entries": clean})
    return HttpAllowList(fixed=fixed, entries=clean)
