"""One sandboxed run: the process forked by the zygote for exactly one request.

Order of events, each step before any byte of user code is read:

1. die with the zygote (``PR_SET_PDEATHSIG``), wait for the zygote's "go" header;
2. apply the limits: CPU seconds, address space, file size 0, few open files, no new
   processes, no core dumps; drop to an unprivileged user when started as root; not
   dumpable (no ptrace from sibling sandboxes), no new privileges;
3. read the request (code and inputs) from stdin and acknowledge it;
4. compile with the restricted policy, run, convert the value to JSON *here*, write
   one response frame to stdout and exit. Nothing of this process is reused. A node
   package run (mode ``package``) may first write *call* frames and read the host's
   answers on stdin (:mod:`engine.sandbox._package`).
"""

from __future__ import annotations

import base64
import json
import marshal
import math
import os
import resource
import types
from collections.abc import Callable
from typing import Any, NoReturn

from engine.sandbox._convert import ResultProblem, to_json_bytes
from engine.sandbox._guards import STATE, Violation, make_globals
from engine.sandbox._package import make_ctx
from engine.sandbox._policy import FILENAME, FUNCTION, CompileProblem, compile_user_function
from engine.sandbox._protocol import decode, encode, frame, read_exact, read_frame, write_all

__all__ = ["EXIT_INTERNAL", "EXIT_MEMORY", "apply_limits", "main"]

EXIT_MEMORY = 3
EXIT_INTERNAL = 70
MiB = 1024 * 1024
_MAX_MESSAGE = 2000


def main(
    ctl_fd: int,
    ack_fd: int,
    drop_to: tuple[int, int] | None,
    prctl: Callable[[int, int], None],
    zygote_pid: int,
) -> NoReturn:
    """Runs in the forked child; never returns."""
    try:
        prctl(1, 9)  # PR_SET_PDEATHSIG = SIGKILL
        if os.getppid() != zygote_pid:
            os._exit(0)
        try:
            header = decode(read_frame(ctl_fd, 1 << 16))
        except EOFError:
            os._exit(0)
        apply_limits(header, drop_to, prctl)
        payload = read_exact(0, int(header["payload_len"]))
        os.write(ack_fd, b"A")
        os.close(ack_fd)
        os.close(ctl_fd)
        response = _execute(payload, header)
        del payload
        write_all(1, frame(response))
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except BaseException:
        os._exit(EXIT_INTERNAL)
    os._exit(0)


def apply_limits(
    h: dict[str, Any],
    drop_to: tuple[int, int] | None,
    prctl: Callable[[int, int], None],
    base: tuple[int, int] | None = None,
) -> None:
    """Sets the run's resource limits, drops privileges, makes the process undumpable.

    ``base`` (address space, data) in bytes already in use: the memory limit is then
    counted on top of it, and also applied to the data segment (JavaScript runs, whose
    engine reserves a large address range before the run starts).
    """
    cpu = max(1, math.ceil(float(h["timeout"]))) + 1
    nofile = int(h.get("open_files", 32))
    memory = int(h["memory_mb"]) * MiB
    limits = [
        ("RLIMIT_CPU", (cpu, cpu + 1)),
        ("RLIMIT_AS", ((base[0] if base else 0) + memory,) * 2),
        ("RLIMIT_FSIZE", (0, 0)),
        ("RLIMIT_CORE", (0, 0)),
        ("RLIMIT_NOFILE", (nofile, nofile)),
        ("RLIMIT_NPROC", (0, 0)),
        ("RLIMIT_MEMLOCK", (0, 0)),
        ("RLIMIT_MSGQUEUE", (0, 0)),
    ]
    if base is not None:
        limits.append(("RLIMIT_DATA", (base[1] + memory,) * 2))
    for name, value in limits:
        which = getattr(resource, name, None)
        if which is not None:
            resource.setrlimit(which, value)
    if drop_to is not None:
        uid, gid = drop_to
        parent = os.getppid()
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        # changing credentials clears PR_SET_PDEATHSIG: without it again, a run would
        # outlive a zygote the host killed (until its CPU limit)
        prctl(1, 9)
        if os.getppid() != parent:  # the zygote died before the signal was set again
            os._exit(0)
    prctl(4, 0)  # PR_SET_DUMPABLE = 0: sibling sandboxes cannot ptrace or read /proc of us
    prctl(38, 1)  # PR_SET_NO_NEW_PRIVS = 1


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "..."


def _tb_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _message(exc: BaseException) -> str:
    try:
        return _clip(str(exc))
    except Exception:
        return ""


def _violation() -> dict[str, Any]:
    return {"kind": "violation", "message": STATE.violation, "line": STATE.violation_line}


