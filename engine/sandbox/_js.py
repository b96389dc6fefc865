"""One sandboxed JavaScript run: the process a JavaScript zygote forks for one request.

The JavaScript zygote initialises V8 (single-threaded platform, no JIT, so no
WebAssembly) but creates no isolate: V8's platform start creates no thread, so forking
stays safe. Each child, while it waits for its request:

1. dies with the zygote, sets ``no_new_privs`` (inherited by the threads created next),
   sends its stderr to the zygote (V8 reports a fatal out-of-memory there);
2. creates its own isolate and context (this starts the library's threads) and runs
   :data:`~engine.sandbox._js_prelude.PRELUDE`.

Then, on the "go" header and before reading any user byte, it applies the limits of a
Python run with one difference: V8 reserves a very large address range up front, so
the address-space and data limits are set to what the process already uses *plus*
the run's memory limit, and the isolate gets a heap limit of half of it (exceeding
that stops the code cleanly; exceeding the process limits makes V8 abort, which the
zygote reports as out of memory). It reads the request, runs the node's driver and the
user's code, converts the result to JSON with the same converter as Python runs
(depth, size) and writes one response frame.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any, NoReturn

from engine.sandbox._child import EXIT_INTERNAL, EXIT_MEMORY, apply_limits
from engine.sandbox._convert import ResultProblem, to_json_bytes
from engine.sandbox._js_prelude import PRELUDE, USER_SOURCE_URL
from engine.sandbox._protocol import decode, encode, frame, read_exact, read_frame, write_all

__all__ = ["V8_FLAGS", "main", "warm"]

V8_FLAGS = ("--single-threaded", "--jitless")
MiB = 1024 * 1024
_PARSE_LINE = re.compile(r"^[^\n]*?:(\d+): (SyntaxError: [^\n]*)")


def warm(memory_mb: int) -> None:
    """In the zygote: loads V8 and initialises its platform (no isolate, no thread)."""
    from py_mini_racer._dll import init_mini_racer

    init_mini_racer(
        flags=(*V8_FLAGS, f"--max-old-space-size={max(64, memory_mb)}"), ignore_duplicate_init=True
    )


def _new_isolate() -> Any:
    """A V8 isolate and context with our prelude and without the library's timers."""
    from py_mini_racer import MiniRacer
    from py_mini_racer._mini_racer import _make_context

    class _Racer(MiniRacer):
        def __init__(self) -> None:  # skips MiniRacer's setTimeout installation
            self._own_context_maker = _make_context()
            self._ctx = self._own_context_maker.__enter__()

    racer = _Racer()
    racer.eval(PRELUDE)
    return racer


def _usage() -> tuple[int, int]:
    vm = data = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                vm = int(line.split()[1]) * 1024
            elif line.startswith("VmData:"):
                data = int(line.split()[1]) * 1024
    return vm, data


