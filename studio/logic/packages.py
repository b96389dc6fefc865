"""The Marketplace page's plain helpers: rows for its tables, a refused package file said
in plain words, and an install followed while it runs (:class:`InstallJob`).

No Reflex here: :mod:`studio.state.marketplace` holds the page state and calls these.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from engine.errors import AuraError, PackageInstallError

__all__ = [
    "PROBLEMS",
    "InstallJob",
    "catalogue_row",
    "installed_row",
    "problem_title",
    "signature_record",
    "upload_row",
]

PROBLEMS = {
    "archive": "This is not a package file AURA can read",
    "manifest": "Bad manifest",
    "files": "Bad manifest: a file it names is missing",
    "compile": "The package's code is refused",
    "aura_version": "Made for another AURA version",
    "signature": "Bad signature",
    "hash": "Bad signature: the file was changed after it was signed",
    "namespace": "Bad signature: signed by a publisher that does not own this name",
    "untrusted_publisher": "Signed by a publisher you do not trust",
    "unsigned": "Not signed",
    "builtin_type": "It would replace a built-in node",
    "type_conflict": "Another package already provides one of its nodes",
    "tests": "The package's own tests failed",
    "installed": "Already installed",
}
"""A headline in plain words per failed check (``details["check"]``)."""


def _join(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def problem_title(exc: AuraError) -> str:
    """The headline for a refused package file."""
    details = exc.details if isinstance(exc.details, dict) else {}
    return PROBLEMS.get(str(details.get("check") or ""), "The package cannot be installed")


def catalogue_row(p: dict[str, Any]) -> dict[str, str]:
    """A catalogue entry as strings for the table and the details dialog."""
    perms = p.get("permissions") or {}
    return {
        "name": str(p.get("name") or ""),
        "title": str(p.get("title") or p.get("name") or ""),
        "description": str(p.get("description") or ""),
        "version": str(p.get("version") or ""),
        "publisher": str(p.get("publisher") or ""),
        "verified": "yes" if p.get("verified") else "",
        "installed": str(p.get("installed") or ""),
        "update": "yes" if p.get("update_available") else "",
        "categories": _join(p.get("categories")),
        "hosts": _join(perms.get("hosts")) or "no network access",
        "credentials": _join(perms.get("credentials")) or "none",
        "nodes": _join(n.get("title") or n.get("type") for n in p.get("nodes") or []),
        "downloads": "" if p.get("downloads") is None else str(p.get("downloads")),
    }


def installed_row(p: dict[str, Any]) -> dict[str, str]:
    """An installed package (sandboxed, or a trusted wheel) for the installed table."""
    signed = p.get("signed_by")
    return {
        "name": str(p.get("name") or ""),
        "kind": str(p.get("kind") or ""),
        "version": str(p.get("active") or ""),
        "enabled": "yes" if p.get("enabled") else "",
        "signed": f"signed by {signed}"
        if signed
        else ("unsigned (admin override)" if p.get("override") else ""),
        "status": str(p.get("status") or ""),
        "nodes": _join(p.get("node_types")),
        "hosts": _join((p.get("permissions") or {}).get("hosts")),
    }


def upload_row(p: dict[str, Any]) -> dict[str, str]:
    """A checked package file (:func:`engine.services.packages.preview_file`) as strings
    for the confirmation card."""
    perms = p.get("permissions") or {}
    signed = p.get("signed_by")
    return {
        "name": str(p.get("name") or ""),
        "version": str(p.get("version") or ""),
        "title": str(p.get("title") or p.get("name") or ""),
        "description": str(p.get("description") or ""),
        "nodes": _join(n.get("title") or n.get("type") for n in p.get("nodes") or []),
        "hosts": _join(perms.get("hosts")) or "no network access",
        "credentials": _join(perms.get("credentials")) or "none",
        "signed": f"signed by {signed}" if signed else "",
        "needs_override": str(p.get("needs_override") or ""),
        "upgrade": f"upgrades {p['upgrade_from']}" if p.get("upgrade_from") else "",
    }


def signature_record(data: bytes) -> dict[str, Any]:
    """An uploaded ``.sig`` file as a signature record.

    Raises:
        PackageInstallError: it is not one (check ``signature``).
    """
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise PackageInstallError(
            "The .sig file is not a signature record (JSON with publisher and signature).",
            details={"check": "signature"},
        )
    return value


class InstallJob:
    """An install run in a worker thread while the page shows how far it is.

    ``work(progress)`` is the service call; ``progress(stage, done, total)`` stores the
    latest report, which :attr:`label` and :attr:`percent` read (a single assignment,
    safe across the threads)."""

    def __init__(self, work: Callable[[Callable[[str, int, int], None]], Any]) -> None:
        self._work = work
        self._last: tuple[str, int, int] = ("check", 0, 1)
        self.result: Any = None
        self.error: BaseException | None = None
        self._done = threading.Event()

    def _report(self, stage: str, done: int, total: int) -> None:
        self._last = (stage, done, total)

    def _run(self) -> None:
        try:
            self.result = self._work(self._report)
        except BaseException as exc:  # handed to the page, which says what went wrong
            self.error = exc
        finally:
            self._done.set()

    @property
    def label(self) -> str:
        from engine.services.packages import STAGES

        stage, done, total = self._last
        text = STAGES.get(stage, stage)
        if stage == "download" and total:
            text += f" ({done // 1024} of {total // 1024} KiB)"
        return text + "…"

    @property
    def percent(self) -> int:
        from engine.services.packages import progress_percent

        return progress_percent(*self._last)

    async def wait(self, interval: float = 0.2) -> bool:
        """Starts the work (first call) and waits up to ``interval``; True once over."""
        if not hasattr(self, "_thread"):
            self._thread = threading.Thread(target=self._run, name="package-install", daemon=True)
            self._thread.start()
        await asyncio.get_running_loop().run_in_executor(None, self._done.wait, interval)
        return self._done.is_set()
