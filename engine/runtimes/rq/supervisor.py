"""``aura worker``: N worker processes on this machine, supervised.

The supervisor starts ``processes`` children (``python -m <entry>``, the module its
caller names: :mod:`engine.services.worker_process`, which loads the services and runs
:func:`engine.runtimes.rq.worker.main`), each an RQ worker with its own worker id
(``host:supervisor-pid.n-random``), so global worker concurrency is the number of
worker processes across all machines. It:

- runs :func:`engine.runtimes.recovery.maintenance` on start (re-enqueues executions
  orphaned by a Redis restart) and every ``AURA_QUEUE_REAP_INTERVAL_S`` (crashed
  executions of any machine, orphans, stuck concurrency slots);
- restarts a child that dies, first recording its running executions as ``crashed``
  (no waiting for the heartbeat timeout: the supervisor saw the process go);
- with simple (non-forking) workers, kills a child stuck on an execution (ended
  elsewhere, past its timeout, or wedged: see :mod:`engine.runtimes.rq.watchdog`) every
  ``WATCH_INTERVAL_S``, then restarts it like any dead child;
- on SIGTERM/SIGINT stops the children warmly (each finishes its current execution),
  and after ``grace_s`` kills the rest, whose executions are then crashed (and retried
  if their workflow says so). A second signal skips the wait.

Children run in their own session (a terminal's Ctrl-C reaches the supervisor only, so
each child is told to stop exactly once) and still stop when the supervisor dies, even
by ``kill -9`` (``PR_SET_PDEATHSIG``: SIGTERM, a warm shutdown).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from types import FrameType

from engine.runtimes.rq.worker import use_fork

__all__ = ["Supervisor"]

log = logging.getLogger("aura.worker")
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)
WATCH_INTERVAL_S = 1.0


@dataclass
class _Child:
    index: int
    worker_id: str
    proc: subprocess.Popen[bytes]
    started: float
    restarts: int = 0


class Supervisor:
    """Starts, watches and stops the worker processes of one machine."""

    def __init__(
        self,
        queues: list[str],
        *,
        entry: str,
        processes: int = 1,
        burst: bool = False,
        fork: bool | None = None,
        log_level: str = "WARNING",
        grace_s: float = 30.0,
        max_jobs: int | None = None,
    ) -> None:
        self.queues = queues
        self.entry = entry
        """The module each worker process runs (``python -m``)."""
        self.processes = max(1, processes)
        self.burst = burst
        self.fork = fork
        self.log_level = log_level
        self.grace_s = grace_s
        self.max_jobs = max_jobs
        self.children: list[_Child] = []
        self._stopping = 0
        self._host = socket.gethostname()

    # -- life --------------------------------------------------------------------------
    def run(self, *, signals: bool = True) -> int:
        """Runs until stopped (or, in burst mode, until every child is done). With
        ``signals=False`` (on a thread of another process, e.g. ``aura up``) it leaves
        signals alone and stops on :meth:`stop`."""
        from engine.config import settings
        from engine.runtimes.recovery import maintenance

        old = (
            {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
            if signals
            else {}
        )
        try:
            self._report(maintenance())
            for i in range(self.processes):
                self.children.append(self._spawn(i, restarts=0))
            interval = settings().queue.reap_interval_s
            next_maintenance = time.monotonic() + interval
            watch = not use_fork(self.queues, self.fork)
            next_watch = time.monotonic() + WATCH_INTERVAL_S
            while not self._stopping:
                if watch and time.monotonic() >= next_watch:
                    self._kill_stuck()
                    next_watch = time.monotonic() + WATCH_INTERVAL_S
                if not self._check_children():
                    break  # burst: all done
                if time.monotonic() >= next_maintenance:
                    self._report(maintenance())
                    next_maintenance = time.monotonic() + interval
                time.sleep(0.2)
            self._stop_children()
        finally:
            for s, h in old.items():
                signal.signal(s, h)
        return 0

    def stop(self, now: bool = False) -> None:
        """Stops the children after their current execution (``now``: at once)."""
        self._on_signal(signal.SIGTERM, None)
        if now and self._stopping < 2:
            self._on_signal(signal.SIGTERM, None)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping += 1
        if self._stopping == 1:
            log.warning(
                "stopping %d worker process(es) after their current execution "
                "(signal again to stop at once)",
                len(self.children),
            )
        else:
            for c in self.children:
                _signal(c.proc, signal.SIGKILL)

    # -- children ------------------------------------------------------------------------
    def _spawn(self, index: int, restarts: int) -> _Child:
        wid = f"{self._host}:{os.getpid()}.{index}-{uuid.uuid4().hex[:6]}"
        cmd = [
            sys.executable,
            "-m",
            self.entry,
            "--queues",
            ",".join(self.queues),
            "--log-level",
            self.log_level,
        ]
        if self.burst:
            cmd.append("--burst")
        if self.fork is not None:
            cmd.append("--fork" if self.fork else "--no-fork")
        if self.max_jobs:
            cmd += ["--max-jobs", str(self.max_jobs)]
        env = {**os.environ, "AURA_WORKER_ID": wid, "AURA_SUPERVISOR_PID": str(os.getpid())}
        # own session: a Ctrl-C in the terminal reaches the supervisor only, which stops the
        # children once, warmly; they still die with it (PR_SET_PDEATHSIG, see worker.py)
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            cmd, env=env, start_new_session=True
        )
        log.info("worker process %s started (pid %d)", wid, proc.pid)
        return _Child(index, wid, proc, time.monotonic(), restarts)

    def _check_children(self) -> bool:
        """Reaps exited children (restarting them unless in burst mode); False once
        there is nothing left to watch."""
        from engine.runtimes.recovery import crash_worker

        alive: list[_Child] = []
        for c in self.children:
            code = c.proc.poll()
            if code is None:
                alive.append(c)
                continue
            if code != 0 or not self.burst:
                how = f"was killed by signal {-code}" if code < 0 else f"exited ({code})"
                crashed = crash_worker(c.worker_id, f"Its worker process ({c.worker_id}) {how}.")
                if code != 0:
                    log.warning(
                        "worker process %s %s; %d execution(s) marked crashed",
                        c.worker_id,
                        how,
                        len(crashed),
                    )
            if self.burst or self._stopping:
                continue
            if self.max_jobs and code == 0:
                alive.append(self._spawn(c.index, 0))  # recycled after max_jobs: normal
                continue
            quick = time.monotonic() - c.started < 10
            restarts = c.restarts + 1 if quick else 0
            time.sleep(RESTART_BACKOFF_S[min(restarts, len(RESTART_BACKOFF_S) - 1)] if quick else 0)
            alive.append(self._spawn(c.index, restarts))
        self.children = alive
        return bool(alive)

    def _kill_stuck(self) -> None:
        """Kills (with its process group) each simple worker stuck on an execution; the
        next :meth:`_check_children` restarts it."""
        from engine.runtimes.rq.watchdog import stuck_simple_workers

        by_id = {c.worker_id: c for c in self.children if c.proc.poll() is None}
        try:
            stuck = stuck_simple_workers(list(by_id))
        except Exception as exc:  # Redis or the store away: look again next time
            log.warning("could not check the worker processes for stuck executions: %s", exc)
            return
        for wid, reason in stuck.items():
            child = by_id[wid]
            log.warning("killing worker process %s (pid %d): %s", wid, child.proc.pid, reason)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)  # its own session: it and its children
            child.proc.wait()

    def _stop_children(self) -> None:
        from engine.runtimes.recovery import crash_worker

        for c in self.children:
            _signal(c.proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for c in self.children:
            left = deadline - time.monotonic()
            try:
                c.proc.wait(timeout=max(0.0, left) if self._stopping < 2 else 0.1)
            except subprocess.TimeoutExpired:
                log.warning("worker process %s did not stop in time; killing it", c.worker_id)
                _signal(c.proc, signal.SIGKILL)
                c.proc.wait()
            crash_worker(
                c.worker_id,
                f"Its worker process ({c.worker_id}) was stopped before the execution finished.",
            )
        self.children = []

    @staticmethod
    def _report(done: object) -> None:
        crashed = getattr(done, "crashed", [])
        requeued = getattr(done, "requeued", [])
        if crashed or requeued:
            log.warning(
                "maintenance: %d crashed execution(s) recorded, %d orphaned one(s) re-enqueued",
                len(crashed),
                len(requeued),
            )


def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
