"""The console's own settings file: the last server, the theme, and one sign-in per
server (access and refresh tokens, or an API key).

It lives in the user's config directory (``platformdirs``, e.g.
``~/.config/aura/console.json``; the setting ``AURA_CONSOLE_CONFIG`` overrides the path) and is
written atomically with mode 0600 in a 0700 directory: it holds secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_URL", "ConsoleConfig", "Credentials", "config_path", "normalize_url"]

DEFAULT_URL = "http://127.0.0.1:5678"


def config_path() -> Path:
    """Where the settings file is (``AURA_CONSOLE_CONFIG``, ``settings().console.config``,
    wins)."""
    from engine.config import settings

    override = settings().console.config
    if override:
        return override.expanduser()
    try:
        from platformdirs import user_config_dir

        return Path(user_config_dir("aura", appauthor=False)) / "console.json"
    except ImportError:
        return Path.home() / ".config" / "aura" / "console.json"


def normalize_url(url: str) -> str:
    """``host:port`` or a URL with a trailing slash, as ``http://host:port``."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    return url


@dataclass
class Credentials:
    """How the console signs in to one server.

    ``kind`` is "token" (``access_token`` with ``refresh_token``, from a password login)
    or "api_key" (sent as ``X-API-Key``).
    """

    kind: str = "token"
    email: str = ""
    access_token: str = ""
    refresh_token: str = ""
    api_key: str = ""

    @property
    def usable(self) -> bool:
        return bool(
            self.api_key if self.kind == "api_key" else self.access_token or self.refresh_token
        )

    def headers(self) -> dict[str, str]:
        """The request headers that carry these credentials."""
        if self.kind == "api_key" and self.api_key:
            return {"X-API-Key": self.api_key}
        if self.access_token:
            return {"Authorization": f"Bearer {self.access_token}"}
        return {}

    @classmethod
    def from_json(cls, data: Any) -> Credentials:
        if not isinstance(data, dict):
            return cls()
        known = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class ConsoleConfig:
    """Everything the console remembers between runs."""

    path: Path
    last_url: str = DEFAULT_URL
    theme: str = "textual-dark"
    servers: dict[str, Credentials] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> ConsoleConfig:
        """The saved settings, or defaults when the file is missing or unreadable."""
        path = path or config_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(raw, dict):
            return cls(path)
        servers = raw.get("servers") if isinstance(raw.get("servers"), dict) else {}
        assert isinstance(servers, dict)
        return cls(
            path,
            str(raw.get("last_url") or DEFAULT_URL),
            str(raw.get("theme") or "textual-dark"),
            {str(u): Credentials.from_json(c) for u, c in servers.items()},
        )

    def credentials(self, url: str) -> Credentials | None:
        """The saved sign-in for ``url``, if any."""
        found = self.servers.get(normalize_url(url))
        return found if found is not None and found.usable else None

    def remember(self, url: str, creds: Credentials) -> None:
        """Saves ``creds`` for ``url`` (and makes it the last server)."""
        self.last_url = normalize_url(url)
        self.servers[self.last_url] = creds
        self.save()

    def forget(self, url: str) -> None:
        """Drops the saved sign-in for ``url``."""
        if self.servers.pop(normalize_url(url), None) is not None:
            self.save()

    def save(self) -> None:
        """Writes the file atomically, readable by its owner only (0600)."""
        data = {
            "version": 1,
            "last_url": self.last_url,
            "theme": self.theme,
            "servers": {u: asdict(c) for u, c in self.servers.items()},
        }
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        os.chmod(self.path, 0o600)
