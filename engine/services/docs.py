"""The docs site an instance serves at ``/docs``: where it is, what state it is in (from
the record its builder keeps beside it), and the URL of a node's reference page.

``aura up`` rebuilds the site in the background when it is stale
(:mod:`engine.cli._docs_site`, which writes the record with :func:`record`); the API
serves whatever :func:`state` says (the ``/docs`` route in ``studio.api``). A site built
elsewhere (``aura docs build --out DIR``) is served with ``AURA_API_DOCS_DIR=DIR``.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from engine.pids import alive

__all__ = ["DOCS_PATH", "SiteState", "node_page_url", "read_record", "record", "site_dir", "state"]

DOCS_PATH = "/docs"
"""Where the API (and the studio, which mounts the API) serves the site."""


@dataclass(frozen=True)
class SiteState:
    """What ``/docs`` can show: ``ready`` (the site, maybe being rebuilt), ``building``
    (none yet, a build runs), ``failed`` (the last build failed: ``message`` says why),
    or ``missing`` (never built, nothing building)."""

    status: str
    directory: Path
    message: str = ""
    rebuilding: bool = False


def site_dir() -> Path:
    """``AURA_API_DOCS_DIR``, else ``<data dir>/docs-site``."""
    from engine.config import settings

    s = settings()
    return Path(s.api.docs_dir) if s.api.docs_dir else s.data_dir / "docs-site"


def node_page_url(node_type: str) -> str:
    """The URL path of a node type's reference page on the served site (an old name of a
    renamed type: its page under the current name)."""
    from engine.docsref.nodes import DIR, page_name
    from engine.sdk import get_catalog

    node_type = get_catalog().resolve_alias(node_type)
    return f"{DOCS_PATH}/{DIR}/{page_name(node_type).removesuffix('.md')}.html"


def _record(site: Path) -> Path:
    return site.with_name(site.name + ".state.json")


def read_record(site: Path) -> dict[str, object]:
    """The record kept beside ``site`` ({} when there is none)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_record(site).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def record(site: Path, **fields: object) -> None:
    """Replaces the record kept beside ``site`` (``status``: building, built or failed;
    ``pid`` of the builder, ``message``, ``stamp``)."""
    path = _record(site)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fields), encoding="utf-8")
    tmp.replace(path)


def state(site: Path | None = None) -> SiteState:
    """What the site at ``site`` (default :func:`site_dir`) is now."""
    site = site or site_dir()
    record = read_record(site)
    building = record.get("status") == "building" and alive(record.get("pid"))
    if (site / "index.html").is_file():
        return SiteState("ready", site, rebuilding=building)
    if building:
        return SiteState("building", site)
    if record.get("status") == "failed":
        return SiteState("failed", site, str(record.get("message", "")))
    return SiteState("missing", site)
