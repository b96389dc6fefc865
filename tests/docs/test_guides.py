"""The guides say what the code does: every ``AURA_*`` variable a page names is read by
the code (a setting of the tree, a single sign-on provider's variable, or a variable the
console or the tests read), every ``aura`` command the concepts and production pages
name exists, and the nav leads with the pages a newcomer reads first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from engine.cli.app import app
from engine.docsite import DOCS_DIR, mkdocs_config
from tests.observability.test_docs_site import _variables

ROOT = DOCS_DIR.parent
_VARIABLE = re.compile(r"\bAURA_[A-Z0-9_]*[A-Z0-9]\b")
_OIDC = re.compile(r"AURA_OIDC_[A-Z0-9]+_[A-Z_]+")  # one group per provider (docs/auth.md)
_COMMAND = re.compile(r"`aura ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)")


def _read_by_code() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for package in ("engine", "studio", "tui", "tests")
        for p in (ROOT / package).rglob("*.py")
    )


def test_every_variable_a_guide_names_is_read_by_the_code() -> None:
    settings = _variables()
    code = _read_by_code()
    unknown = {}
    for page in sorted(DOCS_DIR.glob("*.md")):
        for name in set(_VARIABLE.findall(page.read_text(encoding="utf-8"))):
            if name in settings or _OIDC.fullmatch(name) or f'"{name}"' in code:
                continue
            unknown.setdefault(page.name, []).append(name)
    assert not unknown, f"variables nothing reads: {unknown}"


def _commands() -> set[str]:
    out: set[str] = set()

    def walk(cmd: object, path: str) -> None:
        out.add(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(get_command(app), "")
    return out


@pytest.mark.parametrize("page", ["concepts.md", "production.md"])
def test_the_commands_a_guide_names_exist(page: str) -> None:
    commands = _commands()
    named = set(_COMMAND.findall((DOCS_DIR / page).read_text(encoding="utf-8")))
    assert named, page
    missing = sorted(f"aura {words}" for words in named if words not in commands)
    assert not missing, f"{page} names commands the CLI does not have: {missing}"


def test_the_nav_starts_with_getting_started_and_leaves_no_guide_out(tmp_path: Path) -> None:
    config = mkdocs_config(DOCS_DIR, tmp_path / "site")
    titles = [next(iter(entry)) for entry in config["nav"]]
    assert titles[:2] == ["Home", "Start here"] and titles[-1] == "Reference"
    start = config["nav"][1]["Start here"]
    assert [next(iter(g.values())) for g in start] == ["getting-started.md", "concepts.md"]
    listed = [
        next(iter(g.values())) for entry in config["nav"][1:-1] for g in next(iter(entry.values()))
    ]
    guides = sorted(p.name for p in DOCS_DIR.glob("*.md") if p.name != "settings.md")
    assert sorted(listed) == guides  # each guide once, none left out
    assert "production.md" in listed
