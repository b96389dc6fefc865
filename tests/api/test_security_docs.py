"""The signing examples of docs/security.md work as printed: the Python snippet and the
curl/openssl snippet each start a run of a webhook served by uvicorn, and sending the
curl request's exact bytes a second time is refused as a replay."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.support.oidc_provider import serve_asgi

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
PRINTED_URL = "http://127.0.0.1:5678"


def _block(after: str, lang: str) -> str:
    text = DOC.read_text()
    start = text.index(after)
    match = re.search(rf"```{lang}\n(.*?)```", text[start:], re.S)
    assert match, f"no {lang} block after {after!r}"
    return match.group(1)


def test_the_documented_examples_sign_requests_aura_accepts(
    app: Any, client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    cid = credential("hmac_secret", {"secret": "whsec_your_secret"})
    wf = webhook_workflow(path="orders/paid", authentication="hmac")
    wf["nodes"][0]["credentials"] = {"hmac_secret": {"id": cid}}
    wid = create(wf, activate=True)
    python = _block("**Signing in Python**", "python")
    shell = _block("**Signing with curl and openssl**", "sh")
    assert PRINTED_URL in python and PRINTED_URL in shell
    with serve_asgi(app) as url:
        out = subprocess.run(
            [sys.executable, "-c", python.replace(PRINTED_URL, url)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "202"
        # the same body: signed in another second, it is another request
        time.sleep(1.05)
        # the shell example, then the same bytes again (as an eavesdropper would send)
        status = "curl -sS -w ' HTTP %{http_code}\\n' "
        script = shell.replace(PRINTED_URL, url).replace("curl ", status)
        script += (
            f"\n{status}-X POST {url}/webhook/orders/paid "
            "-H 'Content-Type: application/json' -H \"X-Signature-256: t=$t,v1=$sig\" "
            '--data-binary "$body"\n'
        )
        out = subprocess.run(["bash", "-euc", script], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        first, replay = out.stdout.strip().splitlines()
        assert first.endswith("HTTP 202") and "execution_id" in first, first
        assert replay.endswith("HTTP 401") and "already received" in replay, replay
    runs = client.get("/api/v1/executions", params={"workflow_id": wid}).json()["total"]
    assert runs == 2
