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
