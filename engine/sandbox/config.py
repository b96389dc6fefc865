"""Limits and pool size of the sandbox, from ``AURA_SANDBOX_*`` environment variables.

| setting | env | default |
|---|---|---|
| processes kept warm | ``AURA_SANDBOX_POOL_SIZE`` | number of CPUs (at least 2, at most 8) |
| JavaScript processes kept warm (started on first use) | ``AURA_SANDBOX_JS_POOL_SIZE`` | 2 |
| address space per run | ``AURA_SANDBOX_MEMORY_MB`` | 512 |
| largest returned value (JSON) | ``AURA_SANDBOX_MAX_RESULT_BYTES`` | 16 MiB |
| printed output kept | ``AURA_SANDBOX_MAX_STDOUT_BYTES`` | 256 KiB |
| largest code | ``AURA_SANDBOX_MAX_CODE_CHARS`` | 100 000 |
| largest inputs (JSON) | ``AURA_SANDBOX_MAX_INPUT_BYTES`` | 64 MiB |
| longest time limit a caller may ask | ``AURA_SANDBOX_MAX_TIMEOUT_S`` | 600 |
| run as this user when AURA runs as root | ``AURA_SANDBOX_USER`` | ``nobody`` (empty: keep root) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["SandboxConfig"]

MiB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _default_pool_size() -> int:
    return max(2, min(8, os.cpu_count() or 2))


@dataclass(frozen=True)
class SandboxConfig:
    """Limits applied to every sandboxed run, and the size of the warm pool."""

    pool_size: int = field(default_factory=_default_pool_size)
    js_pool_size: int = 2
    memory_mb: int = 512
    max_result_bytes: int = 16 * MiB
    max_stdout_bytes: int = 256 * 1024
    max_stdout_lines: int = 10_000
    max_code_chars: int = 100_000
    max_input_bytes: int = 64 * MiB
    max_timeout_s: float = 600.0
    open_files: int = 32
    run_as_user: str = "nobody"
    grace_s: float = 2.0
    acquire_timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> SandboxConfig:
        """Builds the configuration from ``AURA_SANDBOX_*`` variables (defaults otherwise)."""
        return cls(
            pool_size=max(1, _env_int("AURA_SANDBOX_POOL_SIZE", _default_pool_size())),
            js_pool_size=max(1, _env_int("AURA_SANDBOX_JS_POOL_SIZE", 2)),
            memory_mb=max(64, _env_int("AURA_SANDBOX_MEMORY_MB", 512)),
            max_result_bytes=_env_int("AURA_SANDBOX_MAX_RESULT_BYTES", 16 * MiB),
            max_stdout_bytes=_env_int("AURA_SANDBOX_MAX_STDOUT_BYTES", 256 * 1024),
            max_code_chars=_env_int("AURA_SANDBOX_MAX_CODE_CHARS", 100_000),
            max_input_bytes=_env_int("AURA_SANDBOX_MAX_INPUT_BYTES", 64 * MiB),
            max_timeout_s=float(_env_int("AURA_SANDBOX_MAX_TIMEOUT_S", 600)),
            run_as_user=os.environ.get("AURA_SANDBOX_USER", "nobody"),
        )
