"""Workflows: version history, restore, draft vs published, listing, deleting."""

from __future__ import annotations

import pytest

from engine.errors import ConflictError, NotFoundError, WorkflowValidationError
from engine.store import Store
from tests.store.factories import make_workflow


def test_create_saves_version_one_and_assigns_an_id(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Orders", tags=["sales"]), "first")
    assert len(rec.id) == 32
    assert (rec.name, rec.tags, rec.version_counter, rec.active) == ("Orders", ["sales"], 1,
                                                                     False)
    assert rec.created_at.tzinfo is not None
    [v1] = store.workflows.versions(rec.id)
    assert (v1.number, v1.message, v1.id) == (1, "first", rec.current_version_id)
    assert v1.definition["id"] == rec.id
    assert store.workflows.definition(rec.id)["nodes"][0]["name"] == "Start"


def test_each_changed_save_is_a_new_version_and_unchanged_saves_are_not(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Orders"))
    wf = make_workflow("Orders v2", "Start", "Send", tags=["a", "b"], description="d")
    v2 = store.workflows.save(rec.id, wf, "add Send")
    again = store.workflows.save(rec.id, wf.to_json_dict(), "same again")
    assert v2.number == 2 and again.id == v2.id
    got = store.workflows.get(rec.id)
    assert (got.name, got.tags, got.description, got.version_counter) == \
        ("Orders v2", ["a", "b"], "d", 2)
    assert [v.number for v in store.workflows.versions(rec.id)] == [2, 1]
    assert [v.message for v in store.workflows.versions(rec.id)] == ["add Send", "Created"]
    assert store.workflows.get_version(rec.id, 1).checksum != v2.checksum


def test_save_refuses_a_stale_base_version(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Orders"))
    store.workflows.save(rec.id, make_workflow("Orders", "A"), base_version=1)
    with pytest.raises(ConflictError, match="now version 2"):
        store.workflows.save(rec.id, make_workflow("Orders", "B"), base_version=1)
    assert store.workflows.get(rec.id).version_counter == 2


def test_restore_creates_a_new_version_with_the_old_definition(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Orders", "A"))
    store.workflows.save(rec.id, make_workflow("Renamed", "A", "B"))
    v3 = store.workflows.restore(rec.id, 1)
    assert v3.number == 3 and v3.message == "Restored version 1"
    assert v3.checksum == store.workflows.get_version(rec.id, 1).checksum
    assert store.workflows.get(rec.id).name == "Orders"
    assert [n["name"] for n in store.workflows.definition(rec.id)["nodes"]] == ["A"]
    # restoring what is already current adds nothing
    assert store.workflows.restore(rec.id, 3).number == 3
    with pytest.raises(NotFoundError):
        store.workflows.restore(rec.id, 9)


def test_published_and_draft_are_distinct(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Orders", "A"))
    with pytest.raises(NotFoundError, match="no published version"):
        store.workflows.definition(rec.id, published=True)
    store.workflows.publish(rec.id)
    store.workflows.save(rec.id, make_workflow("Orders", "A", "Draft node"))
    assert [n["name"] for n in store.workflows.definition(rec.id, published=True)["nodes"]] \
        == ["A"]
    assert len(store.workflows.definition(rec.id)["nodes"]) == 2
    v = store.workflows.publish(rec.id, 2)
    assert store.workflows.get(rec.id).published_version_id == v.id
    store.workflows.set_active(rec.id, True)
    assert store.workflows.get(rec.id).active
    store.workflows.unpublish(rec.id)
    got = store.workflows.get(rec.id)
    assert got.published_version_id is None and not got.active


def test_list_filters_and_paginates(store: Store) -> None:
    a = store.workflows.create(make_workflow("Invoice sync", tags=["billing"]))
    store.workflows.create(make_workflow("Invoice_reminders", tags=["billing", "mail"]),
                           folder="finance/")
    c = store.workflows.create(make_workflow("Slack digest", tags=["mail"],
                                             description="daily INVOICE count"),
                               project_id="p1")
    for i in range(5):
        store.workflows.create(make_workflow(f"Other {i}"))
    store.workflows.set_active(c.id, True)
    store.workflows.archive(a.id)

    def names(**kw: object) -> set[str]:
        rows, total = store.workflows.list(**kw)  # type: ignore[arg-type]
        assert total == len(rows)
        return {r.name for r in rows}

    assert names(search="invoice") == {"Invoice_reminders", "Slack digest"}
    assert names(search="_") == {"Invoice_reminders"}  # LIKE wildcards are literal
    assert names(tag="mail") == {"Invoice_reminders", "Slack digest"}
    assert names(tag="bill") == set()
    assert names(folder="finance") == {"Invoice_reminders"}
    assert names(active=True) == {"Slack digest"}  # archiving deactivates
    assert names(project_id="p1") == {"Slack digest"}
    assert names(archived=True) == {"Invoice sync"}
    assert len(names(archived=None)) == 8
    page1, total = store.workflows.list(limit=3)
    page3, _ = store.workflows.list(limit=3, offset=6)
    assert total == 7 and len(page1) == 3 and len(page3) == 1
    every = [r.id for r in store.workflows.list(limit=3)[0] +
             store.workflows.list(limit=3, offset=3)[0] + page3]
    assert len(set(every)) == 7
    assert page1[0].name == "Slack digest"  # most recently updated first


def test_get_by_name_and_missing_ids(store: Store) -> None:
    first = store.workflows.create(make_workflow("Twin"))
    store.workflows.create(make_workflow("Twin"))
    assert store.workflows.get_by_name("Twin").id == first.id
    with pytest.raises(NotFoundError, match="aura workflow list"):
        store.workflows.get("nope")
    with pytest.raises(NotFoundError):
        store.workflows.get_by_name("nope")
    with pytest.raises(NotFoundError):
        store.workflows.save("nope", make_workflow())


def test_create_keeps_a_given_id_once(store: Store) -> None:
    store.workflows.create(make_workflow(), id="a" * 32)
    with pytest.raises(ConflictError):
        store.workflows.create(make_workflow(), id="a" * 32)


def test_malformed_definitions_are_refused(store: Store) -> None:
    with pytest.raises(WorkflowValidationError):
        store.workflows.create({"name": "x", "nodes": [{"name": "A"}]})
    rec = store.workflows.create(make_workflow())
    with pytest.raises(WorkflowValidationError):
        store.workflows.save(rec.id, {"nodes": "not a list"})
    assert store.workflows.get(rec.id).version_counter == 1


def test_delete_removes_versions_but_executions_keep_the_name(store: Store) -> None:
    rec = store.workflows.create(make_workflow("Doomed"))
    store.workflows.save(rec.id, make_workflow("Doomed", "A"))
    ex = store.executions.create(workflow_id=rec.id)
    store.webhooks.register(rec.id, "Start", "POST", "doomed")
    store.workflows.delete(rec.id)
    with pytest.raises(NotFoundError):
        store.workflows.versions(rec.id)
    with pytest.raises(NotFoundError):
        store.webhooks.lookup("POST", "doomed")
    kept = store.executions.get(ex.id)
    assert (kept.workflow_name, kept.workflow_id) == ("Doomed", rec.id)
    with pytest.raises(NotFoundError):
        store.workflows.delete(rec.id)


def test_static_data_round_trips_without_a_new_version(store: Store) -> None:
    rec = store.workflows.create(make_workflow())
    assert store.workflows.get_static_data(rec.id) == {}
    store.workflows.set_static_data(rec.id, {"last_id": 42, "seen": ["a"]})
    assert store.workflows.get_static_data(rec.id) == {"last_id": 42, "seen": ["a"]}
    assert store.workflows.get(rec.id).version_counter == 1


def test_static_data_of_two_concurrent_executions_is_merged(store: Store) -> None:
    """Two executions read the same static data; each saves its own changes at the end:
    neither loses the other's (different nodes or keys), a deletion is kept, and for the
    same key the last to finish wins."""
    rec = store.workflows.create(make_workflow())
    store.workflows.set_static_data(rec.id, {"Poll A": {"cursor": 1, "tmp": "x"},
                                             "Poll B": {"cursor": 10}})
    base = store.workflows.get_static_data(rec.id)
    first = {"Poll A": {"cursor": 2}, "Poll B": {"cursor": 10}}  # A moved, tmp deleted
    second = {"Poll A": {"cursor": 1, "tmp": "x"}, "Poll B": {"cursor": 11},
              "Poll C": {"seen": ["k"]}}
    store.workflows.merge_static_data(rec.id, base, first)
    merged = store.workflows.merge_static_data(rec.id, base, second)
    assert merged == {"Poll A": {"cursor": 2}, "Poll B": {"cursor": 11},
                      "Poll C": {"seen": ["k"]}}
    assert store.workflows.get_static_data(rec.id) == merged
    later = store.workflows.get_static_data(rec.id)
    store.workflows.merge_static_data(rec.id, later, {**later, "Poll A": {"cursor": 5}})
    assert store.workflows.get_static_data(rec.id)["Poll A"] == {"cursor": 5}


def test_move_to_folder(store: Store) -> None:
    rec = store.workflows.create(make_workflow())
    assert store.workflows.move(rec.id, "/ops/nightly/").folder == "ops/nightly"


def test_key_order_of_parameters_and_items_survives(store: Store) -> None:
    wf = make_workflow("Ordered", "Set")
    wf.nodes[0].parameters = {"zeta": 1, "alpha": {"y": 1, "b": 2}, "mid": [3]}
    rec = store.workflows.create(wf)
    params = store.workflows.definition(rec.id)["nodes"][0]["parameters"]
    assert list(params) == ["zeta", "alpha", "mid"] and list(params["alpha"]) == ["y", "b"]
    ex = store.executions.create(workflow_id=rec.id, status="running")
    store.executions.record_node_run(ex.id, "Set", output={
        "main": [{"json": {"name": "x", "id": 1, "created": "now"}}]})
    [run] = store.executions.node_runs(ex.id)
    assert list(run.output["main"][0]["json"]) == ["name", "id", "created"]
