"""What nodes use of approvals (human in the loop): :func:`request_approval` records a
request for a person's decision and returns its id; the node then parks its execution
with ``WaitRequested(resume="external")`` until the decision (or its limit).

The services layer provides the store-backed implementation
(:mod:`engine.services.approvals` registers itself with :func:`set_approval_provider`):
the request belongs to the execution's project, shows in the inbox of its editors, and
a decision resumes the execution with the items leaving by the ``approved`` or
``rejected`` output (``timeout`` when the limit passes first).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["request_approval", "set_approval_provider"]

_PROVIDER_MODULE = "engine.services.approvals"
Provider = Callable[..., str]
_provider: Provider | None = None


def set_approval_provider(provider: Provider) -> None:
    """Installs ``provider(execution_id, node, *, title, details, timeout_s) -> id``."""
    global _provider
    _provider = provider


def request_approval(
    execution_id: str, node: str, *, title: str, details: Any, timeout_s: float | None
) -> str:
    """Records a pending approval for node ``node`` of the execution; returns its id."""
    if _provider is None:
        importlib.import_module(_PROVIDER_MODULE)  # registers itself on import
    assert _provider is not None
    return _provider(execution_id, node, title=title, details=details, timeout_s=timeout_s)
