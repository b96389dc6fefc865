"""Typed credentials: forms from the kinds, secrets never returned, updates that keep
masked secrets, and tests against real (local) services."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from urllib.parse import parse_qs, urlparse

import pytest

from engine.auth.types import Principal
from engine.credentials import MASK, describe, get_kind, kind_names
from engine.errors import CredentialError, NotFoundError, PermissionDenied, ValidationError
from tests.auth.conftest import add_user

TOKENS = {"count": 0}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        auth = self.headers.get("Authorization", "")
        good = {"Bearer good", "Bearer sk-good", "Token good",
                "Basic " + base64.b64encode(b"ada:good").decode()}
        ok = (auth in good or self.headers.get("X-API-Key") == "good"
              or parse_qs(url.query).get("api_key") == ["good"])
        if url.path in ("/check", "/v1/models"):
            self._send(200 if ok else 401, {"data": []} if ok else {"error": "no"})
        else:
            self._send(404, {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        basic = "Basic " + base64.b64encode(b"cid:csecret").decode()
        if self.headers.get("Authorization") != basic:
            self._send(401, {"error": "invalid_client"})
            return
        TOKENS["count"] += 1
        n = TOKENS["count"]
        if form.get("grant_type") == ["client_credentials"]:
            self._send(200, {"access_token": f"at-{n}", "token_type": "bearer",
                             "expires_in": 3600, "refresh_token": "rt-1"})
        elif form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [
                "rt-1"]:
            self._send(200, {"access_token": f"at-{n}", "token_type": "bearer",
                             "expires_in": 3600})
        else:
            self._send(400, {"error": "invalid_grant"})


@pytest.fixture(scope="module")
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def web(auth: ModuleType, _server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A local HTTP service; loopback allowed for outbound requests."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    return _server


@pytest.fixture
def creds(auth: ModuleType) -> ModuleType:
    from engine.services import credentials

    return credentials


def test_every_kind_has_a_form_with_its_secrets_marked() -> None:
    assert {"header_auth", "bearer", "basic_auth", "api_key", "oauth2", "postgres", "smtp",
            "openai_compatible", "hmac_secret"} <= set(kind_names())
    forms = {d["kind"]: d for d in describe()}
    assert forms["postgres"]["secret_fields"] == ["password"]
    assert set(forms["oauth2"]["secret_fields"]) == {"client_secret", "access_token",
                                                     "refresh_token"}
    pw = forms["basic_auth"]["schema"]["properties"]["password"]
    assert pw["x-aura-secret"] is True and pw["writeOnly"] is True
    assert "in" in forms["api_key"]["schema"]["properties"]
    for d in forms.values():
        assert d["title"] and d["schema"]["type"] == "object"
        for prop in d["schema"]["properties"].values():
            assert prop.get("description"), d["kind"]
    with pytest.raises(CredentialError, match="Unknown credential kind"):
        get_kind("telepathy")


def test_secrets_are_never_returned_and_mask_keeps_them(creds: ModuleType,
                                                        owner: Principal) -> None:
    view = creds.create_credential(owner, "Prod DB", "postgres",
                                   {"host": "db.internal", "database": "app", "user": "ada",
                                    "password": "pg-secret-1"})
    assert view.data["password"] == MASK and view.data["host"] == "db.internal"
    assert view.project_id == creds.context().store.users.personal_project_id(owner.user_id)
    assert "pg-secret-1" not in json.dumps(creds.get_credential(owner, view.id).to_dict())
    listed = creds.list_credentials(owner, with_data=True)
    assert "pg-secret-1" not in json.dumps([v.to_dict() for v in listed])
    # the form sends the mask back: the password stays
    updated = creds.update_credential(owner, view.id, name="Prod DB (eu)",
                                      data={**view.data, "port": 6432})
    assert updated.name == "Prod DB (eu)" and updated.data["port"] == 6432
    assert creds.resolve(view.id)["password"] == "pg-secret-1"
    creds.update_credential(owner, view.id, data={"password": "pg-secret-2"})
    assert creds.resolve(view.id)["password"] == "pg-secret-2"
    [event] = creds.context().store.audit.list(action="credential.updated", limit=1)
    assert event.details["fields_changed"] == ["password"]
    assert "pg-secret" not in json.dumps(event.details)
    assert creds.secrets_of(view.id) == {"pg-secret-2"}


def test_invalid_data_is_refused_with_the_field(creds: ModuleType, owner: Principal) -> None:
    with pytest.raises(ValidationError, match="port"):
        creds.create_credential(owner, "x", "postgres", {"host": "h", "database": "d",
                                                         "user": "u", "port": 99999})
    with pytest.raises(ValidationError, match="token"):
        creds.create_credential(owner, "x", "bearer", {})
    with pytest.raises(ValidationError, match="Extra inputs"):
        creds.create_credential(owner, "x", "bearer", {"token": "t", "tokn": "typo"})


def test_credentials_belong_to_projects(creds: ModuleType, auth: ModuleType,
                                        owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    vi = add_user(auth, owner, "vi@example.com", "viewer")
    mine = creds.create_credential(ed, "Ed's token", "bearer", {"token": "ed-token-1"})
    assert [c.id for c in creds.list_credentials(ed)] == [mine.id]
    assert creds.list_credentials(vi) == []
    with pytest.raises(NotFoundError):  # not in their projects: as if it did not exist
        creds.get_credential(vi, mine.id)
    with pytest.raises(PermissionDenied):
        creds.update_credential(vi, mine.id, name="mine now")
    assert creds.get_credential(owner, mine.id).name == "Ed's token"  # admins see all
    team = auth.create_project(owner, "Team")
    auth.set_project_member(owner, team.id, vi.user_id, "viewer")
    auth.share(ed, "credential", mine.id, team.id, role="viewer")
    vi = auth.principal_from_access_token(auth.login("vi@example.com", "Sturdy-Password-42")
                                          .tokens.access_token)
    assert creds.get_credential(vi, mine.id).data["token"] == MASK
    with pytest.raises(PermissionDenied):
        creds.test_credential(vi, mine.id)
    creds.delete_credential(ed, mine.id)
    assert creds.list_credentials(ed) == []


@pytest.mark.parametrize(("kind", "data"), [
    ("bearer", {"token": "good"}),
    ("header_auth", {"name": "X-API-Key", "value": "good"}),
    ("basic_auth", {"user": "ada", "password": "good"}),
    ("api_key", {"key": "good", "in": "query", "name": "api_key"}),
    ("api_key", {"key": "good", "name": "Authorization", "prefix": "Token"}),
])
def test_http_kinds_test_against_a_url(creds: ModuleType, owner: Principal, web: str,
                                       kind: str, data: dict) -> None:
    view = creds.create_credential(owner, kind, kind, {**data, "test_url": f"{web}/check"})
    result = creds.test_credential(owner, view.id)
    assert result.ok, result.message
    wrong = {k: ("bad" if v == "good" else v) for k, v in data.items()}
    result = creds.test_credential_data(owner, kind, {**wrong, "test_url": f"{web}/check"})
    assert not result.ok and "401" in result.message


def test_without_a_test_url_http_kinds_only_validate(creds: ModuleType,
                                                     owner: Principal) -> None:
    result = creds.test_credential_data(owner, "bearer", {"token": "x"})
    assert result.ok and "test URL" in result.message


def test_credential_tests_obey_the_ssrf_guard(creds: ModuleType, owner: Principal) -> None:
    result = creds.test_credential_data(owner, "openai_compatible",
                                        {"base_url": "http://127.0.0.1:9/v1", "api_key": "k"})
    assert not result.ok and "AURA_HTTP_ALLOW" in result.message


def test_openai_compatible_lists_models(creds: ModuleType, owner: Principal, web: str) -> None:
    ok = creds.test_credential_data(owner, "openai_compatible",
                                    {"base_url": f"{web}/v1", "api_key": "sk-good"})
    assert ok.ok, ok.message
    bad = creds.test_credential_data(owner, "openai_compatible",
                                     {"base_url": f"{web}/v1", "api_key": "sk-bad"})
    assert not bad.ok and "refused the credential" in bad.message


def test_oauth2_fetches_and_refreshes_tokens(creds: ModuleType, owner: Principal,
                                             web: str) -> None:
    view = creds.create_credential(owner, "API", "oauth2",
                                   {"client_id": "cid", "client_secret": "csecret",
                                    "token_url": f"{web}/token"})
    assert creds.test_credential(owner, view.id).ok
    data = creds.resolve(view.id)  # no token yet: fetched (client credentials) and kept
    assert data["access_token"].startswith("at-") and data["refresh_token"] == "rt-1"
    assert creds.resolve(view.id)["access_token"] == data["access_token"]  # still valid
    store = creds.context().store
    from engine.vault import cipher_from_settings

    store.credentials.update(view.id, data={**data, "expires_at": 1.0},
                             cipher=cipher_from_settings())
    refreshed = creds.resolve(view.id)  # expired: refresh grant
    assert refreshed["access_token"] != data["access_token"]
    assert refreshed["expires_at"] > 1.0
    assert creds.get_credential(owner, view.id).data["access_token"] == MASK
    bad = creds.test_credential_data(owner, "oauth2",
                                     {"client_id": "cid", "client_secret": "nope",
                                      "token_url": f"{web}/token"})
    assert not bad.ok and "did not give a token" in bad.message


class _FakeSmtp(threading.Thread):
    """Answers EHLO and AUTH PLAIN like a mail server, for one connection at a time."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.logins: list[str] = []

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                f.write(b"220 fake ESMTP\r\n")
                f.flush()
                for raw in f:
                    line = raw.decode().strip()
                    if line.upper().startswith("EHLO"):
                        f.write(b"250-fake\r\n250 AUTH PLAIN\r\n")
                    elif line.upper().startswith("AUTH PLAIN"):
                        user = base64.b64decode(line.split()[2]).split(b"\0")
                        ok = user[1:] == [b"ada", b"good"]
                        self.logins.append(user[1].decode())
                        f.write(b"235 ok\r\n" if ok else b"535 bad credentials\r\n")
                    elif line.upper().startswith("QUIT"):
                        f.write(b"221 bye\r\n")
                        f.flush()
                        break
                    else:
                        f.write(b"250 ok\r\n")
                    f.flush()


