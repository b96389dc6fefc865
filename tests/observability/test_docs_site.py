"""``aura docs build``: docs/ becomes a static site (MkDocs, Material theme) whose
settings page lists every AURA_* variable of the settings tree; a strict build stops at
a broken link and says which."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from engine.config import Settings
from engine.docsite import DOCS_DIR

pytestmark = pytest.mark.slow


def _variables() -> set[str]:
    """Every AURA_* variable the settings tree reads."""
    out = set()
    for name, field in Settings.model_fields.items():
        area = field.annotation
        if isinstance(area, type) and issubclass(area, BaseSettings):
            prefix = str(area.model_config.get("env_prefix", ""))
            out |= {
                f"{prefix}{leaf.upper()}"
                for leaf, f in area.model_fields.items()
                if not (isinstance(f.annotation, type) and issubclass(f.annotation, BaseSettings))
            }
        else:
            out.add(f"AURA_{name.upper()}")
    return out


def test_the_site_builds_with_every_page_and_setting(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "engine", "docs", "build", "--no-strict", "--out", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Built the docs" in run.stdout
    for page in DOCS_DIR.glob("*.md"):
        assert (site / f"{page.stem}.html").is_file(), page.name
    index = (site / "index.html").read_text()
    assert "settings.html" in index and "operations.html" in index
    settings_page = html.unescape((site / "settings.html").read_text())
    wanted = _variables()
    assert len(wanted) > 50 and "AURA_OTEL_ENDPOINT" in wanted
    missing = sorted(v for v in wanted if v not in settings_page)
    assert not missing, missing
    assert (site / "search" / "search_index.json").is_file()
    swallowed = {
        str(page.relative_to(site)): tags
        for page in site.rglob("*.html")
        if (tags := _unknown_tags(page.read_text(encoding="utf-8")))
    }
    assert not swallowed, f"placeholders the browser reads as HTML tags: {swallowed}"


_HTML = set(
    [
        "html",
        "head",
        "body",
        "title",
        "meta",
        "link",
        "script",
        "style",
        "div",
        "span",
        "a",
        "p",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "code",
        "pre",
        "em",
        "strong",
        "nav",
        "header",
        "footer",
        "main",
        "article",
        "section",
        "aside",
        "label",
        "input",
        "button",
        "form",
        "img",
        "svg",
        "path",
        "g",
        "circle",
        "rect",
        "br",
        "hr",
        "blockquote",
        "details",
        "summary",
        "small",
        "sup",
        "sub",
        "dl",
        "dt",
        "dd",
        "kbd",
        "abbr",
        "noscript",
        "template",
        "use",
        "symbol",
        "defs",
        "i",
        "b",
        "u",
        "mark",
        "figure",
        "figcaption",
        "iframe",
        "textarea",
        "select",
        "option",
        "source",
        "picture",
        "video",
        "audio",
        "canvas",
    ]
)


def _unknown_tags(text: str) -> list[str]:
    """Tags no HTML page of the site should have: a ``<data dir>`` written outside code in
    a description would become a ``<data>`` element and vanish from the page."""
    from html.parser import HTMLParser

    found: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in _HTML:
                found.add(tag)

    Tags().feed(text)
    return sorted(found)


def test_a_strict_build_names_the_broken_link(tmp_path: Path) -> None:
    from engine.docsite import build
    from engine.errors import ValidationError

    source = tmp_path / "docs"
    source.mkdir()
    (source / "guide.md").write_text("# Guide\n\nSee [the missing page](nowhere.md).\n")
    with pytest.raises(ValidationError) as caught:
        build(tmp_path / "site", source=source)
    assert "nowhere.md" in caught.value.message and "--no-strict" in caught.value.message
    (source / "guide.md").write_text("# Guide\n\nSee [retention](settings.md#no-such-part).\n")
    with pytest.raises(ValidationError) as caught:
        build(tmp_path / "site", source=source)
    assert "#no-such-part" in caught.value.message
    (source / "guide.md").write_text("# Guide\n\nSee [the settings](settings.md#db).\n")
    built = build(tmp_path / "site", source=source)
    assert "AURA_DB_URL" in (built / "settings.html").read_text()
