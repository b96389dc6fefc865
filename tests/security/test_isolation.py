"""Process isolation: limits, privileges, the pool's watchdogs, and clean-up.

These tests look at the sandbox from the host's side: what a running sandbox process
is allowed to do (read from ``/proc``), how the pool survives dead or lying sandbox
processes, and that nothing is left behind when the host stops, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

import engine.sandbox.pool as pool_module
from engine.errors import SandboxMemoryError, SandboxTimeout, ValidationError
from engine.sandbox import (
    SandboxConfig,
    SandboxCrashed,
    UserCodeError,
    get_pool,
    run_code,
    run_code_each,
    run_code_ex,
    run_code_fresh,
)
from engine.sandbox.pool import SandboxPool

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""


def _run_children() -> list[psutil.Process]:
    zygotes = set(get_pool().pids())
    return [c for z in zygotes if psutil.pid_exists(z) for c in psutil.Process(z).children()]


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_running_code_is_limited_unprivileged_and_has_no_environment() -> None:
    done: dict[str, Any] = {}

    def busy() -> None:
        try:
            run_code("while True:\n  pass", {}, 2.0)
        except SandboxTimeout as exc:
            done["error"] = exc

    t = threading.Thread(target=busy)
    t.start()
    running: list[psutil.Process] = []
    end = time.monotonic() + 1.2
    while not running and time.monotonic() < end:
        time.sleep(0.05)
        running = [c for c in _run_children() if "NoNewPrivs:\t1" in _status(c.pid)]
    assert running, "no running sandbox child found"
    pid = running[0].pid
    limits = Path(f"/proc/{pid}/limits").read_text()
    status = Path(f"/proc/{pid}/status").read_text()
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    t.join()
    assert isinstance(done.get("error"), SandboxTimeout)

    def limit(name: str) -> list[str]:
        line = next(x for x in limits.splitlines() if x.startswith(name))
        return line[len(name):].split()

    assert limit("Max cpu time")[:2] == ["3", "4"]  # ceil(2.0) + 1, hard one above
    assert limit("Max file size")[:2] == ["0", "0"]
    assert limit("Max processes")[:2] == ["0", "0"]
    assert limit("Max open files")[:2] == ["32", "32"]
    assert int(limit("Max address space")[0]) == 256 * 1024 * 1024
    assert limit("Max core file size")[:2] == ["0", "0"]
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody").pw_uid
        assert f"Uid:\t{nobody}\t" in status, "root's sandbox must run as nobody"
    assert not environ.replace(b"LC_CTYPE=C.UTF-8\x00", b""), environ


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_zygotes_have_an_empty_environment_and_root_cwd() -> None:
    get_pool()
    time.sleep(0.3)
    for pid in get_pool().pids():
        env = Path(f"/proc/{pid}/environ").read_bytes()
        assert not env.replace(b"LC_CTYPE=C.UTF-8\x00", b""), env
        assert os.readlink(f"/proc/{pid}/cwd") == "/"


def test_calls_from_many_threads() -> None:
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(4):
                results[n * 10 + k] = run_code("return a * b", {"a": n, "b": k}, 5.0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == {n * 10 + k: n * k for n in range(6) for k in range(4)}


def test_pool_survives_killed_sandbox_processes() -> None:
    pool = get_pool()
    run_code("return 1", {}, 5.0)
    for pid in pool.pids():
        os.killpg(pid, signal.SIGKILL)
    time.sleep(0.1)
    assert run_code("return 2", {}, 5.0) == 2
    end = time.monotonic() + 10
    while len(pool.pids()) < pool.config.pool_size and time.monotonic() < end:
        time.sleep(0.05)
    assert len(pool.pids()) == pool.config.pool_size


def test_timeout_does_not_slow_down_the_next_call() -> None:
    with pytest.raises(SandboxTimeout):
        run_code("while True:\n  pass", {}, 0.3)
    started = time.monotonic()
    assert run_code("return 'fine'", {}, 5.0) == "fine"
    assert time.monotonic() - started < 5.0


def test_memory_limit_can_be_chosen_per_call() -> None:
    code = "b = bytearray(100 * 1024 * 1024)\nreturn len(b)"
    with pytest.raises(SandboxMemoryError):
        run_code(code, {}, 5.0, memory_mb=64)
    assert run_code(code, {}, 5.0, memory_mb=256) == 100 * 1024 * 1024


def test_user_errors_name_type_and_line() -> None:
    with pytest.raises(UserCodeError) as info:
        run_code("x = 1\ny = {}\nreturn y['missing']", {}, 5.0)
    assert info.value.line == 3
    assert info.value.error_type == "KeyError"
    assert info.value.code == "user_code_error"
    assert "line 3" in str(info.value)
    with pytest.raises(UserCodeError) as info:
        run_code("x = 1\nif x\n  pass", {}, 5.0)
    assert info.value.error_type == "SyntaxError" and info.value.line == 2


def test_prints_before_an_error_are_kept() -> None:
    with pytest.raises(UserCodeError) as info:
        run_code_ex("print('step 1')\nreturn 1 / 0", {}, 5.0)
    assert info.value.stdout == ["step 1"]


def test_once_per_item_runs_in_one_call_with_per_item_errors() -> None:
    entries = [{"x": 2}, {"x": 0}, {"x": 4}]
    res = run_code_each("print(x)\nreturn 8 / x", entries, 5.0)
    assert res.results == [4.0, None, 2.0]
    assert list(res.errors) == [1]
    assert res.errors[1].item_index == 1 and res.errors[1].error_type == "ZeroDivisionError"
    assert res.stdout == ["2", "0", "4"]
    stopped = run_code_each("return 8 / x", entries, 5.0, stop_on_error=True)
    assert stopped.results == [4.0, None, None] and list(stopped.errors) == [1]


def test_inputs_are_validated_on_the_host() -> None:
    with pytest.raises(ValidationError):
        run_code("return 1", {"_secret": 1}, 5.0)
    with pytest.raises(ValidationError):
        run_code("return 1", {"not valid": 1}, 5.0)
    with pytest.raises(ValidationError):
        run_code("return 1", {"x": object()}, 5.0)
    with pytest.raises(ValidationError):
        run_code("return 1", {}, 0)
    with pytest.raises(ValidationError):
        run_code("return 1", {}, 10_000)


def test_fresh_process_mode_gives_the_same_answer() -> None:
    assert run_code_fresh("return sorted(x)", {"x": [3, 1, 2]}, 10.0).result == [1, 2, 3]


# -- lying or broken sandbox processes ------------------------------------------------------
_FAKE_PRELUDE = """
import json, os, struct, sys, time
def send(o):
    d = json.dumps(o).encode()
    os.write(1, struct.pack('>I', len(d)) + d)
