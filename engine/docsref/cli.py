"""The CLI reference, generated from the ``aura`` Typer app (:mod:`engine.cli.app`) through
the click command tree it builds: every command and sub-command with its usage, help,
arguments and options (types, defaults, help)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.docsref._md import plain, table

__all__ = ["PAGE", "commands", "write"]

PAGE = "reference/cli.md"


def _root() -> Any:
    import typer

    from engine.cli.app import app

    return typer.main.get_command(app)


def commands(root: Any | None = None) -> list[tuple[str, Any]]:
    """Every visible command as ``("aura workflow import", click command)``, depth first
    (groups before their sub-commands). Typer builds its commands on a click of its own,
    so they are told apart by what they have, not by class."""
    root = root if root is not None else _root()
    out: list[tuple[str, Any]] = []

    def walk(path: str, cmd: Any) -> None:
        out.append((path, cmd))
        if _is_group(cmd):
            ctx = cmd.context_class(cmd, info_name=path.rsplit(" ", 1)[-1])
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(f"{path} {name}", sub)

    walk("aura", root)
    return out


def _is_group(cmd: Any) -> bool:
    return hasattr(cmd, "list_commands")


def _default(param: Any) -> str:
    value = param.default
    if callable(value) or value is None or value == () or param.required:
        return ""
    if isinstance(value, bool) and getattr(param, "secondary_opts", None):
        return f"`{param.opts[0] if value else param.secondary_opts[0]}`"
    if getattr(param, "is_flag", False):
        return "on" if value else "off"
    return f"`{value}`"


def _type(param: Any, ctx: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    try:
        shown = param.display_type(ctx)
    except Exception:
        shown = None
    return str(shown or "text").strip("<>")


def _params(cmd: Any, ctx: Any) -> list[str]:
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    opts = [p for p in cmd.params if p.param_type_name == "option" and not p.hidden]
    lines: list[str] = []
    lines += table(
        ["Argument", "Type", "Required", "Help"],
        [
            [
                f"`{(p.metavar or p.name or '').upper()}`",
                _type(p, ctx),
                "yes" if p.required else "no",
                getattr(p, "help", "") or "",
            ]
            for p in args
        ],
    )
    lines += table(
        ["Option", "Type", "Default", "Help"],
        [
            [
                ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts]),
                _type(p, ctx),
                _default(p),
                p.help or "",
            ]
            for p in opts
        ],
    )
    return lines


def _anchor(path: str) -> str:
    return path.replace(" ", "-")


def page() -> str:
    """The Markdown page of the whole CLI."""
    found = commands()
    lines = [
        "# CLI reference",
        "",
        "Every `aura` command, generated from the command-line app by `aura docs build` "
        "(do not edit). `aura COMMAND --help` prints the same.",
        "",
        "## Commands",
        "",
    ]
    lines += table(
        ["Command", "What it does"],
        [
            [f"[`{path}`](#{_anchor(path)})", (cmd.short_help or cmd.get_short_help_str(200))]
            for path, cmd in found[1:]
        ],
    )
    for path, cmd in found[1:]:
        depth = min(path.count(" ") + 1, 4)
        lines += [f"{'#' * depth} `{path}` {{#{_anchor(path)}}}", ""]
        ctx = cmd.context_class(cmd, info_name=path)
        usage = " ".join(cmd.collect_usage_pieces(ctx))
        lines += ["```", f"{path} {usage}".rstrip(), "```", ""]
        if cmd.help:
            lines += [plain(cmd.help.strip()), ""]
        lines += _params(cmd, ctx)
        if _is_group(cmd):
            subs = [
                p
                for p, _ in found
                if p.startswith(path + " ") and p.count(" ") == path.count(" ") + 1
            ]
            lines += ["Sub-commands: " + ", ".join(f"[`{s}`](#{_anchor(s)})" for s in subs), ""]
    return "\n".join(lines).rstrip() + "\n"


def write(pages: Path) -> str:
    """Writes the page under ``pages``; returns its path relative to ``pages``."""
    target = pages / PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page(), encoding="utf-8")
    return PAGE
