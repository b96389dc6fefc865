"""Health checks and the error contract: every failure is JSON {error, message, details}."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow


def _is_error(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    assert body["message"]


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok", "redis": "not configured",
                                  "encryption_key": "ok"}


def test_readyz_reports_unreachable_redis(client: TestClient, monkeypatch: Any) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings()
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "not_ready"
    assert "redis does not answer" in r.json()["checks"]["redis"]


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 16


def test_unknown_route_is_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    _is_error(r.json(), "not_found")
    assert "/api/v1/docs" in r.json()["message"]


def test_wrong_method_is_json_405_with_allow(client: TestClient) -> None:
    r = client.patch("/api/v1/workflows")
    assert r.status_code == 405
    _is_error(r.json(), "method_not_allowed")
    assert set(r.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_aura_error_maps_to_its_status(client: TestClient) -> None:
    r = client.get("/api/v1/workflows/does-not-exist")
    assert r.status_code == 404
    _is_error(r.json(), "not_found")


def test_malformed_json_is_422_saying_what_to_fix(client: TestClient) -> None:
    r = client.post("/api/v1/variables", content=b'{"key": "A", "value": ',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    _is_error(r.json(), "validation_error")
    assert "not valid JSON" in r.json()["message"]


def test_body_validation_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/variables", json={"key": "A", "value": 3, "extra": 1})
    assert r.status_code == 422
    body = r.json()
    _is_error(body, "validation_error")
    paths = {p["path"] for p in body["details"]}
    assert paths == {"body.value", "body.extra"}
    assert body["message"].startswith("body.")


def test_query_validation_is_422(client: TestClient) -> None:
    r = client.get("/api/v1/workflows", params={"limit": "lots"})
    assert r.status_code == 422
    assert r.json()["details"][0]["path"] == "query.limit"


def test_body_size_limit_is_413(data_dir: Any) -> None:
    from engine.services.store import reset_store
    from studio.api import create_app

    reset_store()
    with TestClient(create_app(runtime="inline", max_body_bytes=100)) as c:
        r = c.post("/api/v1/auth/login", json={"email": "a", "password": "x" * 200})
        assert r.status_code == 413
        _is_error(r.json(), "payload_too_large")
        assert "100" in r.json()["message"]

        def chunks() -> Any:  # no Content-Length: counted while streaming
            yield b'{"email": "a", "password": "'
            yield b"x" * 200
            yield b'"}'

        r = c.post("/api/v1/auth/login", content=chunks(),
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 413
    reset_store()


def test_unexpected_error_is_500_without_traceback(client: TestClient,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from engine.services import workflows

    def boom(*_: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(workflows, "summary", boom)
    client.post("/api/v1/workflows", json=manual_workflow())
    r = client.get("/api/v1/workflows", headers={"X-Request-ID": "req-42"})
    assert r.status_code == 500
    body = r.json()
    _is_error(body, "internal_error")
    assert body["details"] == {"request_id": "req-42"}
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert any("req-42" in rec.getMessage() for rec in caplog.records)


def test_embedded_without_auth(data_dir: Any) -> None:
    """create_app(auth=False) (behind another gate) serves the resources, not sign-in."""
    from engine.services.store import reset_store
    from studio.api import create_app

    reset_store()
    with TestClient(create_app(runtime="inline", auth=False)) as c:
        assert c.get("/api/v1/auth/status").status_code == 404
        assert c.post("/api/v1/workflows", json=manual_workflow()).status_code == 201
        r = c.post("/api/v1/credentials", json={"name": "h", "kind": "hmac_secret",
                                                 "data": {"secret": "x" * 20}})
        assert r.status_code == 201
        assert c.get("/api/v1/credentials").json()["items"][0]["name"] == "h"
        assert "/api/v1/users" not in c.get("/api/v1/openapi.json").json()["paths"]
    reset_store()


@pytest.mark.postgres
def test_database_gone_mid_service_is_503_not_500(data_dir: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The PostgreSQL database disappears under a running API (its connections cut): the
    caller gets a 503 saying what to check, never a 500 or a traceback."""
    from engine.config import reset_settings
    from engine.services import auth
    from engine.services.store import get_store, reset_store
    from studio.api import create_app
    from tests.support.postgres import shared_postgres

    pg = shared_postgres()
    url = pg.create_database(extensions=())
    monkeypatch.setenv("AURA_DB_URL", url)
    reset_settings()
    reset_store()
    auth.reset()
    try:
        get_store()  # migrated
        with TestClient(create_app(runtime="inline", auth=False)) as c:
            assert c.post("/api/v1/workflows", json=manual_workflow()).status_code == 201
            pg.drop_database(url)  # WITH (FORCE): every connection is terminated
            for _ in range(2):  # the pooled (dead) connection, then a new one
                r = c.get("/api/v1/workflows")
                assert r.status_code == 503, r.text
                _is_error(r.json(), "database_unavailable")
                assert "AURA_DB_URL" in r.json()["message"] and "Traceback" not in r.text
    finally:
        auth.reset()
        reset_store()
        pg.drop_database(url)
