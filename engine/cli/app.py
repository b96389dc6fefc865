"""The ``aura`` command: the root app and its sub-commands."""

from __future__ import annotations

import typer

from engine.cli import (
    cmd_credentials,
    cmd_db,
    cmd_executions,
    cmd_nodes,
    cmd_run,
    cmd_up,
    cmd_user,
    cmd_workflows,
)
from engine.cli._common import guarded

__all__ = ["app", "main"]


def _hide_flag_types() -> None:
    """Typer 0.29 prints a type for every option, "--help <bool>" included; a flag takes no
    value, so its type column stays empty (as click and earlier Typer showed it)."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        return None if self.is_flag else shown(self, ctx)  # type: ignore[arg-type]

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()

app = typer.Typer(
    name="aura",
    no_args_is_help=True,
    add_completion=False,
    help="AURA: workflow automation. Run workflows, manage them, and start the server.",
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.command("run")(cmd_run.run)
app.add_typer(
    cmd_workflows.app, name="workflow", help="Import, export, list and validate workflows."
)
app.add_typer(cmd_executions.app, name="execution", help="List and inspect executions.")
app.add_typer(cmd_nodes.app, name="nodes", help="The node catalog.")
app.add_typer(cmd_db.app, name="db", help="Database schema.")
app.command("up")(cmd_up.up)
app.add_typer(cmd_user.app, name="user", help="Owner set-up, users, invitations, API keys.")
app.add_typer(cmd_credentials.app, name="credentials", help="Credentials and the vault key.")
app.add_typer(
    __import__("engine.cli.cmd_packages", fromlist=["app"]).app,
    name="packages",
    help="Node packages: search, install, upgrade, rollback, uninstall; build and publish.",
)
app.add_typer(
    __import__("engine.cli.cmd_knowledge", fromlist=["app"]).app,
    name="kb",
    help="Knowledge bases: create, ingest, search, list, delete.",
)
app.add_typer(
    __import__("engine.cli.cmd_knowledge", fromlist=["app"]).app,
    name="knowledge",
    help="Knowledge bases (the same commands as 'aura kb').",
)
app.add_typer(
    __import__("engine.cli.cmd_agents", fromlist=["app"]).app,
    name="agent",
    help="AI agents: list, show, run, chat, export, import; the approvals inbox.",
)
app.add_typer(
    __import__("engine.cli.cmd_docs", fromlist=["app"]).app,
    name="docs",
    help="The documentation site: build it, or serve it while you edit.",
)
app.command("worker")(__import__("engine.cli.cmd_worker", fromlist=["worker"]).worker)
app.command("scheduler")(__import__("engine.cli.cmd_scheduler", fromlist=["scheduler"]).scheduler)
app.command("logs")(__import__("engine.cli.cmd_logs", fromlist=["logs"]).logs)
app.command("services")(__import__("engine.cli.cmd_services", fromlist=["services"]).services)
app.command("tui")(__import__("engine.cli.cmd_tui", fromlist=["tui"]).tui)


@app.callback()
def _root(ctx: typer.Context) -> None:
    # a command in a second terminal uses the 'aura up' of its data directory by itself
    if ctx.invoked_subcommand != "up":
        from engine.cli._instance import adopt_running_up

        adopt_running_up()


@app.command("version")
def version() -> None:
    """Print AURA's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as v

    try:
        typer.echo(f"aura {v('aura')}")
    except PackageNotFoundError:
        typer.echo("aura (source tree)")


def main() -> None:
    from engine.observability.logging import configure_logging

    configure_logging("WARNING", process="cli")
    guarded(lambda: app(prog_name="aura"))
