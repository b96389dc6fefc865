"""``aura up``: start AURA on embedded defaults, every process it needs, in one command.

1. open (and migrate) the store: SQLite in the data directory unless ``AURA_DB_URL``;
2. Redis: ``AURA_REDIS_URL`` if set, else an embedded server on a free loopback port
   with its append-only file in ``<data dir>/redis`` (:mod:`engine.runtimes.embedded`);
3. recover: crashed executions and queued ones whose jobs were lost are dealt with
   (:func:`engine.runtimes.recovery.maintenance`);
4. start what runs — each gets ``AURA_REDIS_URL`` — and print what runs where: the HTTP
   API/webhook server (short synchronous webhooks run there): with the studio, the
   studio's process serves it on its own port (``python -m studio.serve --build
   --api-port``: the API answers at once, the studio once its web app is built), else
   ``python -m studio.api``; and on threads of this process the scheduler and the supervisor
   of the queue worker processes (as ``aura scheduler`` and ``aura worker`` would: one
   process fewer each, ~100 MiB apiece), each only if installed;
   ``<data dir>/up.json`` tells other ``aura`` commands of the same data directory
   where this instance's Redis and API are (:mod:`engine.cli._instance`); with the API,
   the docs site it serves at ``/docs`` is rebuilt in the background if stale
   (:mod:`engine.cli._docs_site`);
5. watch them (a child that dies is restarted, with back-off) until Ctrl-C or SIGTERM,
   then stop the API first, the scheduler, then the workers (running executions finish
   within ``--grace``), and the embedded Redis last.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Annotated

import typer

from engine.cli._common import console, reporting
from engine.cli._instance import RunningUp, UpLock, running_up

__all__ = ["up"]

log = logging.getLogger("aura.up")


@dataclass
class Child:
    """One process started by ``aura up``."""

    name: str
    cmd: list[str]
    url: str = ""
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    notes: list[str] = field(default_factory=list)
    cwd: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    also: list[str] = field(default_factory=list)  # other jobs this process does ("api")

    def start(self, env: dict[str, str]) -> None:
        # own session: Ctrl-C reaches 'up' only, which stops the children in order
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            self.cmd,
            env={**env, **self.extra_env},
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.started = time.monotonic()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def up(
    check: Annotated[bool, typer.Option("--check", help="Prepare and report, then exit.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Queue worker processes (0: none).")
    ] = 1,
    host: Annotated[str, typer.Option("--host", help="Address of the HTTP server.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port of the HTTP server.")] = 5678,
    api: Annotated[
        bool, typer.Option("--api/--no-api", help="Start the HTTP API and webhook server.")
    ] = True,
    scheduler: Annotated[
        bool,
        typer.Option(
            "--scheduler/--no-scheduler", help="Start the scheduler (cron triggers, waits)."
        ),
    ] = True,
    grace: Annotated[
        float,
        typer.Option("--grace", help="Seconds running executions get to finish when stopping."),
    ] = 30.0,
    studio_port: Annotated[
        int, typer.Option("--studio-port", help="Port of the browser studio (0: do not start it).")
    ] = 3000,
) -> None:
    """Start AURA with embedded defaults: database, Redis, worker, scheduler, API.

    Ctrl-C (or SIGTERM) stops everything cleanly.
    """
    from engine.config import reset_settings, settings
    from engine.sdk import get_catalog
    from engine.services.startup import check_encryption_key
    from engine.services.store import get_store

    s = settings()
    with reporting():
        s.data_dir.mkdir(parents=True, exist_ok=True)
        store = get_store()
        check_encryption_key()  # refuse to start with a key that cannot decrypt the data
        _, total = store.workflows.list(limit=1)
    cat = get_catalog()
    console.print(f"[bold]AURA[/] data directory: {s.data_dir}")
    console.print(
        f"  database: {'SQLite (embedded)' if not s.db.url else 'external'}, "
        f"schema up to date, {total} workflow(s)"
    )
    console.print(f"  nodes: {len(cat.latest())} node types installed")
    if check:
        running = running_up(s.data_dir)
        if running:
            console.print(
                f"  running: aura up (pid {running.pid}"
                f"{', API ' + running.api_url if running.api_url else ''})"
            )
        console.print(
            f"  redis: {'external' if s.redis.url else 'embedded (started by up)'}"
            "; run 'aura up' to start the worker, scheduler and API"
        )
        return
    embedded = None
    lock = UpLock(s.data_dir)
    with reporting():
        lock.acquire()
        from engine.observability.metrics import fresh_start

        fresh_start()  # metrics count from zero with this fleet (running processes kept)
        if s.redis.url:
            url, where = s.redis.url, "external"
        else:
            import secrets

            from engine.runtimes.embedded import start_embedded_redis

            url, embedded = start_embedded_redis(s.data_dir, password=secrets.token_hex(16))
            where = f"embedded {os.path.basename(embedded.binary)}, data in {embedded.directory}"
        os.environ["AURA_REDIS_URL"] = url
        reset_settings()
    try:
        lock.publish(
            RunningUp(
                os.getpid(),
                url,
                f"http://{host}:{port}" if api else "",
                f"http://{host}:{studio_port}" if studio_port else "",
            )
        )
        _run(
            url,
            where,
            workers=workers,
            host=host,
            port=port,
            api=api,
            scheduler=scheduler,
            grace=grace,
            studio_port=studio_port,
        )
    finally:
        lock.release()
        if embedded is not None:
            embedded.stop()
            console.print("  embedded Redis stopped")


def _safe_url(url: str) -> str:
    from engine.cli.cmd_worker import _safe_url as safe

    return safe(url)


def _studio_child(host: str, port: int, api_port: int = 0) -> Child | None:
    """The Reflex studio, when running from a source tree that has ``rxconfig.py``.

    ``python -m studio.serve --build`` builds the web app (``reflex export``; the first
    start installs the frontend's npm packages: a minute or two, later starts rebuild in
    10-20 s), then serves pages, backend and API on one port from one process (``reflex
    run --env prod`` kept a second, 210 MiB process beside it).
    """
    spec = importlib.util.find_spec("studio")
    if spec is None or importlib.util.find_spec("reflex") is None:
        return None
    where = spec.origin or next(iter(spec.submodule_search_locations or []), None)
    if not where:
        return None
    root = os.path.dirname(os.path.dirname(where) if spec.origin else where)
    if not os.path.exists(os.path.join(root, "rxconfig.py")):
        return None
    bindir = os.path.dirname(sys.executable)
    env = {
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
    }
    base = f"http://{host}:{port}"
    return Child(
        "studio",
        [
            sys.executable,
            "-m",
            "studio.serve",
            "--build",
            "--host",
            host,
            "--port",
            str(port),
            "--web-dir",
            os.path.join(root, ".web"),
            "--log-level",
            "warning",
            *(["--api-port", str(api_port)] if api_port else []),
        ],
        url=base,
        cwd=root,
        extra_env=env,
        notes=[f"studio {base} (the first start builds the web app: a minute or two)"],
        also=["api"] if api_port else [],
    )


def _children(
    workers: int, host: str, port: int, api: bool, scheduler: bool, studio_port: int = 0
) -> list[Child]:
    py = sys.executable
    out: list[Child] = []
    has_api = api and importlib.util.find_spec("studio.api") is not None
    base = f"http://{host}:{port}"
    api_notes = [
        f"REST API {base}/api/v1",
        f"webhooks {base}/webhook/<path>",
        f"health {base}/readyz",
        f"docs {base}/docs",
    ]
    # -- the studio UI (Reflex, production build on one port); it also serves the API on
    # its port from the same process (one process fewer: ~110 MiB), answering there at
    # once while the web app builds
    studio = _studio_child(host, studio_port, port if has_api else 0) if studio_port else None
    if studio is not None:
        studio.notes = [*studio.notes, *(api_notes if has_api else [])]
        out.append(studio)
    # -- else the HTTP server (REST API + webhooks) alone, when the studio is installed ---
    elif has_api:
        out.append(
            Child(
                "api",
                [
                    py,
                    "-m",
                    "studio.api",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--runtime",
                    "rq",
                    "--log-level",
                    "warning",
                ],
                url=base,
                notes=api_notes,
            )
        )
    # (the scheduler and the supervisor of the queue workers run in this process:
    # see _Job; a process each cost ~100 MiB for threads that mostly sleep)
    return out


class _Job:
    """A job ``aura up`` does itself on a thread, restarted (with back-off) if it fails:
    the scheduler, and the supervisor of the queue worker processes."""

    def __init__(
        self, name: str, run: Callable[[], object], stop: Callable[[], None], note: str = ""
    ) -> None:
        self.name, self._run, self._stop, self.note = name, run, stop, note
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name=f"aura-up-{name}", daemon=True)

    def _loop(self) -> None:
        failures = 0
        while not self.stopping:
            began = time.monotonic()
            try:
                self._run()
                return
            except Exception:
                log.exception("%s failed; restarting it", self.name)
            failures = failures + 1 if time.monotonic() - began < 10 else 0
            time.sleep(min(30.0, 0.5 * 2**failures))

    def stop(self, timeout: float) -> None:
        self.stopping = True
        self._stop()
        self.thread.join(timeout)
        console.print(f"  stopped {self.name}")


def _jobs(workers: int, scheduler: bool, grace: float) -> list[_Job]:
    out: list[_Job] = []
    if scheduler and importlib.util.find_spec("engine.triggers.schedules") is not None:
        from engine.triggers.schedules import Scheduler, SchedulerSettings

        sched, stop = Scheduler(config=SchedulerSettings()), threading.Event()
        out.append(
            _Job(
                "scheduler",
                lambda: sched.run(stop),
                stop.set,
                f"in this process ({sched.lock.identity})",
            )
        )
    if workers:
        from engine.runtimes.rq.supervisor import Supervisor
        from engine.services.worker_process import ENTRY

        sup = Supervisor(["default"], entry=ENTRY, processes=workers, grace_s=grace)
        out.append(
            _Job(
                "worker",
                lambda: sup.run(signals=False),
                sup.stop,
                f"{workers} process(es), supervised by this process",
            )
        )
    return out


def _run(
    url: str,
    where: str,
    *,
    workers: int,
    host: str,
    port: int,
    api: bool,
    scheduler: bool,
    grace: float,
    studio_port: int = 0,
) -> None:
    from engine.runtimes.recovery import maintenance

    done = maintenance()
    console.print(f"  redis: {_safe_url(url)} ({where})")
    if done.crashed or done.requeued:
        console.print(
            f"  recovered: {len(done.crashed)} crashed execution(s) recorded, "
            f"{len(done.requeued)} queued one(s) re-enqueued"
        )
    env = {**os.environ, "AURA_REDIS_URL": url}
    from engine.config import settings

    conf = settings()
    if api and not ("public_url" in conf.model_fields_set and conf.public_url):
        env["AURA_PUBLIC_URL"] = f"http://{host}:{port}"
    children = _children(workers, host, port, api, scheduler, studio_port)
    jobs = _jobs(workers, scheduler, grace)
    stopping = {"n": 0}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping["n"] += 1
        if stopping["n"] > 1:
            for c in children:
                if c.alive() and c.proc is not None:
                    c.proc.kill()
            for j in jobs:
                if j.name == "worker":
                    j._stop()  # a second stop: the worker processes now

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    docs: subprocess.Popen[bytes] | None = None
    try:
        for c in children:
            c.start(env)
            detail = ", ".join(c.notes)
            console.print(
                f"  started {c.name} (pid {c.proc.pid if c.proc else '?'})"
                f"{': ' + detail if detail else ''}"
            )
        for j in jobs:
            j.thread.start()
            console.print(f"  started {j.name}: {j.note}")
        missing = [
            n
            for n, on in (("api", api), ("scheduler", scheduler))
            if on
            and n
            not in {c.name for c in children}
            | {a for c in children for a in c.also}
            | {j.name for j in jobs}
        ]
        if missing:
            console.print(f"  [dim]not installed, not started: {', '.join(missing)}[/]")
        _print_reach(api, host, port)
        docs = _build_docs() if api else None
        console.print("[bold green]AURA is up.[/] Ctrl-C stops everything.")
        while not stopping["n"]:
            for c in children:
                if not c.alive() and not stopping["n"]:
                    _restart(c, env)
            if docs is not None and docs.poll() is not None:
                docs = None  # ended and reaped (it stayed a zombie until aura up exited)
            time.sleep(0.25)
    finally:
        if docs is not None and docs.poll() is None:
            docs.terminate()  # the next start builds it again
        _stop(children, grace, jobs)
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _print_reach(api: bool, host: str, port: int) -> None:
    """How other terminals and scripts reach this instance."""
    from engine.cli._instance import RECORD_FILE
    from engine.config import settings

    data_dir = settings().data_dir.resolve()
    console.print(
        f"  other terminals: 'aura run --queue', 'aura logs', 'aura services', "
        f"'aura execution ...' find this instance by themselves in this directory "
        f"(elsewhere: AURA_DATA_DIR={data_dir})",
        soft_wrap=True,
    )
    if api:
        console.print(
            f"  scripts: REST API http://{host}:{port}/api/v1 with an API key "
            "('aura user api-key create'); the Redis URL, with its password, is in "
            f"{data_dir / RECORD_FILE} (mode 0600)",
            soft_wrap=True,
        )


def _build_docs() -> subprocess.Popen[bytes] | None:
    """The docs site served at /docs: rebuilt in the background by a low-priority process
    when it is missing or stale (:mod:`engine.cli._docs_site`); the API answers meanwhile."""
    from engine.cli._docs_site import build_in_background
    from engine.services.docs import site_dir, state

    site = site_dir()
    proc = build_in_background(site)
    ready = state(site).status == "ready"
    if proc is None:
        if not ready:
            console.print("  [dim]docs: not built (pip install 'aura[docs]' to have them)[/]")
    elif not ready:
        console.print(f"  docs: building the site into {site} in the background (a minute)")
    return proc


def _die_with_parent() -> None:
    """In a child before exec: get SIGTERM when 'aura up' dies, even by kill -9."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))


