"""Sandboxed user code for nodes, re-exported from :mod:`engine.sandbox`.

Nodes import only ``engine.sdk``; this module gives them the sandbox's entry points
without importing it until first use (spec modules stay cheap to import). The code runs
in a separate, resource-limited process; only JSON crosses the boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.sandbox import EachResult, RunResult

__all__ = ["run_code", "run_code_each", "run_code_ex", "run_js"]


def run_code(code: str, inputs: dict[str, Any], timeout_s: float = 10.0) -> Any:
    """Runs ``code`` (a function body; ``inputs`` are its variables) and returns its value.

    See :func:`engine.sandbox.run_code_ex` for the errors raised.
    """
    from engine.sandbox import run_code as _run

    return _run(code, inputs, timeout_s)


def run_code_ex(code: str, inputs: dict[str, Any], timeout_s: float = 10.0) -> RunResult:
    """Like :func:`run_code`, also returning the printed lines (``.result``, ``.stdout``)."""
    from engine.sandbox import run_code_ex as _run

    return _run(code, inputs, timeout_s)


def run_code_each(
    code: str,
    inputs_list: list[dict[str, Any]],
    timeout_s: float = 10.0,
    *,
    stop_on_error: bool = False,
    views: dict[str, tuple[str, str]] | None = None,
) -> EachResult:
    """Runs ``code`` once per entry of ``inputs_list`` in a single sandbox call.

    See :func:`engine.sandbox.run_code_each`.
    """
    from engine.sandbox import run_code_each as _run

    return _run(code, inputs_list, timeout_s, stop_on_error=stop_on_error, views=views)


def run_js(
    code: str, input: Any, driver: str, *, params: list[str], timeout_s: float = 10.0
) -> RunResult:
    """Runs JavaScript ``code`` in a sandbox process through ``driver`` (V8, no I/O).

    See :func:`engine.sandbox.js.run_js`.
    """
    from engine.sandbox.js import run_js as _run

    return _run(code, input, driver, params=params, timeout_s=timeout_s)
