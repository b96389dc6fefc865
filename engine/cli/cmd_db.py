"""``aura db upgrade|current``: the database schema (Alembic is the only schema path)."""

from __future__ import annotations

from typing import Annotated

import typer

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    url: Annotated[str | None, typer.Option(help="Database URL (default: AURA_DB_URL or the "
                                            "SQLite file in the data dir).")] = None,
) -> None:
    """Create or migrate the database schema to the newest revision."""
    from engine.config import settings
    from engine.store import migrate

    target = url or settings().database_url()
    with reporting():
        migrate.upgrade(target)
        rev = migrate.current(target)
    console.print(f"Database at {_safe(target)} is at revision [bold]{rev}[/].")


@app.command("current")
def current(url: Annotated[str | None, typer.Option(help="Database URL.")] = None) -> None:
    """Print the database's schema revision."""
    from engine.config import settings
    from engine.store import migrate

    target = url or settings().database_url()
    with reporting():
        console.print(migrate.current(target) or "(empty database)")


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(database)"
