"""``aura logs``: recent events from Redis, filters, JSON lines, and ``--follow`` of one
execution in a separate process that exits when the execution ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from typer.testing import CliRunner

from engine.cli.app import app
from tests.events.conftest import MARKER, linear, set_node, store_workflow

runner = CliRunner()


def _run(wid: str) -> str:
    from engine.sdk.items import Item
    from tests.support.runs import submit

    return submit(
        workflow_id=wid,
        published=False,
        runtime="inline",
        input_items=[Item(json={"secret": MARKER})],
    )


def test_logs_prints_recent_events(redis_env: str) -> None:
    wid = store_workflow(linear("Orders", set_node()))
    eid = _run(wid)
    _run(store_workflow(linear("Other", set_node())))
    out = runner.invoke(app, ["logs", "--execution", eid[:10]])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert [line.split()[1] for line in lines] == [
        "execution.started",
        "node.started",
        "node.finished",
        "node.started",
        "node.finished",
        "execution.finished",
    ]
    assert all(eid[:8] in line and "Orders" in line for line in lines)
    assert "succeeded" in lines[-1] and "2 nodes, 1 items" in lines[-1]
    assert "Orders / Set  succeeded" in lines[4] and "1 → 1 items" in lines[4]
    out = runner.invoke(
        app, ["logs", "--workflow", "Orders", "--types", "execution.*", "--json", "-n", "5"]
    )
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [r["type"] for r in rows] == ["execution.started", "execution.finished"]
    assert MARKER not in out.output


def test_logs_needs_redis(local_env: None) -> None:
    out = runner.invoke(app, ["logs"])
    assert out.exit_code == 2 and "No Redis is configured" in out.output


def test_logs_follow_one_execution_until_it_ends(redis_env: str, data_dir: Path) -> None:
    from engine.services.store import get_store
    from tests.support.runs import submit

    get_store()
    eid = uuid.uuid4().hex
    wid = store_workflow(linear("Orders", set_node()))
    env = {
        **os.environ,
        "AURA_REDIS_URL": redis_env,
        "AURA_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "logs", "--follow", "--execution", eid],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        assert "Following events" in proc.stderr.readline()
        submit(workflow_id=wid, published=False, runtime="inline", execution_id=eid)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    kinds = [line.split()[1] for line in out.strip().splitlines()]
    assert kinds[0] == "execution.started" and kinds[-1] == "execution.finished"
    assert len(kinds) == 6
