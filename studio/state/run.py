"""Running from the editor: the whole workflow, up to a node, or one node, here (this
server) or on the workers (queue); live status on the canvas; the last run's data for the
node panels; pinning a node's output."""

from __future__ import annotations

import asyncio
import copy
import functools
from typing import Any

import reflex as rx

from engine.graph import load_workflow
from studio.logic import backend, canvas, live, runner
from studio.state.editor import EditorState

__all__ = ["RunState"]


class RunState(EditorState):
    """The editor's last (or current) run."""

    running: bool = False
    node_status: dict[str, dict[str, Any]] = {}
    run_error: str = ""
    run_error_node: str = ""
    execution_id: str = ""
    run_summary: str = ""
    run_on: str = ""  # 'here' or 'queue' as chosen in this browser session; '' until then
    _data: dict[str, dict[str, Any]] = {}
    _queued: bool = False

    @rx.var(cache=False)
    def queue_available(self) -> bool:
        """Whether runs can go to the workers (a Redis URL is configured)."""
        from engine.config import settings

        return bool(settings().redis.url)

    @rx.var(cache=False)
    def runtime(self) -> str:
        """Where Run runs: the session's choice, else the queue when Redis is configured."""
        if self.run_on == "queue" and self.queue_available:
            return "queue"
        if self.run_on == "here":
            return "here"
        return "queue" if self.queue_available else "here"

    @rx.event
    def set_run_on(self, value: str) -> Any:
        if value not in ("here", "queue"):
            return None
        if value == "queue" and not self.queue_available:
            return rx.toast.warning(
                "No Redis is configured (AURA_REDIS_URL), so there are "
                "no workers to run on; runs stay on this server."
            )
        self.run_on = value
        return None

    @rx.event(background=True)
    async def stop(self) -> Any:
        """Cancels the run on the workers (runs here finish on their own)."""
        async with self:
            if not self.running or not self._queued or not self.execution_id:
                return None
            try:
                principal = self.principal()
            except Exception as exc:
                return self.refuse(exc)
            eid = self.execution_id
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, runner.cancel_queued, principal, eid)
        except Exception as exc:
            return rx.toast.error(backend.message_of(exc))
        return rx.toast.info("Cancelling the run on the workers…")

    @rx.event
    def clear(self) -> None:
        self.node_status = {}
        self._data = {}
        self.run_error = ""
        self.run_error_node = ""
        self.run_summary = ""
        self.execution_id = ""
        self.running = False

    @rx.event
    def dismiss_error(self) -> None:
        self.run_error = ""

    def _apply(self, ev: dict[str, Any]) -> None:
        if ev.get("kind") == "started":
            self.execution_id = ev["execution_id"]
            return
        status = dict(self.node_status)
        if not live.supersedes(status.get(ev["node_id"]), ev):
            return  # a late event: the node already shows a newer state
        status[ev["node_id"]] = {
            "status": ev["status"],
            "counts": ev.get("counts") or {},
            "error": ev.get("error", ""),
            "seq": ev.get("seq"),
        }
        self.node_status = status
        if ev["status"] != "running":
            self._data = {**self._data, ev["node"]: ev}

    @rx.event(background=True)
    async def run(self, node_id: str = "", only: bool = False) -> Any:
        """Runs the canvas; with ``node_id``, up to that node (``only``: just that node,
        reusing its inputs from the last run)."""
        async with self:
            if self.running or not self.loaded:
                return None
            if self.viewer_only:
                return rx.toast.error(
                    "Read only: you may not run this workflow. Ask an admin for the editor role."
                )
            try:
                principal = self.principal()
            except Exception as exc:
                return self.refuse(exc)
            wf = self.workflow_dict()
            node = canvas.node_by_id(wf, node_id) if node_id else None
            dest = node["name"] if node else None
            reuse = self._reuse_for(wf, dest) if only and dest else {}
            keep = {n["id"] for n in wf["nodes"] if n["name"] in reuse}
            # rows kept from the last run (reused by this one) are not newer than its events
            self.node_status = {
                k: {**v, "seq": None} for k, v in self.node_status.items() if k in keep
            }
            self.running = True
            self.run_error = ""
            self.run_summary = ""
            self.execution_id = ""
            wid = self.current_id or None
            # runs up to a node (and single-node runs) too: the data they reuse from
            # this editor travels with the execution
            self._queued = queued = self.runtime == "queue"
            run_fn: Any = runner.run_canvas_queued if queued else runner.run_canvas
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        hooks = runner.QueueHooks(loop, queue)
        job = loop.run_in_executor(
            None, functools.partial(run_fn, principal, wf, wid, hooks, dest, reuse)
        )
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, job}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                ev = getter.result()
                async with self:
                    self._apply(ev)
                continue
            getter.cancel()
            break
        while not queue.empty():
            ev = queue.get_nowait()
            async with self:
                self._apply(ev)
        final: list[dict[str, Any]] = []
        if job.exception() is None and not queued:
            # a run here ends showing its stored record too, like a run on the workers
            eid = job.result().id
            final = await loop.run_in_executor(
                None, lambda: live.recorded_rows(load_workflow(wf), eid)
            )
        async with self:
            for ev in final:
                self._apply(ev)
            self.running = False
            try:
                result = job.result()
            except Exception as exc:
                self.run_error = backend.message_of(exc)
                self.run_error_node = ""
                return None  # the banner over the canvas says it (once, no toast)
            from studio.state.node_panel import NodePanelState

            if result.ok:
                n = len(result.node_runs)
                where = " on the workers" if self._queued else ""
                self.run_summary = f"Ran {n} node{'s' if n != 1 else ''}{where} successfully."
                return [rx.toast.success(self.run_summary), NodePanelState.refresh]
            if str(result.status) == "waiting":
                self.run_summary = "Parked at a Wait node; it resumes on its own."
                return [rx.toast.info(self.run_summary), NodePanelState.refresh]
            err = result.error or {}
            where = err.get("node")
            self.run_error = (
                f"'{where}' failed: " if where else "The workflow failed: "
            ) + runner.error_text(err)
            self.run_error_node = next((n["id"] for n in wf["nodes"] if n["name"] == where), "")
            return NodePanelState.refresh  # the banner says it (once, no toast)

    @rx.event
    def run_node(self, node_id: str) -> Any:
        return RunState.run(node_id, True)

    # -- data of the last run -----------------------------------------------------------
    def _reuse_for(self, wf: dict[str, Any], dest: str) -> dict[str, Any]:
        """The last run's outputs of the nodes before ``dest``, for 'Run this node'.

        Read through Reflex, ``self._data`` hands out its dicts and lists wrapped in
        ``MutableProxy``; items built on those serialize nested values as their Python
        repr (the stored record, a queued run's payload), so ``$json`` breaks in the
        run. A deep copy gives the run plain JSON of its own."""
        names = runner.ancestors(wf, dest)
        kept = {n: copy.deepcopy(self._data[n]) for n in names if n in self._data}
        return runner.reuse_from(kept, names)

    def node_data(self, name: str) -> dict[str, Any]:
        return self._data.get(name, {})

    def set_data(self, data: dict[str, dict[str, Any]], status: dict[str, Any]) -> None:
        """Shows a recorded execution's data (execution pages)."""
        self._data = data
        self.node_status = status

    # -- pinning --------------------------------------------------------------------------
    @rx.event
    def toggle_pin(self, node_id: str) -> Any:
        """Pins the node's last output (used instead of running it in manual runs), or
        unpins it."""
        node = canvas.node_by_id(self._wf, node_id)
        if node is None or self.read_only:
            return None
        pins = self._wf.setdefault("pinned_data", {})
        if node["name"] in pins:
            self._snapshot()
            pins.pop(node["name"])
            self._patch_nodes([node_id])
            return rx.toast.info(f"Unpinned '{node['name']}': it runs again next time.")
        outputs = self._data.get(node["name"], {}).get("outputs") or {}
        items = next((v for v in outputs.values() if v), None)
        if not items:
            return rx.toast.warning(f"Run '{node['name']}' first: there is no output to pin.")
        self._snapshot()
        pins[node["name"]] = copy.deepcopy([{"json": i.get("json", {})} for i in items])
        self._patch_nodes([node_id])
        return rx.toast.success(
            f"Pinned {len(items)} item{'s' if len(items) != 1 else ''} of '{node['name']}'."
        )

    def set_pinned(self, node_id: str, items: list[dict[str, Any]] | None) -> None:
        node = canvas.node_by_id(self._wf, node_id)
        if node is None:
            return
        self._snapshot()
        pins = self._wf.setdefault("pinned_data", {})
        if items is None:
            pins.pop(node["name"], None)
        else:
            pins[node["name"]] = items
        self._patch_nodes([node_id])
