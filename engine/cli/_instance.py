"""The ``aura up`` that runs for a data directory: its lock, its record, and finding it.

While ``aura up`` runs it holds an exclusive lock on ``<data dir>/up.lock`` and keeps
``<data dir>/up.json`` (mode 0600: the Redis URL has a password) with its pid, Redis URL
and API URL. Any other ``aura`` command started on the same data directory (the same
working directory, or the same ``AURA_DATA_DIR``) with no ``AURA_REDIS_URL`` of its own
adopts that Redis (and the API URL for the console), so ``aura run --queue``, ``aura
logs``, ``aura services`` and ``aura execution ...`` work in a second terminal with no
variable to set. The record counts only while the lock is held: a killed ``aura up``
leaves nothing that misleads. A second ``aura up`` on the same data directory is refused
(two servers would write one append-only file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from engine.errors import AuraError

__all__ = ["AlreadyUp", "RunningUp", "UpLock", "adopt_running_up", "running_up"]

LOCK_FILE = "up.lock"
RECORD_FILE = "up.json"


class AlreadyUp(AuraError):
    """``aura up`` already runs for this data directory."""

    code = "already_up"
    http_status = 409


@dataclass(frozen=True)
class RunningUp:
    """What a running ``aura up`` tells the other commands of its data directory."""

    pid: int
    redis_url: str
    api_url: str = ""
    studio_url: str = ""


class UpLock:
    """Held by ``aura up`` for its lifetime: :meth:`acquire`, :meth:`publish`,
    :meth:`release`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Takes the lock.

        Raises:
            AlreadyUp: another ``aura up`` holds it.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        f = open(self.data_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held while up runs
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            other = _read_record(self.data_dir)
            where = ""
            if other:
                api = f", API {other.api_url}" if other.api_url else ""
                where = f" (pid {other.pid}{api})"
            raise AlreadyUp(
                f"AURA is already up for the data directory {self.data_dir}{where}. Use "
                "that one (other 'aura' commands in this directory find it by themselves), "
                "stop it first, or start another instance with its own AURA_DATA_DIR.",
                details={"data_dir": str(self.data_dir)},
            ) from None
        self._file = f

    def publish(self, up: RunningUp) -> None:
        """Writes the record the other commands read (mode 0600)."""
        path = self.data_dir / RECORD_FILE
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(asdict(up), indent=2) + "\n")
        os.replace(tmp, path)

    def release(self) -> None:
        """Removes the record and lets the lock go."""
        if self._file is None:
            return
        (self.data_dir / RECORD_FILE).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None


def running_up(data_dir: Path) -> RunningUp | None:
    """The ``aura up`` running for ``data_dir``, if one holds its lock."""
    lock = Path(data_dir) / LOCK_FILE
    if not lock.exists():
        return None
    try:
        with open(lock, "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return _read_record(Path(data_dir))  # held: up is running
            fcntl.flock(f, fcntl.LOCK_UN)
            return None  # nobody holds it: a stale record of a killed 'up'
    except OSError:
        return None


def adopt_running_up() -> RunningUp | None:
    """Points this process at the ``aura up`` of its data directory when it has no
    ``AURA_REDIS_URL`` of its own: sets ``AURA_REDIS_URL`` (and ``AURA_URL``, the
    console's server, when no console URL is set: ``aura tui`` hands it to the console
    it starts). Returns what was found."""
    from engine.config import reset_settings, settings

    if os.environ.get("AURA_REDIS_URL"):
        return None
    up = running_up(settings().data_dir)
    if up is None or not up.redis_url:
        return None
    os.environ["AURA_REDIS_URL"] = up.redis_url
    if up.api_url and not settings().console.url:
        os.environ["AURA_URL"] = up.api_url
    reset_settings()
    return up


def _read_record(data_dir: Path) -> RunningUp | None:
    try:
        raw = json.loads((data_dir / RECORD_FILE).read_text())
        return RunningUp(
            int(raw["pid"]),
            str(raw["redis_url"]),
            str(raw.get("api_url", "")),
            str(raw.get("studio_url", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
