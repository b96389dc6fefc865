"""The documentation site: ``docs/`` built into a static site with MkDocs and the
Material theme (``aura docs build``, ``aura docs serve``; the ``docs`` extra installs
them).

The build works on a copy of ``docs/`` in which the references are regenerated from
code first, so the site can never show a stale one: the settings reference from the
settings tree (:mod:`engine.config_reference`, every ``AURA_*`` variable), and the node,
CLI and HTTP API references (:mod:`engine.docsref`) under ``reference/``. Strict mode
(the default) fails the build on a broken link or a page missing from the navigation.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["DOCS_DIR", "build", "mkdocs_config", "prepare", "serve"]

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
"""``docs/`` of the source tree."""
_SECTIONS = {
    "Start here": ["getting-started.md", "concepts.md"],
    "Build workflows": [
        "studio.md",
        "expressions.md",
        "schedules-and-waits.md",
        "agents.md",
        "knowledge.md",
        "mcp.md",
    ],
    "Run in production": [
        "production.md",
        "operations.md",
        "workers.md",
        "security.md",
        "auth.md",
        "console.md",
    ],
    "Extend": ["marketplace.md", "packages.md"],
    "Migrate": ["migrate-from-n8n.md", "migrate-from-node-red.md"],
}
"""The guides by what a reader comes for, in reading order; a page in none of them is
listed under "More guides" (a new page is never left out)."""
_REFERENCE = {"settings.md": "Settings"}


def _need_mkdocs() -> None:
    from engine.errors import ValidationError

    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        raise ValidationError(
            "Building the docs needs MkDocs and its Material theme: pip install 'aura[docs]'."
        ) from None


def prepare(source: Path, work: Path) -> Path:
    """Copies ``source`` (the Markdown pages) into ``work/docs`` and writes the generated
    references there; returns that directory (its navigation of the references in
    ``work/reference-nav.json``)."""
    import json

    from engine.config_reference import reference
    from engine.docsref import write_all

    pages = work / "docs"
    if pages.exists():
        shutil.rmtree(pages)
    shutil.copytree(source, pages)
    (pages / "settings.md").write_text(reference(), encoding="utf-8")
    nav = [{title: name} for name, title in _REFERENCE.items()] + write_all(pages)
    (work / "reference-nav.json").write_text(json.dumps(nav), encoding="utf-8")
    if not (pages / "index.md").exists():
        (pages / "index.md").write_text(_index(pages), encoding="utf-8")
    (pages / _CSS).parent.mkdir(parents=True, exist_ok=True)
    (pages / _CSS).write_text(_STYLE, encoding="utf-8")
    return pages


def _reference_nav(pages: Path) -> list[Any]:
    import json

    kept = pages.parent / "reference-nav.json"
    if kept.is_file():
        return list(json.loads(kept.read_text(encoding="utf-8")))
    return [{title: name} for name, title in _REFERENCE.items()]


def _title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().replace("`", "")
    return page.stem.replace("-", " ").capitalize()


def _nav_title(page: Path) -> str:
    """The page's title, short enough for the navigation ("Workers" for "Workers:
    timeouts, stuck runs and fair queues")."""
    return _title(page).split(": ", 1)[0]


def _summary(page: Path) -> str:
    """The first sentence of the page's first paragraph (plain text)."""
    lines, started = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("```"):
            if started:
                break
            continue
        if not line.strip():
            if started:
                break
            continue
        started = True
        lines.append(line.strip())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(lines))
    ends = (m.start() for m in re.finditer(r"[.:;](\s|$)", text))
    end = next((i for i in ends if text[:i].count("`") % 2 == 0), len(text))
    return text[:end].strip()


def _sections(pages: Path) -> list[tuple[str, list[Path]]]:
    names = {p.name for p in pages.glob("*.md")} - {"index.md", *_REFERENCE}
    out = [(title, [pages / n for n in ns if n in names]) for title, ns in _SECTIONS.items()]
    placed = {n for ns in _SECTIONS.values() for n in ns}
    out.append(("More guides", [pages / n for n in sorted(names - placed)]))
    return [(title, found) for title, found in out if found]


