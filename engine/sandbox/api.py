"""Public functions of the sandbox and the mapping of outcomes to AURA errors."""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import threading
from dataclasses import dataclass, field
from typing import Any

from engine.errors import (
    AuraError,
    SandboxMemoryError,
    SandboxTimeout,
    SandboxViolation,
    ValidationError,
)
from engine.sandbox._policy import check_input_name
from engine.sandbox.config import SandboxConfig
from engine.sandbox.errors import SandboxCrashed, SandboxOutputTooLarge, UserCodeError
from engine.sandbox.pool import CallOutcome, SandboxPool, call_fresh

__all__ = [
    "EachResult",
    "RunResult",
    "configure",
    "get_js_pool",
    "get_pool",
    "run_code",
    "run_code_each",
    "run_code_ex",
    "run_code_fresh",
    "shutdown",
]

log = logging.getLogger(__name__)
_pool: SandboxPool | None = None
_js_pool: SandboxPool | None = None
_config: SandboxConfig | None = None
_pool_lock = threading.Lock()
_EXIT_MEMORY = 3


@dataclass
class RunResult:
    """The value returned by the code and the lines it printed."""

    result: Any
    stdout: list[str] = field(default_factory=list)
    stdout_truncated: bool = False
    duration_s: float = 0.0


@dataclass
class EachResult:
    """Once-per-item outcome: ``results[i]`` is item i's value (None if it failed or
    was not run); ``errors`` maps item index to its error; ``stdout`` as for RunResult."""

    results: list[Any]
    errors: dict[int, UserCodeError]
    stdout: list[str] = field(default_factory=list)
    stdout_truncated: bool = False
    duration_s: float = 0.0


