"""The Approval node: a workflow parks (``waiting``) with a request in the inbox of its
project; approve, reject and a passed time limit send the items on by ``approved``,
``rejected`` and ``timeout``, each item telling who decided."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People


def _workflow(people: People, **approval: Any) -> str:
    from engine.services.store import get_store

    def mark(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "type": "core.set",
            "parameters": {"assignments": [{"name": "path", "value": name}]},
        }

    definition = {
        "name": "Pay out",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {
                "name": "Boss",
                "type": "core.approval",
                "parameters": {"title": "Pay {{ $json.amount }}?", **approval},
            },
            mark("Paid"),
            mark("Refused"),
            mark("Late"),
        ],
        "connections": [
            {"source": "Start", "target": "Boss"},
            {"source": "Boss", "output": "approved", "target": "Paid"},
            {"source": "Boss", "output": "rejected", "target": "Refused"},
            {"source": "Boss", "output": "timeout", "target": "Late"},
        ],
    }
    rec = get_store().workflows.create(definition, project_id=people.project(people.bob))
    return str(rec.id)


def _start(who: Principal, wid: str) -> str:
    from engine.sdk.items import Item
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs

    spec = RunSpec(
        principal=RunAs.caller(who),
        workflow_id=wid,
        runtime="inline",
        input_items=[Item(json={"amount": 120})],
    )
    return start(spec).id


def _outputs(eid: str) -> dict[str, Any]:
    from engine.services.store import get_store

    store = get_store()
    runs = {r.node_name: r for r in store.executions.node_runs(eid)}
    return {name: r.output for name, r in runs.items()}


@pytest.mark.parametrize(("decision", "path"), [("approve", "Paid"), ("reject", "Refused")])
def test_decisions_route_the_items(people: People, decision: str, path: str) -> None:
    from engine.services import agents
    from engine.services.store import get_store

    eid = _start(people.bob, _workflow(people))
    assert get_store().executions.get(eid).status == "waiting"
    (item,) = agents.inbox(people.bob)
    assert item["kind"] == "node" and item["title"] == "Pay 120?"
    assert item["subject"]["details"]["first"] == {"amount": 120}
    assert agents.inbox(people.erin) == []
    agents.decide(people.bob, item["id"], decision, "checked the invoice")
    row = get_store().executions.get(eid)
    assert row.status == "succeeded", row.error
    out = _outputs(eid)
    assert set(out) >= {"Start", "Boss", path}
    assert not ({"Paid", "Refused", "Late"} - {path}) & set(out)  # only one path ran
    (result,) = out[path]["main"]
    assert result["json"]["path"] == path
    assert result["json"]["approval"]["comment"] == "checked the invoice"
    assert result["json"]["approval"]["decided_by"] == people.bob.user_id


def test_a_passed_limit_leaves_by_timeout(people: People) -> None:
    from engine.services import approvals
    from engine.services.store import get_store
    from engine.store.types import utcnow

    eid = _start(
        people.bob, _workflow(people, limit_wait=True, limit_amount=1, limit_unit="minutes")
    )
    assert get_store().executions.get(eid).wait_until is not None
    assert len(approvals.expire_due(utcnow() + timedelta(seconds=61))) == 1
    row = get_store().executions.get(eid)
    assert row.status == "succeeded", row.error
    (result,) = _outputs(eid)["Late"]["main"]
    assert result["json"]["approval"]["status"] == "expired"