def _index(pages: Path) -> str:
    lines = [
        "# AURA",
        "",
        "AURA is a low-code workflow automation studio in Python: draw workflows in the "
        "browser, run them from a terminal console, and let queue-backed workers execute "
        "them.",
        "",
    ]
    if (pages / "getting-started.md").is_file() and (pages / "concepts.md").is_file():
        lines[-2] += (
            " New here? Start with [Getting started](getting-started.md), then "
            "[Concepts](concepts.md)."
        )
    for title, found in _sections(pages):
        lines += [f"## {title}", ""]
        for p in found:
            summary = _summary(p)
            lines.append(f"- [{_title(p)}]({p.name})" + (f": {summary}." if summary else ""))
        lines.append("")
    lines += ["## Reference", "", "Generated from the code on every build.", ""]
    for entry in _reference_nav(pages):
        for title, target in entry.items():
            first = target if isinstance(target, str) else next(iter(target[0].values()))
            lines.append(f"- [{title}]({first})")
    return "\n".join(lines) + "\n"


_CSS = "stylesheets/aura.css"
_STYLE = """/* names in tables (node types, variables, paths) are not broken mid-word */
.md-typeset td code { white-space: nowrap; }
"""
_PALETTE = [
    {
        "media": "(prefers-color-scheme)",
        "toggle": {"icon": "material/brightness-auto", "name": "Switch to light mode"},
    },
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/brightness-7", "name": "Switch to dark mode"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/brightness-4", "name": "Follow the system's mode"},
    },
]
"""Light or dark as the reader's system is (as the studio), with a toggle."""


def mkdocs_config(pages: Path, site: Path, *, strict: bool = True) -> dict[str, Any]:
    """The MkDocs configuration of the site (Material theme, search, navigation)."""
    nav: list[Any] = [{"Home": "index.md"}]
    for title, found in _sections(pages):
        nav.append({title: [{_nav_title(p): p.name} for p in found]})
    nav.append({"Reference": _reference_nav(pages)})
    return {
        "site_name": "AURA",
        "site_description": "Workflow automation studio: guides and reference",
        "docs_dir": str(pages),
        "site_dir": str(site),
        "strict": strict,
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "features": [
                "navigation.sections",
                "navigation.top",
                "search.suggest",
                "content.code.copy",
            ],
            "icon": {"logo": "material/lightning-bolt"},
            "palette": _PALETTE,
        },
        "plugins": ["search"],
        "extra_css": [_CSS],
        "markdown_extensions": [
            "tables",
            "admonition",
            "toc",
            "attr_list",
            "pymdownx.superfences",
        ],
        "nav": nav,
        "validation": {
            "links": {"not_found": "warn", "absolute_links": "ignore", "anchors": "warn"}
        },
    }


def build(out: Path, *, strict: bool = True, source: Path = DOCS_DIR) -> Path:
    """Builds the site into ``out`` (created or replaced); returns it.

    Raises:
        ValidationError: MkDocs is not installed, or the build failed (strict: a warning
            such as a broken link), with MkDocs' reason.
    """
    _need_mkdocs()
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config.base import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    from engine.errors import ValidationError

    warnings = _Warnings()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(warnings)
    try:
        with tempfile.TemporaryDirectory(prefix="aura-docs-") as tmp:
            pages = prepare(source, Path(tmp))
            config_file = Path(tmp) / "mkdocs.yml"
            config_file.write_text("site_name: AURA\n", encoding="utf-8")
            settings = mkdocs_config(pages, out.resolve(), strict=strict)
            try:
                config = load_config(str(config_file), **settings)
                mkdocs_build(config)
            except (Abort, MkDocsException) as exc:
                raise ValidationError(
                    f"The docs did not build: {exc}"
                    + "".join(f"\n- {w}" for w in warnings.seen[:10])
                    + "\nFix these, or build with --no-strict to see the site anyway.",
                    details={"warnings": warnings.seen},
                ) from None
    finally:
        mkdocs_log.removeHandler(warnings)
    return out


class _Warnings(logging.Handler):
    """Keeps MkDocs' warnings (a strict build fails on them) to say what to fix."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def serve(address: str = "127.0.0.1:8001", *, source: Path = DOCS_DIR) -> None:
    """Serves the site with live reload of ``source`` (MkDocs' development server)."""
    _need_mkdocs()
    from mkdocs.commands.serve import serve as mkdocs_serve

    with tempfile.TemporaryDirectory(prefix="aura-docs-") as tmp:
        pages = prepare(source, Path(tmp))
        config_file = Path(tmp) / "mkdocs.yml"
        config_file.write_text("site_name: AURA\n", encoding="utf-8")
        settings = mkdocs_config(pages, Path(tmp) / "site", strict=False)
        settings.pop("site_dir")
        mkdocs_serve(str(config_file), dev_addr=address, **settings)
