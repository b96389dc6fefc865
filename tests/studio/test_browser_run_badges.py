"""Every node's badge after a run, here and on the workers, in a real browser: a
successful and a failed run end with each node showing its recorded status (a failed node
red, never a spinner), and the node panel shows the data of the stored record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.studio.test_browser_run_queue import NODE, with_redis  # noqa: F401 (fixture)
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.redis]

RUNTIMES = {"here": "Run here (this server)", "queue": "Run on workers (queue)"}

GOOD = {
    "name": "Badges ok",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Make",
            "type": "core.set",
            "position": [280, 0],
            "parameters": {
                "assignments": [
                    {"name": "n", "value": "{{ 20 + 1 }}"},
                    {"name": "label", "value": "first"},
                ]
            },
        },
        {
            "name": "Double",
            "type": "core.set",
            "position": [560, 0],
            "parameters": {"assignments": [{"name": "m", "value": "{{ $json.n * 2 }}"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Make"}, {"source": "Make", "target": "Double"}],
}

BAD = {
    "name": "Badges failing",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Prep",
            "type": "core.set",
            "position": [280, 0],
            "parameters": {"assignments": [{"name": "sku", "value": "A-1"}]},
        },
        {
            "name": "Stop",
            "type": "core.stop_and_error",
            "position": [560, 0],
            "parameters": {"message": "out of stock"},
        },
    ],
    "connections": [{"source": "Start", "target": "Prep"}, {"source": "Prep", "target": "Stop"}],
}

BADGES_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-testid="aura-node"]')]
    .map(n => [n.dataset.name, n.dataset.status || ""]))"""


def _recorded(wid: str) -> tuple[Any, dict[str, Any]]:
    """The newest execution of ``wid`` and its node runs by name."""
    from engine.services.store import get_store

    store = get_store()
    rows, _ = store.executions.list(workflow_id=wid)
    return rows[0], {r.node_name: r for r in store.executions.node_runs(rows[0].id)}


def _expected_badges(definition: dict[str, Any], runs: dict[str, Any]) -> dict[str, str]:
    def shown(status: str) -> str:
        return "succeeded" if status == "reused" else status

    return {
        n["name"]: shown(runs[n["name"]].status) if n["name"] in runs else ""
        for n in definition["nodes"]
    }