def header():
    (n,) = struct.unpack('>I', os.read(0, 4))
    h = json.loads(os.read(0, n))
    os.read(0, h['payload_len'])
    return h
send({'kind': 'ready'})
"""

_FAKES = {
    "forged_status": "h = header()\nsend({'kind': 'status', 'id': 'forged', 'consumed': True})\n"
                     "time.sleep(30)",
    "two_results": "h = header()\nsend({'kind': 'result', 'ok': True, 'value': 1})\n"
                   "send({'kind': 'result', 'ok': True, 'value': 2})\ntime.sleep(30)",
    "oversized_frame": "h = header()\nos.write(1, struct.pack('>I', 2**31))\ntime.sleep(30)",
    "garbage": "h = header()\nos.write(1, struct.pack('>I', 5) + b'nope!')\ntime.sleep(30)",
    "trailing_bytes": "h = header()\nd = json.dumps({'kind': 'status', 'id': h['id'], "
                      "'consumed': True}).encode()\n"
                      "os.write(1, struct.pack('>I', len(d)) + d + b'extra')\ntime.sleep(30)",
    "dies": "h = header()\nos._exit(1)",
}


@pytest.mark.parametrize("behaviour", list(_FAKES))
def test_host_refuses_a_lying_sandbox_process(behaviour: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool_module, "_BOOT", _FAKE_PRELUDE + _FAKES[behaviour])
    pool = SandboxPool(SandboxConfig(pool_size=1, grace_s=0.5))
    try:
        pool.start()
        z = pool.acquire()
        pid = z.pid
        pool.release(z, True)
        header = {"timeout": 0.5, "memory_mb": 64, "max_result": 1000, "max_stdout": 1000,
                  "max_lines": 10, "open_files": 16}
        with pytest.raises(SandboxCrashed):
            pool.call(header, b'{"mode": "once"}')
        assert _wait_gone([pid]) == [], "the lying process must be killed"
    finally:
        pool.shutdown()


def test_a_sandbox_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    boot = ("import json, os, struct\nd = json.dumps({'kind': 'failed', 'message': "
            "'cannot switch sandbox processes to uid 65534'}).encode()\n"
            "os.write(1, struct.pack('>I', len(d)) + d)")
    monkeypatch.setattr(pool_module, "_BOOT", boot)
    pool = SandboxPool(SandboxConfig(pool_size=1, acquire_timeout_s=10))
    try:
        pool.start()
        with pytest.raises(SandboxCrashed, match="cannot switch sandbox processes"):
            pool.acquire()
    finally:
        pool.shutdown()


def test_unresponsive_sandbox_process_hits_the_host_watchdog(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool_module, "_BOOT", _FAKE_PRELUDE + "h = header()\ntime.sleep(60)")
    pool = SandboxPool(SandboxConfig(pool_size=1, grace_s=0.3))
    try:
        header = {"timeout": 0.3, "memory_mb": 64, "max_result": 1000, "max_stdout": 1000,
                  "max_lines": 10, "open_files": 16}
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            pool.call(header, b"{}")
        assert time.monotonic() - started < 5
        assert pool.pids() == [] or all(_alive(p) for p in pool.pids())
    finally:
        pool.shutdown()


def test_host_watchdog_kills_a_hung_zygote_and_its_running_child() -> None:
    pool = SandboxPool(SandboxConfig(pool_size=1, grace_s=0.5))
    header = {"timeout": 1.0, "memory_mb": 128, "max_result": 1000, "max_stdout": 1000,
              "max_lines": 10, "open_files": 16}
    payload = json.dumps({"mode": "once", "code": "while True:\n  pass", "names": [],
                          "inputs": {}}).encode()
    try:
        pool.start()
        z = pool.acquire()
        pool.release(z, True)
        seen: list[int] = []

        def freeze_zygote() -> None:  # the zygote hangs: its own watchdog cannot fire
            time.sleep(0.3)
            seen.extend(c.pid for c in psutil.Process(z.pid).children())
            os.kill(z.pid, signal.SIGSTOP)

        t = threading.Thread(target=freeze_zygote)
        t.start()
        with pytest.raises(TimeoutError):
            pool.call(header, payload)
        t.join()
        assert seen, "the run child was not found"
        assert _wait_gone([z.pid, *seen]) == []
    finally:
        pool.shutdown()


# -- clean-up ------------------------------------------------------------------------------
_HOST_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from engine.sandbox import get_pool, run_code
import time
assert run_code("return 41 + 1", {{}}, 5.0) == 42
pool = get_pool()
end = time.monotonic() + 10
while len(pool.pids()) < pool.config.pool_size and time.monotonic() < end:
    time.sleep(0.05)
print(json.dumps(pool.pids()), flush=True)
{ending}
"""


def _descendants_of(pids: list[int]) -> list[int]:
    out = list(pids)
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            out += [c.pid for c in psutil.Process(pid).children(recursive=True)]
    return out


@pytest.mark.parametrize("ending", ["pass", "import os; os.kill(os.getpid(), 9)"],
                         ids=["normal_exit", "host_killed"])
def test_no_sandbox_process_outlives_its_host(ending: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _HOST_SCRIPT.format(root=str(ROOT),
                                                                        ending=ending)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    zygotes = json.loads(line)
    assert zygotes
    everything = _descendants_of(zygotes)
    proc.wait(20)
    assert _wait_gone(everything) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_host_gets_its_own_pool_and_leaves_the_parents_alone() -> None:
    parent_zygotes = get_pool().pids()
    run_code("return 0", {}, 5.0)
    pid = os.fork()
    if pid == 0:  # an RQ-style work-horse
        code = 1
        try:
            mine = get_pool()
            ok = run_code("return 6 * 7", {}, 5.0) == 42
            code = 0 if ok and not set(mine.pids()) & set(parent_zygotes) else 2
            mine.shutdown()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert all(_alive(z) for z in parent_zygotes)
    assert run_code("return 'parent ok'", {}, 5.0) == "parent ok"
