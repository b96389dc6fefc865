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
import os
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Parses the command line and serves until interrupted (exit 2 when there is no
    web build to serve)."""
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
        default=os.environ.get("AURA_LOG_LEVEL", "info"),
        help="log level (default info)",
    )
    parser.add_argument(
        "--build",
        action="store_true",
        help="build the web app first (reflex export, from the directory with rxconfig.py), "
        "for browsers reaching it at --public-url",
    )
    parser.add_argument(
        "--public-url", help="with --build: where browsers reach this server (default the "
        "host and port)"
    )
    args = parser.parse_args(argv)
    web = args.web_dir.resolve()
    if args.build:
        public = args.public_url or f"http://{args.host}:{args.port}"
        _build(public, web)
        os.environ["REFLEX_API_URL"] = public  # the backend knows the URL it was built for
    if not (web / "build" / "client" / "index.html").is_file():
        sys.stderr.write(
            f"No web build in {web}/build/client. Build it first from the directory with "
            "rxconfig.py: python -m reflex export --frontend-only --no-zip --env prod\n"
        )
        raise SystemExit(2)
    os.environ.update(
        REFLEX_ENV_MODE="prod", REFLEX_WEB_WORKDIR=str(web), REFLEX_TELEMETRY_ENABLED="false"
    )
    import uvicorn
    from reflex_base.environment import environment

    # what "reflex run --env prod" sets for its backend process (internal variables)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)

    from engine.services.observability import configure_logging

    configure_logging(args.log_level, process="studio")
    uvicorn.run(
        "studio.studio:app",
        factory=True,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level=args.log_level.lower(),
        proxy_headers=False,
        server_header=False,
    )


def _build(public_url: str, web: Path) -> None:
    """Builds the web app into ``web`` as ``reflex export`` does (what ``reflex run --env
    prod`` did before serving), in a child process: the compiler's memory is given back
    before this process starts to serve (measured: ``reflex run`` kept a 210 MiB parent
    beside its backend)."""
    import subprocess

    env = {
        **os.environ,
        "REFLEX_API_URL": public_url,
        "REFLEX_WEB_WORKDIR": str(web),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    cmd = [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip",
           "--env", "prod", "--loglevel", "warning"]
    lock = Path("reflex.lock") / "package.json"  # tracked: the export rewrites its spacing
    before = lock.read_text() if lock.is_file() else None
    done = subprocess.run(cmd, env=env, check=False)  # noqa: S603 - our own interpreter
    _keep_if_same(lock, before)
    if done.returncode != 0:
        sys.stderr.write(f"The studio's web build failed (exit {done.returncode}); see above.\n")
        raise SystemExit(2)


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
