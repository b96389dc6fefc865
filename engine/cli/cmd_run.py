"""``aura run FILE|ID``: run a workflow (inline, or on the workers with ``--queue``) and
show what each node produced."""

from __future__ import annotations

import json
import signal
import sys
import threading
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from engine.cli._common import (
    EXIT_FAILED,
    EXIT_USAGE,
    console,
    err_console,
    fail,
    parse_json_option,
    reporting,
)
from engine.cli.render import render_execution
from engine.executor import ExecutionHooks, ExecutionResult, NodeRunRecord

__all__ = ["run"]


class _Progress(ExecutionHooks):
    """A one-line live display of the node running now (only on a terminal)."""

    def __init__(self, live: Live | None, total: int) -> None:
        self.live = live
        self.total = total
        self.done = 0

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        if self.live is not None:
            self.live.update(
                Spinner(
                    "dots", Text(f" {run.node} ({run.type})  [{self.done}/{self.total} nodes done]")
                )
            )

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self.done += 1


def run(
    target: Annotated[
        str, typer.Argument(help="A workflow JSON file, or a stored workflow's id or name.")
    ],
    input: Annotated[
        str | None,
        typer.Option(
            "--input", "-i", help="Input items as JSON (an object or a list), or @file.json."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result as JSON.")
    ] = False,
    node: Annotated[
        str | None, typer.Option("--to", help="Partial run: stop after this node.")
    ] = None,
    items: Annotated[int, typer.Option("--items", help="Items shown per node output.")] = 5,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not record the execution.")
    ] = False,
    runtime: Annotated[
        str,
        typer.Option(
            "--runtime",
            help="Where it runs: 'inline' (this "
            "process) or 'queue' (the workers; needs "
            "AURA_REDIS_URL).",
        ),
    ] = "inline",
    queue: Annotated[bool, typer.Option("--queue", help="Same as --runtime queue.")] = False,
    no_wait: Annotated[
        bool,
        typer.Option("--no-wait", help="With --queue: print the execution id and return at once."),
    ] = False,
) -> None:
    """Run a workflow now and print each node's output.

    Inline (the default) runs it in this process. With --queue it is submitted to the
    workers ('aura worker') and this command follows its live events; Ctrl-C cancels the
    queued execution (no question asked) and exits 1.

    Exit code: 0 if the workflow succeeded, 1 if it failed or was cancelled, 2 for
    invalid input (bad file, unknown workflow, invalid workflow, no Redis for --queue).
    """
    from engine.graph.io import load_workflow
    from engine.sdk.items import items_from_json
    from engine.services import runs

    if runtime not in ("inline", "queue"):
        fail(f"Unknown runtime '{runtime}'; use 'inline' or 'queue'.", as_json=as_json)
    queued = queue or runtime == "queue"
    if queued:
        _check_queue_options(no_store, as_json)
    elif no_wait:
        fail("--no-wait needs --queue (an inline run finishes before it returns).", as_json=as_json)
    with reporting(as_json):
        raw_input: Any = parse_json_option(input, "--input")
        path = Path(target)
        workflow_id = None
        if path.suffix.lower() == ".json" or path.exists():
            if not path.exists():
                raise _missing(target)
            wf = load_workflow(path, what=f"file {target}")
        else:
            wf, workflow_id = runs.load_stored(target)
        if queued:
            _run_queued(
                wf,
                workflow_id,
                raw_input,
                as_json=as_json,
                items=items,
                no_wait=no_wait,
                destination=node,
            )
            return
        total = len(wf.nodes)
        live = None
        if not as_json and sys.stderr.isatty():
            live = Live(Spinner("dots", " starting"), console=err_console, transient=True)
        progress = _Progress(live, total)
        if live:
            live.start()
        try:
            result = runs.run_workflow(
                wf,
                workflow_id=workflow_id,
                input_items=items_from_json(raw_input) if raw_input is not None else None,
                mode="cli",
                destination=node,
                hooks=progress,
                record=not no_store,
                principal=runs.SYSTEM,
            )
        finally:
            if live:
                live.stop()
    _show(result.to_dict(), as_json=as_json, items=items)


