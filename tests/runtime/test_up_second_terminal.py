"""With ``aura up`` running in one terminal, ``aura`` commands in a second terminal of the
same data directory use its Redis with no variable set; a second ``aura up`` is refused;
once it stops, nothing points at the dead instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.test_processes import _start_up, _stop_up

pytestmark = [pytest.mark.redis, pytest.mark.slow]

GOOD = {
    "name": "greet",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {
            "name": "Hello",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "greeting", "value": "hi from a worker"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Hello"}],
}


def second_terminal(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``aura ARGS`` as typed in another terminal: no AURA_REDIS_URL, same data dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AURA_REDIS_URL", "AURA_DB_URL", "AURA_URL")
    }
    env["AURA_DATA_DIR"] = str(data)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_commands_in_a_second_terminal_find_the_running_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    wf = tmp_path / "wf.json"
    wf.write_text(json.dumps(GOOD))
    proc, lines = _start_up(tmp_path, "--no-api", "--no-scheduler")
    try:
        banner = "\n".join(lines)
        record = data / "up.json"
        assert oct(record.stat().st_mode & 0o777) == "0o600"
        assert "other terminals" in banner and str(data.resolve()) in banner

        run = second_terminal(data, "run", str(wf), "--queue")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "hi from a worker" in run.stdout and "AURA_REDIS_URL" not in run.stderr

        services = second_terminal(data, "services", "--json")
        assert services.returncode == 0, services.stderr
        kinds = {i["kind"] for i in json.loads(services.stdout)["items"]}
        assert "worker" in kinds

        logs = second_terminal(data, "logs", "--json", "--lines", "50")
        assert logs.returncode == 0, logs.stderr
        types = [json.loads(line)["type"] for line in logs.stdout.splitlines()]
        assert "execution.finished" in types

        again = second_terminal(data, "up", "--no-api", "--no-scheduler", "--studio-port", "0")
        assert again.returncode == 2
        assert "already up" in again.stderr and str(proc.pid) in again.stderr
    finally:
        text = _stop_up(proc, lines)
    assert "embedded Redis stopped" in text
    assert not (data / "up.json").exists()

    after = second_terminal(data, "services")
    assert after.returncode == 2 and "start 'aura up'" in after.stderr
