"""Typed settings, read from ``AURA_*`` environment variables (and ``.env``).

Split by area like Prefect: ``settings().db.url`` is ``AURA_DB_URL``; the engine's settings
are fields of this one tree (also ``AURA_SUPERVISOR_PID``, which a worker supervisor hands
its children). Single sign-on also reads one variable group per login
provider, ``AURA_OIDC_<NAME>_<FIELD>`` (:meth:`OidcSettings.provider_groups`). The settings
reference, docs/settings.md, is generated from these classes
(:mod:`engine.config_reference`), so every field has a description.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, PrivateAttr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "ApiSettings",
    "ConsoleSettings",
    "DbSettings",
    "EventSettings",
    "ExecutionSettings",
    "HttpSettings",
    "LogSettings",
    "MetricsSettings",
    "OidcSettings",
    "OtelSettings",
    "QueueSettings",
    "RedisSettings",
    "RegistrySettings",
    "RetentionSettings",
    "SandboxSettings",
    "SchedulerSettings",
    "SecuritySettings",
    "Settings",
    "private_dir",
    "private_file",
    "reset_settings",
    "settings",
]


def _default_data_dir() -> Path:
    return Path(os.environ.get("AURA_DATA_DIR") or Path.cwd() / ".aura")


def private_dir(path: Path) -> Path:
    """Creates the directory ``path`` (missing parents too) for this user only (0700),
    and tightens an existing one that others may read. AURA's data directory and the
    folders in it that hold secrets (``keys/``, the embedded Redis) are made with it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # not ours to change (a shared mount): leave it as it is
        pass
    return path


