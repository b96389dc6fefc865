"""Admin > Marketplace: browse a catalogue, see what a package may do before installing
it, install, and manage what is installed (enable, disable, uninstall).

An admin can also upload a package file (with its ``.sig`` record beside it): it is
checked at once (archive, manifest, code, AURA version range, signature) and what it
would install is shown, or what is wrong in plain words; it installs only when the
admin confirms (and, for an unsigned file, ticks the audited override).

Everything goes through :mod:`engine.services.packages`, which authorizes (owners and
admins), checks signatures and hashes, runs the package's checks in the sandbox and
audits; this state only shapes rows for the page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.logic.packages import (
    InstallJob,
    catalogue_row,
    installed_row,
    problem_title,
    signature_record,
    upload_row,
)
from studio.state.admin_base import AdminGate

__all__ = ["MarketplaceState"]


class MarketplaceState(AdminGate, AuthState):
    search: str = ""
    catalogue_name: str = ""
    signer: str = ""
    catalogue_problem: str = ""
    packages: list[dict[str, str]] = []
    installed: list[dict[str, str]] = []
    detail: dict[str, str] = {}
    detail_open: bool = False
    busy: str = ""
    progress_label: str = ""
    progress_value: int = 0
    upload_name: str = ""
    upload_title: str = ""
    upload_problem: str = ""
    upload_preview: dict[str, str] = {}
    upload_override: bool = False
    _upload_data: bytes = b""
    _upload_sig: dict[str, Any] | None = None
    _install_ok: bool = False

    def _reload(self, p: Any) -> None:
        from engine.services import packages

        self.installed = [installed_row(x) for x in packages.installed(p)]
        try:
            listing = packages.catalogue(p, search=self.search)
        except AuraError as exc:
            self.catalogue_problem = exc.message
            self.packages = []
            return
        self.catalogue_problem = ""
        self.catalogue_name = str(listing.get("name") or "")
        self.signer = str(listing.get("signer") or "")
        self.packages = [catalogue_row(x) for x in listing["packages"]]
        if self.detail:
            self.detail = next(
                (r for r in self.packages if r["name"] == self.detail.get("name")), self.detail
            )

    @rx.event
    def load(self) -> Any:
        return self._load()

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    def apply_search(self) -> Any:
        return self._load()

    @rx.event
    def open_detail(self, name: str) -> None:
        self.detail = next((r for r in self.packages if r["name"] == name), {})
        self.detail_open = bool(self.detail)

    @rx.event
    def set_detail_open(self, value: bool) -> None:
        self.detail_open = value

    async def _follow(
        self, what: str, work: Callable[..., Any], *, upload: bool = False
    ) -> AsyncIterator[Any]:
        """Runs ``work(principal, progress)`` (an install) in a thread and shows its
        progress until it is over, then reloads the page. Yields state updates, and
        finally a toast: done, or what went wrong (for an ``upload``, said on its card).
        ``_install_ok`` tells the caller how it ended."""
        self._install_ok = False
        try:
            p = self._admin()
        except AuraError as exc:
            yield self._fail(exc)
            return
        job = InstallJob(lambda progress: work(p, progress))
        self.busy, self.progress_label, self.progress_value = what, job.label, job.percent
        yield None
        while not await job.wait():
            self.progress_label, self.progress_value = job.label, job.percent
            yield None
        self.busy, self.progress_label, self.progress_value = "", "", 0
        if isinstance(job.error, AuraError):
            if upload:
                self._refused(job.error)
            yield self._fail(job.error)
            return
        if job.error is not None:
            raise job.error
        self._install_ok = True
        self._reload(p)
        info = job.result
        yield rx.toast.success(
            f"Installed {info['name']} {info['active']}. Its nodes are in the palette now."
        )

    @rx.event
    async def install(self, name: str) -> AsyncIterator[Any]:
        """Installs (or upgrades to) the catalogue's newest version, showing progress."""
        from engine.services import packages

        self.detail_open = False
        async for update in self._follow(
            name,
            lambda p, progress: packages.install_from_catalogue(p, name, progress=progress),
        ):
            yield update

    @rx.event
    def uninstall(self, name: str) -> Any:
        from engine.services import packages

        return self._change(lambda p: packages.uninstall(p, name), f"Uninstalled {name}.")

    @rx.event
    def toggle(self, name: str, enabled: bool) -> Any:
        from engine.services import packages

        return self._change(
            lambda p: packages.set_enabled(p, name, enabled),
            f"{name} {'enabled' if enabled else 'disabled'}.",
        )

    @rx.event
    def approve_wheel(self, dist: str, version: str) -> Any:
        """The owner lets a trusted wheel (runs in-process) load its nodes everywhere."""
        from engine.services import packages

        return self._change(
            lambda p: packages.approve_wheel(p, dist, version, owner_approved=True),
            f"{dist} {version} approved: its nodes load on every process's next run.",
        )

    @rx.event
    def revoke_wheel(self, dist: str) -> Any:
        from engine.services import packages

        return self._change(
            lambda p: packages.revoke_wheel(p, dist),
            f"{dist} waits for approval again; its nodes are unloaded.",
        )

    # -- a package file uploaded by the admin --------------------------------------------
    def _upload_clear(self) -> None:
        self.upload_name = self.upload_title = self.upload_problem = ""
        self.upload_preview = {}
        self.upload_override = False
        self._upload_data, self._upload_sig = b"", None

    def _refused(self, exc: AuraError) -> None:
        self.upload_preview = {}
        self.upload_title = problem_title(exc)
        self.upload_problem = exc.message

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> Any:
        """Reads the dropped package file (and its ``.sig``) and checks it; nothing is
        installed yet."""
        self._upload_clear()
        package, sig = None, None
        for f in files:
            name, data = f.filename or "", await f.read()
            if name.endswith(".sig"):
                sig = (name, data)
            else:
                package = (name, data)
        if package is None:
            self.upload_title = "No package file"
            self.upload_problem = (
                "Choose the package file (.aurapkg), and its signature (.aurapkg.sig) "
                "if it has one."
            )
            return None
        self.upload_name = package[0]
        try:
            p = self._admin()
            if sig is not None:
                self._upload_sig = signature_record(sig[1])
            from engine.services import packages

            preview = packages.preview_file(p, package[1], self._upload_sig)
        except AuraError as exc:
            self._refused(exc)
            return None
        self._upload_data = package[1]
        self.upload_preview = upload_row(preview)
        return None

    @rx.event
    def set_upload_override(self, value: bool) -> None:
        self.upload_override = bool(value)

    @rx.event
    def cancel_upload(self) -> None:
        self._upload_clear()

    @rx.event
    async def confirm_upload(self) -> AsyncIterator[Any]:
        """Installs the checked file (its tests run in the sandbox first)."""
        from engine.services import packages

        if not self._upload_data or not self.upload_preview:
            yield rx.toast.error("Upload a package file first.")
            return
        if self.upload_preview.get("needs_override") and not self.upload_override:
            yield rx.toast.error(
                "This package is not signed by a publisher you trust: tick the override to "
                "install it anyway, or cancel."
            )
            return
        data, sig, override = self._upload_data, self._upload_sig, self.upload_override
        source = f"upload:{self.upload_name}"
        async for update in self._follow(
            self.upload_preview.get("name", ""),
            lambda p, progress: packages.install_file(
                p, data, sig, allow_unsigned=override, source=source, progress=progress
            ),
            upload=True,
        ):
            yield update
        if self._install_ok:
            self._upload_clear()
