"""The public surface of engine.store, pinned so that changes to it are deliberate."""

from __future__ import annotations

import inspect

import engine.store
from engine.store import Store


def test_public_names() -> None:
    assert sorted(engine.store.__all__) == sorted(
        [
            "FINISHED",
            "TRANSITIONS",
            "Cipher",
            "Credential",
            "CredentialInfo",
            "Execution",
            "ExecutionMode",
            "ExecutionStatus",
            "NodeRun",
            "NodeRunStatus",
            "Setting",
            "Store",
            "Variable",
            "Webhook",
            "WorkflowRecord",
            "WorkflowVersion",
            "metadata",
            "open_store",
        ]
    )
    for name in engine.store.__all__:
        assert getattr(engine.store, name) is not None


def test_repository_methods(sqlite_store: Store) -> None:
    def methods(obj: object) -> set[str]:
        return {n for n, _ in inspect.getmembers(obj, inspect.ismethod) if not n.startswith("_")}

    s = sqlite_store
    assert {
        "create",
        "save",
        "get",
        "cached",
        "get_by_name",
        "list",
        "delete",
        "versions",
        "get_version",
        "restore",
        "publish",
        "unpublish",
        "set_active",
        "archive",
        "move",
        "definition",
        "get_static_data",
        "set_static_data",
        "merge_static_data",
    } == methods(s.workflows)
    assert {
        "create",
        "set_status",
        "finish",
        "heartbeat",
        "get",
        "list",
        "delete",
        "record_node_run",
        "node_runs",
        "running_for_workflow",
        "stale",
    } == methods(s.executions)
    assert {"record", "record_many", "drop_data", "update", "get", "list"} == methods(s.node_runs)
    assert {"create", "get", "get_data", "update", "list", "delete"} == methods(s.credentials)
    assert {"set", "get", "list", "as_dict", "delete"} == methods(s.variables)
    assert {"get", "set", "delete", "all"} == methods(s.settings)
    assert {"register", "lookup", "list", "unregister", "delete_for_workflow"} == methods(
        s.webhooks
    )
    assert {
        "prune_executions",
        "prune_execution_data",
        "reclaim_space",
        "upgrade",
        "revision",
        "ping",
        "close",
    } <= methods(s)
