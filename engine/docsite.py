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
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["DOCS_DIR", "build", "mkdocs_config", "prepare", "serve"]

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
"""``docs/`` of the source tree."""
_NAV_FIRST = [
    "getting-started.md",
    "concepts.md",
    "studio.md",
    "console.md",
    "workers.md",
    "operations.md",
    "production.md",
    "security.md",
]
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


def _guides(pages: Path) -> list[Path]:
    names = sorted(p.name for p in pages.glob("*.md") if p.name not in ("index.md", *_REFERENCE))
    ordered = [n for n in _NAV_FIRST if n in names] + [n for n in names if n not in _NAV_FIRST]
    return [pages / n for n in ordered]


def _index(pages: Path) -> str:
    lines = [
        "# AURA",
        "",
        "AURA is a low-code workflow automation studio in Python: draw workflows in the "
        "browser, run them from a terminal console, and let queue-backed workers execute "
        "them.",
        "",
        "## Guides",
        "",
    ]
    lines += [f"- [{_title(p)}]({p.name})" for p in _guides(pages)]
    lines += ["", "## Reference", ""]
    for entry in _reference_nav(pages):
        for title, target in entry.items():
            first = target if isinstance(target, str) else next(iter(target[0].values()))
            lines.append(f"- [{title}]({first})")
    return "\n".join(lines) + "\n"


def mkdocs_config(pages: Path, site: Path, *, strict: bool = True) -> dict[str, Any]:
    """The MkDocs configuration of the site (Material theme, search, navigation)."""
    nav: list[Any] = [{"Home": "index.md"}]
    nav.append({"Guides": [{_title(p): p.name} for p in _guides(pages)]})
    nav.append({"Reference": _reference_nav(pages)})
    return {
        "site_name": "AURA",
        "site_description": "Workflow automation studio: guides and reference",
        "docs_dir": str(pages),
        "site_dir": str(site),
        "strict": strict,
        "use_directory_urls": False,
        "theme": {"name": "material", "features": ["navigation.sections", "search.suggest"]},
        "plugins": ["search"],
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