def _show(data: dict[str, Any], *, as_json: bool, items: int) -> None:
    """Prints an execution (table or JSON) and exits as its status says."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, default=str, indent=2))
    else:
        render_execution(console, data, max_items=items)
    if str(data.get("status")) == "waiting":
        if not as_json:
            console.print(
                "The execution is parked at a Wait node and resumes on its own "
                f"(see 'aura execution show {str(data.get('id'))[:12]}')."
            )
        return
    if str(data.get("status")) != "succeeded":
        raise typer.Exit(EXIT_FAILED)


def _check_queue_options(no_store: bool, as_json: bool) -> None:
    from engine.runtimes import redis_configured

    if no_store:
        fail("Queued runs are always recorded; drop --no-store, or run inline.", as_json=as_json)
    if not redis_configured():
        fail(
            "--queue needs Redis: set AURA_REDIS_URL (e.g. redis://localhost:6379/0) and "
            "start a worker ('aura worker'), or use 'aura up', which runs an embedded Redis "
            "and a worker. Or run inline: drop --queue.",
            code=EXIT_USAGE,
            as_json=as_json,
            error="no_redis",
        )


def _run_queued(
    wf: Any,
    workflow_id: str | None,
    raw_input: Any,
    *,
    as_json: bool,
    items: int,
    no_wait: bool,
    destination: str | None = None,
) -> None:
    """Submits to the workers, follows the execution's events, then shows it."""
    from engine.events import subscribe
    from engine.sdk.items import items_from_json
    from engine.services import executions
    from engine.services.executions import RunSpec, start
    from engine.services.principals import SYSTEM  # the operator at the console

    input_items = items_from_json(raw_input) if raw_input is not None else None
    target: dict[str, Any] = (
        {"workflow_id": workflow_id} if workflow_id else {"definition": wf.to_json_dict()}
    )
    target["destination"] = destination
    if no_wait:
        spec = RunSpec(
            principal=SYSTEM, mode="cli", input_items=input_items, runtime="rq", **target
        )
        eid = start(spec).id
        if as_json:
            print(json.dumps({"id": eid, "status": "queued"}))
        else:
            console.print(eid)
            err_console.print(
                f"Queued. Follow it with 'aura logs --execution {eid}' or "
                f"'aura execution show {eid[:12]}'."
            )
        return
    eid = uuid.uuid4().hex
    live = None
    if not as_json and sys.stderr.isatty():
        live = Live(
            Spinner("dots", " queued, waiting for a worker"), console=err_console, transient=True
        )
    # Ctrl-C sets a flag the follow loop reads at least once a second: raised as
    # KeyboardInterrupt inside a Redis read, it left the subscription's connection half
    # read, and closing it could then hang the command (a second Ctrl-C still stops it)
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    try:
        with subscribe(execution_id=eid) as sub:  # live before submit: no event is missed
            start(
                RunSpec(
                    principal=SYSTEM,
                    mode="cli",
                    input_items=input_items,
                    execution_id=eid,
                    runtime="rq",
                    **target,
                )
            )
            if live:
                live.start()
            try:
                _follow(sub, eid, live, len(wf.nodes), interrupted)
            finally:
                if live:
                    live.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted.is_set():
        _cancel(eid, as_json)
    _show(executions.get(eid), as_json=as_json, items=items)


def _follow(sub: Any, eid: str, live: Live | None, total: int,
            interrupted: threading.Event) -> None:
    """Blocks until the execution finishes or parks (or Ctrl-C), updating the live line."""
    from engine.services.store import get_store
    from engine.store.enums import ExecutionStatus

    done = 0
    store = get_store()
    while not interrupted.is_set():
        event = sub.get(timeout=1.0)
        kind = event.get("type") if event else None
        if event and kind == "node.started" and live is not None:
            live.update(
                Spinner(
                    "dots",
                    Text(
                        f" {event.get('node')} ({event.get('node_type')})  "
                        f"[{done}/{total} nodes done, on a worker]"
                    ),
                )
            )
        elif kind == "node.finished":
            done += 1
        elif kind in ("execution.finished", "execution.waiting"):
            return
        elif event is None:  # quiet: make sure no end was missed
            status = store.executions.get(eid).status
            if ExecutionStatus(status).finished or status == "waiting":
                return


def _cancel(eid: str, as_json: bool) -> None:
    """Ctrl-C: cancels the queued execution and waits a little for it to stop."""
    from engine.errors import AuraError
    from engine.runtimes import cancel, wait_for

    if not as_json:
        err_console.print(f"Ctrl-C: cancelling execution {eid[:12]}…")
    try:
        cancel(eid)
        wait_for(eid, timeout_s=15)
    except AuraError as exc:  # already finished, or still stopping: show what there is
        err_console.print(exc.message)


def _missing(target: str) -> Exception:
    from engine.errors import NotFoundError

    return NotFoundError(
        f"File '{target}' does not exist. Give a path to a workflow JSON file, "
        "or the id or name of a stored workflow ('aura workflow list')."
    )