def main(
    ctl_fd: int,
    ack_fd: int,
    err_fd: int,
    drop_to: tuple[int, int] | None,
    prctl: Callable[[int, int], None],
    zygote_pid: int,
) -> NoReturn:
    """Runs in the forked child; never returns."""
    try:
        prctl(1, 9)  # PR_SET_PDEATHSIG = SIGKILL
        if os.getppid() != zygote_pid:
            os._exit(0)
        prctl(38, 1)  # PR_SET_NO_NEW_PRIVS, before any thread exists
        os.dup2(err_fd, 2)
        os.close(err_fd)
        racer = _new_isolate()
        try:
            header = decode(read_frame(ctl_fd, 1 << 16))
        except EOFError:
            os._exit(0)
        memory = int(header["memory_mb"]) * MiB
        apply_limits(header, drop_to, prctl, base=_usage())
        racer.set_hard_memory_limit(memory // 2)
        payload = read_exact(0, int(header["payload_len"]))
        os.write(ack_fd, b"A")
        os.close(ack_fd)
        os.close(ctl_fd)
        response = _execute(racer, payload, header)
        del payload
        write_all(1, frame(response))
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except BaseException:
        os._exit(EXIT_INTERNAL)
    os._exit(0)


def _printed(racer: Any, max_bytes: int, max_lines: int) -> tuple[list[str], bool]:
    """The lines the code printed, capped again here (the cap in JavaScript is a courtesy)."""
    try:
        printed = json.loads(racer.eval("__aura.output()"))
        truncated = bool(printed["truncated"])
        chunks = [str(chunk) for chunk in printed["lines"]]
    except Exception:
        return [], True
    lines: list[str] = []
    used = 0
    for line in (ln for chunk in chunks for ln in chunk.split("\n")):
        size = len(line.encode()) + 1
        if used + size > max_bytes or len(lines) >= max_lines:
            return lines, True
        used += size
        lines.append(line)
    return lines, truncated


def _respond(
    value: bytes | None, error: dict[str, Any] | None, racer: Any, h: dict[str, Any]
) -> bytes:
    lines, truncated = _printed(racer, int(h["max_stdout"]), int(h["max_lines"]))
    tail = b',"stdout":' + encode(lines) + b',"stdout_truncated":' + encode(truncated) + b"}"
    if error is not None:
        return encode({"kind": "result", "ok": False, "error": error})[:-1] + tail
    assert value is not None
    return b'{"kind":"result","ok":true,"value":' + value + tail


def _user_source(code: str, params: list[str]) -> str:
    return (
        f"globalThis.__aura_user = (async function ({', '.join(params)}) {{\n{code}\n}});"
        f"\n//# sourceURL={USER_SOURCE_URL}\n"
    )


def _syntax(exc: Exception) -> dict[str, Any]:
    text = str(exc)
    m = _PARSE_LINE.match(text)
    if m:
        message = m.group(2).removeprefix("SyntaxError: ")
        return {
            "kind": "syntax",
            "message": f"{message} (line {int(m.group(1)) - 1})",
            "line": int(m.group(1)) - 1,
        }
    return {
        "kind": "syntax",
        "message": text.strip().splitlines()[-1][:2000] if text.strip() else "invalid JavaScript",
        "line": None,
    }


def _hinted(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("kind") == "violation":
        error["hint"] = (
            "JavaScript code has the standard library only (JSON, Math, Date, "
            "RegExp, Intl, ...); do HTTP requests, files and waits in other nodes."
        )
    return error


def _execute(racer: Any, payload: bytes, h: dict[str, Any]) -> bytes:
    from py_mini_racer import JSEvalException, JSOOMException, JSParseException

    limit = int(h["max_result"])
    req = json.loads(payload)
    racer.eval(f"__aura.limits({limit}, {int(h['max_stdout'])})")
    racer.eval("globalThis.__aura_driver = (" + req["driver"] + "\n);")
    try:
        racer.eval(_user_source(req["code"], list(req["params"])))
    except JSParseException as exc:
        return _respond(None, _syntax(exc), racer, h)
    except JSEvalException as exc:  # code outside the function (a closed-early wrapper)
        status = json.loads(racer.eval("__aura.status()"))
        error = status.get("error") or {
            "kind": "user",
            "type": "Error",
            "line": None,
            "message": str(exc).strip().splitlines()[0][:2000],
        }
        return _respond(None, _hinted(error), racer, h)
    racer.eval("__aura.input(" + json.dumps(req["input_json"]) + ")")
    del req
    try:
        racer.eval("__aura.start(__aura_driver, __aura_user)")
        status = json.loads(racer.eval("__aura.status()"))
    except JSOOMException:
        return _respond(None, {"kind": "memory", "line": None}, racer, h)
    state = status.get("state")
    if state == "pending":
        return _respond(
            None,
            {
                "kind": "user",
                "type": "Error",
                "line": None,
                "message": (
                    "the code's promise never settled: there are no timers or I/O to wait for, so "
                    "only values computed by the code itself can be awaited"
                ),
            },
            racer,
            h,
        )
    if state != "ok":
        return _respond(None, _hinted(status.get("error") or {"kind": "crash"}), racer, h)
    text = racer.eval("__aura.value()")
    try:
        value = json.loads(text)
        del text
        data = to_json_bytes(value, limit)
    except RecursionError:
        return _respond(
            None,
            {"kind": "result", "type": "TypeError", "message": "the result is nested too deeply"},
            racer,
            h,
        )
    except ResultProblem as p:
        kind = "too_large" if p.kind == "size" else "result"
        return _respond(None, {"kind": kind, "type": "TypeError", "message": p.message}, racer, h)
    return _respond(data, None, racer, h)
