"""The ``aura`` command line as a user drives it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_store(data_dir: Path) -> Any:
    from engine.services.store import reset_store

    reset_store()
    yield
    reset_store()


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, data: Any) -> str:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(p)


GOOD = {
    "name": "greet",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {
            "name": "Hello",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "greeting", "value": "hi"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Hello"}],
}

FAILING = {
    "name": "fails",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "out of stock"}},
    ],
    "connections": [{"source": "Start", "target": "Stop"}],
}


def test_run_prints_each_node_and_exits_zero(tmp_path: Path) -> None:
    r = aura("run", write(tmp_path, "wf.json", GOOD), "--input", '{"name": "Ada"}')
    assert r.exit_code == 0, r.output
    assert "Hello" in r.output and "greeting" in r.output and "succeeded" in r.output


def test_run_json_output_has_every_node(tmp_path: Path) -> None:
    r = aura("run", write(tmp_path, "wf.json", GOOD), "--json")
    data = json.loads(r.stdout)
    assert data["status"] == "succeeded"
    hello = next(n for n in data["node_runs"] if n["node"] == "Hello")
    assert hello["outputs"]["main"][0]["json"] == {"greeting": "hi"}


def test_failed_workflow_exits_one_with_the_node_named(tmp_path: Path) -> None:
    r = aura("run", write(tmp_path, "wf.json", FAILING))
    assert r.exit_code == 1
    assert "out of stock" in r.output and "Stop" in r.output


@pytest.mark.parametrize(
    "content,needle",
    [
        ("{not json", "not valid JSON"),
        (
            json.dumps({**GOOD, "connections": [{"source": "Start", "target": "Nope"}]}),
            "does not exist",
        ),
        (
            json.dumps(
                {**GOOD, "nodes": [GOOD["nodes"][0], {"name": "Hello", "type": "core.nope"}]}
            ),
            "Unknown node type",
        ),
        (
            json.dumps(
                {
                    **GOOD,
                    "connections": GOOD["connections"] + [{"source": "Hello", "target": "Hello"}],
                }
            ),
            "cycle",
        ),
        (
            json.dumps(
                {
                    **GOOD,
                    "nodes": [
                        GOOD["nodes"][0],
                        {"name": "Hello", "type": "core.set", "parameters": {"keep": 5}},
                    ],
                }
            ),
            "parameter 'keep'",
        ),
    ],
)
def test_invalid_input_exits_two_with_a_message(tmp_path: Path, content: str, needle: str) -> None:
    r = aura("run", write(tmp_path, "bad.json", content))
    assert r.exit_code == 2
    assert needle in r.output
    assert "Traceback" not in r.output


def test_missing_file_and_unknown_id(tmp_path: Path) -> None:
    r = aura("run", str(tmp_path / "nope.json"))
    assert r.exit_code == 2 and "does not exist" in r.output
    r = aura("run", "no-such-workflow")
    assert r.exit_code == 2 and "aura workflow list" in r.output


def test_bad_input_option(tmp_path: Path) -> None:
    r = aura("run", write(tmp_path, "wf.json", GOOD), "--input", "{oops")
    assert r.exit_code == 2 and "--input is not valid JSON" in r.output


def test_import_list_show_run_export_round_trip(tmp_path: Path) -> None:
    r = aura("workflow", "import", "--input", write(tmp_path, "wf.json", GOOD), "--json")
    assert r.exit_code == 0, r.output
    [imported] = json.loads(r.stdout)
    wid = imported["id"]
    listed = json.loads(aura("workflow", "list", "--json").stdout)
    assert listed["total"] == 1 and listed["items"][0]["name"] == "greet"
    assert "Hello" in aura("workflow", "show", "greet").output
    assert aura("run", wid[:8]).exit_code == 0
    execs = json.loads(aura("execution", "list", "--json").stdout)
    assert execs["total"] == 1 and execs["items"][0]["status"] == "succeeded"
    shown = json.loads(aura("execution", "show", execs["items"][0]["id"], "--json").stdout)
    assert [n["node"] for n in shown["node_runs"]] == ["Start", "Hello"]
    out = tmp_path / "out.json"
    assert aura("workflow", "export", "--id", wid, "--output", str(out)).exit_code == 0
    exported = json.loads(out.read_text())
    assert exported["id"] == wid and exported["nodes"][1]["name"] == "Hello"


def test_execution_list_fits_80_columns(tmp_path: Path, monkeypatch: Any) -> None:
    wid = json.loads(
        aura(
            "workflow",
            "import",
            "--input",
            write(
                tmp_path, "g.json", {**GOOD, "name": "a workflow with a rather long name indeed"}
            ),
            "--json",
        ).stdout
    )[0]["id"]
    assert aura("run", wid).exit_code == 0
    item = json.loads(aura("execution", "list", "--json").stdout)["items"][0]
    monkeypatch.setenv("COLUMNS", "80")  # a terminal 80 columns wide
    out = aura("execution", "list").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    row = next(line for line in out.splitlines() if item["id"][:8] in line)
    assert str(item["started_at"])[:16].replace("T", " ") in row  # date and time, whole
    assert "succeeded" in row and " ms" in row


def test_export_all_separate_and_reimport(tmp_path: Path) -> None:
    for name in ("one", "two"):
        aura(
            "workflow", "import", "--input", write(tmp_path, f"{name}.json", {**GOOD, "name": name})
        )
    out = tmp_path / "backup"
    assert aura("workflow", "export", "--all", "--separate", "--output", str(out)).exit_code == 0
    files = sorted(out.glob("*.json"))
    assert len(files) == 2
    r = aura("workflow", "import", "--separate", "--input", str(out))
    assert r.exit_code == 0 and "2 workflow(s) imported" in r.output
    assert json.loads(aura("workflow", "list", "--json").stdout)["total"] == 4


def test_import_refuses_invalid_files_and_imports_nothing(tmp_path: Path) -> None:
    bad = [GOOD, {**GOOD, "name": "bad", "connections": [{"source": "X", "target": "Y"}]}]
    r = aura("workflow", "import", "--input", write(tmp_path, "many.json", bad))
    assert r.exit_code == 2 and "Nothing was imported" in r.output
    assert json.loads(aura("workflow", "list", "--json").stdout)["total"] == 0


def test_validate_reports_warnings_and_errors(tmp_path: Path) -> None:
    lost = {**GOOD, "nodes": [*GOOD["nodes"], {"name": "Lost", "type": "core.noop"}]}
    r = aura("workflow", "validate", write(tmp_path, "wf.json", lost))
    assert r.exit_code == 0 and "warning" in r.output and "Lost" in r.output
    r = aura("workflow", "validate", write(tmp_path, "bad.json", "[]"))
    assert r.exit_code == 2


def test_nodes_list_and_show() -> None:
    r = aura("nodes", "list", "--json")
    types = {n["type"] for n in json.loads(r.stdout)}
    assert {"core.set", "core.if", "core.http_request"} <= types
    r = aura("nodes", "show", "core.set")
    assert r.exit_code == 0 and "assignments" in r.output
    r = aura("nodes", "show", "core.sett")
    assert r.exit_code == 2 and "core.set" in r.output


def test_db_upgrade_reports_revision() -> None:
    r = aura("db", "upgrade")
    assert r.exit_code == 0 and "revision" in r.output


def test_real_process_never_prints_a_traceback(tmp_path: Path) -> None:
    """The installed entry point, in a fresh process, on a non-JSON file."""
    bad = write(tmp_path, "bad.json", "\x00\x01 binary junk")
    p = subprocess.run(
        [sys.executable, "-m", "engine", "run", bad], capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert "not valid JSON" in p.stderr
