"""``aura run FILE|ID``: run a workflow inline and show what each node produced."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from engine.cli._common import EXIT_FAILED, console, err_console, parse_json_option, reporting
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
            self.live.update(Spinner("dots", Text(
                f" {run.node} ({run.type})  [{self.done}/{self.total} nodes done]")))

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self.done += 1


def run(
    target: Annotated[str, typer.Argument(help="A workflow JSON file, or a stored workflow's "
                                          "id or name.")],
    input: Annotated[str | None, typer.Option("--input", "-i", help="Input items as JSON (an "
                                              "object or a list), or @file.json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")
                       ] = False,
    node: Annotated[str | None, typer.Option("--to", help="Partial run: stop after this node.")
                    ] = None,
    items: Annotated[int, typer.Option("--items", help="Items shown per node output.")] = 5,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the execution.")
                        ] = False,
) -> None:
    """Run a workflow now, in this process, and print each node's output.

    Exit code: 0 if the workflow succeeded, 1 if it failed or was cancelled, 2 for
    invalid input (bad file, unknown workflow, invalid workflow).
    """
    from engine.graph.io import load_workflow
    from engine.sdk.items import items_from_json
    from engine.services import runs

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
        total = len(wf.nodes)
        live = None
        if not as_json and sys.stderr.isatty():
            live = Live(Spinner("dots", " starting"), console=err_console, transient=True)
        progress = _Progress(live, total)
        if live:
            live.start()
        try:
            result = runs.run_workflow(
                wf, workflow_id=workflow_id, input_items=items_from_json(raw_input)
                if raw_input is not None else None, mode="cli", destination=node,
                hooks=progress, record=not no_store)
        finally:
            if live:
                live.stop()
    data = result.to_dict()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, default=str, indent=2))
    else:
        render_execution(console, data, max_items=items)
    if str(result.status) == "waiting":
        if not as_json:
            console.print("The execution is parked at a Wait node and resumes on its own "
                          f"(see 'aura execution show {result.id[:12]}').")
        return
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


def _missing(target: str) -> Exception:
    from engine.errors import NotFoundError

    return NotFoundError(f"File '{target}' does not exist. Give a path to a workflow JSON file, "
                         "or the id or name of a stored workflow ('aura workflow list').")
