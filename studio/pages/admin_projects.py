"""Admin > Projects: team projects, their members and what is shared with them."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import (
    admin_page,
    card,
    dialog_buttons,
    role_badge,
    section_note,
)
from studio.components.shell import empty_state
from studio.state.admin_projects import AdminProjectsState

__all__ = ["admin_projects_page"]

S = AdminProjectsState


def _project_item(p: rx.Var) -> rx.Component:
    active = p["id"] == S.selected_id
    return rx.box(
        rx.hstack(
            rx.icon(rx.cond(p["kind"] == "team", "users", "user"), size=16),
            rx.vstack(rx.text(p["name"], size="2", weight="medium"),
                      rx.text(p["detail"], size="1", color_scheme="gray"), spacing="0"),
            align="center", spacing="2"),
        on_click=S.select(p["id"]), cursor="pointer", padding="8px 10px",
        border_radius="8px", width="100%", class_name="project-item",
        background=rx.cond(active, rx.color("accent", 4), "transparent"),
        _hover={"background": rx.color("gray", 4)},
    )


def _member_row(m: rx.Var) -> rx.Component:
    team = S.selected_kind == "team"
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(m["email"], size="2", weight="medium"),
                                rx.text(m["name"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.cond(team, rx.select.root(
            rx.select.trigger(variant="ghost", aria_label="Project role of " + m["email"]),
            rx.select.content(rx.foreach(S.roles, lambda r: rx.select.item(r, value=r))),
            value=m["role"], on_change=lambda r: S.set_member_role(m["user_id"], r),
            size="1"), role_badge(m["role"]))),
        rx.table.cell(rx.cond(team, rx.icon_button(
            rx.icon("user-minus", size=14), size="1", variant="ghost", color_scheme="red",
            on_click=S.remove_member(m["user_id"], m["email"]),
            aria_label="Remove " + m["email"]))),
        align="center", class_name="member-row",
    )


def _members() -> rx.Component:
    add = rx.hstack(
        rx.select.root(rx.select.trigger(placeholder="Add a user…", width="260px",
                                         id="member-user"),
                       rx.select.content(rx.foreach(S.user_choices, lambda u: rx.select.item(
                           u["email"], value=u["id"]))),
                       value=S.add_user_id, on_change=S.set_add_user),
        rx.select.root(rx.select.trigger(width="120px", id="member-role"),
                       rx.select.content(rx.foreach(S.roles, lambda r: rx.select.item(
                           r, value=r))),
                       value=S.add_role, on_change=S.set_add_role),
        rx.button(rx.icon("user-plus", size=14), "Add member", on_click=S.add_member,
                  id="member-add"),
        spacing="2", align="center",
    )
    table = rx.table.root(
        rx.table.header(rx.table.row(rx.table.column_header_cell("Member"),
                                     rx.table.column_header_cell("Project role",
                                                                 width="150px"),
                                     rx.table.column_header_cell("", width="48px"))),
        rx.table.body(rx.foreach(S.members, _member_row)),
        variant="surface", width="100%", id="members-table")
    return card("Members", rx.cond(S.selected_kind == "team", add, section_note(
        "A personal project belongs to one person. Create a team project to work with "
        "others, or share single workflows and credentials with one.")), table,
        description="Project admins manage members; editors build and run its workflows; "
                    "viewers read them. Instance owners and admins reach every project.")


def _share_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(r["kind"], variant="soft")),
        rx.table.cell(rx.text(r["name"], size="2", weight="medium")),
        rx.table.cell(rx.text(r["home"], size="2", color_scheme="gray")),
        rx.table.cell(role_badge(r["role"])),
        rx.table.cell(rx.button("Stop sharing", size="1", variant="soft", color_scheme="red",
                                on_click=S.unshare(r["kind"], r["id"]))),
        align="center", class_name="share-row",
    )


def _shares() -> rx.Component:
    add = rx.hstack(
        rx.select.root(rx.select.trigger(placeholder="A workflow or credential…",
                                         width="320px", id="share-target"),
                       rx.select.content(rx.foreach(S.candidates, lambda c: rx.select.item(
                           c["label"], value=c["value"]))),
                       value=S.share_target, on_change=S.set_share_target),
        rx.select.root(rx.select.trigger(width="120px"),
                       rx.select.content(rx.select.item("viewer", value="viewer"),
                                         rx.select.item("editor", value="editor")),
                       value=S.share_role, on_change=S.set_share_role),
        rx.button(rx.icon("share-2", size=14), "Share", on_click=S.share, id="share-add"),
        spacing="2", align="center",
    )
    table = rx.cond(
        S.shares.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Kind", width="110px"),
                rx.table.column_header_cell("Name"),
                rx.table.column_header_cell("Belongs to"),
                rx.table.column_header_cell("Access", width="110px"),
                rx.table.column_header_cell("", width="130px"))),
            rx.table.body(rx.foreach(S.shares, _share_row)),
            variant="surface", width="100%", id="shares-table"),
        rx.text("Nothing from other projects is shared with this one.", size="2",
                color_scheme="gray"))
    return card("Shared with this project", add, table,
                description="Members of this project reach these workflows and "
                            "credentials too, with at most the access shown.")


def admin_projects_page() -> rx.Component:
    side = rx.vstack(rx.foreach(S.projects, _project_item), spacing="1", width="260px",
                     min_width="260px", id="projects-list")
    detail = rx.cond(
        S.selected_id != "",
        rx.vstack(rx.hstack(rx.heading(S.selected_name, size="5"),
                            rx.badge(S.selected_kind, variant="soft"), align="center",
                            spacing="2"),
                  _members(), _shares(), spacing="4", width="100%"),
        empty_state("folder-kanban", "No project selected",
                    "Projects group workflows and credentials with the people who use "
                    "them."))
    body = rx.hstack(side, detail, spacing="5", align="start", width="100%")
    dialog = rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New team project"),
            rx.form(rx.vstack(
                rx.input(value=S.new_name, on_change=S.set_new_name, width="100%",
                         placeholder="e.g. Marketing automations", id="project-name"),
                rx.cond(S.create_error != "", rx.text(S.create_error, color="red",
                                                      size="1")),
                rx.text("You become its admin; add members next.", size="1",
                        color_scheme="gray"),
                dialog_buttons(rx.button("Create project", type="submit",
                                         id="project-create")),
                spacing="2", width="100%"), on_submit=lambda _: S.create()),
            max_width="440px"),
        open=S.create_open, on_open_change=S.set_create_open)
    new = rx.button(rx.icon("plus", size=14), "New project", on_click=S.open_create,
                    id="new-project")
    return admin_page("Projects", "Teams, their members and what they share.", S, body,
                      new, dialogs=(dialog,))
