"""Hot reload: a worker process that was running before a package was installed runs
its node (the package-set stamp is read before each run; nothing is restarted and no
package code is imported into it); an upgrade, a rollback, a disable and an uninstall
reach it the same way; a workflow using an uninstalled node fails clearly; uninstall is
refused while an active workflow uses the package, unless forced (audited)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import ConflictError
from engine.services import packages
from tests.marketplace._helpers import UPPER, built, manifest
from tests.support.env import Env, worker_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]
UNKNOWN = "Unknown node type 'acme.upper'"
runner = CliRunner()

WORKFLOW = {
    "name": "shout",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Up", "type": "acme.upper", "parameters": {"field": "word"}},
    ],
    "connections": [{"source": "Start", "target": "Up"}],
}


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    with worker_env(tmp_path_factory.mktemp("hot") / "data", redis_url) as e:
        yield e


@pytest.fixture(autouse=True)
def _uninstalled_after(env: Env) -> Iterator[None]:
    """Each test starts without the package, whatever the one before it left."""
    yield
    if any(p["name"] == "acme/text-tools" for p in packages.installed(None)):
        packages.uninstall(None, "acme/text-tools", force=True)


def run_on_worker(env: Env, tmp_path: Path) -> tuple[int, Any]:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(WORKFLOW))
    r = runner.invoke(
        app,
        ["run", str(path), "--queue", "--json", "--input", '{"word": "hi"}'],
        catch_exceptions=False,
    )
    try:
        return r.exit_code, json.loads(r.stdout)
    except ValueError:
        return r.exit_code, r.output


def test_install_upgrade_rollback_uninstall_reach_a_running_worker(
    env: Env, tmp_path: Path
) -> None:
    code, out = run_on_worker(env, tmp_path)
    assert code != 0 and UNKNOWN in str(out), out  # not installed: refused clearly
    data, _ = built(tmp_path / "v1", manifest())
    packages.install_file(None, data, None, allow_unsigned=True)
    code, out = run_on_worker(env, tmp_path)
    assert code == 0, str(out) + env.logs()
    assert out["node_runs"][1]["outputs"]["main"][0]["json"]["word"] == "HI"
    from engine.services.store import get_store

    row = get_store().executions.get(out["id"])
    assert row.worker_id  # ran on the worker process started before the install

    v2 = UPPER.replace(".upper()", '.upper() + "!"')
    data, _ = built(tmp_path / "v2", manifest(version="1.1.0"), code=v2)
    packages.install_file(None, data, None, allow_unsigned=True)
    code, out = run_on_worker(env, tmp_path)
    assert code == 0 and out["node_runs"][1]["outputs"]["main"][0]["json"]["word"] == "HI!"

    packages.rollback(None, "acme/text-tools")
    code, out = run_on_worker(env, tmp_path)
    assert code == 0 and out["node_runs"][1]["outputs"]["main"][0]["json"]["word"] == "HI"

    packages.set_enabled(None, "acme/text-tools", False)
    code, out = run_on_worker(env, tmp_path)
    assert code != 0 and UNKNOWN in str(out)
    packages.set_enabled(None, "acme/text-tools", True)

    packages.uninstall(None, "acme/text-tools")
    code, out = run_on_worker(env, tmp_path)
    assert code != 0 and UNKNOWN in str(out)


def test_uninstall_is_refused_while_an_active_workflow_uses_it(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store
    from engine.triggers import webhooks

    data, _ = built(tmp_path / "v1", manifest())
    packages.install_file(None, data, None, allow_unsigned=True)
    store = get_store()
    rec = store.workflows.create({**WORKFLOW, "name": "Nightly shout"})
    webhooks.activate(rec.id)
    with pytest.raises(ConflictError) as info:
        packages.uninstall(None, "acme/text-tools")
    assert "'Nightly shout'" in info.value.message
    assert packages.get_package(None, "acme/text-tools")["active"] == "1.0.0"
    result = packages.uninstall(None, "acme/text-tools", force=True)
    assert [w["name"] for w in result["deactivated"]] == ["Nightly shout"]
    assert store.workflows.get(rec.id).active is False
    event = store.audit.list(action="package.uninstalled")[0]
    assert event.details["force"] is True and event.details["deactivated"] == [rec.id]
