"""Fixtures for the sandbox security suite.

One sandbox pool serves the whole session; after the session it is shut down and the
suite checks that no process it started is left. :func:`host_unchanged` snapshots what
an escape would change on the host (environment, working directory, canary files,
child processes) and checks it again after each attempt.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from engine.sandbox import SandboxConfig, configure, get_pool, shutdown

CANARY_ENV = "AURA_REDTEAM_CANARY"
CANARY_VALUE = "canary-7f3e9b1c-do-not-leak"
CANARY_FILE = Path(tempfile.gettempdir()) / "aura-redteam-canary.txt"
SECRET_FILE = Path(tempfile.gettempdir()) / "aura-redteam-secret.txt"
SECRET_VALUE = "secret-4d2a8c6e-do-not-leak"

os.environ[CANARY_ENV] = CANARY_VALUE


def sandbox_descendants() -> list[psutil.Process]:
    """Every live process below this one (zombies excluded)."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            continue
    return out


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def unexpected_processes() -> list[str]:
    """Descendants that are neither a zygote of ours nor the one child a zygote may have."""
    problems = []
    me = os.getpid()
    children_of: dict[int, int] = {}
    for p in sandbox_descendants():
        try:
            cmd = " ".join(p.cmdline())
            parent = p.ppid()
        except psutil.NoSuchProcess:
            continue
        if "engine.sandbox._zygote" not in cmd:
            problems.append(f"{p.pid}: {cmd[:80]}")
        elif parent != me:
            children_of[parent] = children_of.get(parent, 0) + 1
            grand = psutil.Process(parent).ppid() if psutil.pid_exists(parent) else None
            if grand != me:
                problems.append(f"{p.pid}: sandbox process below {parent}, not a zygote")
    problems += [f"zygote {z} has {n} children" for z, n in children_of.items() if n > 1]
    return problems


@pytest.fixture(scope="session", autouse=True)
def sandbox_pool() -> Iterator[None]:
    """A small pool for the session; afterwards, no sandbox process may remain."""
    SECRET_FILE.write_text(SECRET_VALUE)
    configure(SandboxConfig(pool_size=2, memory_mb=256))
    yield
    shutdown()
    SECRET_FILE.unlink(missing_ok=True)
    left = [p for p in sandbox_descendants()
            if "engine.sandbox._zygote" in " ".join(p.cmdline())]
    assert not left, f"sandbox processes left behind: {left}"


@dataclass
class HostSnapshot:
    env: dict[str, str]
    cwd: str
    tmp_listing: set[str]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


@pytest.fixture
def host_unchanged() -> Iterator[HostSnapshot]:
    """Fails the test if the host's environment, cwd, temp dir or processes changed."""
    get_pool()
    # the process's one-time metrics set-up writes PROMETHEUS_MULTIPROC_DIR: done before
    # the snapshot, so the first test of a process (an xdist worker) does not count it
    from engine.observability import metrics

    metrics.setup()
    CANARY_FILE.unlink(missing_ok=True)
    snap = HostSnapshot(_env(), os.getcwd(), set(os.listdir(tempfile.gettempdir())))
    # processes other tests of the session started (a Redis server...) are not ours to judge
    before = {p.pid for p in sandbox_descendants()
              if "engine.sandbox._zygote" not in " ".join(_cmdline(p))}
    yield snap
    assert _env() == snap.env, "the host environment changed"
    assert os.getcwd() == snap.cwd
    assert not CANARY_FILE.exists(), "a file was created on the host"
    new = set(os.listdir(tempfile.gettempdir())) - snap.tmp_listing
    assert not {n for n in new if "aura-redteam" in n or n.startswith("pwn")}, new
    left = [p for p in unexpected_processes() if int(p.split(":", 1)[0]) not in before]
    assert not left, left
