"""``python -m studio.serve``: the studio, its web UI and HTTP API on one port, from a web
build made beforehand — the container image's studio process.

``aura up`` builds the web app with Node.js when it starts; an image instead bakes the
build in (``reflex export --frontend-only --no-zip --env prod``, see
docs/deploy/Dockerfile) and this serves it: Reflex's production backend with the built
pages mounted, no compile and no Node.js at start. Options: ``--host``, ``--port``
(default 3000), ``--web-dir`` (the ``.web`` directory holding ``build/client``; default
``./.web``), ``--log-level``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Parses the command line and serves until interrupted (exit 2 when there is no
    web build to serve)."""
    from engine.config import settings

    parser = argparse.ArgumentParser(
        prog="python -m studio.serve",
        description="Serve the AURA studio (web UI and HTTP API) from a prebuilt web app.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    parser.add_argument(
        "--web-dir", type=Path, default=Path(".web"), help="the .web directory of the build"
    )
    parser.add_argument(
        "--log-level",
        default=settings().log_level.lower(),
        help="log level (default AURA_LOG_LEVEL, info)",
    )
    parser.add_argument(
        "--build",
        action="store_true",
        help="build the web app first (reflex export, from the directory with rxconfig.py), "
        "for browsers reaching it at --public-url",
    )
    parser.add_argument(
        "--public-url",
        help="with --build: where browsers reach this server (default the host and port)",
    )
    parser.add_argument(
        "--api-port",
        type=int,
        help="also serve the HTTP API alone on this port, from this process (what aura up "
        "does: it answers there while the web app builds)",
    )
    args = parser.parse_args(argv)
    web = args.web_dir.resolve()
    public = args.public_url or f"http://{args.host}:{args.port}"
    if not args.build and not _built(web):
        _no_build(web)
    os.environ.update(
        REFLEX_ENV_MODE="prod", REFLEX_WEB_WORKDIR=str(web), REFLEX_TELEMETRY_ENABLED="false"
    )
    if args.build:
        os.environ["REFLEX_API_URL"] = public  # the backend knows the URL it was built for

    from engine.services.observability import configure_logging

    configure_logging(args.log_level, process="studio")
    import asyncio

    raise SystemExit(asyncio.run(_serve(args, web, public)))


def _built(web: Path) -> bool:
    return (web / "build" / "client" / "index.html").is_file()


def _no_build(web: Path) -> None:
    sys.stderr.write(
        f"No web build in {web}/build/client. Build it first from the directory with "
        "rxconfig.py: python -m reflex export --frontend-only --no-zip --env prod\n"
    )
    raise SystemExit(2)


def _config(app: Any, args: argparse.Namespace, port: int, **kw: Any) -> Any:
    import uvicorn

    return uvicorn.Config(
        app,
        host=args.host,
        port=port,
        log_config=None,
        log_level=args.log_level.lower(),
        proxy_headers=False,
        server_header=False,
        **kw,
    )


async def _serve(args: argparse.Namespace, web: Path, public: str) -> int:
    """Serves the API alone on ``--api-port`` (when given) at once, builds the web app
    (``--build``), then serves the studio on ``--port``; both servers stop together on
    SIGINT/SIGTERM. Returns the exit code: 0 when stopped, 1 when a server ended by itself
    (the API refused to start, say), 2 when the build failed."""
    import asyncio
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # this function's own handler stops every server

    servers: list[uvicorn.Server] = []
    tasks: list[asyncio.Task[None]] = []
    stopping: list[bool] = []
    build: list[Any] = []

    def stop() -> None:
        stopping.append(True)
        for server in servers:
            server.should_exit = True
        if build and build[0].returncode is None:
            build[0].terminate()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    if args.api_port:
        from studio.api import create_app
        from studio.api.mount import share_api

        api = create_app()
        share_api(api)  # the studio's /api/... is the same app, not a second one
        servers.append(Server(_config(api, args, args.api_port, lifespan="on")))
        tasks.append(asyncio.create_task(servers[-1].serve()))
    if args.build:
        built = await _build(public, web, build)
        if stopping:
            await asyncio.gather(*tasks)
            return 0
        if not built:
            stop()
            await asyncio.gather(*tasks)
            return 2
    if not _built(web):
        _no_build(web)
    from reflex_base.environment import environment

    # what "reflex run --env prod" sets for its backend process (internal variables)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    servers.append(Server(_config("studio.studio:app", args, args.port, factory=True)))
    tasks.append(asyncio.create_task(servers[-1].serve()))
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    by_itself = not stopping
    stop()
    await asyncio.gather(*tasks)
    return 1 if by_itself else 0


async def _build(public_url: str, web: Path, running: list[Any]) -> bool:
    """Builds the web app into ``web`` as ``reflex export`` does (what ``reflex run --env
    prod`` did before serving), in a child process (kept in ``running`` so a stop ends
    it): the compiler's memory is given back before this process serves the studio
    (measured: ``reflex run`` kept a 210 MiB parent beside its backend). False if the
    build failed."""
    import asyncio

    env = {
        **os.environ,
        "REFLEX_API_URL": public_url,
        "REFLEX_WEB_WORKDIR": str(web),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "reflex",
        "export",
        "--frontend-only",
        "--no-zip",
        "--env",
        "prod",
        "--loglevel",
        "warning",
    ]
    lock = Path("reflex.lock") / "package.json"  # tracked: the export rewrites its spacing
    before = lock.read_text() if lock.is_file() else None
    proc = await asyncio.create_subprocess_exec(*cmd, env=env)
    running.append(proc)
    code = await proc.wait()
    _keep_if_same(lock, before)
    if code != 0:
        sys.stderr.write(f"The studio's web build failed (exit {code}); see above.\n")
    return code == 0


def _keep_if_same(path: Path, before: str | None) -> None:
    """Puts ``before`` back when the file now says the same JSON in other spacing (the
    work tree stays clean after ``aura up``)."""
    import json

    if before is None or not path.is_file():
        return
    after = path.read_text()
    try:
        same = after != before and json.loads(after) == json.loads(before)
    except ValueError:
        return
    if same:
        path.write_text(before)


if __name__ == "__main__":
    main()
