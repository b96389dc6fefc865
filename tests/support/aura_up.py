"""A real ``aura up`` for tests: started as a user starts it (``python -m engine up``,
its own session), read until it says "AURA is up", stopped with Ctrl-C (SIGINT)::

    proc, lines = start_up("--port", str(port), "--studio-port", "0", env=up_env(data_dir))
    try:
        ...
    finally:
        text = stop_up(proc, lines)   # everything it printed

Its output stays on a pipe the test reads at the end (``aura up`` prints little)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ROOT", "start_up", "stop_up", "up_env"]

ROOT = Path(__file__).resolve().parents[2]
"""The source tree (``aura up`` runs from it: the studio's build needs ``rxconfig.py``)."""


def up_env(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for an ``aura up`` of its own: the data directory
    ``data_dir``, embedded SQLite and Redis (no ``AURA_DB_URL``/``AURA_REDIS_URL``), the
    venv's ``bin`` first on ``PATH`` (the ``aura`` command), and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("AURA_REDIS_URL", "AURA_DB_URL")}
    env.update(extra or {})
    env["AURA_DATA_DIR"] = str(data_dir)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def start_up(
    *args: str, env: Mapping[str, str], timeout: float = 90.0, log: Path | None = None
) -> tuple[subprocess.Popen[str], list[str]]:
    """Starts ``aura up ARGS`` and reads its output until "AURA is up"; returns the
    process and the lines read. Fails the test (the output shown) if it does not come up
    within ``timeout`` seconds. ``log``: its output goes to that file instead of a pipe
    (with the studio: its web build prints more than a pipe holds unread)."""
    out = log.open("w") if log is not None else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "up", *args],
        cwd=ROOT,
        env=dict(env),
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    if log is not None:
        while time.monotonic() < deadline and proc.poll() is None:
            lines = log.read_text(errors="replace").splitlines()
            if any("AURA is up" in line for line in lines):
                return proc, []
            time.sleep(0.2)
        _kill(proc)
        raise AssertionError("aura up did not come up:\n" + log.read_text(errors="replace"))
    lines: list[str] = []
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if "AURA is up" in line:
            return proc, lines
    _kill(proc)
    raise AssertionError("aura up did not come up:\n" + "\n".join(lines))


def stop_up(proc: subprocess.Popen[str], lines: list[str], *, timeout: float = 60.0) -> str:
    """Stops it as Ctrl-C does (its whole process group killed if it hangs); returns all
    it printed on its pipe (with ``log``: read the file)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, _ = proc.communicate()
    return "\n".join(lines) + "\n" + (out or "")


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
