"""The catalog finds installed node packages by entry point, lazily, and keeps old versions."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.graph import load_workflow
from engine.sdk import get_catalog
from engine.sdk.catalog import Catalog, discover_packages
from tests.support.fixtures import reset_process_state

PKG_SPEC = '''
from engine.sdk import Field, NodeSpec, Params

class P(Params):
    suffix: str = Field("!", description="Text appended to the greeting.")

def _spec(version, run):
    return NodeSpec(type="acme.greet", version=version, title="Greet", description="Greets.",
                    category="Utility", params=P, run=run, package="acme",
                    docs="Greets every item by name; a test package used by the suite. " * 3)

SPECS = [_spec(1, "acme_nodes.run_v1:execute"), _spec(2, "acme_nodes.run_v2:execute")]
'''
RUN = '''
from engine.sdk import Item
import acme_nodes
acme_nodes.IMPORTED.append("{v}")

def execute(ctx):
    p = ctx.params()
    return [i.derive({{**i.json, "greeting": "{prefix} " + i.json.get("name", "") + p.suffix}},
                     index=n) for n, i in enumerate(ctx.items)]
'''


def approve(dist: str, version: str) -> None:
    """The owner approves a trusted wheel, as an operator would (``aura packages trust
    wheel``); without it the catalog does not load the wheel's entry point."""
    from typer.testing import CliRunner

    from engine.cli import app

    cmd = ["packages", "trust", "wheel", dist, version, "--owner-approved"]
    result = CliRunner().invoke(app, cmd, catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture
def installed_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Any:
    """A real distribution on sys.path with an ``aura.nodes`` entry point, approved."""
    site = tmp_path / "site"
    pkg = site / "acme_nodes"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent('''
        from engine.sdk import NodePackage
        IMPORTED = []
        PACKAGE = NodePackage(name="acme", version="1.2.0",
                              spec_modules=("acme_nodes.spec",))
    '''))
    (pkg / "spec.py").write_text(PKG_SPEC)
    (pkg / "run_v1.py").write_text(RUN.format(v="v1", prefix="Hello"))
    (pkg / "run_v2.py").write_text(RUN.format(v="v2", prefix="Hi"))
    dist = site / "acme_nodes-1.2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-nodes\nVersion: 1.2.0\n")
    (dist / "entry_points.txt").write_text("[aura.nodes]\nacme = acme_nodes:PACKAGE\n")
    monkeypatch.syspath_prepend(str(site))
    approve("acme-nodes", "1.2.0")
    yield
    for mod in [m for m in sys.modules if m.startswith("acme_nodes")]:
        del sys.modules[mod]
    reset_process_state()


def test_installed_package_is_discovered_without_importing_run_code(
        installed_package: Any) -> None:
    cat = Catalog(discover_packages())
    assert "acme" in cat.packages and cat.versions("acme.greet") == [1, 2]
    import acme_nodes  # type: ignore[import-not-found]

    assert acme_nodes.IMPORTED == []  # listing did not import any run module
    assert cat.get("acme.greet").version == 2


def test_old_versions_stay_runnable(installed_package: Any) -> None:
    cat = Catalog(discover_packages())
    ex = Executor(cat)

    def run(version: int) -> Any:
        wf = load_workflow({"nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "G", "type": "acme.greet", "type_version": version}],
            "connections": [{"source": "Start", "target": "G"}]})
        return ex.run(RunRequest(workflow=wf, input_items=None))

    import acme_nodes

    assert run(1).output[0].json["greeting"] == "Hello !"
    assert run(2).output[0].json["greeting"] == "Hi !"
    assert sorted(acme_nodes.IMPORTED) == ["v1", "v2"]


def test_a_broken_package_does_not_hide_the_others(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path) -> None:
    site = tmp_path / "site"
    (site / "broken_nodes").mkdir(parents=True)
    (site / "broken_nodes" / "__init__.py").write_text("raise ImportError('oops')\n")
    dist = site / "broken_nodes-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-nodes\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[aura.nodes]\nbroken = broken_nodes:PACKAGE\n")
    monkeypatch.syspath_prepend(str(site))
    approve("broken-nodes", "0.1")
    cat = Catalog(discover_packages())
    assert "core.set" in {s.type for s in cat.all()}
    assert "broken" not in cat.packages
    reset_process_state()


def test_public_sdk_surface_is_pinned() -> None:
    import engine.sdk

    assert sorted(engine.sdk.__all__) == sorted([
        "AuraError", "Binary", "Catalog", "CredentialError", "CredentialSlot", "ErrorPolicy",
        "ExecutionCancelled", "ExecutionInfo", "Field", "Item", "NodeContext",
        "NodeExecutionError", "NodeInfo", "NodeOutput", "NodePackage", "NodeSpec", "PairedItem",
        "Params", "Port", "SSRFBlocked", "ValidationError", "WaitRequested", "WorkflowInfo",
        "get_catalog",
        "items_from_json", "items_to_json", "load_docs", "ui"])


def test_unknown_type_lookup_suggests() -> None:
    from engine.errors import UnknownNodeType

    with pytest.raises(UnknownNodeType, match=r"Did you mean core\.set"):
        get_catalog().get("core.sett")
