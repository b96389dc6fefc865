"""The run-time outbound HTTP allow-list: what admins may enter (hosts, CIDR ranges,
host:port), the service that stores it (authorized, audited, merged with
AURA_HTTP_ALLOW), and a workflow's HTTP Request node that follows it without a restart."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import PermissionDenied, SSRFBlocked, ValidationError
from engine.net import allowlist, normalize_allow_entry, parse_allow, safe_client

OWNER = Principal(user_id=None, email="ops@example.com", role="owner")


@pytest.mark.parametrize(("entry", "canonical"), [
    ("Intranet.Local.", "intranet.local"),
    ("*.corp.example", "*.corp.example"),
    (".corp.example", "*.corp.example"),
    ("10.1.2.3/8", "10.0.0.0/8"),
    ("[::1]", "::1"),
    ("intranet.local:8443", "intranet.local:8443"),
    ("10.0.0.5:5432", "10.0.0.5:5432"),
    ("[fd00::1]:80", "[fd00::1]:80"),
    ("2130706433", "127.0.0.1"),
])
def test_entries_are_written_canonically(entry: str, canonical: str) -> None:
    assert normalize_allow_entry(entry) == canonical


@pytest.mark.parametrize(("entry", "says"), [
    ("http://intranet.local/api", "URL"),
    ("10.0.0.0/99", "CIDR"),
    ("0.0.0.0/0", "every address"),
    ("intranet.local:99999", "port"),
    ("intranet.local:", "port"),
    ("*.corp.example:443", "wildcard"),
    ("intranet local", "several entries"),
    ("bad_host!", "not a host name"),
])
def test_bad_entries_say_what_to_write(entry: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        normalize_allow_entry(entry)


def test_port_entries_open_one_port_only() -> None:
    allow = parse_allow(["127.0.0.1:8080", "intranet.local:8443"])
    loop = ipaddress.ip_address("127.0.0.1")
    assert allow.allows_ip(loop, 8080) and not allow.allows_ip(loop, 8081)
    assert allow.allows_host("intranet.local", 8443) and not allow.allows_host("intranet.local")
    from engine.net import check_url

    check_url("http://127.0.0.1:8080/x", allow)
    with pytest.raises(SSRFBlocked):
        check_url("http://127.0.0.1:8081/x", allow)
    with pytest.raises(SSRFBlocked):
        check_url("http://127.0.0.1/x", allow)  # port 80


@pytest.fixture
def store(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from engine.services import auth
    from engine.services.store import get_store, reset_store

    monkeypatch.delenv("AURA_HTTP_ALLOW", raising=False)
    reset_store()
    auth.reset()
    allowlist.invalidate()
    yield get_store()
    allowlist.invalidate()
    auth.reset()
    reset_store()


def test_service_validates_audits_and_keeps_env_entries_apart(
        store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings
    from engine.services import auth, security

    monkeypatch.setenv("AURA_HTTP_ALLOW", "10.0.0.0/8")
    reset_settings()
    saved = security.set_http_allow_list(OWNER, ["Intranet.Local", "10.0.0.0/8",
                                                 "intranet.local", " ", "db.local:5432"])
    assert saved.entries == ["intranet.local", "db.local:5432"]  # env entry not stored twice
    assert security.get_http_allow_list(OWNER).to_dict() == {
        "fixed": ["10.0.0.0/8"], "entries": ["intranet.local", "db.local:5432"]}

    with pytest.raises(ValidationError) as err:
        security.set_http_allow_list(OWNER, ["ok.local", "http://x.local/", "10.0.0.0/99"])
    assert "URL" in err.value.message and "1 more" in err.value.message
    assert [e["entry"] for e in err.value.details["errors"]] == ["http://x.local/",
                                                                 "10.0.0.0/99"]
    assert security.get_http_allow_list().entries == ["intranet.local", "db.local:5432"]

    for role in ("editor", "viewer"):
        with pytest.raises(PermissionDenied, match="admin"):
            security.set_http_allow_list(Principal("u1", "e@example.com", role), ["x.local"])
        with pytest.raises(PermissionDenied):
            security.get_http_allow_list(Principal("u1", "e@example.com", role))

    security.set_http_allow_list(OWNER, ["db.local:5432"])
    events = auth.audit_log(OWNER, action="settings.http_allow_updated")
    assert events[0].details == {"added": [], "removed": ["intranet.local"],
                                 "entries": ["db.local:5432"]}
    assert events[0].actor_email == "ops@example.com"


def _run(url: str) -> Any:
    from engine.graph import load_workflow
    from engine.services import runs

    wf = load_workflow({"name": "Intranet call", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Call", "type": "core.http_request", "parameters": {"url": url}}],
        "connections": [{"source": "Start", "target": "Call"}]})
    return runs.run_workflow(wf)


def test_workflow_http_call_follows_the_admin_allow_list(store: Any, server: str
                                                         ) -> None:
    from engine.services import security

    url = f"{server}/ok"
    refused = _run(url)
    assert refused.status == "failed"
    assert "Refused to connect to 127.0.0.1" in str(refused.error)
    assert "Admin > Security" in str(refused.error)

    security.set_http_allow_list(OWNER, ["127.0.0.1"])
    allowed = _run(url)
    assert allowed.status == "succeeded", allowed.error
    assert "ok host=127.0.0.1" in str(allowed.output[0].json)

    security.set_http_allow_list(OWNER, [])
    assert _run(url).status == "failed"

    port = int(server.rsplit(":", 1)[1])
    security.set_http_allow_list(OWNER, [f"127.0.0.1:{port + 1}"])  # another port only
    assert _run(url).status == "failed"
    security.set_http_allow_list(OWNER, [f"127.0.0.1:{port}"])
    assert _run(url).status == "succeeded"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """A minimal SMTP server on 127.0.0.1 (greeting, EHLO, QUIT)."""
    import socketserver
    import threading

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 test.local ESMTP\r\n")
            for line in self.rfile:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self.wfile.write(b"250 test.local\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"502 no\r\n")

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield int(srv.server_address[1])
    finally:
        srv.shutdown()
        srv.server_close()


def test_credential_tests_follow_the_admin_allow_list(store: Any, server: str,
                                                      smtp_port: int) -> None:
    """The 'Test' button of a credential connects from the server too: same list, for
    HTTP kinds and for SMTP/PostgreSQL ones (which resolve and check addresses first)."""
    from engine.services import credentials, security

    http = {"token": "tok-allow-1", "test_url": f"{server}/ok"}
    smtp = {"host": "127.0.0.1", "port": smtp_port, "tls": "none"}
    for kind, data in (("bearer", http), ("smtp", smtp)):
        refused = credentials.test_credential_data(OWNER, kind, data)
        assert not refused.ok and "Refused to connect to 127.0.0.1" in refused.message
    security.set_http_allow_list(OWNER, ["127.0.0.1"])
    for kind, data in (("bearer", http), ("smtp", smtp)):
        allowed = credentials.test_credential_data(OWNER, kind, data)
        assert allowed.ok, allowed.message


def test_other_processes_follow_a_change_within_the_cache_time(
        store: Any, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change written by another process (here: straight into the store, without this
    process's cache being told) is followed once the cache time has passed."""
    monkeypatch.setattr(allowlist, "CACHE_S", 0.3)
    with safe_client() as c, pytest.raises(SSRFBlocked):
        c.get(f"{server}/ok")
    store.settings.set(allowlist.SETTING_KEY, ["127.0.0.1"])
    deadline = time.monotonic() + 10
    while True:
        try:
            with safe_client() as c:
                assert c.get(f"{server}/ok").status_code == 200
            break
        except SSRFBlocked:
            assert time.monotonic() < deadline, "the stored allow-list was never picked up"
            time.sleep(0.1)


def test_no_store_open_means_only_the_environment_list(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from engine.store import current as store_mod

    monkeypatch.setattr(store_mod, "_store", None)
    allowlist.invalidate()
    assert allowlist.runtime_entries() == []


WORKER = """
import sys, time
from engine.errors import SSRFBlocked
from engine.net import safe_client
from engine.services.store import get_store

get_store()  # a worker has the store open
url, deadline, said = sys.argv[1], time.monotonic() + 30, False
while time.monotonic() < deadline:
    try:
        with safe_client() as c:
            c.get(url, timeout=5)
        print("allowed", flush=True)
        break
    except SSRFBlocked:
        if not said:
            print("refused", flush=True)
            said = True
        time.sleep(0.2)
else:
    print("still refused", flush=True)
"""


def test_a_worker_process_follows_a_change_made_elsewhere(store: Any, server: str) -> None:
    """Another process (like an 'aura worker') is refused, then allowed within seconds of
    an admin adding the address here, without a restart."""
    import subprocess
    import sys

    from engine.services import security

    proc = subprocess.Popen([sys.executable, "-c", WORKER, f"{server}/ok"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "refused"
        security.set_http_allow_list(OWNER, ["127.0.0.1"])
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert out.strip() == "allowed"
