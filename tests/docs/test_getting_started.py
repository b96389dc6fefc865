"""docs/getting-started.md works as written: its ```sh blocks run in order, in one shell,
against a real ``aura up`` (embedded SQLite and Redis, in a temporary AURA_DATA_DIR),
and each step shows what the page promises: the run succeeded, the execution is listed
and shown, the imported workflow activates and its webhook answers JSON.

The install block is skipped (the test runs in the installed venv) and ``aura up`` is the
instance the test starts itself, on a free API port instead of 5678 and without the web
studio (its production build is tested by the browser tests)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.aura_up import ROOT, start_up, stop_up, up_env
from tests.support.env import FAST_ENV

pytestmark = pytest.mark.slow

PAGE = ROOT / "docs" / "getting-started.md"
_BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.S | re.M)
_MARK = "@@ getting-started block {} @@"


def _blocks() -> list[str]:
    return [b.strip() for b in _BLOCK.findall(PAGE.read_text(encoding="utf-8"))]


def _env(data_dir: Path) -> dict[str, str]:
    env = up_env(data_dir, {k: v for k, v in FAST_ENV.items() if k.startswith("AURA_QUEUE_")})
    env.pop("COLUMNS", None)
    return env


@pytest.fixture
def aura_up(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``aura up`` as the page's step 2 starts it, on a free port; its port and the
    environment of the user's second terminal (same data directory)."""
    from engine.runtimes.embedded import free_port

    port = free_port()
    env = _env(tmp_path / "data")
    proc, lines = start_up("--port", str(port), "--studio-port", "0", env=env)
    try:
        text = "\n".join(lines)
        # what the page tells the user to look for
        assert f"http://127.0.0.1:{port}/api/v1" in text
        assert f"http://127.0.0.1:{port}/webhook/<path>" in text.replace("\n", "")
        yield port, env
    finally:
        stop_up(proc, lines)


def _script(blocks: list[str], port: int) -> str:
    lines = ["set -euo pipefail"]
    for i, block in enumerate(blocks):
        lines += ["echo", f"echo '{_MARK.format(i)}'"]
        lines.append(block.replace("127.0.0.1:5678", f"127.0.0.1:{port}"))
    return "\n".join(lines) + "\n"


def _outputs(stdout: str, count: int) -> list[str]:
    parts = re.split(r"^@@ getting-started block (\d+) @@$", stdout, flags=re.M)
    return [parts[2 + 2 * i] for i in range(count)]


def _last_json(text: str) -> object:
    return json.loads(text.strip().splitlines()[-1])


def test_the_page_install_and_start_blocks_are_what_the_readme_says() -> None:
    blocks = _blocks()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = blocks[0].split(" && source ")[0]
    assert install in readme, "the install command differs from the README's set-up"
    assert blocks[1] == "aura up"


def test_a_new_user_follows_the_getting_started_page(
    aura_up: tuple[int, dict[str, str]],
) -> None:
    port, env = aura_up
    steps = _blocks()[2:]  # 0: install (done: we run in the venv), 1: aura up (the fixture)
    assert len(steps) >= 6
    run = subprocess.run(
        ["bash", "-c", _script(steps, port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = dict(zip(steps, _outputs(run.stdout, len(steps)), strict=True))

    def step(command: str) -> str:
        found = [text for block, text in out.items() if command in block]
        assert len(found) == 1, f"one block of the page runs {command!r}"
        return found[0]

    assert "Owner you@example.com created" in step("aura user create-owner")

    ran = step("aura run docs/examples/hello-webhook.json")
    assert "is valid" in ran
    assert "Hello, Ada!" in ran and "Result: succeeded" in ran

    shown = step("aura execution show")
    assert "Hello webhook" in shown and "succeeded" in shown
    assert "Greet" in shown and "Hello, Ada!" in shown

    imported = step("aura workflow import")
    assert "Hello webhook" in imported

    activated = _last_json(step("/activate"))
    assert activated == {
        "active": True,
        "published_version": 1,
        "webhooks": [{"method": "GET", "path": "hello", "node": "Webhook"}],
    }

    assert _last_json(step("/webhook/hello")) == {"greeting": "Hello, Grace!"}

    listed = step('aura execution list --workflow "Hello webhook"')
    assert re.search(r"webhook\s+│\s+succeeded", listed), listed
    assert re.search(r"cli\s+│\s+succeeded", listed) is None, (
        "the inline run of the file is not the imported workflow's execution"
    )
