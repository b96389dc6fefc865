"""The workflows screen against the real server: list and filter, the definition tree,
activate and deactivate, and running with JSON input (which opens the execution)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label, Select, TextArea

from tests.tui._helpers import column, make_app, signed_in, wait_for
from tests.tui._server import Server
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.screens.run_dialog import RunDialog, parse_items
from tui.screens.workflows import WorkflowsScreen
from tui.widgets.workflow_tree import WorkflowTree

pytestmark = pytest.mark.anyio


def _tree_labels(tree: WorkflowTree) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        out.append(str(node.label.plain if hasattr(node.label, "plain") else node.label))
        for child in node.children:
            walk(child)

    walk(tree.root)
    return out


async def _open(pilot: Any) -> WorkflowsScreen:
    await signed_in(pilot)
    await pilot.press("2")
    screen = await wait_for(pilot, lambda: isinstance(pilot.app.screen, WorkflowsScreen)
                            and pilot.app.screen.rows and pilot.app.screen)
    return screen  # type: ignore[no-any-return]


async def _select(pilot: Any, screen: WorkflowsScreen, name: str) -> None:
    table = screen.query_one("#wf-table", DataTable)
    names = column(table, 0)
    table.move_cursor(row=names.index(name))
    await wait_for(pilot, lambda: screen.selected is not None and screen.selected.name == name)


async def test_list_filter_and_definition_tree(server: Server, config_file: Path,
                                               tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#wf-table", DataTable)
        assert {"Greet orders", "Always fails", "Waits for approval"} <= set(column(table, 0))

        await _select(pilot, screen, "Greet orders")
        tree = screen.query_one(WorkflowTree)
        await wait_for(pilot, lambda: "Greet orders" in _tree_labels(tree)[0])
        labels = _tree_labels(tree)
        assert any("Start" in x and "core.manual_trigger" in x for x in labels)
        assert any(x.startswith("true → Priority") for x in labels)
        assert any(x.startswith("false → Standard") for x in labels)
        assert any("Nodes (4)" in x for x in labels)

        await pilot.press("slash")
        assert screen.query_one("#wf-search", Input).has_focus
        await pilot.press(*"fails")
        await wait_for(pilot, lambda: column(table, 0) == ["Always fails"], what="filtered")
        await pilot.press("enter")  # back to the list
        assert table.has_focus
        screen.query_one("#wf-search", Input).value = ""
        await wait_for(pilot, lambda: len(column(table, 0)) >= 3, what="unfiltered")


async def test_activate_and_deactivate(server: Server, config_file: Path,
                                       tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    wid = server.workflows["Greet orders"]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await _select(pilot, screen, "Greet orders")
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.selected is not None and screen.selected.active,
                       what="active")
        with server.client() as c:
            assert c.get(f"/workflows/{wid}").json()["active"] is True
        # its only trigger is manual: the operator is told that activation changes nothing
        warned = [n for n in app._notifications if n.severity == "warning"]
        assert warned and "no Webhook or Schedule trigger" in warned[-1].message
        screen.query_one("#wf-active", Select).value = "active"
        table = screen.query_one("#wf-table", DataTable)
        await wait_for(pilot, lambda: column(table, 0) == ["Greet orders"], what="only active")
        await pilot.press("d")
        await wait_for(pilot, lambda: column(table, 0) == [], what="deactivated")
        with server.client() as c:
            assert c.get(f"/workflows/{wid}").json()["active"] is False


async def test_run_with_json_input_opens_the_execution(server: Server, config_file: Path,
                                                       tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await _select(pilot, screen, "Greet orders")
        await pilot.press("r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, RunDialog) and
                                app.screen)
        area = dialog.query_one(TextArea)
        assert area.has_focus and area.selected_text == area.text  # typing replaces it
        await pilot.press(*"[{oops")
        await pilot.press("ctrl+s")
        error = dialog.query_one("#run-error", Label)
        await wait_for(pilot, lambda: "Not valid JSON" in str(error.content))
        area.text = '[{"customer": "Cy", "total": 420}]'
        await pilot.press("ctrl+s")
        detail = await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen)
                                and app.screen)
        await wait_for(pilot, lambda: detail.execution is not None and
                       detail.execution.status == "succeeded", what="the run finished")
        assert detail.execution is not None
        assert [r.node for r in detail.execution.node_runs] == ["Start", "Big?", "Priority"]
        saved = server.execution(detail.execution_id)
        start = saved["node_runs"][0]["outputs"]["main"][0]["json"]
        assert start == {"customer": "Cy", "total": 420}
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen))


def test_run_input_parsing() -> None:
    assert parse_items("") is None
    assert parse_items('{"a": 1}') == [{"a": 1}]
    assert parse_items('[{"a": 1}, {"b": 2}]') == [{"a": 1}, {"b": 2}]
    assert parse_items("[]") is None
    for bad, words in (("[1, 2]", "list of objects"), ("{", "line 1")):
        with pytest.raises(ValueError, match=words):
            parse_items(bad)