def _call(fn: Callable[..., Any], args: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    try:
        value = fn(**args)
    except Violation:
        return None, _violation()
    except MemoryError as exc:
        return None, {"kind": "memory", "line": _tb_line(exc)}
    except Exception as exc:
        return None, {
            "kind": "user",
            "type": type(exc).__name__,
            "message": _message(exc),
            "line": _tb_line(exc),
        }
    except BaseException as exc:
        return None, {
            "kind": "violation",
            "message": f"{type(exc).__name__} raised",
            "line": _tb_line(exc),
        }
    if STATE.violation is not None:
        return None, _violation()
    return value, None


def _convert(value: Any, limit: int) -> tuple[bytes | None, dict[str, Any] | None]:
    try:
        return to_json_bytes(value, limit), None
    except ResultProblem as p:
        kind = "too_large" if p.kind == "size" else "result"
        return None, {"kind": kind, "type": "TypeError", "message": p.message}
    except MemoryError:
        return None, {"kind": "memory", "line": None}
    except RecursionError:
        return None, {
            "kind": "result",
            "type": "TypeError",
            "message": "the result is nested too deeply",
        }


def _stdout(max_lines: int) -> tuple[list[str], bool]:
    text = "".join(STATE.stdout)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    truncated = STATE.stdout_truncated
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        truncated = True
    return lines, truncated


def _respond(value: bytes | None, error: dict[str, Any] | None, max_lines: int) -> bytes:
    lines, truncated = _stdout(max_lines)
    tail = b',"stdout":' + encode(lines) + b',"stdout_truncated":' + encode(truncated) + b"}"
    if error is not None:
        return encode({"kind": "result", "ok": False, "error": error})[:-1] + tail
    assert value is not None
    return b'{"kind":"result","ok":true,"value":' + value + tail


def _prepare(payload: bytes) -> tuple[dict[str, Any], Callable[..., Any]]:
    req = json.loads(payload)
    if req["mode"] == "package" and req.get("compiled"):
        # compiled by the host under the same policy (a package's code, cached there)
        code = marshal.loads(base64.b64decode(req["compiled"]))  # noqa: S302 - from the host
    else:
        code = compile_user_function(req["code"], list(req["names"]))
    namespace = make_globals()
    exec(code, namespace)  # noqa: S102 - restricted code object with guarded globals
    fn = namespace[FUNCTION]
    assert isinstance(fn, types.FunctionType)
    return req, fn


def _execute(payload: bytes, h: dict[str, Any]) -> bytes:
    STATE.max_stdout = int(h["max_stdout"])
    limit = int(h["max_result"])
    max_lines = int(h["max_lines"])
    try:
        req, fn = _prepare(payload)
    except CompileProblem as p:
        return _respond(None, {"kind": p.kind, "message": p.message, "line": p.line}, max_lines)
    except MemoryError:
        return _respond(None, {"kind": "memory", "line": None}, max_lines)
    except Violation:
        return _respond(None, _violation(), max_lines)
    if req["mode"] in ("once", "package"):
        args = req["inputs"] if req["mode"] == "once" else _package_args(req)
        value, error = _call(fn, args)
        if error is None:
            data, error = _convert(value, limit)
            del value
            return _respond(data, error, max_lines)
        return _respond(None, error, max_lines)
    return _execute_each(fn, req, limit, max_lines)


def _package_args(req: dict[str, Any]) -> dict[str, Any]:
    """``ctx`` (brokered by the host, see :mod:`engine.sandbox._package`) and ``items``."""
    from engine.sandbox._guards import _emit

    def emit(level: str, message: Any) -> None:
        _emit(f"{message}\n" if level == "info" else f"[{level}] {message}\n")

    return {"ctx": make_ctx(req, emit), "items": req["items"]}


def _execute_each(fn: Callable[..., Any], req: dict[str, Any], limit: int, max_lines: int) -> bytes:
    entries: list[bytes] = []
    used = 0
    stop = bool(req.get("stop_on_error"))
    views = req.get("views") or []
    for index, args in enumerate(req["items"]):
        for name, src, key in views:
            source = args.get(src)
            args[name] = source.get(key) if type(source) is dict else None
        value, error = _call(fn, args)
        data = None
        if error is None:
            data, error = _convert(value, limit - used)
            del value
        if error is not None and error["kind"] not in ("user", "result"):
            error["item_index"] = index
            return _respond(None, error, max_lines)
        if error is not None:
            entry = encode({"ok": False, "error": error})
            used += len(entry)
            if used > limit:
                return _respond(
                    None,
                    {
                        "kind": "too_large",
                        "message": f"the per-item errors are larger than {limit} bytes",
                    },
                    max_lines,
                )
            entries.append(entry)
            if stop:
                break
        else:
            assert data is not None
            used += len(data)
            entries.append(b'{"ok":true,"value":' + data + b"}")
    return _respond(b"[" + b",".join(entries) + b"]", None, max_lines)
