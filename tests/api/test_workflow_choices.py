"""Saving through the HTTP API refuses a parameter value outside its fixed choices (the
If operation "greater than"), even as a draft, with a message naming the node, the
parameter, the value and the readable choices; expressions stay allowed."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow

API = "/api/v1/workflows"


def _if_workflow(operation: str, type_: str = "number") -> dict[str, Any]:
    return {
        "name": "Big orders",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {
                "name": "Is big",
                "type": "core.if",
                "parameters": {
                    "conditions": [
                        {
                            "left": "{{ $json.total }}",
                            "type": type_,
                            "operation": operation,
                            "right": 100,
                        }
                    ]
                },
            },
        ],
        "connections": [{"source": "Start", "target": "Is big"}],
    }


def _assert_refused(r: Any, value: str) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    body: dict[str, Any] = r.json()
    assert body["error"] == "workflow_invalid"
    msg = body["message"]
    assert "'Is big'" in msg and "conditions[0].operation" in msg and f"'{value}'" in msg
    assert "is greater than" in msg  # the readable labels, not 'gt'
    assert "Value error" not in msg and "Input should be" not in msg
    [detail] = body["details"]
    assert detail["node"] == "Is big" and detail["value"] == value
    assert detail["parameter"] == "conditions[0].operation"
    assert {"value": "gt", "label": "is greater than"} in detail["allowed"]
    return body


def test_create_refuses_a_value_outside_the_choices_even_as_a_draft(
    client: TestClient,
) -> None:
    _assert_refused(client.post(API, json=_if_workflow("greater than")), "greater than")
    r = client.post(API, json=_if_workflow("greater than"), params={"allow_invalid": "true"})
    _assert_refused(r, "greater than")
    assert client.get(API).json()["total"] == 0


def test_update_refuses_it_and_keeps_the_saved_version(client: TestClient) -> None:
    r = client.post(API, json=_if_workflow("gt"))
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    r = client.put(f"{API}/{wid}", json=_if_workflow("bigger"), params={"allow_invalid": "true"})
    _assert_refused(r, "bigger")
    got = client.get(f"{API}/{wid}").json()
    assert got["version"] == 1
    assert got["definition"]["nodes"][1]["parameters"]["conditions"][0]["operation"] == "gt"


def test_top_level_selects_name_their_labels(client: TestClient) -> None:
    wf = manual_workflow("Merge")
    wf["nodes"].append({"name": "Join", "type": "core.merge", "parameters": {"mode": "zip"}})
    r = client.post(API, json=wf)
    assert r.status_code == 422
    assert "'zip' is not a choice of Mode" in r.json()["message"]
    assert "Combine by position" in r.json()["message"]


def test_expressions_and_the_nodes_own_aliases_are_accepted(client: TestClient) -> None:
    assert client.post(API, json=_if_workflow("{{ $json.op }}")).status_code == 201
    # number 'equals' is the If node's alias of 'eq'
    assert client.post(API, json=_if_workflow("equals")).status_code == 201
    # the choices follow the condition's type: 'contains' is a string operation
    assert client.post(API, json=_if_workflow("contains", "string")).status_code == 201
    r = client.post(API, json=_if_workflow("contains", "number"))
    assert r.status_code == 422 and "'contains' is not a choice" in r.json()["message"]


def test_validate_names_the_choices_too(client: TestClient) -> None:
    r = client.post(f"{API}/validate", json=_if_workflow("greater than"))
    assert r.status_code == 200
    [err] = r.json()["errors"]
    assert err["code"] == "invalid_choice" and err["value"] == "greater than"
