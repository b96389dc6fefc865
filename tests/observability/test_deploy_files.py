"""The deployment files under docs/deploy, checked without a container runtime (none
runs on these machines): hadolint on the Dockerfile, the compose specification's schema,
Kubernetes' own schemas (strict), and every command they start is one AURA's CLI has,
with the options it passes; the probes' paths answer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
K8S = DEPLOY / "kubernetes"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def _manifests() -> list[dict[str, Any]]:
    docs = []
    for f in sorted(K8S.glob("*.yaml")):
        if f.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(f.read_text()) if d]
    return docs


def _commands() -> list[list[str]]:
    """Every command line the files start a process with."""
    out = []
    cmd = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert cmd, "the Dockerfile has a CMD in exec form"
    out.append(json.loads(cmd.group(1)))
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    out += [s["command"] for s in compose["services"].values() if s["image"].startswith("aura")]
    for doc in _manifests():
        spec = doc.get("spec", {})
        pod = spec.get("template", {}).get("spec", {})
        out += [c["command"] for c in pod.get("containers", []) if "command" in c]
    return out


def test_the_dockerfile_passes_hadolint() -> None:
    run = subprocess.run(
        [_tool("hadolint"), "--no-color", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2 and "USER 10001" in text  # multi-stage, not root
    # the studio's web build is made in its own stage and copied where studio.serve looks
    assert "reflex export --frontend-only --no-zip --env prod" in text
    assert (
        "COPY --from=web --chown=aura:aura /app/.web/build/client /home/aura/.web/build/client"
        in text
    )
    assert "WORKDIR /home/aura" in text and "/home/aura/rxconfig.py" in text
    # the docs site is built from the sources in its own stage and served at /docs
    assert "RUN python -m engine docs build --out /site" in text
    assert "COPY --from=docs /site /home/aura/docs-site" in text
    assert "AURA_API_DOCS_DIR=/home/aura/docs-site" in text


def test_the_compose_file_follows_the_compose_specification() -> None:
    run = subprocess.run(
        [
            _tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    assert {"studio", "api", "worker", "scheduler", "migrate", "redis", "postgres"} <= set(services)
    assert "pgvector" in services["postgres"]["image"]


def test_the_kubernetes_manifests_are_valid_and_complete() -> None:
    files = [f for f in sorted(K8S.glob("*.yaml")) if f.name != "kustomization.yaml"]
    run = subprocess.run(
        [_tool("kubernetes-validate"), "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(f.name for f in files)
    kinds = {(d["kind"], d["metadata"]["name"]) for d in _manifests()}
    assert ("Job", "aura-migrate") in kinds
    assert ("HorizontalPodAutoscaler", "aura-worker") in kinds
    api = next(
        d for d in _manifests() if d["kind"] == "Deployment" and "api" in d["metadata"]["name"]
    )
    container = api["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["spec"]["strategy"]["type"] == "RollingUpdate"
    studio = next(
        d for d in _manifests() if d["kind"] == "Deployment" and "studio" in d["metadata"]["name"]
    )
    container = studio["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:3] == ["python", "-m", "studio.serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c[:4]))
def test_every_command_exists_with_its_options(command: list[str]) -> None:
    if command[0] == "aura":
        words = [w for w in command[1:] if not w.startswith("-")]
        options = [w for w in command[1:] if w.startswith("--")]
        sub = [w for w in words if not w.replace(".", "").isdigit()][:2]
        argv = [sys.executable, "-m", "engine", *sub, "--help"]
    else:
        assert command[:3] in (["python", "-m", "studio.api"], ["python", "-m", "studio.serve"])
        options = [w for w in command[3:] if w.startswith("--")]
        argv = [sys.executable, "-m", command[2], "--help"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    for option in options:
        assert option in run.stdout, f"{option} is not an option of {' '.join(command)}"


def test_the_studio_server_refuses_to_start_without_a_web_build(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "studio.serve", "--web-dir", str(tmp_path / ".web")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "reflex export --frontend-only" in run.stderr


def test_the_probe_paths_answer(data_dir: Path) -> None:
    from starlette.testclient import TestClient

    from studio.api import create_app

    with TestClient(create_app(runtime="inline", auth=False)) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 200


def test_the_studio_backend_answers_the_probes(data_dir: Path) -> None:
    """The studio process (python -m studio.serve) is probed on /healthz and /readyz
    like the API: its backend hands them to the HTTP app, pages to Reflex."""
    from starlette.responses import PlainTextResponse
    from starlette.testclient import TestClient

    from studio.api import create_app
    from studio.api.mount import with_api
    from tests.support.fixtures import reset_process_state

    reset_process_state()  # this test's data directory, not the one before
    api = create_app(runtime="inline", auth=False)

    async def reflex(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await api(scope, receive, send)
        else:
            await PlainTextResponse("a studio page")(scope, receive, send)

    with TestClient(with_api(reflex, api)) as c:
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.get("/readyz").status_code == 200
        assert c.get("/workflows").text == "a studio page"
    reset_process_state()
