"""The RQ side of the queue runtime: the job function, worker processes, supervisor."""

from __future__ import annotations