def test_smtp_connects_and_logs_in(creds: ModuleType, owner: Principal, web: str) -> None:
    server = _FakeSmtp()
    server.start()
    base = {"host": "127.0.0.1", "port": server.port, "user": "ada", "tls": "none"}
    ok = creds.test_credential_data(owner, "smtp", {**base, "password": "good"})
    assert ok.ok and "accepted the login" in ok.message
    bad = creds.test_credential_data(owner, "smtp", {**base, "password": "nope"})
    assert not bad.ok and "535" in bad.message
    server.sock.close()


def _tcp_to_unix(path: str) -> tuple[int, socket.socket]:
    """A 127.0.0.1 port relayed to a Unix socket (the test server has no TCP)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            b.close()

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(path)
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], listener


@pytest.mark.postgres
def test_postgres_runs_select_1(creds: ModuleType, owner: Principal, web: str) -> None:
    from sqlalchemy.engine import make_url

    from tests.support.postgres import postgres_database

    with postgres_database() as url:
        u = make_url(url)
        socket_dir = str(u.query["host"])
        port, listener = _tcp_to_unix(f"{socket_dir}/.s.PGSQL.{u.port or 5432}")
        data = {"host": "127.0.0.1", "port": port, "database": u.database,
                "user": u.username, "password": u.password or "", "ssl": "disable"}
        try:
            ok = creds.test_credential_data(owner, "postgres", data)
            assert ok.ok, ok.message
            bad = creds.test_credential_data(owner, "postgres", {**data, "database": "nope"})
            assert not bad.ok and "nope" in bad.message
        finally:
            listener.close()


def test_oauth2_token_url_on_a_private_address_is_refused(creds: ModuleType, owner: Principal,
                                                          _server: str) -> None:
    """Without an allow-list entry the token URL on loopback is never contacted (whichever
    httpx flavour Authlib runs on)."""
    before = TOKENS["count"]
    result = creds.test_credential_data(owner, "oauth2",
                                        {"client_id": "cid", "client_secret": "csecret",
                                         "token_url": f"{_server}/token"})
    assert not result.ok and "127.0.0.1" in result.message
    assert TOKENS["count"] == before
