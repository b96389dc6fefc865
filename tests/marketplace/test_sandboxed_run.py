"""Package code runs only in the sandbox processes, and reaches out only through the
brokered ctx: hosts of its manifest (a real local server proves what arrived), the
credential slots and kinds it declares. Escape attempts end the run as violations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from engine.errors import PackageInstallError
from engine.executor import Executor, RunRequest
from engine.graph import load_workflow
from engine.marketplace import install as ops
from engine.sdk import get_catalog
from engine.sdk.testing import NodeHarness
from tests.marketplace._helpers import built, manifest
from tests.support.listener import Listener


def _node(code_fn: str = "run", **extra: Any) -> dict[str, Any]:
    return {
        "type": "acme.probe",
        "title": "Probe",
        "description": "Probe node",
        "category": "Network",
        "run": f"main.py:{code_fn}",
        "params": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "default": "", "description": "Where to call"}
            },
        },
        **extra,
    }


def _install(store: Any, tmp_path: Path, code: str, **man: Any) -> None:
    nodes = man.pop("nodes", None) or [_node()]
    data, _ = built(tmp_path / "pkg", manifest(nodes=nodes, **man), code=code)
    ops.install(store, data, allow_unsigned=True)


POST = """\
def run(ctx, items):
    out = []
    for item in items:
        r = ctx.http.post(ctx.params()["url"], json={"text": item["json"]["text"]})
        out.append({"status": r.status_code, "answer": r.json()})
    return out
"""


def test_node_calls_a_host_its_manifest_declares(store: Any, tmp_path: Path) -> None:
    with Listener() as srv:
        port = srv.url.rsplit(":", 1)[1]
        _install(store, tmp_path, POST, hosts=[f"127.0.0.1:{port}"])
        res = NodeHarness("acme.probe").run(
            parameters={"url": srv.url + "/hook"}, input=[{"text": "hi"}, {"text": "there"}]
        )
        assert res.error is None, res.error
        assert res.json() == [{"status": 200, "answer": {"ok": True}}] * 2
        assert srv.count("/hook") == 2 and srv.saw('"there"')


def test_host_outside_the_manifest_is_refused_and_never_contacted(
    store: Any, tmp_path: Path
) -> None:
    with Listener() as srv:
        _install(store, tmp_path, POST, hosts=["hooks.example.com"])
        res = NodeHarness("acme.probe").run(
            parameters={"url": srv.url + "/hook"}, input=[{"text": "secret"}]
        )
        assert isinstance(res.error, Exception)
        assert res.error.code == "sandbox_violation"
        assert "not among the hosts its manifest declares (hooks.example.com)" in (
            res.error.message
        )
        assert srv.count() == 0


def test_catching_the_refusal_does_not_help(store: Any, tmp_path: Path) -> None:
    code = """\
def run(ctx, items):
    try:
        ctx.http.get(ctx.params()["url"])
    except Exception:
        return [{"caught": True}]
    return [{"caught": False}]
