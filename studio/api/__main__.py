"""``python -m studio.api``: serve the HTTP API and webhooks with uvicorn.

``aura up`` starts this as a child process. Options: ``--host`` (default 127.0.0.1),
``--port`` (default 5678), ``--runtime inline|rq``, ``--log-level``. ``--openapi`` prints
the OpenAPI document as JSON and exits (``aura docs build`` makes the API reference from
it without importing the studio).

The server runs on uvloop with httptools' HTTP parser when they are installed (declared
dependencies; measured: about 0.75 ms less server CPU per webhook than asyncio and h11,
for 3 MiB more RSS), else on asyncio and h11.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Parses the command line and serves until interrupted (defaults: the settings
    ``AURA_API_HOST``, ``AURA_API_PORT``, ``AURA_API_WORKERS``, ``AURA_LOG_LEVEL``)."""
    from engine.config import settings

    s = settings()
    parser = argparse.ArgumentParser(
        prog="python -m studio.api", description="Serve the AURA HTTP API and webhooks."
    )
    parser.add_argument(
        "--host",
        default=s.api.host,
        help="address to listen on (default 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=s.api.port,
        help="port (default 5678)",
    )
    parser.add_argument(
        "--runtime",
        choices=("inline", "rq"),
        default=None,
        help="where executions run (default AURA_RUNTIME, else rq when Redis is configured)",
    )
    parser.add_argument(
        "--log-level",
        default=s.log_level.lower(),
        help="log level (default info)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=s.api.workers,
        help="server processes (default 1; test webhooks and "
        "inline background runs are per process)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument(
        "--openapi", action="store_true", help="print the OpenAPI document (JSON) and exit"
    )
    args = parser.parse_args(argv)
    if args.openapi:
        _print_openapi()
        return

    import uvicorn

    from engine.services.observability import configure_logging
    from studio.api.app import create_app

    configure_logging(args.log_level, process="api")
    _check_or_exit()
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_config": None,
        "log_level": args.log_level.lower(),
        "access_log": args.access_log,
        "proxy_headers": False,
        "server_header": False,
        **server_speedups(),
    }
    if args.runtime:
        os.environ["AURA_RUNTIME"] = args.runtime
    if args.workers > 1:
        uvicorn.run("studio.api.app:create_app", factory=True, workers=args.workers, **options)
    else:
        app = create_app(runtime=args.runtime)
        freeze_startup_heap()
        uvicorn.run(app, **options)


def server_speedups() -> dict[str, str]:
    """uvicorn's event loop and HTTP parser: uvloop and httptools (C, the fast pair)
    when both import, else asyncio and h11 (pure Python, always there)."""
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        return {"loop": "asyncio", "http": "h11"}
    return {"loop": "uvloop", "http": "httptools"}


def freeze_startup_heap() -> None:
    """Moves the objects startup made (modules, settings, the app: about 160,000) out of
    the garbage collector's reach (``gc.freeze``): a full collection then walks only what
    came later. Measured in-process: a full collection 170-310 ms -> 47 ms, about 0.5 ms
    of CPU per webhook on average. Startup objects live as long as the process; one that
    ends up in a garbage cycle later is not reclaimed (few, and bounded)."""
    gc.collect()
    gc.freeze()


def _print_openapi() -> None:
    """The OpenAPI document of every operation (with sign-in) on stdout; needs no
    database."""
    import json

    from studio.api.app import VERSION, operations
    from studio.api.openapi import openapi_document

    doc = openapi_document(operations(auth=True), version=VERSION, has_auth=True)
    sys.stdout.write(json.dumps(doc, indent=1, sort_keys=False) + "\n")


def _check_or_exit() -> None:
    """Refuses to start (exit 2, the reason on stderr) when the encryption key does not
    decrypt this installation's data, or the database cannot be opened."""
    from engine.errors import AuraError
    from engine.services.startup import check_encryption_key

    try:
        check_encryption_key()
    except AuraError as exc:
        print(f"AURA API not started: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
