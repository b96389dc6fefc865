"""The docs site ``aura up`` serves at ``/docs`` (:mod:`engine.services.docs` says where
and in what state), kept up to date: :func:`build_in_background` starts a low-priority
process (``python -m engine.cli._docs_site SITE``) that rebuilds the site only when what
it is made of changed (the AURA version, ``docs/``, the code the references come from,
the installed node types: :func:`fingerprint`), into a fresh directory swapped in when
complete, so the old site is served meanwhile."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from engine.services.docs import read_record, record, site_dir

__all__ = ["build_in_background", "fingerprint", "rebuild"]


def fingerprint() -> str:
    """What the site is made of, hashed: the AURA version, every file of ``docs/``, the
    source and docs of the packages the references are generated from (path, size, mtime), and the
    installed node types with their versions."""
    import importlib.metadata
    import importlib.util

    from engine.docsite import DOCS_DIR
    from engine.sdk import get_catalog

    digest = hashlib.sha256()
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        digest.update(importlib.metadata.version("aura").encode())
    roots = [DOCS_DIR]
    for package in ("engine", "nodes", "studio.api"):
        spec = importlib.util.find_spec(package)
        roots += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for root in roots:
        for path in sorted(root.rglob("*")):
            wanted = root == DOCS_DIR or path.suffix in (".py", ".md", ".json")
            if wanted and path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    types = sorted(f"{s.type}@{s.version}" for s in get_catalog().all())
    digest.update("\n".join(types).encode())
    return digest.hexdigest()


def rebuild(site: Path, *, force: bool = False) -> bool:
    """Builds the site into ``site`` unless it is up to date (``force``: anyway); the new
    site replaces the old one only once it is complete. Records the outcome beside it
    (``<site>.state.json``). Returns whether it built; a failed build is recorded with
    MkDocs' reason and re-raised."""
    import fcntl

    from engine.docsite import build
    from engine.errors import AuraError

    site.parent.mkdir(parents=True, exist_ok=True)
    with open(site.with_name(site.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another process builds it
        stamp, before = fingerprint(), read_record(site).get("stamp")
        if not force and (site / "index.html").is_file() and before == stamp:
            return False
        record(site, status="building", pid=os.getpid(), stamp=before)
        fresh, old = site.with_name(site.name + ".new"), site.with_name(site.name + ".old")
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            build(fresh, strict=False)
        except AuraError as exc:
            shutil.rmtree(fresh, ignore_errors=True)
            record(site, status="failed", message=exc.message)
            raise
        if site.exists():
            site.rename(old)
        fresh.rename(site)
        shutil.rmtree(old, ignore_errors=True)
        record(site, status="built", stamp=stamp)
        return True


def build_in_background(site: Path | None = None) -> subprocess.Popen[bytes] | None:
    """Starts a low-priority process that rebuilds the site if it is stale (see
    :func:`rebuild`); None when MkDocs is not installed (``/docs`` then says how to get
    the docs)."""
    import importlib.util

    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        return None
    site = site or site_dir()
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "engine.cli._docs_site", str(site)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # the outcome is recorded beside the site
        start_new_session=True,
        preexec_fn=lambda: os.nice(10),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m engine.cli._docs_site SITE_DIR``: :func:`rebuild` (exit 1 on failure)."""
    import logging

    from engine.errors import AuraError

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    args = sys.argv[1:] if argv is None else argv
    try:
        rebuild(Path(args[0]) if args else site_dir())
    except AuraError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
