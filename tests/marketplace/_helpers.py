"""Writing test packages: folders with a manifest and run code, zips built by hand
(hostile ones included), publisher keys."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import textwrap
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from engine.marketplace.build import build_package, sign_package

UPPER = """\
def run(ctx, items):
    field = ctx.params()["field"]
    out = []
    for item in items:
        data = dict(item["json"])
        data[field] = str(data.get(field, "")).upper()
        out.append(data)
    ctx.log.info("upper-cased %d items" % len(out))
    return out
"""


def manifest(
    name: str = "acme/text-tools",
    version: str = "1.0.0",
    *,
    nodes: list[dict[str, Any]] | None = None,
    hosts: list[str] | None = None,
    kinds: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    publisher = name.split("/")[0]
    return {
        "name": name,
        "version": version,
        "aura": ">=0.1",
        "title": "Text tools",
        "description": "Test package.",
        "categories": ["Text"],
        "permissions": {"hosts": hosts or [], "credentials": kinds or []},
        "nodes": nodes
        or [
            {
                "type": f"{publisher}.upper",
                "title": "Upper",
                "description": "Upper-cases",
                "category": "Transform",
                "run": "main.py:run",
                "params": {
                    "type": "object",
                    "properties": {
                        "field": {
                            "type": "string",
                            "default": "text",
                            "description": "Field to change",
                        }
                    },
                },
            }
        ],
        **extra,
    }


def write_package(
    folder: Path,
    man: dict[str, Any] | None = None,
    code: str = UPPER,
    files: dict[str, str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aura-package.json").write_text(json.dumps(man or manifest()), encoding="utf-8")
    (folder / "main.py").write_text(code, encoding="utf-8")
    for rel, text in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def built(
    folder: Path,
    man: dict[str, Any] | None = None,
    code: str = UPPER,
    key: bytes | None = None,
    **kw: Any,
) -> tuple[bytes, dict[str, Any] | None]:
    """A package file (and its signature record when ``key`` is given)."""
    write_package(folder, man, code, **kw)
    data, _ = build_package(folder)
    return data, (sign_package(data, key) if key else None)


def raw_zip(
    entries: list[tuple[Any, bytes]], *, manifest_data: dict[str, Any] | None = None
) -> bytes:
    """A zip written entry by entry (ZipInfo or name), for hostile archives."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if manifest_data is not None:
            zf.writestr("aura-package.json", json.dumps(manifest_data))
            zf.writestr("main.py", UPPER)
        for name, body in entries:
            zf.writestr(name, body)
    return buf.getvalue()


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (to prove nothing was written)."""
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


@contextlib.contextmanager
def served_folder(folder: Path) -> Iterator[str]:
    """``folder`` on a plain static HTTP server on loopback; yields its base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


WHEEL_SPEC = """
from engine.sdk import Field, NodePackage, NodeSpec, Params

IMPORTED = []

class P(Params):
    word: str = Field("hi", description="Word added to each item.")

SPECS = [NodeSpec(type="acmew.tag", version=1, title="Tag", description="Tags items.",
                  category="Utility", params=P, run="acme_wheel_nodes.run:execute",
                  package="acme-wheel",
                  docs="Adds a word to every item; a trusted wheel used by the tests. " * 3)]
PACKAGE = NodePackage(name="acme-wheel", version="{version}",
                      spec_modules=("acme_wheel_nodes",), trusted=True)
"""

WHEEL_RUN = """
def execute(ctx):
    word = ctx.params().word
    return [i.derive({**i.json, "tag": word}, index=n) for n, i in enumerate(ctx.items)]
"""


def write_wheel(site: Path, version: str) -> None:
    """An installed distribution 'acme-nodes' ``version`` (node ``acmew.tag``, which
    adds ``{"tag": word}`` to each item) with real code in ``site``, a directory for
    ``sys.path``/``PYTHONPATH``: a trusted wheel as pip would leave it."""
    code = site / "acme_wheel_nodes"
    code.mkdir(parents=True, exist_ok=True)
    (code / "__init__.py").write_text(textwrap.dedent(WHEEL_SPEC.replace("{version}", version)))
    (code / "run.py").write_text(WHEEL_RUN)
    for old in site.glob("acme_nodes-*.dist-info"):
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    info = site / f"acme_nodes-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-nodes\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[aura.nodes]\nacme = acme_wheel_nodes:PACKAGE\n")
