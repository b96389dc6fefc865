"""A node package whose nodes never return, installed for tests through a real
``aura.nodes`` entry point (:func:`install`): what a badly written trusted package can do
to a worker.

- ``stuck.swallow``: a Python loop that swallows every exception, so RQ's job timeout
  (an exception raised by SIGALRM) cannot stop it; its heartbeat keeps beating.
- ``stuck.hog``: Python's backtracking ``re`` on ``^(a+)+$`` and ``'a' * 48 + '!'``: C code
  that holds the interpreter for hours; no signal handler or other thread (the heartbeat)
  runs meanwhile.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from pathlib import Path
from typing import Any

from engine.sdk import NodePackage, NodeSpec, Params

__all__ = ["PACKAGE", "SPECS", "install"]


class NoParams(Params):
    """No parameters."""


def swallow(ctx: Any) -> list[Any]:
    """Never returns; ignores every exception, RQ's timeout included."""
    while True:
        with contextlib.suppress(BaseException):  # the point of this node
            time.sleep(0.05)


def hog(ctx: Any) -> list[Any]:
    """Backtracks for hours inside the C regex engine."""
    re.match(r"^(a+)+$", "a" * 48 + "!")
    return []


SPECS = [
    NodeSpec(
        type="stuck.swallow",
        version=1,
        title="Swallow",
        description="Never returns.",
        category="Utility",
        params=NoParams,
        run="tests.support.stuck_nodes:swallow",
        package="stuck",
    ),
    NodeSpec(
        type="stuck.hog",
        version=1,
        title="Hog",
        description="Holds the interpreter.",
        category="Utility",
        params=NoParams,
        run="tests.support.stuck_nodes:hog",
        package="stuck",
    ),
]
PACKAGE = NodePackage(name="stuck", version="1.0", spec_modules=(__name__,), trusted=True)


def install(site: Path) -> Path:
    """Writes a ``stuck_nodes`` distribution (only its metadata: the code is this module)
    into ``site``, a directory to put on ``sys.path``/``PYTHONPATH``; returns ``site``."""
    info = site / "stuck_nodes-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: stuck-nodes\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[aura.nodes]\nstuck = tests.support.stuck_nodes:PACKAGE\n"
    )
    if str(site) not in sys.path:
        sys.path.append(str(site))
    return site
