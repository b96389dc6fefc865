"""The importer over the real workflow fixtures (../shared/fixtures: 114 n8n templates,
CC BY 4.0, and 38 Node-RED example flows, Apache-2.0 — licences and sources in each
folder's ATTRIBUTION.md). Totals are pinned so they can only go up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import WorkflowValidationError
from engine.executor import Executor, RunRequest
from engine.graph import NodeDef, Workflow
from engine.interop import export_n8n, import_data, import_path, totals
from engine.interop.report import strip_import_lines
from engine.sdk.items import items_from_json

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FIXTURES.is_dir(), reason="workflow fixtures not here"),
]


@pytest.fixture(scope="module")
def n8n_results() -> list:
    return import_path(FIXTURES / "n8n", fmt="n8n")


def test_every_n8n_template_imports_and_the_totals_only_go_up(n8n_results: list) -> None:
    t = totals([r.report for r in n8n_results])
    assert (t.workflows, t.imported, t.failed) == (114, 114, 0)
    assert t.expressions == 1572  # every '=' parameter string of the set is counted
    assert t.known_mapped >= 1200 and t.pct_known_mapped >= 99.0
    assert t.translated >= 1554 and t.pct_translated >= 98.5  # $fromAI, Math.random, reduce
    assert t.fully_mapped >= 22
    assert t.mapped + t.mapped_with_notes >= 1200
    # nodes with nothing to check (informational notes only); was 835 before notes had levels
    assert t.mapped >= 1013 and t.mapped_with_notes <= 187


def test_every_node_red_flow_imports_and_the_totals_only_go_up() -> None:
    results = import_path(FIXTURES / "node-red", fmt="auto")
    t = totals([r.report for r in results])
    assert (t.workflows, t.imported, t.failed) == (38, 38, 0)
    assert t.known_mapped >= 233 and t.pct_known_mapped >= 100.0
    # Mustache templates go to core.template, not expressions; JSONata and context translate
    assert t.translated >= 47 and t.kept == 0
    assert t.fully_mapped >= 32
    # inject and debug nodes only explain their mapping (info): 69 before notes had levels
    assert t.mapped >= 212 and t.mapped_with_notes <= 21 and t.info_notes > 0


def _needs_outside_service(wf: Any, report: Any) -> bool:
    """HTTP calls without pinned data (in loop bodies too), or credentials to create."""
    nodes = list(wf.nodes)
    for n in wf.nodes:
        body = n.parameters.get("workflow_json") if n.type == "core.loop_over_items" else None
        if isinstance(body, dict):
            nodes += [NodeDef.model_validate(x) for x in body["nodes"]]
    return bool(report.credentials) or any(
        n.type == "core.http_request" and not n.disabled and n.name not in wf.pinned_data
        for n in nodes
    )


def test_fully_mapped_flows_that_need_no_outside_service_run() -> None:
    """Every fixture that maps completely and calls no outside service runs through the
    real executor (webhook flows with a request item, manual ones with pinned data)."""
    ran = []
    for r in import_path(FIXTURES / "node-red") + import_path(FIXTURES / "n8n"):
        wf = r.workflow
        if not r.report.fully_mapped or _needs_outside_service(wf, r.report):
            continue
        hooks = [n.name for n in wf.nodes if n.type == "core.webhook_trigger"]
        kw: dict[str, Any] = {}
        if hooks and not any(n.type == "core.manual_trigger" for n in wf.nodes):
            kw = {
                "trigger_node": hooks[0],
                "mode": "webhook",
                "input_items": items_from_json(
                    [
                        {
                            "headers": {"user-agent": "pytest"},
                            "query": {},
                            "body": {},
                            "params": {},
                            "method": "GET",
                        }
                    ]
                ),
            }
        result = Executor().run(RunRequest(workflow=wf, **kw))
        assert result.status == "succeeded", (r.report.source, result.error)
        ran.append(r.report.source)
    assert len(ran) >= 31


def _all_nodes(wf: Any) -> dict[str, Any]:
    """Every node, those inside loop bodies included."""
    out = {n.name: n for n in wf.nodes}
    for n in wf.nodes:
        body = n.parameters.get("workflow_json") if n.type == "core.loop_over_items" else None
        if isinstance(body, dict):
            inner = Workflow.model_validate(body)
            out |= {b.name: b for b in inner.nodes if b.type != "core.workflow_trigger"}
            out[n.name + " body"] = sorted(c.key for c in inner.connections)
    return out


def _user_notes(node: Any) -> str:
    """The node's notes without the lines the importer writes (to check, info): a second
    import may flag differently, since the export rewrites what it could not read."""
    return strip_import_lines(str(node.notes))


def _params(node: Any) -> Any:
    return {k: v for k, v in node.parameters.items() if k not in ("outputs", "workflow_json")}


def test_export_back_to_n8n_round_trips_nodes_connections_and_parameters(
    n8n_results: list,
) -> None:
    """AURA → n8n → AURA gives back the same nodes, connections, settings and parameters
    (except expressions using AURA-only syntax, which the export lists in its notes)."""
    exported = 0
    for r in n8n_results:
        try:
            out = export_n8n(r.workflow)
        except WorkflowValidationError:  # nodes n8n has no twin for
            continue
        exported += 1
        [back] = import_data(json.loads(json.dumps(out)), fmt="n8n")
        assert back.workflow is not None, back.report.error
        wf, again = r.workflow, back.workflow
        assert sorted(c.key for c in again.connections) == sorted(c.key for c in wf.connections)
        flagged = " ".join(out["meta"]["notes"])
        mine, theirs = _all_nodes(wf), _all_nodes(again)
        assert mine.keys() == theirs.keys()
        for name, n in mine.items():
            m = theirs[name]
            if isinstance(n, list):  # a loop body's connections
                assert m == n, name
                continue
            assert (m.type, m.disabled, _user_notes(m), m.on_error, m.retry, m.execute_once) == (
                n.type,
                n.disabled,
                _user_notes(n),
                n.on_error,
                n.retry,
                n.execute_once,
            ), name
            if f"'{name}'" in flagged:
                continue
            assert _params(m) == _params(n), (r.report.source, name)
        assert again.pinned_data == wf.pinned_data
        assert again.settings == wf.settings
    assert exported >= 110


def test_cli_dry_run_over_a_folder_prints_totals_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    res = CliRunner().invoke(
        app,
        [
            "workflow",
            "import",
            "--from",
            "auto",
            str(FIXTURES / "node-red"),
            "--dry-run",
            "--report",
            str(report),
        ],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    printed = " ".join(res.output.split())
    assert "38/38 workflows imported (0 failed)" in printed
    assert "21 with notes to check" in printed
    data = json.loads(report.read_text())
    assert data["totals"]["imported"] == 38
    assert all(w["id"] is None for w in data["workflows"])
    first = data["workflows"][0]["report"]
    assert {"nodes", "credentials", "counts", "fully_mapped"} <= set(first)
