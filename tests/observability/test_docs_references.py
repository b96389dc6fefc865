"""``aura docs build`` generates the node, CLI and HTTP API references from the code: the
node reference has a page for every built-in node (every parameter on it, every version
in the overview), the CLI reference every command and option of the Typer app, the API
reference every operation of the OpenAPI document; and the strict build passes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from engine.docsite import build

    yield build(tmp_path_factory.mktemp("docs") / "site", strict=True)


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def test_the_node_reference_lists_every_built_in_node(site: Path) -> None:
    from engine.sdk import get_catalog

    catalog = get_catalog()
    built_in = [s for s in catalog.latest() if s.package == "core"]
    assert len(built_in) > 40
    overview = _text(site / "reference" / "nodes" / "index.html")
    index_html = (site / "reference" / "nodes" / "index.html").read_text()
    missing = []
    for spec in built_in:
        page = site / "reference" / "nodes" / f"{spec.type}.html"
        if not page.is_file() or f'href="{spec.type}.html"' not in index_html:
            missing.append(spec.type)
            continue
        text = _text(page)
        assert spec.title in text and spec.type in text, spec.type
        for name in spec.params_schema().get("properties", {}):
            assert name in text, f"{spec.type}: parameter {name} not on its page"
        for slot in spec.credentials:
            assert slot.name in text, f"{spec.type}: credential slot {slot.name}"
        versions = ", ".join(map(str, catalog.versions(spec.type)))
        assert re.search(rf"{re.escape(spec.type)}\s+{re.escape(versions)}\b", overview), spec.type
    assert not missing, f"no reference page for {missing}"
    # a node's docs.md is on its page, its links to other nodes point at their pages
    http_page = (site / "reference" / "nodes" / "core.http_request.html").read_text()
    assert "Documentation" in http_page and "Pagination" in http_page
    assert 'href="core.if.html"' in (site / "reference" / "nodes" / "core.filter.html").read_text()


def test_the_cli_reference_has_every_command_and_option(site: Path) -> None:
    from engine.docsref.cli import commands

    page = (site / "reference" / "cli.html").read_text()
    text = _text(site / "reference" / "cli.html")
    found = commands()
    assert len(found) > 50
    for path, cmd in found[1:]:
        assert f'id="{path.replace(" ", "-")}"' in page, path
        for param in cmd.params:
            if param.param_type_name == "option" and not param.hidden:
                assert param.opts[0] in text, f"{path}: {param.opts[0]}"
    assert "aura docs build" in text and "--no-strict" in text


def test_the_api_reference_has_every_operation(site: Path) -> None:
    from engine.docsref.api import openapi_document

    doc: dict[str, Any] | None = openapi_document()
    assert doc is not None
    page = (site / "reference" / "api.html").read_text()
    text = _text(site / "reference" / "api.html")
    operations = [
        (method, path, op)
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
    ]
    assert len(operations) > 100
    for method, path, op in operations:
        slug = "".join(c if c.isalnum() else "-" for c in op["operationId"].lower()).strip("-")
        assert f'id="{slug}"' in page, (method, path)
        assert path in text
    assert "analytics:read" in text and "AnalyticsOut" in text
    # the site's navigation and home page lead to the three references
    index = (site / "index.html").read_text()
    for target in ("reference/nodes/index.html", "reference/cli.html", "reference/api.html"):
        assert target in index, target