def _run(page: Any, studio_url: str, definition: dict[str, Any], runtime: str) -> str:
    from engine.auth.types import Principal
    from studio.logic import backend

    wid = backend.create_workflow(
        Principal(user_id=None, email=None, role="owner"),
        definition={**definition, "name": f"{definition['name']} {runtime}"},
    )
    page.goto(f"{studio_url}/workflows/{wid}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    if runtime != "queue":
        page.click("#run-on")
        page.get_by_role("option", name=RUNTIMES[runtime]).click()
    page.wait_for_selector(f"#run-on >> text={RUNTIMES[runtime]}", timeout=10_000)
    page.click("#run-workflow")
    return wid


def _final_badges(page: Any, wid: str, definition: dict[str, Any]) -> dict[str, Any]:
    """Waits until the run is recorded as over and every badge shows its recorded status;
    checks again a moment later (late events must not change them). Returns the node runs."""
    from tests.support.env import wait_until

    def over() -> bool:
        from engine.services.store import get_store

        rows, _ = get_store().executions.list(workflow_id=wid)
        return bool(rows) and rows[0].status in ("succeeded", "failed")

    wait_until(over, timeout=60, what="the run to finish")
    _, runs = _recorded(wid)
    expected = _expected_badges(definition, runs)
    page.wait_for_function(
        f"() => JSON.stringify(({BADGES_JS})()) === JSON.stringify({json.dumps(expected)})",
        timeout=30_000,
    )
    page.wait_for_timeout(1500)  # any late event would have arrived by now
    assert page.evaluate(BADGES_JS) == expected
    assert page.locator(".aura-spin").count() == 0  # no spinner anywhere
    return runs


def _panel_json(page: Any, prefix: str) -> Any:
    page.locator(f"#{prefix}-view").get_by_role("radio", name="JSON").click()
    page.wait_for_selector(f"#{prefix}-data code", timeout=10_000)
    return json.loads(page.locator(f"#{prefix}-data").inner_text())


@pytest.mark.parametrize("runtime", ["here", "queue"])
def test_every_badge_and_the_node_panel_show_the_record(
    page: Any,
    studio_url: str,
    with_redis: None,  # noqa: F811 (the fixture)
    shot: Any,
    runtime: str,
) -> None:
    wid = _run(page, studio_url, GOOD, runtime)
    page.wait_for_selector("text=Ran 3 nodes", timeout=60_000)
    runs = _final_badges(page, wid, GOOD)
    assert set(runs) == {"Start", "Make", "Double"}
    shot(page, f"editor-badges-succeeded-{runtime}")

    page.locator(NODE.format("Double")).dblclick()
    page.wait_for_selector("#node-panel")
    recorded_out = [i["json"] for i in runs["Double"].output["main"]]
    recorded_in = [i["json"] for i in runs["Make"].output["main"]]
    assert recorded_out == [{"n": 21, "label": "first", "m": 42}]
    assert _panel_json(page, "out") == recorded_out
    assert _panel_json(page, "in") == recorded_in
    assert page.locator("#out-count").inner_text().startswith("1 item")
    page.click("#close-node-panel")
    page.wait_for_selector("#node-panel", state="detached")

    wid = _run(page, studio_url, BAD, runtime)
    page.wait_for_selector("#run-error", timeout=60_000)
    runs = _final_badges(page, wid, BAD)
    assert runs["Stop"].status == "failed" and runs["Prep"].status == "succeeded"
    stop = page.locator(NODE.format("Stop"))
    assert stop.get_attribute("data-status") == "failed"
    assert stop.locator('[data-testid="node-status"]').inner_text() == "!"
    assert "out of stock" in stop.inner_text()
    shot(page, f"editor-badges-failed-{runtime}")

    page.locator(NODE.format("Stop")).dblclick()
    page.wait_for_selector("#node-panel")
    assert "out of stock" in page.locator("#node-error").inner_text()
    assert _panel_json(page, "in") == [i["json"] for i in runs["Prep"].output["main"]]


LONGER = {
    **GOOD,
    "name": "Badges partial",
    "nodes": [
        *GOOD["nodes"],
        {
            "name": "After",
            "type": "core.set",
            "position": [840, 0],
            "parameters": {"assignments": [{"name": "done", "value": True}]},
        },
    ],
    "connections": [*GOOD["connections"], {"source": "Double", "target": "After"}],
}


def _on_a_worker(wid: str, runs_before: int) -> Any:
    """The workflow's newest execution, once it is a new one that ended; checked to have
    run on a worker."""
    import os

    from engine.services.store import get_store
    from tests.support.env import wait_until

    def ended() -> bool:
        rows, total = get_store().executions.list(workflow_id=wid, limit=1)
        return total > runs_before and rows[0].status in ("succeeded", "failed")

    wait_until(ended, timeout=60, what="the new run to end")
    row, _ = _recorded(wid)
    assert row.worker_id and row.worker_id.split(":")[-1] != str(os.getpid())
    return row


def test_run_up_to_a_node_on_the_workers_shows_every_badge(
    page: Any,
    studio_url: str,
    with_redis: None,  # noqa: F811 (the fixture)
    shot: Any,
) -> None:
    """'Run up to here' with the queue chosen runs on a worker; every node ends with its
    recorded badge (nodes past the destination none), never a spinner."""
    wid = _run(page, studio_url, LONGER, "queue")
    _on_a_worker(wid, 0)
    _final_badges(page, wid, LONGER)
    page.wait_for_selector("text=Ran 4 nodes on the workers", timeout=60_000)

    page.locator(NODE.format("Double")).dblclick()
    page.wait_for_selector("#node-panel")
    page.locator("#node-panel").get_by_role("button", name="Run up to here").click()
    _on_a_worker(wid, 1)
    runs = _final_badges(page, wid, LONGER)
    assert set(runs) == {"Start", "Make", "Double"}  # After is past the destination
    page.wait_for_selector("text=Ran 3 nodes on the workers", timeout=60_000)

    shot(page, "editor-badges-partial-queue")


def test_run_this_node_on_the_workers_shows_every_badge(
    page: Any,
    studio_url: str,
    with_redis: None,  # noqa: F811 (the fixture)
    shot: Any,
) -> None:
    """'Run this node' with the queue chosen runs on a worker, reusing the editor's data
    of the nodes before it (their badges green), none past it."""
    wid = _run(page, studio_url, {**LONGER, "name": "Badges this node"}, "queue")
    _on_a_worker(wid, 0)
    _final_badges(page, wid, LONGER)
    page.locator(NODE.format("Double")).dblclick()
    page.wait_for_selector("#node-panel")
    page.click("#run-node")
    _on_a_worker(wid, 1)
    runs = _final_badges(page, wid, LONGER)
    assert {n: r.status for n, r in runs.items()} == {
        "Start": "reused",
        "Make": "reused",
        "Double": "succeeded",
    }, [(n, r.status, (r.error or {}).get("message"), r.output) for n, r in runs.items()]
    assert [i["json"] for i in runs["Double"].output["main"]] == [
        {"n": 21, "label": "first", "m": 42}
    ]
    shot(page, "editor-badges-this-node-queue")