def _restart(c: Child, env: dict[str, str]) -> None:
    code = c.proc.returncode if c.proc else None
    quick = time.monotonic() - c.started < 10
    c.restarts = c.restarts + 1 if quick else 0
    wait = min(30.0, 0.5 * 2**c.restarts) if quick else 0.0
    console.print(
        f"  [yellow]{c.name} exited ({code}); restarting{f' in {wait:g} s' if wait else ''}[/]"
    )
    time.sleep(wait)
    c.start(env)


def _stop(children: list[Child], grace: float, jobs: Sequence[_Job] = ()) -> None:
    """API first (no new work), then scheduler, then workers (they finish what runs)."""
    order = {"studio": 0, "api": 0, "scheduler": 1, "worker": 2}
    _stop_children(children, grace, order)
    for j in sorted(jobs, key=lambda j: order.get(j.name, 1)):
        j.stop(grace + 5 if j.name == "worker" else 10)


def _stop_children(children: list[Child], grace: float, order: dict[str, int]) -> None:
    for c in sorted(children, key=lambda c: order.get(c.name, 1)):
        if not c.alive() or c.proc is None:
            continue
        # the studio is a process tree (reflex, its web server, node): stop the whole group
        group = c.name == "studio"
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(c.proc.pid, signal.SIGTERM)
            else:
                c.proc.send_signal(signal.SIGTERM)
        try:
            c.proc.wait(timeout=grace + 5 if c.name == "worker" else 10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(c.proc.pid, signal.SIGKILL)
                else:
                    c.proc.kill()
            c.proc.wait()
        if group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(c.proc.pid, signal.SIGKILL)  # leftovers such as a Vite server
        console.print(f"  stopped {c.name}")
