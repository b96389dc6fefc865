"""The node panel: one node's parameters (form from its spec, inline validation,
expression previews), settings, credentials, and its input and output data."""

from __future__ import annotations

import copy
from typing import Any

import reflex as rx

from studio.logic import backend_more, canvas, form, form_rules, preview, specs
from studio.logic import items as items_view
from studio.state.run import RunState

__all__ = ["NodePanelState"]


def _find_field(fields: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The descriptor at ``path`` (list indices skipped)."""
    cur: dict[str, Any] | None = None
    level = fields
    for part in form.parse_path(path):
        if isinstance(part, int):
            continue
        cur = next((f for f in level if f["key"] == part), None)
        if cur is None:
            return None
        level = cur.get("fields") or []
    return cur


def _empty_output_text(status: str, *, is_trigger: bool, past_run: bool) -> str:
    """What the Output column says when there are no items, for how the node ran."""
    if status == "failed":
        return "No output: this node failed (the error is above)."
    if status in ("cancelled", "crashed"):
        return f"No output: the run was {status} before this node finished."
    if status:
        return "This node ran and output no items."
    if past_run:
        return "This node did not run in this execution."
    if is_trigger:
        return "Run the workflow to see what this trigger outputs."
    return (
        "No output yet: run this node (or the workflow) to see its items, then pin "
        "them to reuse while you build."
    )


class NodePanelState(RunState):
    """State of the node panel (opened by double-clicking a node)."""

    panel_open: bool = False
    node_id: str = ""
    node_name: str = ""
    node_type: str = ""
    node_title: str = ""
    node_icon: str = "box"
    node_description: str = ""
    fields: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    previews: dict[str, dict[str, Any]] = {}
    modes: dict[str, str] = {}
    rev: int = 0
    disabled: bool = False
    notes: str = ""
    on_error: str = "stop"
    retry_enabled: bool = False
    retry_tries: int = 3
    execute_once: bool = False
    always_output: bool = False
    pinned: bool = False
    is_trigger: bool = False
    cred_slots: list[dict[str, Any]] = []

    @rx.var
    def import_note(self) -> str:
        """The first line of the note an n8n / Node-RED import left on this node, when the
        import flagged it (a placeholder, or mapped with notes); "" otherwise."""
        from engine.services.interop import import_flag

        if not import_flag({"type": self.node_type, "notes": self.notes}):
            return ""
        return self.notes.partition("\n")[0]

    @rx.var
    def docs_url(self) -> str:
        """This node type's reference page on the docs site (``/docs``)."""
        from engine.services.docs import node_page_url

        return node_page_url(self.node_type) if self.node_type else "/docs/"

    # data panels
    in_view: str = "table"
    out_view: str = "table"
    out_port: str = ""
    out_ports: list[str] = []
    in_cols: list[str] = []
    in_rows: list[list[str]] = []
    in_json: str = ""
    in_schema: list[dict[str, str]] = []
    in_count: int = 0
    out_cols: list[str] = []
    out_rows: list[list[str]] = []
    out_json: str = ""
    out_schema: list[dict[str, str]] = []
    out_count: int = 0
    node_run_status: str = ""
    node_error: str = ""
    node_logs: list[str] = []
    has_run: bool = False
    out_empty: str = ""
    in_empty: str = ""
    _touched: list[str] = []

    # -- open / close ---------------------------------------------------------------------
    @rx.event
    def open_node(self, node_id: str) -> None:
        node = canvas.node_by_id(self._wf, node_id)
        if node is None or node_id.startswith(canvas.STICKY):
            return
        info = specs.spec_dict(node["type"], node.get("type_version", 1))
        self.node_id = node_id
        self.node_type = node["type"]
        self.node_title = info["title"]
        self.node_icon = info["icon"]
        self.node_description = info.get("description", "")
        self.is_trigger = bool(info.get("trigger"))
        self.fields = form.describe(node["type"], node.get("type_version", 1))
        self.modes = {}
        self._touched = []
        self.out_port = ""
        self.panel_open = True
        self.refresh()

    @rx.event
    def close_panel(self) -> None:
        self.panel_open = False

    @rx.event
    def set_panel_open(self, value: bool) -> None:
        self.panel_open = value

    @rx.event
    def refresh(self) -> None:
        """Re-reads the node into the form (after open, undo, a run)."""
        node = canvas.node_by_id(self._wf, self.node_id) if self.panel_open else None
        if node is None:
            self.panel_open = False
            return
        self.rev += 1
        self.node_name = node["name"]
        self.values = copy.deepcopy(node.get("parameters") or {})
        self.disabled = bool(node.get("disabled"))
        self.notes = node.get("notes") or ""
        self.on_error = node.get("on_error", "stop")
        retry = node.get("retry") or {}
        self.retry_enabled = bool(retry.get("enabled"))
        self.retry_tries = int(retry.get("max_tries", 3))
        self.execute_once = bool(node.get("execute_once"))
        self.always_output = bool(node.get("always_output_data"))
        self.pinned = node["name"] in self._wf.get("pinned_data", {})
        p = self.principal_or_none()
        self.cred_slots = (
            backend_more.credential_slots(p, node, self.current_id or None) if p else []
        )
        self._check(node)
        self._load_data(node)

    def _check(self, node: dict[str, Any]) -> None:
        params = node.get("parameters") or {}
        errors = form_rules.validation_errors(node["type"], node.get("type_version", 1), params)
        # an empty field the user has not touched yet (a new assignment) is not an error yet
        self.errors = {
            path: msg
            for path, msg in errors.items()
            if path in self._touched or form.get_path(params, path) not in (None, "", [])
        }
        self.previews = preview.preview_all(
            self._wf, node["name"], params, self._data, self._vars()
        )

    def _vars(self) -> dict[str, str]:
        p = self.principal_or_none()
        return backend_more.variables_dict(p) if p else {}

    def _load_data(self, node: dict[str, Any]) -> None:
        name = node["name"]
        run = self._data.get(name) or {}
        self.has_run = bool(run)
        self.node_run_status = run.get("status", "")
        self.node_error = run.get("error", "")
        self.node_logs = list(run.get("logs") or [])
        self.in_empty = (
            "This node got no input in this execution."
            if self.read_only and not self.current_id
            else "No input data yet: run the previous nodes (or pin data on them). Then "
            "drag fields from the Schema view into a parameter to use them in an expression."
        )
        self.out_empty = _empty_output_text(
            self.node_run_status,
            is_trigger=self.is_trigger,
            past_run=self.read_only and not self.current_id,
        )
        inp = preview.input_items(self._wf, name, self._data)
        self.in_count = len(inp)
        self.in_cols, self.in_rows = items_view.table(inp)
        self.in_json = items_view.as_json(inp)
        self.in_schema = items_view.schema(inp)
        outs = run.get("outputs") or {}
        if not outs and self.pinned:
            outs = {"main": self._wf["pinned_data"][name]}
        self.out_ports = list(outs)
        if self.out_port not in outs:
            self.out_port = next((p for p, v in outs.items() if v), next(iter(outs), ""))
        items = [i if "json" in i else {"json": i} for i in outs.get(self.out_port) or []]
        self.out_count = len(items)
        self.out_cols, self.out_rows = items_view.table(items)
        self.out_json = items_view.as_json(items)
        self.out_schema = items_view.schema(items)

    def _node(self) -> dict[str, Any] | None:
        return canvas.node_by_id(self._wf, self.node_id)

    def _changed(self, node: dict[str, Any], *, rev: bool = False) -> None:
        self.values = copy.deepcopy(node.get("parameters") or {})
        self._check(node)
        if rev:
            self.rev += 1
        self._patch_nodes([node["id"]])

    # -- parameters -----------------------------------------------------------------------
    @rx.event
    def on_change_value(self, path: str, value: Any, kind: str, integer: bool) -> None:
        node = self._node()
        if node is None or self.read_only:
            return
        f = _find_field(self.fields, path)
        stored = form.coerce(f["kind"] if f and kind != "text" else kind, value, integer)
        params = node.setdefault("parameters", {})
        if form.get_path(params, path, object()) == stored:
            return
        self._snapshot()
        form.set_path(params, path, stored)
        self._touched = [*self._touched, path]
        rev = self._follow_choices(params, path)
        self._changed(node, rev=rev)

    def _follow_choices(self, params: dict[str, Any], path: str) -> bool:
        """Siblings whose choices depend on the field at ``path`` (an If condition's
        operation on its type) take their first choice if their value is not one."""
        parent, level = form_rules.level_fields(self.fields, path)
        key = str(form.parse_path(path)[-1])
        siblings = form.get_path(params, parent) if parent else params
        changed = False
        for f in level:
            by = f.get("options_by") or {}
            if by.get("field") != key or not isinstance(siblings, dict):
                continue
            opts = form_rules.options_of(f, siblings, level)
            value = siblings.get(f["key"], f["default"])
            if (
                opts
                and not (isinstance(value, str) and "{{" in value)
                and str(value) not in {o["value"] for o in opts}
            ):
                siblings[f["key"]] = opts[0]["value"]
                changed = True
        return changed

    @rx.event
    def on_add_item(self, path: str) -> None:
        node, f = self._node(), _find_field(self.fields, path)
        if node is None or f is None or self.read_only:
            return
        self._snapshot()
        params = node.setdefault("parameters", {})
        current = form.get_path(params, path)
        items = list(current) if isinstance(current, list) else []
        items.append(form.default_item(f.get("fields") or []))
        form.set_path(params, path, items)
        self._changed(node, rev=True)

    @rx.event
    def on_remove_item(self, path: str) -> None:
        node = self._node()
        if node is None or self.read_only:
            return
        self._snapshot()
        form.remove_path(node.setdefault("parameters", {}), path)
        self._changed(node, rev=True)

    @rx.event
    def on_move_item(self, path: str, delta: int) -> None:
        node = self._node()
        if node is None or self.read_only:
            return
        self._snapshot()
        form.move_item(node.setdefault("parameters", {}), path, int(delta))
        self._changed(node, rev=True)

    @rx.event
    def on_mode(self, path: str, mode: str) -> None:
        """Switches a field between a fixed value and an ``{{ expression }}``."""
        node = self._node()
        if node is None or self.read_only:
            return
        params = node.setdefault("parameters", {})
        value = form.get_path(params, path)
        self._snapshot()
        if mode == "expression":
            # text stays as it is (it becomes the expression's literal text); other fixed
            # values are written as an expression of themselves; nothing is pre-filled
            if not isinstance(value, str) and value is not None:
                import json

                form.set_path(params, path, f"{{{{ {json.dumps(value, ensure_ascii=False)} }}}}")
            self.modes = {**self.modes, path: "expression"}
        else:
            f = _find_field(self.fields, path)
            form.set_path(params, path, copy.deepcopy(f["default"]) if f else "")
            if f and f["default"] is None:
                form.remove_path(params, path)
            self.modes = {k: v for k, v in self.modes.items() if k != path}
        self._changed(node, rev=True)

    # -- node settings ------------------------------------------------------------------------
    @rx.event
    def rename(self, new: str) -> Any:
        if self.read_only:
            return None
        before = self.node_name
        if new.strip() == before:
            return None  # leaving the field unchanged (Tab, a click elsewhere) is no edit
        self._snapshot()
        problem = canvas.rename(self._wf, self.node_id, new)
        if problem:
            self._undo = self._undo[:-1]
            self._sync_flags()
            self.rev += 1
            return rx.toast.warning(problem)
        node = self._node()
        assert node is not None
        self.node_name = node["name"]
        if before in self._data:
            self._data = {(node["name"] if k == before else k): v for k, v in self._data.items()}
        self._patch_nodes([self.node_id])
        return None

    def _set(self, field: str, value: Any) -> None:
        if self.read_only:
            return
        self._snapshot()
        canvas.set_node_field(self._wf, self.node_id, field, value)
        self.refresh()
        self._patch_nodes([self.node_id])

    @rx.event
    def set_disabled(self, value: bool) -> None:
        self._set("disabled", bool(value))

    @rx.event
    def set_notes(self, value: str) -> None:
        if value != self.notes:
            self._set("notes", value)

    @rx.event
    def set_on_error(self, value: str) -> None:
        self._set("on_error", value)

    @rx.event
    def set_execute_once(self, value: bool) -> None:
        self._set("execute_once", bool(value))

    @rx.event
    def set_always_output(self, value: bool) -> None:
        self._set("always_output_data", bool(value))

    @rx.event
    def set_retry_enabled(self, value: bool) -> None:
        node = self._node()
        if node is not None:
            self._set("retry", {**(node.get("retry") or {}), "enabled": bool(value)})

    @rx.event
    def set_retry_tries(self, value: str) -> None:
        node = self._node()
        try:
            tries = max(1, min(10, int(value)))
        except ValueError:
            return
        if node is not None:
            self._set("retry", {**(node.get("retry") or {}), "max_tries": tries})

    @rx.event
    def set_credential(self, slot: str, cred_id: str) -> None:
        node = self._node()
        if node is None:
            return
        creds = dict(node.get("credentials") or {})
        if cred_id in ("", "__none__"):
            creds.pop(slot, None)
        else:
            name = next(
                (
                    o["name"]
                    for s in self.cred_slots
                    if s["name"] == slot
                    for o in s["options"]
                    if o["id"] == cred_id
                ),
                "",
            )
            creds[slot] = {"id": cred_id, "name": name}
        self._set("credentials", creds)

    # -- data panels ------------------------------------------------------------------------
    @rx.event
    def set_in_view(self, value: str | list[str]) -> None:
        self.in_view = value if isinstance(value, str) else value[0]

    @rx.event
    def set_out_view(self, value: str | list[str]) -> None:
        self.out_view = value if isinstance(value, str) else value[0]

    @rx.event
    def set_out_port(self, value: str) -> None:
        self.out_port = value
        node = self._node()
        if node is not None:
            self._load_data(node)

    @rx.event
    def pin_toggle(self) -> Any:
        result = self.toggle_pin(self.node_id)
        self.refresh()
        return result

    @rx.event
    def run_this(self) -> Any:
        return RunState.run(self.node_id, True)

    @rx.event
    def run_to_this(self) -> Any:
        return RunState.run(self.node_id, False)
