"""The shared metric files: counts of processes that ended (a forking worker ends one
per execution) are kept when their files are folded together, and ``aura up`` starts
from zero."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.observability import _multiproc
from tests.observability.test_metrics import samples, value

COUNT_ONE = """
from engine.observability import metrics
metrics.execution_finished("w1", "Orders", "webhook", "succeeded", 0.3)
metrics.node_finished("core.set", "succeeded", 0.01)
"""


def _processes_count(data_dir: Path, n: int) -> None:
    env = {"AURA_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    for _ in range(n):
        subprocess.run(
            [sys.executable, "-c", COUNT_ONE],
            env=env,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            timeout=60,
        )


def _scrape(data_dir: Path) -> dict[object, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from engine.observability import metrics; print(metrics.render().decode())",
        ],
        env={"AURA_DATA_DIR": str(data_dir)},
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    return samples(out.stdout)


def test_counts_of_ended_processes_survive_folding(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _processes_count(data, 3)
    files = data / "metrics"
    assert len(list(files.glob("counter_*.db"))) == 3  # one per process
    found = _scrape(data)
    assert value(found, "aura_executions_total", workflow="Orders") == 3
    assert value(found, "aura_execution_duration_seconds_count", workflow="Orders") == 3

    ended = list(files.glob("*.db"))  # counters and histograms of 4 processes (+ scrape)
    assert _multiproc.compact(files, at_least=1) == len(ended) == 8
    assert sorted(f.name for f in files.glob("*.db")) == [
        "counter_archive.db",
        "histogram_archive.db",
    ]
    _processes_count(data, 1)
    found = _scrape(data)
    assert value(found, "aura_executions_total", workflow="Orders") == 4
    assert value(found, "aura_execution_duration_seconds_bucket", workflow="Orders", le="0.5") == 4
    assert value(found, "aura_node_runs_total", node_type="core.set") == 4

    _multiproc.wipe(files)  # aura up: a fresh start
    assert value(_scrape(data), "aura_executions_total", workflow="Orders") == 0


def test_a_crashed_execution_is_counted(data_dir: Path) -> None:
    from engine.observability import metrics
    from engine.runtimes.recovery import crash_execution
    from engine.services.store import get_store, reset_store

    reset_store()
    store = get_store()
    definition = {
        "name": "Crashy",
        "nodes": [{"name": "Start", "type": "core.manual_trigger"}],
        "connections": [],
    }
    row = store.executions.create(
        status="running", definition=definition, workflow_name="Crashy", mode="webhook"
    )
    before = value(
        samples(metrics.render().decode()),
        "aura_executions_total",
        workflow="Crashy",
        status="crashed",
    )
    crash_execution(row.id, "the worker died")
    after = value(
        samples(metrics.render().decode()),
        "aura_executions_total",
        workflow="Crashy",
        status="crashed",
        mode="webhook",
    )
    assert after == before + 1
    reset_store()


def test_an_unwritable_metrics_directory_does_not_break_runs(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    code = (
        "from engine.graph import load_workflow\n"
        "from engine.services.runs import run_workflow\n"
        "r = run_workflow(load_workflow({'name': 'W', 'nodes': [{'name': 'S', "
        "'type': 'core.manual_trigger'}], 'connections': []}))\n"
        "print(r.status)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"AURA_DATA_DIR": str(tmp_path / "data"), "AURA_METRICS_DIR": str(blocked / "metrics")},
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "succeeded"
    assert "metrics are off in this process" in out.stderr


def test_code_node_calls_count_as_sandbox_pool_use(data_dir: Path) -> None:
    from engine.graph import load_workflow
    from engine.observability import metrics
    from engine.services.runs import run_workflow

    def counts() -> tuple[float, float]:
        found = samples(metrics.render().decode())
        return (
            value(found, "aura_sandbox_calls_total", language="python", outcome="run"),
            value(found, "aura_sandbox_wait_seconds_count", language="python"),
        )

    calls, waits = counts()
    wf = load_workflow(
        {
            "name": "Sandboxed",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Code",
                    "type": "core.code",
                    "parameters": {"code": "return [{'json': {'n': 1}}]"},
                },
            ],
            "connections": [{"source": "Start", "target": "Code"}],
        }
    )
    result = run_workflow(wf, record=False)
    assert result.ok, result.error
    assert counts() == (calls + 1, waits + 1)
