"""Project hygiene that CI enforces: layering contracts and lint."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; install the test extras: pip install -e '.[test]'")
    return found


def test_import_layering_contracts() -> None:
    """engine imports no UI package; nodes import only the SDK; the console no DB."""
    r = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_lint_is_clean() -> None:
    r = subprocess.run([_tool("ruff"), "check", "engine", "nodes", "studio", "tui", "tests",
                        "bench"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr


def test_python_m_engine_works() -> None:
    r = subprocess.run([sys.executable, "-m", "engine", "--help"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "workflow" in r.stdout and "run" in r.stdout


def test_mypy_strict_is_clean_on_engine_nodes_and_tui() -> None:
    r = subprocess.run([_tool("mypy"), "engine", "nodes", "tui"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr
