"""Brokered runs: package code that reaches the outside only through the host.

:func:`run_brokered` runs a node package's program (its module plus a call of the entry
function, see :mod:`engine.marketplace.package`) in a warm sandbox process, exactly like
Code-node code, with ``ctx`` and ``items`` as its inputs. While it runs, its ``ctx.http``
and ``ctx.credentials`` calls arrive at the host as call frames and are answered by
``broker`` (:mod:`engine.sandbox._package` is the other side). The time limit covers
the whole run, the host's answers included. The program is compiled under the policy
once per process here (:func:`compiled_program`) and the run process executes that code
object, so a warm call does not pay for compiling the package's module again.
"""

from __future__ import annotations

import base64
import functools
import marshal
from collections.abc import Callable
from typing import Any

from engine.errors import SandboxTimeout
from engine.sandbox.api import (
    RunResult,
    _check,
    _header,
    _payload,
    _unpack,
    error_from,
    get_pool,
)

__all__ = ["compiled_program", "run_brokered"]


@functools.lru_cache(maxsize=256)
def compiled_program(code: str) -> str:
    """``code`` compiled here under the sandbox's RestrictedPython policy (never run
    here), marshalled for the run process: a package's code is the same on every run,
    and compiling a module of some size costs tens of milliseconds per call otherwise.

    Raises:
        the policy's refusal, as :func:`engine.sandbox.run_code_ex` reports it.
    """
    from engine.sandbox._policy import CompileProblem, compile_user_function

    try:
        program = compile_user_function(code, ["ctx", "items"])
    except CompileProblem as p:
        raise error_from({"kind": p.kind, "message": p.message, "line": p.line}, 0, []) from None
    return base64.b64encode(marshal.dumps(program)).decode()


def run_brokered(
    code: str,
    items: list[Any],
    *,
    params: list[dict[str, Any]],
    node: dict[str, Any],
    broker: Callable[[dict[str, Any]], dict[str, Any]],
    timeout_s: float = 30.0,
    memory_mb: int | None = None,
) -> RunResult:
    """Runs ``code`` (a function body over ``ctx`` and ``items``) with brokered calls.

    Args:
        code: the program; ``return`` gives the result.
        items: JSON items (``{"json": ...}``) given to the code as ``items``.
        params: evaluated parameters, one dict per item (or one for all).
        node: ``{name, type, version}`` shown to the code as ``ctx.node``.
        broker: answers each call frame (``{"op": "http"|"credentials", "args": ...}``)
            with ``{"ok": True, "value": ...}`` or ``{"ok": False, "error": ...,
            "refused": bool}``; must not raise.

    Raises:
        the errors of :func:`engine.sandbox.run_code_ex` (a refused call is a
        :class:`~engine.errors.SandboxViolation`).
    """
    pool = get_pool()
    config = pool.config
    _check(code, timeout_s, config)
    payload = _payload(
        {
            "mode": "package",
            "code": code,
            "names": ["ctx", "items"],
            "compiled": compiled_program(code),
            "items": items,
            "params": params or [{}],
            "node": node,
        },
        config,
    )
    header = _header(timeout_s, memory_mb, config)
    try:
        outcome = pool.call(header, payload, broker)
    except TimeoutError:
        raise SandboxTimeout(
            f"The node ran longer than its time limit of {timeout_s:g} s and was stopped."
        ) from None
    resp = _unpack(outcome, timeout_s, header["memory_mb"])
    return RunResult(
        resp.get("value"),
        resp["stdout"],
        bool(resp.get("stdout_truncated")),
        float(outcome.status.get("elapsed") or 0.0),
    )