def private_file(path: Path) -> Path:
    """Tightens an existing file to this user only (0600); a missing one is left alone."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # missing, or not ours to change
        pass
    return path


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
    retention_days: int = Field(30, description="Delete executions finished longer ago "
                                "than this many days (0: no age limit).")
    retention_count: int = Field(10_000, description="Keep at most this many executions "
                                 "(0: no count limit).")
    code_timeout_s: float = Field(10.0, description="Default time limit of a Code node.")

    _split = field_validator("env_allow", mode="before")(lambda v: _split_list(v))


class ApiSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_API_", env_file=".env", extra="ignore")
    host: str = Field("127.0.0.1", description="Address the HTTP API and webhooks listen on "
                      "('python -m studio.api'; its --host wins).")
    port: int = Field(5678, ge=1, le=65535, description="Port of the HTTP API and webhooks "
                      "(--port wins).")
    workers: int = Field(1, ge=1, description="API server processes (--workers wins; test "
                         "webhooks and inline background runs are per process).")
    max_body_bytes: int = Field(16 * 1024 * 1024, ge=1, description="Largest API request "
                                "body; webhooks use each node's own limit instead.")
    docs_dir: Path | None = Field(None, description="The built docs site served at /docs "
                                  "('aura docs build --out DIR'); default docs-site in the data "
                                  "directory, "
                                  "which 'aura up' builds in the background when it is missing "
                                  "or stale.")


class QueueSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_QUEUE_", env_file=".env", extra="ignore")
    name: str = Field("default", description="RQ queue that executions are submitted to.")
    heartbeat_interval_s: float = Field(5.0, gt=0, description="How often a worker marks a "
                                        "running execution alive.")
    heartbeat_timeout_s: float = Field(30.0, gt=0, description="A running execution whose "
                                       "last heartbeat is older than this is marked crashed.")
    reap_interval_s: float = Field(10.0, gt=0, description="How often every 'aura worker' "
                                   "looks for crashed executions and orphaned queued ones.")
    orphan_grace_s: float = Field(10.0, ge=0, description="A queued execution without an RQ "
                                  "job is re-enqueued only once it is this old.")
    cancel_poll_s: float = Field(0.5, gt=0, description="How often a worker checks whether "
                                 "the execution it runs was cancelled.")
    timeout_margin_s: float = Field(30.0, ge=0, description="Extra time beyond a workflow's "
                                    "timeout before RQ kills the job (a node stuck in C code).")
    max_job_s: float = Field(3600.0, gt=0, description="Timeout of executions whose "
                             "workflow sets none (default one hour; plus timeout_margin_s). "
                             "Past it the worker stops the run, killing its process if a "
                             "node does not return, and takes the next job.")
    project_concurrency: int = Field(8, ge=0, description="Executions one project may run "
                                     "at once across all workers, unless an admin set its "
                                     "own quota (0: no limit). Queued runs of all projects "
                                     "are served round-robin by project either way.")
    worker_class: str = Field("auto", description="'fork' (a process per execution), "
                              "'simple' (executions in the worker process) or 'auto' (per "
                              "queue, see engine/runtimes/rq/worker.py).")
    webhooks_here: bool = Field(True, description="Production webhooks that answer after "
                                "their run (last node, Respond to Webhook) run in the API "
                                "process instead of on a worker: no queue hop, no fork. "
                                "'Respond immediately' webhooks and workflows with a "
                                "concurrency limit still run on the workers.")


class MetricsSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_METRICS_", env_file=".env",
                                      extra="ignore")
    enabled: bool = Field(True, description="Count executions, node runs, requests and "
                          "queue figures and serve them at /metrics (Prometheus format).")
    token: str | None = Field(None, description="Bearer token that /metrics requires from "
                              "callers outside AURA_METRICS_ALLOW ('Authorization: Bearer "
                              "<token>').")
    allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1"],
        description="Addresses or CIDR ranges that may read /metrics without the token "
        "(default: loopback only; empty: the token is always needed).")
    dir: Path | None = Field(None, description="Where API, worker and scheduler processes "
                             "of this machine share their counts (default <data dir>/metrics).")

    _split = field_validator("allow", mode="before")(lambda v: _split_list(v))


class LogSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_LOG_", env_file=".env", extra="ignore")
    format: Literal["console", "json", "auto"] = Field(
        "console", description="'console' (readable, coloured in a terminal), 'json' (one "
        "JSON object a line, for log collectors) or 'auto' (console in a terminal, JSON "
        "otherwise).")


class OtelSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_OTEL_", env_file=".env", extra="ignore")
    endpoint: str | None = Field(None, description="OTLP/HTTP collector base URL, e.g. "
                                 "'http://otel-collector:4318'; when set, API requests, "
                                 "executions and node runs are traced (spans sent to "
                                 "<endpoint>/v1/traces). Unset (default): no tracing at all.")
    service_name: str = Field("aura", description="service.name of the spans (the process "
                              "kind is added: 'aura-api', 'aura-worker'...).")


class RetentionSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_RETENTION_", env_file=".env",
                                      extra="ignore")
    enabled: bool = Field(True, description="The scheduler's leader applies the retention "
                          "limits (AURA_EXEC_RETENTION_DAYS/_COUNT, audit_days) on its own.")
    interval_s: float = Field(3600.0, gt=0, description="How often the scheduler applies "
                              "the retention limits.")
    audit_days: int = Field(365, description="Delete audit-log events older than this "
                            "(0 keeps them forever).")
    vacuum_min_free_ratio: float = Field(0.1, ge=0, le=1, description="SQLite files without "
                                         "incremental auto-vacuum are VACUUMed only when at "
                                         "least this share of their pages is free.")


class SecuritySettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_", env_file=".env", extra="ignore")
    encryption_key: str | None = Field(None, description="Base64 32-byte master key for "
                                       "credentials; generated into the data dir when unset.")
    secret_key: str | None = Field(None, description="Secret the access-token signing key "
                                   "is derived from, the same for every process that has it "
                                   "(set it when API processes do not share a data dir); "
                                   "when unset, keys are generated into the data dir.")
    secret_key_previous: str | None = Field(None, description="The AURA_SECRET_KEY before "
                                            "the current one: tokens signed with its key "
                                            "stay valid (rotation).")
    # -- tokens (AURA_ACCESS_TOKEN_TTL_S ...)
    access_token_ttl_s: int = Field(900, description="Lifetime of JWT access tokens.")
    refresh_token_ttl_s: int = Field(14 * 86400, description="Lifetime of a refresh token "
                                     "(each refresh issues a new one).")
    jwt_issuer: str = Field("aura", description="'iss' claim of access tokens.")
    jwt_audience: str = Field("aura-api", description="'aud' claim of access tokens.")
    # -- passwords
    password_min_length: int = Field(10, description="Shortest password accepted.")
    password_hash_time_cost: int = Field(3, description="argon2id passes (iterations).")
    password_hash_memory_kib: int = Field(65536, description="argon2id memory in KiB.")
    password_hash_parallelism: int = Field(4, description="argon2id lanes.")
    login_max_failures: int = Field(10, description="Failed logins of one account before it "
                                    "is locked for login_lock_minutes.")
    login_lock_minutes: int = Field(15, description="How long repeated login failures lock "
                                    "an account.")
    login_ip_max_failures: int = Field(20, ge=1, description="Failed logins from one "
                                       "address (any user names) before that address is "
                                       "refused for login_ip_window_s.")
    login_ip_window_s: int = Field(300, ge=1, description="Window of login_ip_max_failures, "
                                   "in seconds.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Addresses or CIDR ranges of reverse proxies whose "
        "X-Forwarded-For header is believed, e.g. '10.0.0.0/8'. Empty (default): the "
        "header is ignored and the connecting address counts.")
    webhook_hmac_tolerance_s: int = Field(300, ge=1, description="HMAC webhooks: how far "
                                          "the signed timestamp may be from now; a signed "
                                          "request is also accepted only once in this time.")
    webhook_hmac_legacy: bool = Field(False, description="HMAC webhooks: also accept "
                                      "signatures of the body alone (no timestamp, e.g. "
                                      "GitHub's); weaker, since a captured request can be "
                                      "replayed once the replay window has passed.")
    invitation_ttl_hours: int = Field(168, description="How long an invitation link works.")
    reset_token_ttl_minutes: int = Field(60, description="How long a password reset link "
                                         "works (single use).")
    # -- two-factor
    totp_issuer: str = Field("AURA", description="Issuer shown by authenticator apps.")
    totp_max_failures: int = Field(5, description="Wrong 2FA codes before 2FA is locked.")
    totp_lock_minutes: int = Field(15, description="How long too many wrong 2FA codes lock.")
    require_2fa_roles: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Instance roles that must use 2FA, e.g. "
        "'owner,admin' (an admin can also change this at run time).")
    # -- mail (password resets, invitations)
    studio_url: str = Field("http://localhost:3000", description="Base URL of the studio, "
                            "used in links sent by mail (AURA_STUDIO_URL).")
    smtp_host: str | None = Field(None, description="SMTP server for account mail; when "
                                  "unset, links are written to the log in development.")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP user name.")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_tls: str = Field("starttls", description="'starttls', 'ssl' or 'none'.")
    smtp_from: str = Field("aura@localhost", description="Sender address of account mail.")

    _split = field_validator("require_2fa_roles", "trusted_proxies",
                             mode="before")(lambda v: _split_list(v))


class AgentSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_AGENTS_", env_file=".env", extra="ignore")
    threads: int = Field(64, ge=1, le=1024, description="Agent runs one worker process "
                         "carries at once (threads waiting on model and tool I/O; the "
                         "worker itself is free meanwhile, see engine/runtimes/agent_host.py).")
    resume_limit: int = Field(3, ge=0, description="How often an agent run whose worker "
                              "died is resumed on another worker before it is crashed.")
    prices: str = Field("", description="Price table as JSON: {\"model or prefix*\": "
                        "{\"input\": USD per million tokens, \"output\": ...}}; an admin "
                        "can also set it at run time (setting 'agents.prices').")


class EventSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_EVENTS_", env_file=".env", extra="ignore")
    enabled: bool = Field(True, description="Publish live execution events.")
    recent: int = Field(1000, ge=0, description="Events kept in 'aura:events:recent' for "
                        "'aura logs' and stream replay (0: none).")
    heartbeat_s: float = Field(15.0, gt=0, description="Comment line sent on an idle event "
                               "stream (SSE) so proxies keep it open.")
    flush_timeout_s: float = Field(2.0, ge=0, description="How long the end of a run waits "
                                   "for its events to reach Redis.")
    linger_s: float = Field(0.02, ge=0, description="How long the sender waits for more "
                            "events before sending a batch to Redis (the end of a run sends "
                            "at once).")
    max_pending: int = Field(10_000, gt=0, description="Events buffered per process while "
                             "Redis is slow; beyond it new events are dropped.")
    retry_s: float = Field(5.0, gt=0, description="After Redis failed, events are dropped "
                           "for this long before the next attempt.")
    node_items: int = Field(50, ge=0, description="Items of each output port a "
                            "'node.finished' event carries for live viewers (0: counts only). "
                            "The stored record keeps the workflow's own limit.")
    node_bytes: int = Field(256 * 1024, ge=0, description="Largest node output (JSON bytes) "
                            "a 'node.finished' event carries; a larger one is left out "
                            "('data_truncated') and viewers read it from the record.")


class RegistrySettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_REGISTRY_", env_file=".env",
                                      extra="ignore")
    enabled: bool = Field(True, description="Register this process in the service registry.")
    heartbeat_s: float = Field(5.0, gt=0, description="How often a process refreshes its "
                               "record; it is unhealthy after two missed heartbeats.")
    ttl_s: float = Field(30.0, gt=0, description="A record not refreshed for this long "
                         "expires and is removed (at least three heartbeats).")

    @property
    def ttl(self) -> float:
        """The TTL, never shorter than three heartbeats."""
        return max(self.ttl_s, 3 * self.heartbeat_s)


class SchedulerSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_SCHEDULER_", env_file=".env",
                                      extra="ignore")
    tick_s: float = Field(1.0, gt=0, description="Longest pause between two checks.")
    lock_ttl_s: float = Field(10.0, gt=0, description="Leader lock lifetime; a standby takes "
                              "over at most this long after the leader dies.")
    grace_s: float | None = Field(None, ge=0, description="A slot this late still fires; "
                                  "older ones follow the missed policy (default: twice the "
                                  "lock TTL plus a tick).")
    missed: Literal["skip", "fire_once"] = Field("skip", description="Slots missed while "
                                                 "every scheduler was down: 'skip' them, or "
                                                 "'fire_once' (the most recent one).")
    refresh_s: float = Field(1.0, gt=0, description="How often the active workflows are "
                             "re-read (activations, deactivations, new versions).")

    @property
    def grace(self) -> float:
        return self.grace_s if self.grace_s is not None else 2 * self.lock_ttl_s + self.tick_s


OIDC_PROVIDER_FIELDS = ("client_id", "client_secret", "preset", "issuer", "base_url",
                        "tenant", "scopes", "label", "auto_create", "default_role", "enabled")
"""The ``<FIELD>`` of ``AURA_OIDC_<NAME>_<FIELD>`` (a group needs its ``CLIENT_ID``)."""


def _oidc_groups(env: dict[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key in env:
        m = re.fullmatch(r"AURA_OIDC_([A-Z0-9_]+?)_CLIENT_ID", key)
        if not m or m.group(1) in ("PUBLIC_URL", "RATE"):
            continue
        prefix = f"AURA_OIDC_{m.group(1)}_"
        found[m.group(1).lower().replace("_", "-")] = {
            f: env[prefix + f.upper()] for f in OIDC_PROVIDER_FIELDS if prefix + f.upper() in env}
    return found


class OidcSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_OIDC_", env_file=".env", extra="ignore")
    _groups: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._groups = _oidc_groups(dict(os.environ))

    def provider_groups(self) -> dict[str, dict[str, str]]:
        """The login providers set by ``AURA_OIDC_<NAME>_<FIELD>`` variables (one group
        per ``AURA_OIDC_<NAME>_CLIENT_ID``): name (lower case, ``_`` as ``-``) -> field ->
        value, as read when these settings were."""
        return {name: dict(group) for name, group in self._groups.items()}

    public_url: str | None = Field(None, description="Base URL the provider redirects "
                                   "back to (``<url>/api/v1/auth/oidc/<name>/callback``); "
                                   "default: the URL of the request that started login.")
    providers: str | None = Field(None, description="Providers as JSON (a list of "
                                  "objects with 'name', or an object name -> provider).")
    rate_limit: int = Field(30, ge=1, description="Sign-in starts and callbacks allowed "
                            "per client address per rate_window_s.")
    rate_window_s: int = Field(60, ge=1, description="Window of rate_limit, in seconds.")
    http_timeout_s: float = Field(10.0, gt=0, description="Timeout of each request to a "
                                  "provider.")
    login_ttl_s: int = Field(600, ge=30, description="How long a started sign-in may take.")


class SandboxSettings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_SANDBOX_", env_file=".env",
                                      extra="ignore")
    pool_size: int = Field(default_factory=lambda: max(2, min(8, os.cpu_count() or 2)),
                           description="Sandbox processes kept warm (default: the number "
                           "of CPUs, at least 2, at most 8).")
    js_pool_size: int = Field(2, description="JavaScript processes kept warm (started on "
                              "first use).")
    memory_mb: int = Field(512, description="Address space per run (at least 64).")
    max_result_bytes: int = Field(16 * 1024 * 1024, description="Largest returned value "
                                  "(JSON).")
    max_stdout_bytes: int = Field(256 * 1024, description="Printed output kept.")
    max_code_chars: int = Field(100_000, description="Largest code.")
    max_input_bytes: int = Field(64 * 1024 * 1024, description="Largest inputs (JSON).")
    max_timeout_s: float = Field(600.0, description="Longest time limit a caller may ask.")
    user: str = Field("nobody", description="Run sandboxed code as this user when AURA runs "
                      "as root (empty: keep root).")


class ConsoleSettings(_Area):
    """The operator console's (``aura tui``); ``AURA_URL`` and ``AURA_API_KEY``, the
    console's names from before, still work (``aura tui`` in a second terminal of a
    running ``aura up`` gets its API URL as ``AURA_URL``)."""

    model_config = SettingsConfigDict(env_prefix="AURA_CONSOLE_", env_file=".env",
                                      extra="ignore")
    url: str | None = Field(None, validation_alias=AliasChoices("AURA_CONSOLE_URL", "AURA_URL"),
                            description="The server the console opens (its --url wins). "
                            "Unset: 'aura tui' opens the API of the 'aura up' running for "
                            "its data directory, else the last server used, else "
                            "http://127.0.0.1:5678.")
    api_key: str | None = Field(None, validation_alias=AliasChoices("AURA_CONSOLE_API_KEY",
                                                                    "AURA_API_KEY"),
                                description="API key the console signs in with (its "
                                "--api-key wins; used for the run, never saved).")
    config: Path | None = Field(None, description="The console's own settings file (last "
                                "server, theme, sign-ins; default console.json in the user's "
                                "config directory, e.g. ~/.config/aura/).")

    _unset = field_validator("config", mode="before")(lambda v: v or None)


class Settings(_Area):
    model_config = SettingsConfigDict(env_prefix="AURA_", env_file=".env", extra="ignore")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the SQLite "
                           "database, keys and embedded services keep their files.")
    env: str = Field("development", description="'development' or 'production'.")
    log_level: str = Field("INFO", description="Log level of AURA's processes.")
    debug: bool = Field(False, description="The command line shows the traceback of an "
                        "internal error instead of one line.")
    runtime: Literal["rq", "inline"] | None = Field(None, description="Where the API runs "
                                                   "executions: 'rq' (the workers) or 'inline' "
                                                   "(the API process); default rq when Redis "
                                                   "is configured.")
    worker_id: str | None = Field(None, description="Worker id recorded on the executions "
                                  "this process runs ('aura worker' gives each of its "
                                  "processes one; default host:pid).")
    public_url: str = Field("http://127.0.0.1:5678", description="Base URL under which this "
                            "instance's API and webhooks are reachable from outside; used in "
                            "webhook and resume URLs.")
    supervisor_pid: int | None = Field(None, description="Set by a worker supervisor for "
                                       "its worker processes, which stop when it dies (not "
                                       "set by hand).")
    api: ApiSettings = Field(default_factory=ApiSettings)
    db: DbSettings = Field(default_factory=DbSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    otel: OtelSettings = Field(default_factory=OtelSettings)
    agents: AgentSettings = Field(default_factory=AgentSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    def ensure_data_dir(self) -> Path:
        """The data directory, created (or tightened) readable by this user only."""
        return private_dir(self.data_dir)

    def database_url(self) -> str:
        if self.db.url:
            return self.db.url
        return f"sqlite:///{self.data_dir / 'aura.db'}"


_cache_lock = threading.Lock()
_cached: Settings | None = None
_generation = 0


def settings() -> Settings:
    """The process settings (cached; call :func:`reset_settings` after changing env).

    A value read while :func:`reset_settings` ran (by another thread, e.g. a heartbeat) is
    returned to its reader but never cached: it may hold the environment from before."""
    global _cached
    cached = _cached
    if cached is not None:
        return cached
    with _cache_lock:
        generation = _generation
    value = Settings()
    with _cache_lock:
        if generation == _generation and _cached is None:
            _cached = value
        return _cached if _cached is not None else value


def reset_settings() -> None:
    global _cached, _generation
    with _cache_lock:
        _generation += 1
        _cached = None
