"""``/docs``: the docs site (guides and references, built by ``aura docs build``), served
from the directory :func:`engine.services.docs.site_dir` names, public like any product
documentation. The studio mounts this API app, so its port answers ``/docs`` too.

Until the site is there, ``/docs`` answers a short page instead: "being built, this page
reloads by itself" while ``aura up`` builds it in the background, else how to build it
(or why the last build failed)."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from engine.services import docs

__all__ = ["docs_routes"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AURA docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<style>
body {{ font: 16px/1.6 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;
  padding: 0 1.5rem; color: #1f2328; background: #fff; }}
a {{ color: #3f51b5; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #e6edf3; background: #0d1117; }}
  code, pre {{ background: #161b22; }} a {{ color: #8c9eff; }} }}
h1 {{ font-size: 1.5rem; }} code, pre {{ background: #f3f4f6; border-radius: 6px; }}
code {{ padding: .1rem .3rem; }} pre {{ padding: .75rem 1rem; overflow-x: auto; }}
</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


def _page(title: str, body: str, *, status: int, refresh: bool = False) -> HTMLResponse:
    meta = '\n<meta http-equiv="refresh" content="5">' if refresh else ""
    headers = (
        {"Retry-After": "5", "Cache-Control": "no-store"}
        if refresh
        else {"Cache-Control": "no-store"}
    )
    return HTMLResponse(
        _PAGE.format(refresh=meta, title=title, body=body), status_code=status, headers=headers
    )


def _not_ready(state: docs.SiteState) -> HTMLResponse:
    where = html.escape(str(state.directory))
    build = f"<pre><code>aura docs build --out {where}</code></pre>"
    if state.status == "building":
        return _page(
            "The documentation is being built",
            "<p>AURA builds its docs site in the background when it starts (about a "
            "minute the first time). This page reloads by itself until it is there.</p>",
            status=503,
            refresh=True,
        )
    if state.status == "failed":
        return _page(
            "The documentation did not build",
            f"<p>The last build failed:</p><pre>{html.escape(state.message)}</pre>"
            f"<p>Build it by hand to see the details:</p>{build}",
            status=503,
        )
    return _page(
        "The documentation is not built yet",
        "<p><code>aura up</code> builds it when MkDocs is installed "
        "(<code>pip install 'aura[docs]'</code>). Or build it yourself into the directory "
        f"this server serves:</p>{build}"
        "<p>Set <code>AURA_API_DOCS_DIR</code> to serve a site built elsewhere.</p>",
        status=404,
    )


class _Files(StaticFiles):
    """The site's files; a page that is not there answers a short page leading back to
    the docs' home (MkDocs' own 404 page links its styles from the site root, which
    is not where /docs serves them)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
        else:
            if response.status_code != 404:
                return response
        return _page(
            "This page is not in the docs",
            f'<p>It may have moved. Start again from <a href="{docs.DOCS_PATH}/">the docs\' '
            "home</a>, or search from there.</p>",
            status=404,
        )


class _Site:
    """The built site when it is there (``index.html`` for a directory), else a page
    saying why not."""

    def __init__(self) -> None:
        self._files: dict[Path, StaticFiles] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = docs.state()
        if state.status != "ready":
            await _not_ready(state)(scope, receive, send)
            return
        files = self._files.get(state.directory)
        if files is None:
            files = _Files(directory=state.directory, html=True, check_dir=False)
            self._files = {state.directory: files}
        await files(scope, receive, send)


async def _slash(request: object) -> RedirectResponse:
    return RedirectResponse(f"{docs.DOCS_PATH}/", status_code=307)


def docs_routes() -> list[Route | Mount]:
    """``/docs`` (redirects to ``/docs/``) and the site under ``/docs/``."""
    return [
        Route(docs.DOCS_PATH, _slash, methods=["GET", "HEAD"]),
        Mount(docs.DOCS_PATH, app=_Site()),
    ]
