"""One agent in the studio: the chat playground that shows each step of a run while it
happens (plan, tool calls with their input and output, tokens), its run history with a
step timeline, statistics, and its lifecycle (the editor's form is
:mod:`studio.state.agent_editor`, loaded with the page).

Runs start through ``engine.services.agents.start_run`` (on the workers when the studio
has them, else in a thread of this server); the playground follows a run by reading its
recorded steps every few hundred milliseconds until it ends or waits for an approval.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic.agent_stats import run_stats
from studio.state.agent_editor import AgentEditorState

__all__ = ["AgentViewState"]

POLL_S = 0.3
RUN_LIMIT_S = 600
ENDED = ("succeeded", "failed", "cancelled", "crashed", "waiting")


def _text(value: Any, limit: int = 1500) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, indent=1, default=str)
    return text if len(text) <= limit else text[:limit] + " …"


def step_row(s: dict[str, Any]) -> dict[str, str]:
    """A recorded step as the page shows it (all text)."""
    tokens = ""
    if s.get("tokens_in") or s.get("tokens_out"):
        tokens = f"{s.get('tokens_in') or 0} in / {s.get('tokens_out') or 0} out"
    return {
        "position": str(s.get("position", "")),
        "kind": str(s.get("kind") or ""),
        "name": str(s.get("name") or ""),
        "status": str(s.get("status") or ""),
        "duration": f"{s['duration_ms']:.0f} ms" if s.get("duration_ms") is not None else "",
        "tokens": tokens,
        "input": _text(s.get("input")),
        "output": _text(s.get("output")),
        "error": _text(s.get("error")),
    }


def _run_row(r: dict[str, Any]) -> dict[str, str]:
    return {
        "id": r["id"],
        "status": str(r.get("status") or ""),
        "prompt": _text(r.get("prompt"), 120),
        "answer": _text(r.get("answer"), 200),
        "tokens": str((r.get("tokens_in") or 0) + (r.get("tokens_out") or 0)),
        "cost": f"{float(r.get('cost') or 0):.4f}",
        "created_at": str(r.get("created_at") or "")[:19].replace("T", " "),
    }


class AgentViewState(AuthState):
    agent_id: str = ""
    name: str = ""
    description: str = ""
    agent_state: str = ""
    version: str = ""
    missing: str = ""
    # the playground
    prompt: str = ""
    session: str = ""
    chat: list[dict[str, str]] = []
    steps: list[dict[str, str]] = []
    running: bool = False
    run_status: str = ""
    run_id: str = ""
    # history and statistics
    runs: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    timeline_run: str = ""
    stats: dict[str, str] = {}

    @rx.event
    def load(self) -> Any:
        from engine.services import agents

        self.agent_id = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        p = self.principal_or_none()
        if p is None:
            return None
        try:
            view = agents.get_agent(p, self.agent_id)
        except Exception as exc:
            self.missing = getattr(exc, "message", str(exc))
            return None
        self.missing = ""
        self.name, self.description = view.name, view.description
        self.agent_state, self.version = view.state, str(view.version)
        self.session = self.session or uuid.uuid4().hex[:12]
        self._load_runs()
        return AgentEditorState.load

    def _load_runs(self) -> None:
        from engine.services import agents

        raw = agents.list_runs(self.principal(), self.agent_id, limit=200)
        self.runs = [_run_row(r) for r in raw[:50]]
        stats = run_stats(raw)
        self.stats = {
            "runs": str(stats["runs"]),
            "success_rate": "-" if stats["success_rate"] is None else f"{stats['success_rate']}%",
            "p50": "-" if stats["p50_s"] is None else f"{stats['p50_s']:.2f} s",
            "p95": "-" if stats["p95_s"] is None else f"{stats['p95_s']:.2f} s",
            "tokens": str(stats["tokens"]),
            "cost": f"{stats['cost']:.4f}",
        }

    # -- lifecycle ----------------------------------------------------------------------
    @rx.event
    def change_state(self, state: str) -> Any:
        from engine.services import agents

        try:
            view = agents.set_state(self.principal(), self.agent_id, state)
        except Exception as exc:
            return self.refuse(exc)
        self.agent_state = view.state
        return rx.toast.success(f"{self.name} is now {view.state}.")

    # -- playground -----------------------------------------------------------------------
    @rx.event
    def set_prompt(self, value: str) -> None:
        self.prompt = value

    @rx.event
    def new_session(self) -> None:
        self.session = uuid.uuid4().hex[:12]
        self.chat = []
        self.steps = []
        self.run_status = ""

    @rx.event(background=True)
    async def send(self) -> Any:
        """Starts a run for the prompt and shows its steps as they are recorded."""
        from engine.services import agents

        async with self:
            prompt = self.prompt.strip()
            if self.running or not prompt:
                return None
            try:
                principal = self.principal()
            except Exception as exc:
                return self.refuse(exc)
            self.running, self.run_status, self.steps = True, "queued", []
            self.chat = [*self.chat, {"role": "user", "text": prompt}]
            self.prompt = ""
            agent_id, session = self.agent_id, self.session
        started = time.time()
        task = asyncio.ensure_future(
            asyncio.to_thread(
                agents.start_run, principal, agent_id, prompt, session=session, mode="chat"
            )
        )
        run_id, run = "", None
        try:
            while time.time() - started < RUN_LIMIT_S:
                await asyncio.sleep(POLL_S)
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
                if not run_id:
                    run_id = (
                        task.result().id
                        if task.done()
                        else await asyncio.to_thread(
                            _newest_run, principal, agent_id, prompt, started
                        )
                    )
                    if not run_id:
                        continue
                run = await asyncio.to_thread(agents.get_run, principal, run_id)
                async with self:
                    self.run_id = run_id
                    self.run_status = str(run["status"])
                    self.steps = [step_row(s) for s in run["steps"]]
                if run["status"] in ENDED and (task.done() or run["status"] == "waiting"):
                    break
        except Exception as exc:
            async with self:
                self.running = False
                self.run_status = "failed"
                return self.refuse(exc)
        async with self:
            self.running = False
            if run is not None:
                if run["status"] == "succeeded":
                    answer = str(run.get("answer") or "")
                elif run["status"] == "waiting":
                    answer = "Waiting for approval: decide in the approvals inbox."
                else:
                    answer = "The run failed: " + _text((run.get("error") or {}).get("message"))
                self.chat = [*self.chat, {"role": "agent", "text": answer}]
            self._load_runs()
        return None

    # -- history --------------------------------------------------------------------------
    @rx.event
    def show_run(self, run_id: str) -> Any:
        from engine.services import agents

        try:
            run = agents.get_run(self.principal(), run_id)
        except Exception as exc:
            return self.refuse(exc)
        self.timeline_run = run_id
        self.timeline = [step_row(s) for s in run["steps"]]
        return None


def _newest_run(principal: Any, agent_id: str, prompt: str, since: float) -> str:
    """The id of the run just started for ``prompt`` (while its start has not returned:
    a run here returns only when it has ended)."""
    from datetime import datetime

    from engine.services import agents

    for r in agents.list_runs(principal, agent_id, limit=5):
        created = datetime.fromisoformat(r["created_at"]).timestamp()
        if r.get("prompt") == prompt and created >= since - 1:
            return str(r["id"])
    return ""
