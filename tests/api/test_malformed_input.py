"""Malformed ids and parameters are 4xx with a message, never a 500, on SQLite and on
PostgreSQL (which stores no NUL character in text or JSON: an unchecked one became a
500 there). The cases are the kinds schemathesis sends (see ``test_openapi.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow
from tests.api.conftest import OWNER
from tests.support.env import database_url
from tests.support.fixtures import reset_process_state


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def owner_client(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The API (inline runtime, no Redis) on ``db``, signed in as the owner."""
    with database_url(request.param) as url:
        monkeypatch.setenv("AURA_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.delenv("AURA_REDIS_URL", raising=False)
        if url:
            monkeypatch.setenv("AURA_DB_URL", url)
        else:
            monkeypatch.delenv("AURA_DB_URL", raising=False)
        for k in ("TIME_COST", "MEMORY_KIB", "PARALLELISM"):
            monkeypatch.setenv(f"AURA_PASSWORD_HASH_{k}", "1024" if k == "MEMORY_KIB" else "1")
        reset_process_state()
        from studio.api import create_app

        try:
            with TestClient(create_app(runtime="inline")) as c:
                r = c.post("/api/v1/auth/setup", json=OWNER)
                assert r.status_code == 201, r.text
                c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
                yield c
        finally:
            reset_process_state()


def _problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert body["error"] and body["message"], body
    assert "Traceback" not in str(body)
    return body


def test_control_characters_and_overlong_path_ids_are_404(owner_client: TestClient) -> None:
    c = owner_client
    wid = c.post("/api/v1/workflows", json=manual_workflow()).json()["id"]
    for bad in ("abc%12", "abc%00", "%0A", "x%7F", "a" * 257):
        for method, url in (
            ("GET", f"/api/v1/workflows/{bad}"),
            ("GET", f"/api/v1/executions/{bad}"),
            ("POST", f"/api/v1/executions/{bad}/cancel"),
            ("GET", f"/api/v1/credentials/{bad}"),
            ("DELETE", f"/api/v1/variables/{bad}"),
            ("GET", f"/api/v1/nodes/{bad}"),
            ("DELETE", f"/api/v1/workflows/{wid}/shares/{bad}"),
            ("POST", f"/api/v1/queues/default/jobs/{bad}/requeue"),
        ):
            body = _problem(c.request(method, url), 404)
            assert "printable characters" in str(body["message"]), (method, url, body)
    assert c.get(f"/api/v1/workflows/{wid}").status_code == 200  # ids still work


def test_nul_in_a_query_parameter_is_422_naming_it(owner_client: TestClient) -> None:
    c = owner_client
    for url, name in (
        ("/api/v1/workflows?search=a%00b", "search"),
        ("/api/v1/workflows?tag=%00", "tag"),
        ("/api/v1/executions?workflow_id=%00", "workflow_id"),
        ("/api/v1/events?execution_id=x%00", "execution_id"),
        ("/api/v1/variables?project_id=%00", "project_id"),
        ("/api/v1/audit?action=%00", "action"),
    ):
        body = _problem(c.get(url), 422)
        assert f"query.{name}" in str(body["message"]), (url, body)


def test_nul_in_a_json_body_is_422_naming_where(owner_client: TestClient) -> None:
    c = owner_client
    wf = manual_workflow()
    wf["nodes"][1]["name"] = "Se\x00t"
    body = _problem(c.post("/api/v1/workflows", json=wf), 422)
    assert "body.nodes[1].name" in str(body["message"])
    body = _problem(c.post("/api/v1/variables", json={"key": "K", "value": "a\x00"}), 422)
    assert "body.value" in str(body["message"])
    body = _problem(
        c.post(
            "/api/v1/credentials",
            json={"name": "n", "kind": "header_auth", "data": {"name": "X", "value": "\x00"}},
        ),
        422,
    )
    assert "body.data.value" in str(body["message"])
    body = _problem(
        c.post("/api/v1/workflows", json={**manual_workflow(), "settings": {"k\x00": 1}}), 422
    )
    assert "body.settings (a key)" in str(body["message"])
    # the same documents without the NUL are stored
    assert c.post("/api/v1/workflows", json=manual_workflow()).status_code == 201
    assert c.post("/api/v1/variables", json={"key": "K", "value": "a"}).status_code == 201


def test_publishing_a_version_number_beyond_any_is_422(owner_client: TestClient) -> None:
    """Found by schemathesis: ``{"version": 222517584058}`` overflowed PostgreSQL's
    integer column (a 500)."""
    c = owner_client
    wid = c.post("/api/v1/workflows", json=manual_workflow()).json()["id"]
    body = _problem(c.post(f"/api/v1/workflows/{wid}/publish", json={"version": 222517584058}), 422)
    assert "body.version" in str(body["message"])
    assert _problem(c.post(f"/api/v1/workflows/{wid}/publish", json={"version": 99}), 404)
    assert c.post(f"/api/v1/workflows/{wid}/publish", json={"version": 1}).status_code == 200


def test_every_integer_a_request_carries_has_an_upper_bound() -> None:
    """Integers in queries and bodies reach integer columns (32 bits on PostgreSQL):
    each must be bounded so that a larger one is a 422, not a database error."""
    import annotated_types

    from studio.api.app import operations
    from studio.api.routing import MAX_INT_PARAM

    unbounded = []
    for op in operations():
        for model in (op.query, op.body):
            if model is None:
                continue
            for name, field in model.model_fields.items():
                if int not in (field.annotation, *getattr(field.annotation, "__args__", ())):
                    continue
                highs = [m.le for m in field.metadata if isinstance(m, annotated_types.Le)]
                highs += [m.lt for m in field.metadata if isinstance(m, annotated_types.Lt)]
                if not highs or min(highs) > MAX_INT_PARAM + 1:
                    unbounded.append(f"{op.method} {op.path}: {model.__name__}.{name}")
    assert not unbounded, "give these a le= bound:\n" + "\n".join(unbounded)