def get_pool() -> SandboxPool:
    """The process-wide pool (started on first use; a forked process gets its own)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.owner != os.getpid():
            _pool.abandon()
            _pool = None
        if _pool is None:
            _pool = SandboxPool(_config)
            _pool.start()
        return _pool


def get_js_pool() -> SandboxPool:
    """The process-wide pool of JavaScript zygotes (started on first use)."""
    global _js_pool
    with _pool_lock:
        if _js_pool is not None and _js_pool.owner != os.getpid():
            _js_pool.abandon()
            _js_pool = None
        if _js_pool is None:
            _js_pool = SandboxPool(_config, language="js")
            _js_pool.start()
        return _js_pool


def _after_fork_in_child() -> None:
    global _pool, _js_pool, _pool_lock
    _pool_lock = threading.Lock()
    for pool in (_pool, _js_pool):
        if pool is not None:
            pool.abandon()
    _pool = _js_pool = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def configure(config: SandboxConfig) -> SandboxPool:
    """Replaces the process-wide pool with one using ``config`` (kept for later pools;
    the JavaScript pool is stopped and restarts with it on its next use)."""
    global _pool, _js_pool, _config
    with _pool_lock:
        _config = config
        old, _pool = _pool, SandboxPool(config)
        old_js, _js_pool = _js_pool, None
        _pool.start()
    for pool in (old, old_js):
        if pool is not None:
            pool.shutdown()
    return _pool


def shutdown() -> None:
    """Stops every sandbox process of this process (also done at exit)."""
    global _pool, _js_pool
    with _pool_lock:
        old, _pool = _pool, None
        old_js, _js_pool = _js_pool, None
    for pool in (old, old_js):
        if pool is not None:
            pool.shutdown()


# -- request building --------------------------------------------------------------------
def _check(code: str, timeout_s: float, config: SandboxConfig) -> None:
    if not isinstance(code, str):
        raise ValidationError("The code must be a string.")
    if len(code) > config.max_code_chars:
        raise SandboxViolation(
            f"The code is {len(code)} characters long; the sandbox accepts "
            f"at most {config.max_code_chars}."
        )
    if not isinstance(timeout_s, int | float) or not math.isfinite(timeout_s) or timeout_s <= 0:
        raise ValidationError(
            f"The time limit must be a positive number of seconds, got {timeout_s!r}."
        )
    if timeout_s > config.max_timeout_s:
        raise ValidationError(
            f"The time limit {timeout_s:g} s is above the maximum of "
            f"{config.max_timeout_s:g} s (AURA_SANDBOX_MAX_TIMEOUT_S)."
        )


def _names(inputs: Any) -> list[str]:
    if not isinstance(inputs, dict):
        raise ValidationError("The inputs must be a dict of variable name -> JSON value.")
    for name in inputs:
        problem = check_input_name(name)
        if problem:
            raise ValidationError(f"Cannot pass input to the code: {problem}.")
    return list(inputs)


def _payload(body: dict[str, Any], config: SandboxConfig) -> bytes:
    try:
        data = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"The inputs must be JSON-compatible: {exc}.") from None
    if len(data) > config.max_input_bytes:
        raise SandboxViolation(
            f"The inputs are {len(data)} bytes of JSON; the sandbox accepts "
            f"at most {config.max_input_bytes}."
        )
    return data


def _header(timeout_s: float, memory_mb: int | None, config: SandboxConfig) -> dict[str, Any]:
    return {
        "timeout": float(timeout_s),
        "memory_mb": int(memory_mb or config.memory_mb),
        "max_result": config.max_result_bytes,
        "max_stdout": config.max_stdout_bytes,
        "max_lines": config.max_stdout_lines,
        "open_files": config.open_files,
    }


def _call(header: dict[str, Any], payload: bytes, fresh: bool) -> CallOutcome:
    if fresh:
        return call_fresh(get_pool().config, header, payload)
    try:
        return get_pool().call(header, payload)
    except TimeoutError:
        raise SandboxTimeout(
            f"The code ran longer than its time limit of {header['timeout']:g} s and was stopped."
        ) from None


# -- outcome mapping ---------------------------------------------------------------------
def _at(line: Any) -> str:
    return f" at line {line}" if isinstance(line, int) else ""


def error_from(err: dict[str, Any], memory_mb: int, stdout: list[str]) -> AuraError:
    """The AURA error for an error record produced in the sandbox."""
    kind = err.get("kind")
    line = err.get("line")
    msg = str(err.get("message") or "")
    index = err.get("item_index")
    item = f" (item {index})" if isinstance(index, int) else ""
    exc: AuraError
    if kind in ("violation", "policy"):
        hint = err.get("hint") or (
            "Code nodes may use only the listed modules and builtins "
            "and no names starting with '_'."
        )
        exc = SandboxViolation(
            f"The sandbox refused the code{_at(line)}{item}: {msg}. {hint}", details={"line": line}
        )
    elif kind == "limit":
        exc = SandboxViolation(
            f"The sandbox refused the code: {msg}. Split long expressions into several statements.",
            details={"line": line},
        )
    elif kind == "memory":
        exc = SandboxMemoryError(
            f"The code used more than its memory limit of {memory_mb} MB"
            f"{_at(line)}{item} and was stopped. Process fewer items per "
            "run or build smaller values.",
            details={"line": line},
        )
    elif kind == "too_large":
        exc = SandboxOutputTooLarge(
            f"The code's result is too large: {msg}. Return less data "
            "or split the work over several items."
        )
    elif kind == "syntax":
        exc = UserCodeError(f"SyntaxError in the code: {msg}", error_type="SyntaxError", line=line)
    elif kind in ("user", "result"):
        etype = str(err.get("type") or "Exception")
        what = (
            f"The code's return value{item} cannot be passed on: {msg}"
            if kind == "result"
            else f"{etype}{_at(line)}{item}: {msg}"
        )
        exc = UserCodeError(what, error_type=etype, line=line, item_index=index)
    else:
        exc = SandboxCrashed(f"The sandbox failed: {msg or kind}.")
    if isinstance(exc, UserCodeError):
        exc.stdout = stdout
    return exc


def _crash(status: dict[str, Any], timeout_s: float, memory_mb: int) -> AuraError:
    sig = status.get("signal")
    if status.get("killed") or sig == signal.SIGXCPU:
        return SandboxTimeout(
            f"The code ran longer than its time limit of {timeout_s:g} s and "
            "was stopped. Make it faster, give it fewer items, or raise "
            "the node's time limit.",
            details={"cpu_s": status.get("cpu")},
        )
    if status.get("exit") == _EXIT_MEMORY or status.get("oom"):
        return SandboxMemoryError(
            f"The code used more than its memory limit of {memory_mb} MB and was stopped."
        )
    how = f"exit code {status.get('exit')}"
    if isinstance(sig, int):
        try:
            how = f"signal {signal.Signals(sig).name}"
        except ValueError:
            how = f"signal {sig}"
    return SandboxCrashed(
        f"The sandbox process stopped unexpectedly ({how}); it was replaced. "
        "Deep recursion or very deeply nested data can cause this.",
        details={"status": status},
    )


def _unpack(outcome: CallOutcome, timeout_s: float, memory_mb: int) -> dict[str, Any]:
    resp = outcome.response
    if resp is None or outcome.status.get("killed"):
        exc = _crash(outcome.status, timeout_s, memory_mb)
        # the caller's context (execution, correlation id) is on the line: who hit the limit
        log.warning(
            "sandbox process stopped: %s",
            exc.code,
            extra={"cpu_s": outcome.status.get("cpu")},
        )
        raise exc
    stdout = [str(x) for x in resp.get("stdout") or []]
    if not resp.get("ok"):
        raise error_from(resp.get("error") or {}, memory_mb, stdout)
    resp["stdout"] = stdout
    return resp


# -- public ------------------------------------------------------------------------------
def run_code_ex(
    code: str,
    inputs: dict[str, Any],
    timeout_s: float = 10.0,
    *,
    memory_mb: int | None = None,
    fresh: bool = False,
) -> RunResult:
    """Runs ``code`` as the body of a function whose parameters are ``inputs``' keys.

    Args:
        code: Python source; ``return`` gives the result.
        inputs: variable name -> JSON value.
        timeout_s: wall-clock limit for the whole run (compile included).
        memory_mb: address-space limit (default ``AURA_SANDBOX_MEMORY_MB``).
        fresh: start a new interpreter for this call instead of using the warm pool
            (slow; for comparison and diagnostics).

    Returns:
        the JSON-compatible returned value and the printed lines.

    Raises:
        SandboxViolation: the code tried something the sandbox refuses.
        SandboxTimeout, SandboxMemoryError: a limit was exceeded.
        SandboxOutputTooLarge: the result is larger than the cap.
        UserCodeError: the code raised (or has a syntax error); names type and line.
        SandboxCrashed: the sandbox process died otherwise.
    """
    config = get_pool().config
    _check(code, timeout_s, config)
    names = _names(inputs)
    payload = _payload({"mode": "once", "code": code, "names": names, "inputs": inputs}, config)
    header = _header(timeout_s, memory_mb, config)
    outcome = _call(header, payload, fresh)
    resp = _unpack(outcome, timeout_s, header["memory_mb"])
    return RunResult(
        resp.get("value"),
        resp["stdout"],
        bool(resp.get("stdout_truncated")),
        float(outcome.status.get("elapsed") or 0.0),
    )


def run_code(
    code: str, inputs: dict[str, Any], timeout_s: float = 10.0, *, memory_mb: int | None = None
) -> Any:
    """Like :func:`run_code_ex` but returns only the value (prints are dropped)."""
    return run_code_ex(code, inputs, timeout_s, memory_mb=memory_mb).result


def run_code_fresh(code: str, inputs: dict[str, Any], timeout_s: float = 10.0) -> RunResult:
    """:func:`run_code_ex` in a newly started interpreter (the benchmark's baseline)."""
    return run_code_ex(code, inputs, timeout_s, fresh=True)


def run_code_each(
    code: str,
    inputs_list: list[dict[str, Any]],
    timeout_s: float = 10.0,
    *,
    stop_on_error: bool = False,
    memory_mb: int | None = None,
    views: dict[str, tuple[str, str]] | None = None,
) -> EachResult:
    """Runs ``code`` once per entry of ``inputs_list``, all in one sandbox call.

    The code is compiled once and called for each entry (every entry must have the same
    keys). A user error in one entry is reported for that entry (``errors[i]``, with
    ``item_index``); with ``stop_on_error`` the remaining entries are skipped. Refusals
    and exceeded limits fail the whole call as in :func:`run_code_ex`; the time limit
    covers all entries together.

    ``views`` binds extra names to a key of an input without sending it twice:
    ``{"json": ("item", "json")}`` makes ``json`` the very object ``item["json"]``.
    """
    config = get_pool().config
    _check(code, timeout_s, config)
    if not isinstance(inputs_list, list):
        raise ValidationError("inputs_list must be a list of dicts.")
    names = _names(inputs_list[0]) if inputs_list else []
    for i, entry in enumerate(inputs_list):
        if not isinstance(entry, dict) or list(entry) != names:
            raise ValidationError(f"Entry {i} of inputs_list must have the keys {names}.")
    view_list = [[name, src, key] for name, (src, key) in (views or {}).items()]
    extra = _names({name: None for name, _, _ in view_list})
    if any(src not in names or name in names for name, src, _ in view_list):
        raise ValidationError("views must name new variables and existing inputs.")
    payload = _payload(
        {
            "mode": "each",
            "code": code,
            "names": names + extra,
            "items": inputs_list,
            "views": view_list,
            "stop_on_error": stop_on_error,
        },
        config,
    )
    header = _header(timeout_s, memory_mb, config)
    outcome = _call(header, payload, False)
    resp = _unpack(outcome, timeout_s, header["memory_mb"])
    results: list[Any] = [None] * len(inputs_list)
    errors: dict[int, UserCodeError] = {}
    for i, entry in enumerate(resp.get("value") or []):
        if entry.get("ok"):
            results[i] = entry.get("value")
        else:
            err = dict(entry.get("error") or {}, item_index=i)
            exc = error_from(err, header["memory_mb"], resp["stdout"])
            assert isinstance(exc, UserCodeError)
            errors[i] = exc
    return EachResult(
        results,
        errors,
        resp["stdout"],
        bool(resp.get("stdout_truncated")),
        float(outcome.status.get("elapsed") or 0.0),
    )
