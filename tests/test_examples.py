"""The example workflows in docs/examples run end to end, as the README promises."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def data_server() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(EXAMPLES / "data"))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_every_example_is_valid() -> None:
    from engine.graph import load_workflow, validate
    from engine.sdk import get_catalog

    files = sorted(EXAMPLES.glob("*.json"))
    assert files
    for f in files:
        report = validate(load_workflow(f.read_text()), get_catalog())
        assert report.ok, (f.name, report.errors)


def test_orders_example_runs_from_the_cli(tmp_path: Path, data_server: str,
                                          monkeypatch: pytest.MonkeyPatch,
                                          data_dir: Path) -> None:
    from engine.cli import app
    from engine.services.store import reset_store

    reset_store()
    wf: dict[str, Any] = json.loads((EXAMPLES / "orders.json").read_text())
    fetch = next(n for n in wf["nodes"] if n["name"] == "Fetch orders")
    fetch["parameters"]["url"] = fetch["parameters"]["url"].replace(
        "http://127.0.0.1:8765", data_server)
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(wf))

    # without the allow-list the request to loopback is refused, with a hint
    r = CliRunner().invoke(app, ["run", str(path), "--json"])
    assert r.exit_code == 1
    assert "AURA_HTTP_ALLOW" in json.loads(r.stdout)["error"]["message"]

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    from engine.config import reset_settings

    reset_settings()
    r = CliRunner().invoke(app, ["run", str(path), "--input", '{"customer": "Ada"}',
                                 "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    runs = {n["node"]: n for n in result["node_runs"]}
    assert runs["Big order?"]["output_counts"] == {"true": 2, "false": 2}
    labels = [i["json"] for i in runs["Label"]["outputs"]["main"]]
    assert [x["id"] for x in labels] == ["A-1001", "A-1003", "A-1002", "A-1004"]
    assert labels[0]["label"] == "A-1001 for Grace: PRIORITY, 288.6 incl. VAT"
    assert {x["requested_by"] for x in labels} == {"Ada"}
    assert set(labels[0]) == {"id", "lane", "ship_by", "label", "requested_by"}
    # the human-readable output shows each node
    r = CliRunner().invoke(app, ["run", str(path)])
    assert r.exit_code == 0 and "Merge lanes" in r.output and "PRIORITY" in r.output
    reset_store()