"""
    with Listener() as srv:
        _install(store, tmp_path, code, hosts=["hooks.example.com"])
        res = NodeHarness("acme.probe").run(parameters={"url": srv.url}, input=[{}])
        assert res.error is not None and res.error.code == "sandbox_violation"
        assert srv.count() == 0


@pytest.fixture
def redirector() -> Iterator[tuple[str, Listener]]:
    """A server at one port that redirects to a Listener at another."""
    with Listener() as target:

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(302)
                self.send_header("Location", target.url + "/landed")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", target
        finally:
            server.shutdown()
            server.server_close()


def test_a_redirect_off_the_manifest_is_refused(
    store: Any, tmp_path: Path, redirector: tuple[str, Listener]
) -> None:
    url, target = redirector
    code = (
        "def run(ctx, items):\n    return [{'s': ctx.http.get(ctx.params()['url']).status_code}]\n"
    )
    _install(store, tmp_path, code, hosts=[f"127.0.0.1:{url.rsplit(':', 1)[1]}"])
    res = NodeHarness("acme.probe").run(parameters={"url": url}, input=[{}])
    assert res.error is not None and "may not reach" in res.error.message
    assert target.count() == 0


ESCAPES = {
    "import os": "import os\ndef run(ctx, items):\n    return [{}]\n",
    "dunder walk": "def run(ctx, items):\n    return [{'x': str(ctx.http.__class__)}]\n",
    "getattr dunder": "def run(ctx, items):\n    return [{'x': getattr(ctx, '__dict__')}]\n",
    "format walk": "def run(ctx, items):\n    return [{'x': '{0.http.__class__}'.format(ctx)}]\n",
    "write ctx": "def run(ctx, items):\n    ctx.http = None\n    return [{}]\n",
    "open": "def run(ctx, items):\n    return [{'x': open('/etc/passwd').read()}]\n",
    "unknown op": "def run(ctx, items):\n    return [{'x': ctx.credentials.__call__}]\n",
}


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_escape_attempts_are_refused(case: str, store: Any, tmp_path: Path) -> None:
    try:
        _install(store, tmp_path, ESCAPES[case])
    except PackageInstallError as exc:  # refused at install: compiled with the policy
        assert exc.details["check"] == "compile"
        assert "acme/text-tools" not in (store.settings.get("marketplace.installed") or {})
        return
    res = NodeHarness("acme.probe").run(parameters={}, input=[{}])
    assert res.error is not None and res.error.code == "sandbox_violation", res.error


def test_runtime_escape_attempt_is_refused_in_the_sandbox(store: Any, tmp_path: Path) -> None:
    code = (
        "def run(ctx, items):\n    name = '_' + '_class__'\n"
        "    return [{'x': str(getattr(ctx, name))}]\n"
    )
    _install(store, tmp_path, code)
    res = NodeHarness("acme.probe").run(parameters={}, input=[{}])
    assert res.error is not None and res.error.code == "sandbox_violation"
    assert "Package acme/text-tools 1.0.0" in res.error.message


CREDS = """\
def run(ctx, items):
    data = ctx.credentials(ctx.params()["url"])
    return [{"user": data.get("user")}]
"""


def _cred_node(kinds: list[str]) -> dict[str, Any]:
    return _node(credentials=[{"name": "login", "kinds": kinds}])


def test_undeclared_credential_slot_is_refused(store: Any, tmp_path: Path) -> None:
    _install(store, tmp_path, CREDS, nodes=[_cred_node(["basic_auth"])], kinds=["basic_auth"])
    res = NodeHarness("acme.probe").run(
        parameters={"url": "other"},
        input=[{}],
        credentials={"login": {"user": "u"}, "other": {"user": "stolen"}},
    )
    assert res.error is not None and res.error.code == "sandbox_violation"
    assert "declares no credential slot 'other'" in res.error.message


def _run_with_stored_credential(store: Any, kind: str, data: dict[str, Any]) -> Any:
    from engine.services import credentials as cred_service
    from engine.vault.cipher import cipher_from_settings

    info = store.credentials.create("login", kind, data, cipher_from_settings())
    wf = load_workflow(
        {
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Probe",
                    "type": "acme.probe",
                    "parameters": {"url": "login"},
                    "credentials": {"login": {"id": info.id}},
                },
            ],
            "connections": [{"source": "Start", "target": "Probe"}],
        }
    )
    ex = Executor(get_catalog(), credentials=lambda n, s, ref: cred_service.resolve(ref.id))
    return ex.run(RunRequest(workflow=wf))


def test_credentials_of_a_declared_kind_are_given(store: Any, tmp_path: Path) -> None:
    _install(store, tmp_path, CREDS, nodes=[_cred_node(["basic_auth"])], kinds=["basic_auth"])
    result = _run_with_stored_credential(store, "basic_auth", {"user": "ann", "password": "pw"})
    assert result.status == "succeeded", result.error
    assert result.output[0].json == {"user": "ann"}


def test_a_credential_of_an_undeclared_kind_is_refused(store: Any, tmp_path: Path) -> None:
    _install(store, tmp_path, CREDS, nodes=[_cred_node(["basic_auth"])], kinds=["basic_auth"])
    result = _run_with_stored_credential(store, "bearer", {"token": "s3cret-token"})
    assert result.status == "failed"
    assert "of kind 'bearer', which package acme/text-tools does not declare" in str(result.error)
    assert "s3cret-token" not in str(result.to_dict() if hasattr(result, "to_dict") else result)


def test_each_node_run_is_one_sandbox_call_for_all_items(store: Any, tmp_path: Path) -> None:
    code = (
        "def run(ctx, items):\n    import random\n    token = random.random()\n"
        "    return [{'n': len(items), 't': token} for _ in items]\n"
    )
    _install(store, tmp_path, code)
    res = NodeHarness("acme.probe").run(parameters={}, input=[{}, {}, {}])
    assert res.error is None, res.error
    rows = res.json()
    assert [r["n"] for r in rows] == [3, 3, 3] and len({r["t"] for r in rows}) == 1
