"""The metric files that the processes of one machine share (private to
:mod:`engine.observability.metrics`).

prometheus-client's multi-process mode gives every process its own memory-mapped file
per metric type (``counter_<pid>.db``...) in ``PROMETHEUS_MULTIPROC_DIR``; a scrape adds
them all up. A forking worker starts a process per execution, so files of processes
that have ended pile up and every scrape would read more of them. :func:`collect`
therefore first folds the counters and histograms of dead processes into one
``<type>_archive.db`` per type (their counts stay, nothing resets) and deletes their
files. Scrapes hold a shared lock and the folding an exclusive one, so a scrape never
sees a count twice or not at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.pids import alive

__all__ = ["collect", "compact", "wipe"]

FOLDED_TYPES = ("counter", "histogram", "summary")
COMPACT_AT = 16
"""Fold dead processes' files once at least this many of them are lying around."""


@contextlib.contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    with open(path / ".lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _dead_files(path: Path) -> list[tuple[str, Path]]:
    out = []
    for f in path.glob("*.db"):
        typ, _, pid = f.stem.rpartition("_")
        if typ in FOLDED_TYPES and pid.isdigit() and not alive(int(pid)):
            out.append((typ, f))
    return out


def compact(path: Path, at_least: int = COMPACT_AT) -> int:
    """Folds the files of dead processes into the archive files; returns how many."""
    from prometheus_client import mmap_dict

    MmapedDict: Any = mmap_dict.MmapedDict  # untyped

    if len(_dead_files(path)) < at_least:
        return 0
    with _locked(path, exclusive=True):
        dead = _dead_files(path)  # again, under the lock
        archives: dict[str, Any] = {}
        try:
            for typ, f in dead:
                archive = archives.get(typ)
                if archive is None:
                    archive = archives[typ] = MmapedDict(str(path / f"{typ}_archive.db"))
                for key, value, ts, _ in MmapedDict.read_all_values_from_file(str(f)):
                    total, _ = archive.read_value(key)
                    archive.write_value(key, total + value, ts)
                f.unlink()
        finally:
            for archive in archives.values():
                archive.close()
    return len(dead)


def collect(path: Path) -> list[Any]:
    """The metrics of every process of this machine, added up."""
    from prometheus_client import multiprocess

    collector: Any = multiprocess.MultiProcessCollector  # untyped

    compact(path)
    with _locked(path, exclusive=False):
        files = glob.glob(os.path.join(path, "*.db"))
        return list(collector.merge(files, accumulate=True))


def wipe(path: Path) -> None:
    """Deletes the files of processes that have ended, and the archives: a fresh start
    of the machine's fleet (``aura up``). Files of running processes stay (they still
    write to them)."""
    if not path.is_dir():
        return
    with _locked(path, exclusive=True):
        for f in path.glob("*.db"):
            pid = f.stem.rpartition("_")[2]
            if not (pid.isdigit() and alive(int(pid))):
                f.unlink(missing_ok=True)
