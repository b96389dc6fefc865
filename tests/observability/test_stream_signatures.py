"""Signed webhook streams: every POST to a webhook stream carries ``X-Aura-Signature``
(HMAC-SHA256 over ``"<t>." + body`` with the stream's own secret). A real local HTTP
receiver checks each delivery with the verification snippet of docs/operations.md and
answers 401 to what does not verify. The secret is shown once, kept encrypted in the
vault, survives a key rotation, can be renewed, and never reaches a log line."""

from __future__ import annotations

import http.server
import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.observability.conftest import wait_until
from tests.observability.test_logging import captured  # noqa: F401 (fixture)
from tests.observability.test_streaming import owner  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
Verify = Callable[[str, bytes, str], bool]


def _documented_verify() -> Verify:
    """The ``verify`` function of the snippet in docs/operations.md, as a reader would
    paste it into their receiver."""
    text = (ROOT / "docs" / "operations.md").read_text()
    code = re.search(r"```python\n(import hashlib.*?def verify.*?)```", text, re.S)
    assert code, "docs/operations.md has no verification snippet"
    space: dict[str, Any] = {}
    exec(compile(code[1], "operations.md", "exec"), space)  # our own docs
    return space["verify"]  # type: ignore[no-any-return]


class Receiver:
    """An HTTP server that verifies each delivery with ``secret`` (204 or 401)."""

    def __init__(self, verify: Verify) -> None:
        self.secret = ""
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[tuple[bytes, str]] = []
        self.raw: list[tuple[bytes, str]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers.get("X-Aura-Signature", "")
                receiver.raw.append((body, header))
                ok = bool(header) and verify(receiver.secret, body, header)
                if ok:
                    receiver.accepted.append(json.loads(body))
                else:
                    receiver.rejected.append((body, header))
                self.send_response(204 if ok else 401)
                self.end_headers()

            def log_message(self, *a: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/aura"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def records(self) -> list[dict[str, Any]]:
        return [r for body in self.accepted for r in body["records"]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(_documented_verify())
    yield r
    r.server.shutdown()


RUN = {
    "name": "Signed",
    "nodes": [{"name": "Start", "type": "core.manual_trigger"}],
    "connections": [],
}


def test_every_delivery_is_signed_and_verified_by_the_documented_snippet(
    owner: TestClient,  # noqa: F811
    receiver: Receiver,
    captured: io.StringIO,  # noqa: F811
) -> None:
    from engine.observability import stream_secrets, streaming
    from engine.observability.logging import configure_logging
    from engine.services import credentials
    from engine.services.store import get_store

    configure_logging("INFO", process="api", fmt="json", stream=captured)
    r = owner.put(
        "/api/v1/streams",
        json={"streams": [{"name": "ops", "kind": "webhook", "url": receiver.url}]},
    )
    assert r.status_code == 200, r.text
    secret = r.json()["new_secrets"]["ops"]
    assert secret.startswith("whsec_") and len(secret) > 40
    receiver.secret = secret
    # shown once: not in GET, not in the stored configuration, not in the clear anywhere
    assert secret not in owner.get("/api/v1/streams").text
    assert secret not in json.dumps(get_store().settings.all())
    assert get_store().settings.get(stream_secrets.SETTING)["ops"]
    again = owner.put(
        "/api/v1/streams",
        json={"streams": [{"name": "ops", "kind": "webhook", "url": receiver.url}]},
    )
    assert again.json()["new_secrets"] == {}  # a saved stream keeps its secret

    # a run's events arrive signed, and the snippet accepts them
    streaming.forget()
    wid = owner.post("/api/v1/workflows", json=RUN).json()["id"]
    eid = owner.post(f"/api/v1/workflows/{wid}/run?wait=true", json={}).json()["execution_id"]
    assert streaming.flush(10)
    wait_until(
        lambda: any(
            x.get("execution_id") == eid and x["type"] == "execution.finished"
            for x in receiver.records()
        ),
        10,
        "the signed events",
    )
    assert receiver.rejected == []
    body, header = receiver.raw[-1]
    t = int(header.split(",")[0].removeprefix("t="))
    assert abs(time.time() - t) < 60  # signed when sent
    # a changed body or a changed timestamp does not verify (no replay with a fresh t)
    assert not _documented_verify()(secret, body + b" ", header)
    forged = header.replace(f"t={t}", f"t={t + 1}")
    assert (
        httpx.post(receiver.url, content=body, headers={"X-Aura-Signature": forged}).status_code
        == 401
    )
    assert httpx.post(receiver.url, content=body).status_code == 401

    # the key rotation re-encrypts the secret: deliveries still verify
    credentials.rotate_key(None)
    streaming.forget()
    results = owner.post("/api/v1/streams/test").json()["results"]
    assert results == [{"name": "ops", "ok": True, "error": None}]

    # renewing: the old secret stops working, the new one (shown once) does
    renewed = owner.post("/api/v1/streams/ops/secret")
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()["secret"]
    assert fresh != secret
    rejected_before = len(receiver.rejected)
    assert owner.post("/api/v1/streams/test").json()["results"][0]["ok"] is False
    assert len(receiver.rejected) == rejected_before + 1
    receiver.secret = fresh
    assert owner.post("/api/v1/streams/test").json()["results"][0]["ok"] is True
    missing = owner.post("/api/v1/streams/nobody/secret")
    assert missing.status_code == 404 and "No webhook stream" in missing.json()["message"]

    # never logged, even when something logs it by mistake
    logging.getLogger("aura.test").warning("the stream secret is %s and %s", secret, fresh)
    logs = captured.getvalue()
    assert "the stream secret is" in logs
    assert secret not in logs and fresh not in logs


def test_an_own_secret_is_used_and_only_webhooks_take_one(
    owner: TestClient,  # noqa: F811
    receiver: Receiver,
) -> None:
    mine = "my-own-secret-0123456789-abcdef"
    r = owner.put(
        "/api/v1/streams",
        json={"streams": [{"name": "own", "kind": "webhook", "url": receiver.url, "secret": mine}]},
    )
    assert r.status_code == 200 and r.json()["new_secrets"] == {}
    assert "secret" not in r.json()["streams"][0]
    receiver.secret = mine
    assert owner.post("/api/v1/streams/test").json()["results"][0]["ok"] is True
    assert receiver.accepted and receiver.accepted[-1]["records"][0]["type"] == "stream.test"

    short = owner.put(
        "/api/v1/streams",
        json={
            "streams": [{"name": "own", "kind": "webhook", "url": receiver.url, "secret": "short"}]
        },
    )
    assert short.status_code == 422 and "secret" in short.json()["message"]
    syslog = owner.put(
        "/api/v1/streams",
        json={
            "streams": [
                {"name": "s", "kind": "syslog", "url": "udp://127.0.0.1:514", "secret": mine}
            ]
        },
    )
    assert syslog.status_code == 422 and "Only webhook streams" in syslog.json()["message"]
    # a stream removed takes its secret with it
    from engine.observability import stream_secrets
    from engine.services.store import get_store

    assert owner.put("/api/v1/streams", json={"streams": []}).status_code == 200
    assert get_store().settings.get(stream_secrets.SETTING) == {}
