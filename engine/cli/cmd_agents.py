"""``aura agent ...``: AI agents from the terminal (as the console operator): list, show,
state, run, chat, export, import, and the approvals inbox (approve, reject).

Runs go through :func:`engine.services.agents.start_run` like the API's: on the workers
when Redis is configured (``--inline`` runs one here), their steps printed as they are
recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from engine.cli._common import console, fail, reporting

app = typer.Typer(no_args_is_help=True)

_JSON = typer.Option("--json", help="Print JSON.")
_FINAL = ("succeeded", "failed", "cancelled", "crashed", "waiting")


def _operator() -> Any:
    from engine.cli.cmd_user import _operator as op

    return op()


@app.command("list")
def list_agents(as_json: Annotated[bool, _JSON] = False) -> None:
    """List agents with their state and newest version."""
    from engine.services import agents

    with reporting(as_json):
        rows = agents.list_agents(_operator())
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table("id", "name", "state", "version", "strategy", "tools", "project")
    for r in rows:
        d = r.definition
        table.add_row(
            r.id,
            escape(r.name),
            r.state,
            str(r.version),
            d.get("strategy", ""),
            ", ".join(t["name"] for t in d.get("tools", [])) or "-",
            r.project_id or "-",
        )
    console.print(table)


@app.command("show")
def show(
    agent: Annotated[str, typer.Argument(help="Agent id or name.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Show an agent's definition and its recent runs."""
    from engine.services import agents

    with reporting(as_json):
        view = agents.get_agent(_operator(), agent)
        runs = agents.list_runs(_operator(), view.id, limit=10)
    if as_json:
        print(json.dumps({**view.to_dict(), "runs": runs}, indent=2))
        return
    console.print(
        f"[bold]{escape(view.name)}[/] ({view.id}) — {view.state}, version {view.version}"
    )
    console.print_json(json.dumps(view.definition))
    for r in runs:
        console.print(
            f"  {r['created_at'][:19]}  {r['status']:<10} {r['id']}  "
            f"{escape((r['prompt'] or '')[:60])}"
        )


def _print_step(step: dict[str, Any]) -> None:
    kind, name = step["kind"], step["name"]
    ms = f"{step['duration_ms']:.0f} ms" if step.get("duration_ms") is not None else ""
    if kind == "model":
        out = step["output"] or {}
        calls = ", ".join(c["name"] for c in out.get("tool_calls", []))
        what = f"asks for {calls}" if calls else "answers"
        console.print(
            f"  [cyan]model[/] {escape(name)} {what} ({step['tokens_in']} in, "
            f"{step['tokens_out']} out, {ms})"
        )
    elif kind == "tool":
        mark = "[green]✓[/]" if step["status"] == "succeeded" else "[red]✗[/]"
        obs = str((step["output"] or {}).get("observation", ""))[:120]
        console.print(f"  {mark} [magenta]{escape(name)}[/] {escape(obs)} ({ms})")
    elif kind == "plan":
        goals = [s.get("goal", "") for s in (step["output"] or {}).get("steps", [])]
        console.print(f"  [yellow]plan[/] {escape('; '.join(goals))[:200]}")
    elif kind == "approval":
        console.print(
            f"  [yellow]approval[/] {escape(name)}: {(step['output'] or {}).get('decision')}"
        )


def _follow(handle_id: str, timeout: float) -> dict[str, Any]:
    from engine.services import agents

    seen = 0
    deadline = time.monotonic() + timeout
    while True:
        run = agents.get_run(_operator(), handle_id)
        for step in run["steps"][seen:]:
            _print_step(step)
        seen = len(run["steps"])
        if run["status"] in _FINAL or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def _report(run: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(run, indent=2))
    elif run["status"] == "succeeded":
        console.print(f"[bold]{escape(run['answer'] or '')}[/]")
        console.print(
            f"[dim]{run['tokens_in']} tokens in, {run['tokens_out']} out, cost "
            f"{run['cost']}; run {run['id']}[/]"
        )
    elif run["status"] == "waiting":
        console.print(
            f"[yellow]Waiting for an approval:[/] see 'aura agent inbox' (run {run['id']})."
        )
    if run["status"] not in ("succeeded", "waiting"):
        message = (run.get("error") or {}).get("message", run["status"])
        fail(
            f"The run {run['status']}: {message}",
            code=1,
            as_json=as_json,
            error=(run.get("error") or {}).get("code", "failed"),
        )


