"""JavaScript in the sandbox: :func:`run_js`, on V8 (``mini-racer``) in separate processes.

JavaScript runs in the same kind of process as Python code (forked fresh per run from
a warm zygote, with CPU, memory, file, process and privilege limits, an empty
environment, discarded after the run), from a pool of its own
(``AURA_SANDBOX_JS_POOL_SIZE``), started on first use. Inside, a V8 isolate without
JIT holds only the ECMAScript standard library: no ``require``, modules, files,
network, timers or host objects.

A call gives the user's ``code`` (the body of an async function whose parameters are
``params``), a JSON ``input`` and a ``driver``: trusted JavaScript source of a function
``(input, user, api) => result`` that calls ``user(...)`` as the node's semantics need
(once, once per item, with n8n's or Node-RED's variables). ``api.print(...)`` writes a
line to the run's output like ``console.log``; ``api.describe(error)`` gives
``{kind, type, message, line}`` for an error thrown by the user's code, for drivers that
collect errors per item. The driver's result (a value or a promise) must be JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.errors import SandboxTimeout, ValidationError
from engine.sandbox.api import (
    RunResult,
    _check,
    _header,
    _payload,
    _unpack,
    get_js_pool,
)

__all__ = ["run_js"]

_PARAM = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_RESERVED = {
    "await",
    "yield",
    "arguments",
    "eval",
    "let",
    "static",
    "this",
    "function",
    "return",
    "var",
    "const",
    "class",
    "new",
    "delete",
    "typeof",
    "void",
    "in",
}


def _check_params(params: list[str]) -> None:
    for name in params:
        if not isinstance(name, str) or not _PARAM.match(name) or name in _RESERVED:
            raise ValidationError(
                f"Cannot pass {name!r} to JavaScript code: parameter names "
                "must be plain identifiers."
            )


def run_js(
    code: str,
    input: Any,
    driver: str,
    *,
    params: list[str],
    timeout_s: float = 10.0,
    memory_mb: int | None = None,
) -> RunResult:
    """Runs JavaScript ``code`` in a sandbox process through ``driver``.

    Args:
        code: the body of an async function; ``return`` gives its result.
        input: a JSON value handed to the driver.
        driver: source of ``function (input, user, api) { ... }`` (trusted, the node's).
        params: the parameter names of the user's function, as the driver passes them.
        timeout_s: wall-clock limit for the whole run.
        memory_mb: the run's memory limit (default ``AURA_SANDBOX_MEMORY_MB``); the V8
            heap may use half of it.

    Returns:
        the driver's JSON value and the lines printed (``console.log``, ``api.print``).

    Raises:
        SandboxViolation: the code used a name that reaches outside (``require``...).
        SandboxTimeout, SandboxMemoryError: a limit was exceeded.
        SandboxOutputTooLarge: the result is larger than the cap.
        UserCodeError: the code threw or has a syntax error (type, message, line).
        SandboxCrashed: the sandbox process died otherwise.
    """
    pool = get_js_pool()
    config = pool.config
    _check(code, timeout_s, config)
    _check_params(params)
    if not isinstance(driver, str):
        raise ValidationError("The driver must be JavaScript source text.")
    try:
        input_json = json.dumps(input, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"The input must be JSON-compatible: {exc}.") from None
    payload = _payload(
        {"code": code, "params": params, "driver": driver, "input_json": input_json}, config
    )
    header = _header(timeout_s, memory_mb, config)
    try:
        outcome = pool.call(header, payload)
    except TimeoutError:
        raise SandboxTimeout(
            f"The code ran longer than its time limit of {timeout_s:g} s and was stopped."
        ) from None
    resp = _unpack(outcome, timeout_s, header["memory_mb"])
    return RunResult(
        resp.get("value"),
        resp["stdout"],
        bool(resp.get("stdout_truncated")),
        float(outcome.status.get("elapsed") or 0.0),
    )
