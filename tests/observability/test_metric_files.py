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
