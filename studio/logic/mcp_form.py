"""The MCP server form of the studio, as plain data: a server's settings as text fields
(arguments one per line, environment ``NAME=value`` lines, tools separated by commas)
and back, with each wrong field named in plain words (the service checks again and its
problems land beside the same fields, see :func:`field_errors`)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EMPTY", "field_errors", "from_form", "row", "to_form"]

EMPTY = {
    "name": "",
    "transport": "http",
    "url": "",
    "credential_id": "",
    "command": "",
    "args": "",
    "env": "",
    "cwd": "",
    "tools": "",
    "timeout_s": "30",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def to_form(config: dict[str, Any]) -> dict[str, str]:
    """A stored server's settings as the form's fields."""
    timeout = float(config.get("timeout_s") or 30)
    return {
        "name": str(config.get("name") or ""),
        "transport": str(config.get("transport") or "http"),
        "url": str(config.get("url") or ""),
        "credential_id": str(config.get("credential_id") or ""),
        "command": str(config.get("command") or ""),
        "args": "\n".join(config.get("args") or []),
        "env": "\n".join(f"{k}={v}" for k, v in (config.get("env") or {}).items()),
        "cwd": str(config.get("cwd") or ""),
        "tools": ", ".join(config.get("tools") or []),
        "timeout_s": str(int(timeout)) if timeout.is_integer() else str(timeout),
    }


def row(config: dict[str, Any], credentials: dict[str, str]) -> dict[str, str]:
    """A server as the list shows it."""
    if config.get("transport") == "stdio":
        where = " ".join([str(config.get("command") or ""), *(config.get("args") or [])])
    else:
        where = str(config.get("url") or "")
    cid = config.get("credential_id")
    return {
        "name": str(config["name"]),
        "transport": "stdio" if config.get("transport") == "stdio" else "HTTP",
        "where": where,
        "credential": credentials.get(str(cid), str(cid)) if cid else "",
        "tools": ", ".join(config.get("tools") or []) or "all",
    }


def from_form(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The server settings the form describes, and its problems by field (empty: good)."""
    errors: dict[str, str] = {}
    name = form.get("name", "").strip()
    if not _NAME.match(name):
        errors["name"] = (
            "Use 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or "
            "digit (e.g. 'tickets'); the model sees the tools as '<name>__<tool>'."
        )
    transport = form.get("transport") or "http"
    config: dict[str, Any] = {"name": name, "transport": transport}
    if transport == "http":
        url = form.get("url", "").strip()
        if not re.match(r"^https?://[^/\s]+", url):
            errors["url"] = "Enter the server's address, starting with https:// (or http://)."
        config["url"] = url
        config["credential_id"] = form.get("credential_id") or None
    else:
        command = form.get("command", "").strip()
        if not command:
            errors["command"] = "Enter the program that starts the server, e.g. npx or python."
        config["command"] = command
        config["args"] = [a.strip() for a in form.get("args", "").splitlines() if a.strip()]
        env: dict[str, str] = {}
        for n, line in enumerate(form.get("env", "").splitlines(), start=1):
            if not line.strip():
                continue
            key, eq, value = line.partition("=")
            if not eq or not _ENV.match(key.strip()):
                errors["env"] = (
                    f"Line {n} ('{line.strip()[:40]}') is not NAME=value: write one variable "
                    "per line, e.g. LOG_LEVEL=info."
                )
                break
            env[key.strip()] = value.strip()
        config["env"] = env
        config["cwd"] = form.get("cwd", "").strip() or None
    config["tools"] = [t.strip() for t in form.get("tools", "").split(",") if t.strip()]
    raw = form.get("timeout_s", "").strip().replace(",", ".")
    try:
        timeout = float(raw)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 600:
        errors["timeout_s"] = f"'{raw}' is not a valid time: enter seconds above 0, at most 600."
    else:
        config["timeout_s"] = timeout
    return config, errors


def field_errors(details: dict[str, Any] | None) -> dict[str, str]:
    """The service's problems (``details["fields"]``) by form field."""
    out: dict[str, str] = {}
    for path, message in ((details or {}).get("fields") or {}).items():
        key = str(path).split(".")[0]
        out.setdefault(key if key in EMPTY else "server", message)
    return out