@app.command("state")
def state(
    agent: Annotated[str, typer.Argument(help="Agent id or name.")],
    new_state: Annotated[str, typer.Argument(help="draft, active, paused or retired.")],
) -> None:
    """Activate, pause, retire or reopen (draft) an agent."""
    from engine.services import agents

    with reporting():
        view = agents.set_state(_operator(), agent, new_state)
    console.print(f"[green]✓[/] {escape(view.name)} is {view.state}.")


@app.command("run")
def run(
    agent: Annotated[str, typer.Argument(help="Agent id or name.")],
    prompt: Annotated[str, typer.Argument(help="What to ask.")],
    session: Annotated[str | None, typer.Option(help="Conversation id (memory).")] = None,
    inline: Annotated[bool, typer.Option("--inline", help="Run here, not on a worker.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the end.")] = 300,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Run an agent once and print its steps and answer."""
    from engine.services import agents

    with reporting(as_json):
        handle = agents.start_run(
            _operator(),
            agent,
            prompt,
            session=session,
            mode="cli",
            runtime="inline" if inline else None,
        )
        result = (
            _follow(handle.id, timeout)
            if not as_json
            else agents.get_run(_operator(), agents.wait_for_run(handle, timeout).id)
        )
    _report(result, as_json)


@app.command("chat")
def chat(
    agent: Annotated[str, typer.Argument(help="Agent id or name.")],
    session: Annotated[str | None, typer.Option(help="Conversation id.")] = None,
) -> None:
    """Chat with an agent (one run per message, memory kept in the session; empty line
    or Ctrl-D ends)."""
    import uuid

    from engine.services import agents

    session = session or f"cli-{uuid.uuid4().hex[:8]}"
    console.print(f"[dim]Session {session}. Empty line to end.[/]")
    while True:
        try:
            message = input("you> ").strip()
        except EOFError:
            break
        if not message:
            break
        with reporting():
            handle = agents.start_run(_operator(), agent, message, session=session, mode="chat")
            result = _follow(handle.id, 300)
        if result["status"] == "succeeded":
            console.print(f"[bold]agent>[/] {escape(result['answer'] or '')}")
        else:
            console.print(
                f"[red]{result['status']}[/]: "
                f"{escape((result.get('error') or {}).get('message', ''))}"
            )


@app.command("export")
def export(
    agent: Annotated[str, typer.Argument(help="Agent id or name.")],
    output: Annotated[Path | None, typer.Option("-o", help="File (default: stdout).")] = None,
) -> None:
    """Export an agent as JSON (format aura-agent/1)."""
    from engine.services import agents

    with reporting():
        data = agents.export_agent(_operator(), agent)
    text = json.dumps(data, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n")
        console.print(f"[green]✓[/] Exported {escape(data['name'])} to {output}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by 'aura agent export'.")],
    name: Annotated[str | None, typer.Option(help="Another name.")] = None,
    project: Annotated[str | None, typer.Option(help="Project id.")] = None,
) -> None:
    """Import an agent (as a new draft)."""
    from engine.services import agents

    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        fail(f"Cannot read {file}: {exc}")
    with reporting():
        view = agents.import_agent(_operator(), data, name=name, project_id=project)
    console.print(f"[green]✓[/] Imported {escape(view.name)} ({view.id}) as a draft.")


@app.command("inbox")
def inbox(as_json: Annotated[bool, _JSON] = False) -> None:
    """What waits for a decision (sensitive tool calls, Approval nodes)."""
    from engine.services import agents

    with reporting(as_json):
        items = agents.inbox(_operator())
    if as_json:
        print(json.dumps(items, indent=2))
        return
    for a in items:
        expires = a["expires_at"]
        until = f"expires {expires[:19].replace('T', ' ')} UTC" if expires else "no time limit"
        console.print(
            f"{a['id']}  {escape(a['title'])}  "
            f"{escape(json.dumps(a['subject'].get('arguments', {}))[:100])}  ({until})"
        )
    if not items:
        console.print("Nothing waits for a decision.")


@app.command("decide")
def decide(
    approval: Annotated[str, typer.Argument(help="Approval id (from 'aura agent inbox').")],
    decision: Annotated[str, typer.Argument(help="approve or reject.")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Approve or reject a waiting request; its run goes on."""
    from engine.services import agents

    with reporting():
        done = agents.decide(_operator(), approval, decision, comment)
    console.print(f"[green]✓[/] {done['status'].capitalize()}.")
