"""Host side of the sandbox: warm zygote processes, the wall-clock watchdog, the protocol.

A :class:`SandboxPool` keeps ``pool_size`` zygotes (:mod:`engine.sandbox._zygote`)
running, each started as ``python -I -B`` with an empty environment, ``/`` as working
directory, no inherited file descriptors and its own session (process group). A call
takes an idle zygote (oldest first, so a zygote has time to pre-fork its next child),
sends a header and the payload, and reads back at most one result frame from the child
and exactly one status frame from the zygote. Only JSON text crosses the pipe.

Watchdogs: the zygote kills the child at the time limit; the host kills the whole
process group of the zygote if nothing arrives ``grace_s`` later, and on any protocol
irregularity (oversized or unexpected frame, wrong nonce, trailing bytes). Killed or
recycled zygotes are replaced in the background. :meth:`SandboxPool.shutdown` (also run
at interpreter exit) ends every process the pool started. A forked copy of the host (an
RQ work-horse) never uses or stops its parent's zygotes: it starts a pool of its own.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import SandboxError
from engine.observability import metrics
from engine.sandbox._protocol import HEADER, decode, encode, frame
from engine.sandbox.config import SandboxConfig
from engine.sandbox.errors import SandboxCrashed

__all__ = ["MAX_BROKER_CALLS", "Broker", "CallOutcome", "SandboxPool", "Zygote"]

_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from engine.sandbox._zygote import main; main(sys.argv[2])"
)


def _drop_to(config: SandboxConfig) -> list[int] | None:
    if os.geteuid() != 0 or not config.run_as_user:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(config.run_as_user)
    except KeyError:
        return None
    return [entry.pw_uid, entry.pw_gid]


class _ProtocolError(Exception):
    pass


Broker = Callable[[dict[str, Any]], dict[str, Any]]
"""Answers a run's call frame (node packages' ``ctx.http``...); never raises."""
MAX_BROKER_CALLS = 1000


class CallOutcome:
    """What came back from one call: the child's response (or None), the status, and
    how many call frames the host answered (a brokered run)."""

    def __init__(self, response: dict[str, Any] | None, status: dict[str, Any],
                 calls: int = 0) -> None:
        self.response = response
        self.status = status
        self.calls = calls

    @property
    def clean(self) -> bool:
        """Whether the zygote's stdin holds nothing unread: the payload was consumed and,
        if answers to call frames were sent, the run lived to read them all."""
        return bool(self.status.get("consumed")) and (
            self.calls == 0 or self.response is not None)


class Zygote:
    """One warm sandbox process and its pipes."""

    def __init__(self, config: SandboxConfig, language: str = "python") -> None:
        import json

        boot = {"drop_to": _drop_to(config), "language": language, "memory_mb": config.memory_mb}
        args = [sys.executable, "-I", "-B", "-c", _BOOT, _ROOT, json.dumps(boot)]
        self.config = config
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and boot code
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={},
            cwd="/",
            close_fds=True,
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        os.set_blocking(self.wfd, False)
        os.set_blocking(self.rfd, False)
        self.buf = bytearray()
        self.calls = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- pipes with deadlines ---------------------------------------------------------
    def _send(self, data: bytes, deadline: float) -> bool:
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [self.wfd], [], left)
            if not ready:
                continue
            try:
                view = view[os.write(self.wfd, view) :]
            except BlockingIOError:
                continue
            except BrokenPipeError:
                return False
        return True

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([self.rfd], [], [], left)
        if not ready:
            return
        try:
            chunk = os.read(self.rfd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            raise EOFError
        self.buf += chunk

    def recv(self, deadline: float, max_size: int) -> dict[str, Any]:
        """Reads one frame; raises TimeoutError, EOFError or _ProtocolError."""
        while len(self.buf) < HEADER.size:
            self._fill(deadline)
        (size,) = HEADER.unpack_from(self.buf)
        if size > max_size:
            raise _ProtocolError(f"frame of {size} bytes")
        while len(self.buf) < HEADER.size + size:
            self._fill(deadline)
        data = bytes(self.buf[HEADER.size : HEADER.size + size])
        del self.buf[: HEADER.size + size]
        try:
            msg = decode(data)
        except (ValueError, RecursionError):
            raise _ProtocolError("undecodable frame") from None
        if not isinstance(msg, dict):
            raise _ProtocolError("frame is not an object")
        return msg

    def _has_trailing_bytes(self) -> bool:
        if self.buf:
            return True
        ready, _, _ = select.select([self.rfd], [], [], 0)
        if not ready:
            return False
        try:
            chunk = os.read(self.rfd, 1 << 16)
        except BlockingIOError:
            return False
        self.buf += chunk
        return bool(chunk)

    # -- lifecycle ------------------------------------------------------------------
    def wait_ready(self, timeout: float) -> None:
        msg = self.recv(time.monotonic() + timeout, 1 << 16)
        if msg.get("kind") == "failed":
            raise SandboxError(str(msg.get("message")))
        if msg.get("kind") != "ready":
            raise _ProtocolError("zygote did not start")

    def call(self, header: dict[str, Any], payload: bytes, grace: float,
             broker: Broker | None = None) -> CallOutcome:
        """Runs one request; raises on anything irregular (the caller discards us).

        With a ``broker``, the run may write call frames before its result; each is
        answered on the zygote's stdin, which only the run reads while it lives."""
        self.calls += 1
        nonce = secrets.token_hex(16)
        head = dict(header, op="run", id=nonce, payload_len=len(payload))
        deadline = time.monotonic() + float(header["timeout"]) + grace
        self._send(frame(encode(head)) + payload, deadline)
        max_size = int(header["max_result"]) + 4 * int(header["max_stdout"]) + (1 << 20)
        response: dict[str, Any] | None = None
        calls = 0
        while True:
            try:
                msg = self.recv(deadline, max_size)
            except EOFError:
                raise _ProtocolError("zygote exited") from None
            if msg.get("kind") == "call" and broker is not None and response is None:
                calls += 1
                if calls > MAX_BROKER_CALLS:
                    raise _ProtocolError(f"more than {MAX_BROKER_CALLS} calls")
                if not self._send(frame(encode(broker(msg))), deadline):
                    raise _ProtocolError("zygote exited")
                continue
            if msg.get("kind") == "status":
                if msg.get("id") != nonce:
                    raise _ProtocolError("status with a wrong nonce")
                status = msg
                break
            if msg.get("kind") != "result" or response is not None:
                raise _ProtocolError("unexpected frame")
            response = msg
        if status.get("consumed") and self._has_trailing_bytes():
            raise _ProtocolError("trailing bytes after the status")
        return CallOutcome(response, status, calls)

    @property
    def reusable(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Ends the zygote and everything in its process group, and reaps it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._reap()

    def close(self, timeout: float = 2.0) -> None:
        """Asks the zygote to exit (end of stdin), then kills what is left."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        except OSError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout)
        self.kill()

    def _reap(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass


class SandboxPool:
    """A thread-safe pool of warm zygotes for one language (``python`` or ``js``)."""

    def __init__(self, config: SandboxConfig | None = None, language: str = "python") -> None:
        self.config = config or SandboxConfig.from_env()
        self.language = language
        self.size = self.config.js_pool_size if language == "js" else self.config.pool_size
        self._cond = threading.Condition()
        self._idle: deque[Zygote] = deque()
        self._all: set[Zygote] = set()
        self._spawning = 0
        self._closed = False
        self._last_error: str | None = None
        self._failed_at = -1e9
        self.owner = os.getpid()
        atexit.register(self.shutdown)

    # -- spawning -------------------------------------------------------------------
    def start(self) -> None:
        """Starts zygotes in the background until ``pool_size`` exist."""
        with self._cond:
            self._top_up()

    def _top_up(self) -> None:
        if time.monotonic() - self._failed_at < 1.0:
            return  # a start just failed: back off instead of respawning in a loop
        while not self._closed and len(self._all) + self._spawning < self.size:
            self._spawning += 1
            threading.Thread(target=self._spawn, name="aura-sandbox-spawn", daemon=True).start()

    def _spawn(self) -> None:
        z: Zygote | None = None
        try:
            z = Zygote(self.config, self.language)
            z.wait_ready(30.0)
        except Exception as exc:
            if z is not None:
                z.kill()
            with self._cond:
                self._spawning -= 1
                self._last_error = (
                    str(exc) if isinstance(exc, SandboxError) else (f"{type(exc).__name__}: {exc}")
                )
                self._failed_at = time.monotonic()
                self._cond.notify_all()
            return
        with self._cond:
            self._spawning -= 1
            self._last_error = None
            if self._closed:
                z.kill()
            else:
                self._all.add(z)
                self._idle.append(z)
            self._cond.notify_all()

    # -- use --------------------------------------------------------------------------
    def acquire(self) -> Zygote:
        deadline = time.monotonic() + self.config.acquire_timeout_s
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxError("The sandbox is shut down; no code can run now.")
                while self._idle:
                    z = self._idle.popleft()
                    if z.reusable:
                        return z
                    self._all.discard(z)
                    threading.Thread(target=z.kill, daemon=True).start()
                if not self._spawning and not self._all and self._last_error:
                    error, self._last_error = self._last_error, None  # the next call retries
                    raise SandboxCrashed(f"The sandbox process could not start: {error}")
                self._top_up()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxError(
                        "Every sandbox process is busy; try again shortly or "
                        "raise AURA_SANDBOX_POOL_SIZE."
                    )
                self._cond.wait(min(left, 1.0))

    def release(self, z: Zygote, healthy: bool) -> None:
        if healthy and z.reusable:
            with self._cond:
                if not self._closed:
                    self._idle.append(z)
                    self._cond.notify()
                    return
        with self._cond:
            self._all.discard(z)
            self._top_up()
        z.kill()

    def call(self, header: dict[str, Any], payload: bytes,
             broker: Broker | None = None) -> CallOutcome:
        """Runs one request on a warm zygote (``broker``: see :meth:`Zygote.call`).

        Raises:
            TimeoutError: nothing came back within the time limit plus grace.
            SandboxCrashed: the zygote broke the protocol or died.
        """
        waited = time.monotonic()
        try:
            z = self.acquire()
        except SandboxError:
            metrics.sandbox_call(self.language, "unavailable", time.monotonic() - waited)
            raise
        metrics.sandbox_call(self.language, "run", time.monotonic() - waited)
        healthy = False
        try:
            outcome = z.call(header, payload, self.config.grace_s, broker)
            healthy = outcome.clean
            return outcome
        except _ProtocolError as exc:
            raise SandboxCrashed(
                f"The sandbox process broke the protocol ({exc}) and was replaced."
            ) from None
        finally:
            self.release(z, healthy)

    def pids(self) -> list[int]:
        """Process ids of the zygotes (their run children are in the same groups)."""
        with self._cond:
            return sorted(z.pid for z in self._all)

    def abandon(self) -> None:
        """In a forked copy of the host: drops the inherited pipes, never the processes.

        The zygotes belong to the parent; this copy closes its duplicates of their pipes
        (so the zygotes still see end-of-input when the parent exits) and forgets them.
        """
        self._cond = threading.Condition()
        self._closed = True
        for z in list(self._all):
            for f in (z.proc.stdin, z.proc.stdout):
                with contextlib.suppress(OSError, ValueError):
                    if f is not None:
                        f.close()
        self._all.clear()
        self._idle.clear()
        with contextlib.suppress(Exception):
            atexit.unregister(self.shutdown)

    def shutdown(self) -> None:
        """Stops every process of the pool; later calls raise."""
        if os.getpid() != self.owner:
            self.abandon()
            return
        with self._cond:
            self._closed = True
            zygotes = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for z in zygotes:
            z.close()
        atexit.unregister(self.shutdown)


def call_fresh(
    config: SandboxConfig, header: dict[str, Any], payload: bytes, language: str = "python"
) -> CallOutcome:
    """Runs one request in a zygote started for it and stopped after (the slow path)."""
    z = Zygote(config, language)
    try:
        z.wait_ready(30.0)
        return z.call(header, payload, config.grace_s)
    except _ProtocolError as exc:
        raise SandboxCrashed(f"The sandbox process broke the protocol ({exc}).") from None
    finally:
        z.close()
