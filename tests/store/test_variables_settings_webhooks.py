"""Variables ($vars), instance settings and webhook registrations."""

from __future__ import annotations

import pytest

from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store import Store
from tests.store.factories import make_workflow


def test_variables_are_unique_per_scope_and_upserted(store: Store) -> None:
    store.variables.set("API_URL", "https://global")
    store.variables.set("API_URL", "https://global/v2")
    store.variables.set("API_URL", "https://p1", project_id="p1")
    store.variables.set("TEAM", "ops", project_id="p1")
    assert store.variables.get("API_URL").value == "https://global/v2"
    assert store.variables.get("API_URL", project_id="p1").value == "https://p1"
    assert [v.key for v in store.variables.list()] == ["API_URL"]
    assert [v.key for v in store.variables.list(project_id="p1")] == ["API_URL", "TEAM"]
    assert store.variables.as_dict() == {"API_URL": "https://global/v2"}
    assert store.variables.as_dict("p1") == {"API_URL": "https://p1", "TEAM": "ops"}
    store.variables.delete("API_URL", project_id="p1")
    assert store.variables.as_dict("p1")["API_URL"] == "https://global/v2"
    with pytest.raises(NotFoundError):
        store.variables.get("TEAM")
    with pytest.raises(NotFoundError):
        store.variables.delete("TEAM")


def test_global_keys_are_unique_in_the_database_too(store: Store) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    store.variables.set("K", "1")
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO variable (id, key, value) VALUES ('x', 'K', '2')"))


@pytest.mark.parametrize("key", ["1abc", "with space", "a-b", "", "x" * 129, "$vars"])
def test_variable_keys_must_be_identifiers(store: Store, key: str) -> None:
    with pytest.raises(ValidationError):
        store.variables.set(key, "v")


def test_variable_values_must_be_strings(store: Store) -> None:
    with pytest.raises(ValidationError, match="string"):
        store.variables.set("N", 3)  # type: ignore[arg-type]


def test_settings_hold_json_values(store: Store) -> None:
    assert store.settings.get("smtp", {"host": None}) == {"host": None}
    store.settings.set("smtp", {"host": "mail.local", "port": 25})
    store.settings.set("retention_days", 14)
    store.settings.set("retention_days", 7)
    assert store.settings.get("retention_days") == 7
    assert store.settings.all() == {"retention_days": 7,
                                    "smtp": {"host": "mail.local", "port": 25}}
    assert store.settings.delete("smtp") and not store.settings.delete("smtp")
    store.settings.set("nothing", None)
    assert "nothing" in store.settings.all() and store.settings.get("nothing", 1) is None


def test_webhooks_route_one_method_and_path_to_one_node(store: Store) -> None:
    a = store.workflows.create(make_workflow("A"))
    b = store.workflows.create(make_workflow("B"))
    hook = store.webhooks.register(a.id, "Start", "post", "/orders/new/")
    assert (hook.method, hook.path) == ("POST", "orders/new")
    assert store.webhooks.register(a.id, "Start", "POST", "orders/new").id == hook.id
    with pytest.raises(ConflictError, match="workflow 'A'"):
        store.webhooks.register(b.id, "Start", "POST", "orders/new")
    store.webhooks.register(b.id, "Start", "GET", "orders/new")  # other method: fine
    assert store.webhooks.lookup("post", "orders/new/").workflow_id == a.id
    assert store.webhooks.lookup("GET", "/orders/new").workflow_id == b.id
    with pytest.raises(NotFoundError):
        store.webhooks.lookup("PUT", "orders/new")
    assert len(store.webhooks.list()) == 2
    assert [w.method for w in store.webhooks.list(workflow_id=b.id)] == ["GET"]
    assert store.webhooks.unregister("GET", "orders/new")
    assert store.webhooks.delete_for_workflow(a.id) == 1
    assert store.webhooks.list() == []


@pytest.mark.parametrize("path", ["", "/", "a/../b", "a b", "a//b", "q?x=1"])
def test_bad_webhook_paths_are_refused(store: Store, path: str) -> None:
    wf = store.workflows.create(make_workflow())
    with pytest.raises(ValidationError):
        store.webhooks.register(wf.id, "Start", "POST", path)


def test_webhook_needs_a_known_method_and_workflow(store: Store) -> None:
    wf = store.workflows.create(make_workflow())
    with pytest.raises(ValidationError):
        store.webhooks.register(wf.id, "Start", "FETCH", "x")
    with pytest.raises(NotFoundError):
        store.webhooks.register("missing", "Start", "POST", "x")
