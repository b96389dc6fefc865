"""The workflows page: every workflow with its state, and what you can do with it."""

from __future__ import annotations

import reflex as rx

from studio.components.import_dialog import import_button, import_dialog
from studio.components.shell import empty_state, page, page_header, status_badge
from studio.state.workflows import MoveState, WorkflowRow, WorkflowsState

__all__ = ["workflows_page"]

S = WorkflowsState


def _new_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New workflow"),
            rx.dialog.description("Give it a name; you can change it later.", size="2"),
            rx.form(
                rx.vstack(
                    rx.text("Name", size="2", weight="medium"),
                    rx.input(placeholder="e.g. Sync new orders", value=S.new_name,
                             on_change=S.set_new_name, id="new-workflow-name", auto_focus=True,
                             width="100%"),
                    rx.text("Folder (optional)", size="2", weight="medium"),
                    rx.input(placeholder="e.g. Sales/Reports", value=S.new_folder,
                             on_change=S.set_new_folder, width="100%"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray",
                                                  type="button")),
                        rx.button("Create", type="submit", id="create-workflow"),
                        justify="end", width="100%", padding_top="8px",
                    ),
                    spacing="2",
                ),
                on_submit=lambda _: S.create(),
            ),
            max_width="420px",
        ),
        open=S.new_open, on_open_change=S.set_new_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete workflow?"),
            rx.alert_dialog.description(
                rx.text("'", S.confirm_delete_name, "' and all its versions will be deleted. "
                        "Its past executions are kept."), size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray",
                                                 on_click=S.cancel_delete)),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red",
                                                 on_click=S.confirm_delete,
                                                 id="confirm-delete")),
                justify="end", spacing="2", padding_top="12px",
            ),
            max_width="420px",
        ),
        open=S.confirm_delete_id != "",
    )


def _move_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Move to folder"),
            rx.dialog.description("Folders are paths like 'Sales/Reports'; leave empty for "
                                  "the top level.", size="2"),
            rx.input(value=MoveState.move_folder, on_change=MoveState.set_move_folder,
                     width="100%", margin_top="8px", list="folder-list"),
            rx.el.datalist(rx.foreach(S.folders, lambda f: rx.el.option(value=f)),
                           id="folder-list"),
            rx.hstack(
                rx.button("Cancel", variant="soft", color_scheme="gray",
                          on_click=MoveState.cancel_move),
                rx.button("Move", on_click=MoveState.confirm_move),
                justify="end", spacing="2", padding_top="12px",
            ),
            max_width="420px",
        ),
        open=MoveState.move_id != "",
    )


def _row(r: WorkflowRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(r.name, href=f"/workflows/{r.id}", weight="medium", size="2",
                        class_name="wf-link"),
                rx.hstack(
                    rx.cond(r.folder != "", rx.badge(rx.icon("folder", size=11), r.folder,
                                                      variant="outline", color_scheme="gray")),
                    rx.foreach(r.tags, lambda t: rx.badge(t, variant="soft", radius="full")),
                    rx.cond(r.published, rx.badge("published", color_scheme="green",
                                                  variant="outline"),
                            rx.badge("draft", color_scheme="gray", variant="outline")),
                    spacing="1", wrap="wrap",
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(rx.cond(
            r.last_status != "",
            rx.hstack(status_badge(r.last_status), rx.text(r.last_run, size="1",
                                                           color_scheme="gray"),
                      align="center", spacing="2"),
            rx.text("never run", size="1", color_scheme="gray"))),
        rx.table.cell(rx.text(r.updated, size="2", color_scheme="gray")),
        rx.table.cell(rx.switch(checked=r.active,
                                on_change=lambda v: S.toggle_active(r.id, v),
                                aria_label="Active")),
        rx.table.cell(
            rx.dropdown_menu.root(
                rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis", size=16),
                                                        variant="ghost", color_scheme="gray",
                                                        aria_label="Actions")),
                rx.dropdown_menu.content(
                    rx.dropdown_menu.item("Open", on_click=rx.redirect(f"/workflows/{r.id}")),
                    rx.dropdown_menu.item("Duplicate", on_click=S.duplicate(r.id)),
                    rx.dropdown_menu.item("Export JSON", on_click=S.export(r.id)),
                    rx.dropdown_menu.item("Move to folder",
                                          on_click=MoveState.ask_move(r.id, r.folder)),
                    rx.dropdown_menu.separator(),
                    rx.dropdown_menu.item("Delete", color="red",
                                          on_click=S.ask_delete(r.id, r.name)),
                ),
            ),
        ),
        align="center", class_name="wf-row",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search workflows",
                 value=S.search, on_change=S.set_search.debounce(250), width="280px",
                 id="wf-search"),
        rx.select.root(
            rx.select.trigger(placeholder="All folders"),
            rx.select.content(rx.select.item("All folders", value="__all__"),
                              rx.foreach(S.folders, lambda f: rx.select.item(f, value=f))),
            value=rx.cond(S.folder == "", "__all__", S.folder), on_change=S.set_folder,
        ),
        rx.select.root(
            rx.select.trigger(placeholder="All tags"),
            rx.select.content(rx.select.item("All tags", value="__all__"),
                              rx.foreach(S.tags, lambda t: rx.select.item(t, value=t))),
            value=rx.cond(S.tag == "", "__all__", S.tag), on_change=S.set_tag,
        ),
        rx.spacer(),
        rx.text(S.total, " workflow", rx.cond(S.total == 1, "", "s"), size="2",
                color_scheme="gray"),
        align="center", spacing="2", width="100%", padding_bottom="12px",
    )


def _import_button() -> rx.Component:
    return rx.upload.root(
        rx.button(rx.icon("upload", size=14), "Import", variant="soft", id="import-button"),
        id="wf-import", accept={"application/json": [".json"]}, multiple=True,
        on_drop=S.import_files(rx.upload_files(upload_id="wf-import")),
        border="none", padding="0",
    )


def workflows_page() -> rx.Component:
    new_btn = rx.button(rx.icon("plus", size=14), "New workflow", on_click=S.open_new,
                        id="new-workflow")
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Name"),
            rx.table.column_header_cell("Last run", width="190px"),
            rx.table.column_header_cell("Updated", width="130px"),
            rx.table.column_header_cell("Active", width="80px"),
            rx.table.column_header_cell("", width="56px"),
        )),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", width="100%",
    )
    filtering = (S.search != "") | (S.tag != "") | (S.folder != "")
    body = rx.cond(
        S.rows.length() > 0, table,
        rx.cond(
            filtering,
            empty_state("search-x", "No workflow matches",
                        "Try another search, or clear the folder and tag filters."),
            empty_state("workflow", "Automate your first task",
                        "A workflow starts with a trigger (a click, a schedule, a webhook) "
                        "and passes items from node to node. Create one and add nodes from "
                        "the palette, or import a .json file exported from AURA.",
                        rx.button(rx.icon("plus", size=14), "Create a workflow",
                                  on_click=S.open_new)),
        ),
    )
    return page(
        page_header("Workflows", "Build, run and publish automations.", rx.cond(
            S.is_viewer,  # viewers read; the backend refuses their changes anyway
            rx.badge(rx.icon("lock", size=12), "Read only — you are a viewer",
                     color_scheme="amber", size="2", id="viewer-badge"),
            rx.hstack(_import_button(), import_button(), new_btn, spacing="2"))),
        _filters(),
        rx.cond(S.loaded, body, rx.center(rx.spinner(), padding="48px")),
        _new_dialog(), _delete_dialog(), _move_dialog(), import_dialog(),
    )
