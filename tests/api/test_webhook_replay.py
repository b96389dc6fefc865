"""A captured signed webhook request cannot be replayed: the same signature is accepted
once within the window (remembered in the real Redis every API process shares, or in
process without Redis), and an old timestamp is refused, each with a 401 that says why."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from starlette.testclient import TestClient

from engine.vault.signing import sign_webhook
from tests.api._helpers import webhook_workflow
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

BODY = b'{"order": 42}'


@pytest.fixture
def on_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # noqa: F811
    """Webhook signatures remembered in the session's real Redis."""
    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    yield redis_url
    conn = redis.Redis.from_url(redis_url)
    for key in conn.scan_iter("aura:replay:*"):
        conn.delete(key)


def _signed_hook(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str], path: str
) -> str:
    cid = credential("hmac_secret", {"secret": "whsec_test"})
    wf = webhook_workflow(path=path, authentication="hmac", hmac_header="X-Aura-Signature")
    wf["nodes"][0]["credentials"] = {"hmac_secret": {"id": cid}}
    return create(wf, activate=True)


def _executions(client: TestClient, wid: str) -> int:
    r = client.get("/api/v1/executions", params={"workflow_id": wid})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def _replay_is_refused(client: TestClient, wid: str, path: str) -> None:
    header = {
        "X-Aura-Signature": sign_webhook("whsec_test", BODY),
        "Content-Type": "application/json",
    }
    first = client.post(f"/webhook/{path}", content=BODY, headers=header)
    assert first.status_code == 202, first.text
    again = client.post(f"/webhook/{path}", content=BODY, headers=header)
    assert again.status_code == 401
    assert again.json()["error"] == "unauthenticated"
    assert "already received" in again.json()["message"]
    assert "signed with the current time" in again.json()["message"]
    # a new signature (a later timestamp) of the same body is a new request
    time.sleep(1.05)
    fresh = {**header, "X-Aura-Signature": sign_webhook("whsec_test", BODY)}
    assert client.post(f"/webhook/{path}", content=BODY, headers=fresh).status_code == 202
    time.sleep(0.2)  # immediately-mode runs finish in the background
    assert _executions(client, wid) == 2


def test_the_same_signed_request_is_accepted_once_redis(
    on_redis: str, client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    wid = _signed_hook(client, create, credential, "pay")
    _replay_is_refused(client, wid, "pay")
    # remembered in Redis for the window (twice the tolerance), so every process sees it
    conn = redis.Redis.from_url(on_redis)
    keys = list(conn.scan_iter("aura:replay:*"))
    assert len(keys) == 2
    assert 600 < conn.pttl(keys[0]) / 1000 <= 610


def test_the_same_signed_request_is_accepted_once_in_process(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    from engine.config import settings

    assert settings().redis.url is None
    wid = _signed_hook(client, create, credential, "pay2")
    _replay_is_refused(client, wid, "pay2")


def test_old_and_future_timestamps_are_refused(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    wid = _signed_hook(client, create, credential, "late")
    old = sign_webhook("whsec_test", BODY, timestamp=int(time.time()) - 3600)
    r = client.post("/webhook/late", content=BODY, headers={"X-Aura-Signature": old})
    assert r.status_code == 401
    message = r.json()["message"]
    assert "s old" in message and "accepted for 300 s" in message
    future = sign_webhook("whsec_test", BODY, timestamp=int(time.time()) + 3600)
    r = client.post("/webhook/late", content=BODY, headers={"X-Aura-Signature": future})
    assert r.status_code == 401 and "in the future" in r.json()["message"]
    assert _executions(client, wid) == 0


def test_the_window_is_a_setting(
    app: Any,
    client: TestClient,
    create: Callable[..., str],
    credential: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.config import reset_settings

    _signed_hook(client, create, credential, "tight")
    monkeypatch.setenv("AURA_WEBHOOK_HMAC_TOLERANCE_S", "30")
    reset_settings()
    sig = sign_webhook("whsec_test", BODY, timestamp=int(time.time()) - 60)
    r = client.post("/webhook/tight", content=BODY, headers={"X-Aura-Signature": sig})
    assert r.status_code == 401 and "accepted for 30 s" in r.json()["message"]
