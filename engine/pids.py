"""Process ids of this machine: whether one still belongs to a running process.

Files that name their writer's pid (the docs site's build record, the metric files of
:mod:`engine.observability._multiproc`) ask :func:`alive` before trusting the writer.
"""

from __future__ import annotations

import os

__all__ = ["alive"]


def alive(pid: object) -> bool:
    """Whether ``pid`` (anything read from a file) is a live process of this machine; a
    process of another user counts as alive."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is not ours
        return True
    return True
