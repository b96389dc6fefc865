"""Typed settings, read from ``AURA_*`` environment variables (and ``.env``).

Split by area like Prefect: ``settings().db.url`` is ``AURA_DB_URL``. The settings
reference in the docs is generated from these classes, so every field has a description.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "DbSettings",
    "ExecutionSettings",
    "HttpSettings",
    "RedisSettings",
    "SecuritySettings",
    "Settings",
    "reset_settings",
    "settings",
]


def _default_data_dir() -> Path:
    return Path(os.environ.get("AURA_DATA_DIR") or Path.cwd() / ".aura")


def _split_list(value: Any) -> Any:
    """Accepts a JSON list or a comma-separated string ("a,b")."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [p.strip() for p in text.split(",") if p.strip()]
    return value


class _Area(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")


class DbSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_DB_", env_file=".env", extra="ignore")
    url: str | None = Field(None, description="SQLAlchemy URL; SQLite under the data dir when "
                            "unset. PostgreSQL: 'postgresql+psycopg://user:pw@host/db'.")
    echo: bool = Field(False, description="Log every SQL statement (debugging).")
    pool_size: int = Field(5, description="Connections per process (PostgreSQL).")


class RedisSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_REDIS_", env_file=".env", extra="ignore")
    url: str | None = Field(None, description="Redis URL; when unset 'aura up' starts an "
                            "embedded Redis-compatible server.")


class HttpSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_HTTP_", env_file=".env", extra="ignore")
    allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts or CIDR ranges that nodes may reach even though they are private "
        "or loopback, e.g. '127.0.0.1/32,intranet.local'.")
    timeout_s: float = Field(30.0, description="Default timeout of outbound requests.")
    max_response_bytes: int = Field(50 * 1024 * 1024, description="Largest response a node "
                                    "reads.")
    user_agent: str = Field("AURA/0.1", description="User-Agent of outbound requests.")

    _split = field_validator("allow", mode="before")(lambda v: _split_list(v))


class ExecutionSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_EXEC_", env_file=".env", extra="ignore")
    max_subworkflow_depth: int = Field(10, description="Deepest chain of sub-workflows.")
    env_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Environment variables that expressions may read through $env.")
    expression_timeout_s: float = Field(1.0, description="Time limit of one expression.")
    retention_days: int = Field(30, description="Delete execution data older than this.")
    retention_count: int = Field(10_000, description="Keep at most this many executions.")
    code_timeout_s: float = Field(10.0, description="Default time limit of a Code node.")

    _split = field_validator("env_allow", mode="before")(lambda v: _split_list(v))


class SecuritySettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_", env_file=".env", extra="ignore")
    encryption_key: str | None = Field(None, description="Base64 32-byte master key for "
                                       "credentials; generated into the data dir when unset.")
    secret_key: str | None = Field(None, description="Signing key for sessions and tokens; "
                                   "generated into the data dir when unset.")


class Settings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_", env_file=".env", extra="ignore")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the SQLite "
                           "database, keys and embedded services keep their files.")
    env: str = Field("development", description="'development' or 'production'.")
    log_level: str = Field("INFO", description="Log level of AURA's processes.")
    db: DbSettings = Field(default_factory=DbSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    def database_url(self) -> str:
        if self.db.url:
            return self.db.url
        return f"sqlite:///{self.data_dir / 'aura.db'}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process settings (cached; call :func:`reset_settings` after changing env)."""
    return Settings()


def reset_settings() -> None:
    settings.cache_clear()
