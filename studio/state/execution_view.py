"""One execution, shown as the workflow was when it ran: read-only canvas with each
node's status and data (open a node to inspect its input and output)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.graph import load_workflow
from studio.logic import backend, backend_more, runner
from studio.state.run import RunState

__all__ = ["ExecutionViewState"]


class ExecutionViewState(RunState):
    """The execution detail page (reuses the editor's canvas, read-only)."""

    ex_id: str = ""
    ex_status: str = ""
    ex_workflow: str = ""
    ex_workflow_id: str = ""
    ex_mode: str = ""
    ex_started: str = ""
    ex_duration: str = ""
    ex_error: str = ""
    ex_missing: str = ""

    @rx.event
    def load_execution(self) -> Any:
        eid = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        self.loaded = False
        p = self.principal_or_none()
        if p is None:
            return None
        try:
            summary, definition, runs = backend_more.execution_detail(p, eid)
        except Exception as exc:
            self.ex_missing = backend.message_of(exc)
            self.loaded = True
            return None
        self.ex_missing = ""
        self.ex_id = summary["id"]
        self.ex_status = summary["status"]
        self.ex_workflow = summary["workflow_name"] or "(unsaved workflow)"
        self.ex_workflow_id = summary["workflow_id"] or ""
        self.ex_mode = summary["mode"]
        self.ex_started = (summary["started_at"] or summary["created_at"] or "")[:19] \
            .replace("T", " ")
        ms = summary["duration_ms"]
        self.ex_duration = "" if ms is None else (f"{ms:.0f} ms" if ms < 1000
                                                 else f"{ms / 1000:.1f} s")
        err = summary.get("error") or {}
        self.ex_error = (f"'{err['node']}' failed: " if err.get("node") else "") + \
            runner.error_text(err) if err else ""
        wf = load_workflow(definition).to_json_dict() if definition else \
            {"name": self.ex_workflow, "nodes": [], "connections": [], "pinned_data": {},
             "sticky_notes": [], "settings": {}}
        self.current_id = ""
        self._open(wf, {"name": wf["name"], "version": 0, "published": None,
                        "active": False})
        self.read_only = True
        ids = {n["name"]: n["id"] for n in wf["nodes"]}
        data: dict[str, dict[str, Any]] = {}
        status: dict[str, dict[str, Any]] = {}
        for r in runs:
            st = "succeeded" if r["status"] == "reused" else r["status"]
            data[r["node"]] = {"node": r["node"], "status": st, "outputs": r["outputs"],
                               "error": runner.error_text(r["error"]) if r["error"] else "",
                               "logs": r.get("logs") or [], "counts": r["output_counts"]}
            if r["node"] in ids:
                status[ids[r["node"]]] = {"status": st, "counts": r["output_counts"] or {},
                                          "error": data[r["node"]]["error"]}
        self.set_data(data, status)
        self.run_error = ""
        return self._fresh_page()[1:]
