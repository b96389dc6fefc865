"""Knowledge nodes in a real workflow run (executor, recorded execution, the run's
principal): fill a knowledge base from items, then search it; another user's run cannot
reach it. On SQLite and on PostgreSQL."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from engine.auth.types import Principal
from engine.graph import load_workflow
from engine.sdk import Item
from tests.knowledge.conftest import DOCS


def _workflow(kb_name: str, question: str, filters: dict[str, Any] | None = None) -> Any:
    return load_workflow(
        {
            "name": "fill and ask",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Add",
                    "type": "core.knowledge_insert",
                    "parameters": {"knowledge_base": kb_name},
                },
                {"name": "One", "type": "core.limit", "parameters": {"max_items": 1}},
                {
                    "name": "Ask",
                    "type": "core.knowledge_search",
                    "parameters": {"knowledge_base": kb_name, "query": question, "top_k": 2,
                                   "filters": filters or {}},
                },
            ],
            "connections": [
                {"source": "Start", "target": "Add"},
                {"source": "Add", "target": "One"},
                {"source": "One", "target": "Ask"},
            ],
        }
    )


def _run(who: Principal, wf: Any) -> Any:
    from engine.services import runs
    from engine.services.principals import RunAs

    items = [Item(json={"name": n, "text": t, "team": "docs"}) for n, t in DOCS.items()]
    items.append(Item(json={"name": "empty.txt", "text": ""}))
    return runs.run_workflow(wf, input_items=items, principal=RunAs.caller(who))


def test_a_workflow_fills_a_knowledge_base_and_answers_from_it(
    kb: ModuleType, erin: Principal
) -> None:
    from engine.services.store import get_store

    kb.create_base(erin, "Handbook")
    result = _run(erin, _workflow("Handbook", "what should I do so I don't lose my data?"))
    assert result.ok, result.error
    store = get_store()
    added = store.node_runs.list(result.id)[1].output["main"]
    assert [i["json"]["status"] for i in added] == ["added"] * len(DOCS) + ["failed"]
    assert "no text" in added[-1]["json"]["error"]
    answer = result.output[0].json
    assert answer["sources"][0] == "backup.md"
    assert "pg_dump" in answer["results"][0]["text"]
    assert kb.get_base(erin, "Handbook").documents == len(DOCS)
    # the same question, only among the cat documents (by name)
    narrowed = _run(erin, _workflow("Handbook", "what should I do so I don't lose my data?",
                                    {"document": "cats.txt"}))
    assert narrowed.ok, narrowed.error
    assert narrowed.output[0].json["sources"] == ["cats.txt"]


def test_another_users_run_cannot_reach_the_knowledge_base(
    kb: ModuleType, erin: Principal, bob: Principal
) -> None:
    base = kb.create_base(erin, "Handbook")
    result = _run(bob, _workflow(base.id, "backups"))
    assert not result.ok
    assert "No knowledge base" in str(result.error)
    assert kb.get_base(erin, base.id).documents == 0


def test_binary_files_from_items_are_added_as_documents(kb: ModuleType, erin: Principal) -> None:
    from engine.sdk.items import Binary
    from engine.services import runs
    from engine.services.principals import RunAs
    from tests.knowledge.pdf import make_pdf

    kb.create_base(erin, "Files")
    wf = load_workflow(
        {
            "name": "files",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Add",
                    "type": "core.knowledge_insert",
                    "parameters": {"knowledge_base": "Files", "binary_property": "data"},
                },
            ],
            "connections": [{"source": "Start", "target": "Add"}],
        }
    )
    pdf = Binary.from_bytes(
        make_pdf(["Invoices are emailed on the first day of the month."]),
        "application/pdf",
        "invoices.pdf",
    )
    page = Binary.from_bytes(
        b"<html><body><nav>Menu</nav><p>Refunds take five days.</p></body></html>",
        "text/html",
        "refunds.html",
    )
    items = [
        Item(json={}, binary={"data": pdf}),
        Item(json={}, binary={"data": page}),
        Item(json={"name": "missing"}),
    ]
    result = runs.run_workflow(wf, input_items=items[:2], principal=RunAs.caller(erin))
    assert result.ok, result.error
    assert [i.json["status"] for i in result.output] == ["added", "added"]
    hits = kb.search(erin, "Files", "when are bills sent?", k=1)
    assert hits[0]["document"] == "invoices.pdf" and "first day" in hits[0]["text"]
    failed = runs.run_workflow(wf, input_items=items[2:], principal=RunAs.caller(erin))
    assert not failed.ok and "no binary property 'data'" in str(failed.error)
