"""The zygote: a warm sandbox process that forks one fresh child per request.

Started by the host as ``python -I -B -c <boot>`` with an empty environment, the zygote
imports and warms everything a run needs (RestrictedPython, the guards, the module
proxies), freezes its heap (``gc.freeze``) and then, forever:

1. forks the next child *in advance* (the child waits on a private control pipe);
2. reads a request header from stdin (limits, payload length, a per-request nonce);
3. hands the header without the nonce to the child, which reads the payload itself from
   stdin, so the zygote never holds user code or data;
4. waits for the child to exit, killing it at the wall-clock deadline (a ``pidfd``),
   then kills anything the run left behind (its process group, and orphans, which come
   back to the zygote because it is a child subreaper);
5. writes a status frame carrying the nonce (exit code, signal, whether it was killed,
   CPU time, peak memory). The child never sees the nonce, so it cannot forge a status.

A JavaScript zygote (``language: js``) warms V8 instead of RestrictedPython and forks
children that run :mod:`engine.sandbox._js`; it also reads each child's stderr after it
exits, to report a fatal V8 out-of-memory (``oom`` in the status).

The zygote never runs user code and never parses the payload. If a child died before
consuming its payload the stdin stream can no longer be trusted: the zygote says so
(``recycle``) and exits, and the host starts a new one. End of stdin means the host is
gone: the zygote kills its waiting child and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import sys
import time
from typing import Any

from engine.sandbox import _child
from engine.sandbox._guards import make_globals
from engine.sandbox._modules import warm_up
from engine.sandbox._policy import compile_user_function
from engine.sandbox._protocol import decode, encode, frame, read_frame, write_all

__all__ = ["main"]

_libc = ctypes.CDLL(None, use_errno=True)
_HAS_PRCTL = hasattr(_libc, "prctl")


def _prctl(option: int, arg: int) -> None:
    """``prctl(2)`` on Linux; elsewhere a no-op (the other limits still apply)."""
    if _HAS_PRCTL and _libc.prctl(option, arg, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


class _Pending:
    """The pre-forked child waiting for its request.

    A JavaScript child also gets a pipe for its stderr, where V8 reports a fatal
    out-of-memory before it aborts; the zygote reads it after the child exits.
    """

    def __init__(self, drop_to: tuple[int, int] | None, language: str = "python") -> None:
        ctl_r, self.ctl_w = os.pipe()
        self.ack_r, ack_w = os.pipe()
        self.err_r: int | None = None
        err_w = -1
        if language == "js":
            self.err_r, err_w = os.pipe()
            os.set_blocking(self.err_r, False)
        me = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child
            try:
                os.setpgid(0, 0)
                os.close(self.ctl_w)
                os.close(self.ack_r)
                if self.err_r is not None:
                    os.close(self.err_r)
                    from engine.sandbox import _js

                    _js.main(ctl_r, ack_w, err_w, drop_to, _prctl, me)
                _child.main(ctl_r, ack_w, drop_to, _prctl, me)
            finally:
                os._exit(_child.EXIT_INTERNAL)
        os.close(ctl_r)
        os.close(ack_w)
        if err_w >= 0:
            os.close(err_w)
        self.pid = pid
        self.pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self.pidfd = os.pidfd_open(pid)  # Linux >= 5.3; else exits are polled

    def exited(self, timeout: float) -> bool:
        """Waits up to ``timeout`` for the child to exit (without reaping it)."""
        if self.pidfd is not None:
            return bool(select.select([self.pidfd], [], [], timeout)[0])
        end = time.monotonic() + timeout
        while True:
            with contextlib.suppress(ChildProcessError):
                if os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                    return True
            if time.monotonic() >= end:
                return False
            time.sleep(0.001)

    def out_of_memory(self) -> bool:
        """After the child exited: whether it reported a fatal out-of-memory."""
        if self.err_r is None:
            return False
        seen = b""
        with contextlib.suppress(OSError):
            while len(seen) < 1 << 16:
                chunk = os.read(self.err_r, 1 << 16)
                if not chunk:
                    break
                seen += chunk
        return b"out of memory" in seen.lower()

    def close(self) -> None:
        for fd in (self.ctl_w, self.ack_r, self.pidfd, self.err_r):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def discard(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        self.close()


def _run(child: _Pending, header: dict[str, Any]) -> dict[str, Any]:
    """Hands ``header`` to the child, waits for it (killing it at the deadline)."""
    nonce = header.pop("id")
    timeout = float(header["timeout"])
    started = time.monotonic()
    with contextlib.suppress(BrokenPipeError):
        write_all(child.ctl_w, frame(encode(header)))
    deadline = started + timeout
    consumed = killed = False
    while not consumed:  # the acknowledgement (payload read) or EOF (child gone)
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([child.ack_r], [], [], left)[0]:
            break
        consumed = os.read(child.ack_r, 1) == b"A"
        if not consumed:
            break
    left = deadline - time.monotonic()
    if left <= 0 or not child.exited(left):
        os.kill(child.pid, signal.SIGKILL)
        killed = True
    _, status, usage = os.wait4(child.pid, 0)
    oom = child.out_of_memory()
    child.close()
    _sweep(child.pid)
    return {
        "kind": "status",
        "id": nonce,
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "killed": killed,
        "consumed": consumed,
        "oom": oom,
        "elapsed": round(time.monotonic() - started, 6),
        "cpu": round(usage.ru_utime + usage.ru_stime, 6),
        "maxrss_kb": usage.ru_maxrss,
    }


def _sweep(group: int) -> None:
    """Kills whatever a run left behind: its process group, and any process re-parented
    to the zygote (a subreaper). Runs cannot fork (no process quota), so this is a
    second line of defence."""
    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGKILL)
    me = os.getpid()
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{me}/task/{me}/children") as f:
        for orphan in f.read().split():
            with contextlib.suppress(OSError):
                os.kill(int(orphan), signal.SIGKILL)
    while True:
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if reaped == 0:
            return


def _probe_drop(drop_to: tuple[int, int] | None) -> str | None:
    """Checks once that a child can switch to the unprivileged user; why not, if not."""
    if drop_to is None:
        return None
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(drop_to[1])
            os.setuid(drop_to[0])
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    return (
        f"cannot switch sandbox processes to uid {drop_to[0]}; set AURA_SANDBOX_USER to "
        "an existing unprivileged user, or to '' to keep the current user"
    )


def _warm(language: str, memory_mb: int) -> None:
    if language == "js":
        from engine.sandbox import _js

        _js.warm(memory_mb)
        return
    warm_up()
    code = compile_user_function("import json\nreturn [x * 2 for x in items]", ["items"])
    exec(code, make_globals())  # noqa: S102 - our own warm-up program


def main(config_json: str) -> None:
    """Zygote entry point; ``config_json`` carries ``drop_to`` ([uid, gid] or null)."""
    config = json.loads(config_json)
    drop = config.get("drop_to")
    drop_to = (int(drop[0]), int(drop[1])) if drop else None
    language = "js" if config.get("language") == "js" else "python"
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        _prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans of a run come back to us
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - stray prints go nowhere
    _warm(language, int(config.get("memory_mb") or 512))
    problem = _probe_drop(drop_to)
    if problem:
        write_all(1, frame(encode({"kind": "failed", "message": problem})))
        return
    gc.collect()
    gc.freeze()
    write_all(1, frame(encode({"kind": "ready", "pid": os.getpid()})))
    child = _Pending(drop_to, language)
    while True:
        try:
            header = decode(read_frame(0, 1 << 16))
        except (EOFError, ValueError, OSError):
            child.discard()
            return
        if header.get("op") != "run":
            child.discard()
            return
        status = _run(child, header)
        write_all(1, frame(encode(status)))
        if not status["consumed"]:
            return  # stdin may hold the rest of that payload: let the host replace us
        child = _Pending(drop_to, language)
