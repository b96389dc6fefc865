"""Limits and pool size of the sandbox: the ``AURA_SANDBOX_*`` settings
(:class:`engine.config.SandboxSettings`, listed in docs/settings.md) plus fixed limits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["SandboxConfig"]

MiB = 1024 * 1024


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
        """Builds the configuration from the ``AURA_SANDBOX_*`` settings, read now."""
        from engine.config import SandboxSettings

        env = SandboxSettings()
        return cls(
            pool_size=max(1, env.pool_size),
            js_pool_size=max(1, env.js_pool_size),
            memory_mb=max(64, env.memory_mb),
            max_result_bytes=env.max_result_bytes,
            max_stdout_bytes=env.max_stdout_bytes,
            max_code_chars=env.max_code_chars,
            max_input_bytes=env.max_input_bytes,
            max_timeout_s=env.max_timeout_s,
            run_as_user=env.user,
        )
