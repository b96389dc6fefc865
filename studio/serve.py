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
    args = parser.parse_args(argv)
    web = args.web_dir.resolve()
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


if __name__ == "__main__":
    main()
