"""The Tools section of the agent editor: one card per tool (its name, description,
approval switch; a code tool's time limit; a knowledge tool's re-ranker; a node tool's
arguments, parameters — a JSON editor for tables and JSON, its problem said under it as
it is typed — and credentials) and the picker that adds tools from lists (built-in,
workflows, nodes, knowledge bases, MCP servers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from studio.state.agent_editor import AgentEditorState

__all__ = ["tools_section"]

E = AgentEditorState


def _section(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _tool(t: rx.Var, i: rx.Var) -> rx.Component:
    def setter(key: str) -> Callable[[str], Any]:
        return lambda v: E.set_tool_field(i, key, v)

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(t["kind_label"], variant="soft"),
                rx.text(t["label"], weight="medium", size="2", class_name="tool-target"),
                rx.cond(
                    t["arguments"] != "",
                    rx.text("arguments: ", t["arguments"], size="1", color_scheme="gray"),
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    on_click=E.remove_tool(i),
                    aria_label="Remove tool",
                    class_name="tool-remove",
                ),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.vstack(
                    rx.text("Name the model calls it by", size="1", color_scheme="gray"),
                    rx.input(value=t["name"], on_change=setter("name"), class_name="tool-name"),
                    spacing="1",
                    width="35%",
                ),
                rx.vstack(
                    rx.text("What it does (told to the model)", size="1", color_scheme="gray"),
                    rx.input(
                        value=t["description"],
                        on_change=setter("description"),
                        placeholder="Default: a description from the tool itself",
                        class_name="tool-description",
                        width="100%",
                    ),
                    spacing="1",
                    width="65%",
                ),
                width="100%",
            ),
            rx.hstack(
                rx.switch(
                    checked=t["sensitive"] == "true",
                    on_change=lambda v: E.set_tool_sensitive(i, v),
                    class_name="tool-sensitive",
                ),
                rx.text("Ask a person to approve each call", size="2"),
                align="center",
                spacing="2",
            ),
            rx.cond(t["kind"] == "code", _code_settings(t, i)),
            rx.cond(t["kind"] == "knowledge", _knowledge_settings(t, i)),
            rx.cond(t["kind"] == "node", _node_settings(t, i)),
            rx.cond(
                t["error"] != "",
                rx.text(t["error"], color="red", size="1", class_name="tool-error"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="agent-tool",
        data_kind=t["kind"],
    )


def _code_settings(t: rx.Var, i: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text("Seconds per call", size="1", color_scheme="gray"),
        rx.input(
            value=t["timeout"],
            on_change=lambda v: E.set_tool_field(i, "timeout", v),
            width="80px",
            class_name="tool-timeout",
        ),
        rx.text("at most 120", size="1", color_scheme="gray"),
        align="center",
        spacing="2",
    )


def _knowledge_settings(t: rx.Var, i: rx.Var) -> rx.Component:
    """A knowledge tool's re-ranker: None, or one the engine offers (``E.rerankers``)."""
    return rx.hstack(
        rx.text("Re-ranker", size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(width="160px", aria_label="Re-ranker"),
            rx.select.content(
                rx.select.item("None", value="none"),
                rx.foreach(E.rerankers, lambda name: rx.select.item(name, value=name)),
            ),
            value=rx.cond(t["rerank"] == "", "none", t["rerank"]),
            on_change=lambda v: E.set_tool_rerank(i, v),
            size="2",
        ),
        rx.text(
            "reorders each search's passages (keywords: those holding the words asked for "
            "first); None keeps the search's order",
            size="1",
            color_scheme="gray",
        ),
        align="center",
        spacing="2",
        class_name="tool-rerank",
    )


def _select(f: rx.Var, on_change: Any, empty: str) -> rx.Component:
    return rx.cond(
        f["options"] != "",
        rx.select.root(
            rx.select.trigger(width="100%", class_name="node-select"),
            rx.select.content(
                rx.foreach(
                    f["options"].split(","),
                    lambda o: rx.select.item(o.split("|")[1], value=o.split("|")[0]),
                )
            ),
            value=f["value"],
            on_change=on_change,
        ),
        rx.text(empty, size="1", color=rx.cond(f["required"] == "true", "red", "gray")),
    )


def _node_field(f: rx.Var) -> rx.Component:
    control = rx.match(
        f["kind"],
        (
            "boolean",
            rx.switch(
                checked=f["value"] == "true",
                on_change=lambda v: E.set_node_switch(f["tool"], f["key"], v),
            ),
        ),
        (
            "options",
            _select(f, lambda v: E.set_node_param(f["tool"], f["key"], v), "No choices."),
        ),
        (
            "json",
            rx.text_area(
                value=f["value"],
                on_change=lambda v: E.set_node_param(f["tool"], f["key"], v),
                placeholder=f["example"],
                rows="4",
                width="100%",
                spell_check=False,
                font_family="var(--code-font-family)",
                aria_label=f["label"],
                aria_invalid=rx.cond(f["error"] != "", "true", "false"),
                class_name="node-json",
            ),
        ),
        (
            "credential",
            _select(
                f,
                lambda v: E.set_node_credential(f["tool"], f["key"], v),
                "No credential of this kind that you may use: add one under Credentials.",
            ),
        ),
        rx.input(
            value=f["value"],
            on_change=lambda v: E.set_node_param(f["tool"], f["key"], v),
            width="100%",
        ),
    )
    return rx.vstack(
        rx.text(f["label"], size="1", weight="medium"),
        control,
        rx.cond(
            f["error"] != "",
            rx.text(f["error"], size="1", color="red", class_name="node-field-error"),
        ),
        rx.text(f["help"], size="1", color_scheme="gray"),
        rx.cond(
            f["kind"] == "json",
            rx.text("JSON, e.g. ", rx.code(f["example"]), size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
        grid_column=rx.cond(f["kind"] == "json", "1 / -1", "auto"),
        class_name="node-field",
        data_key=f["key"],
    )


def _node_settings(t: rx.Var, i: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text("Arguments the model passes", size="1", color_scheme="gray"),
            rx.input(
                value=t["args"],
                on_change=lambda v: E.set_tool_field(i, "args", v),
                placeholder="e.g. text, city",
                class_name="tool-args",
                width="100%",
            ),
            rx.text(
                "Names separated by commas; the parameters below may use them as "
                "{{ $json.<name> }}.",
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            width="100%",
        ),
        rx.grid(
            rx.foreach(
                E.node_fields,
                lambda f: rx.cond(f["tool"] == i.to_string(), _node_field(f)),
            ),
            columns="3",
            spacing="3",
            width="100%",
        ),
        spacing="2",
        width="100%",
        class_name="node-settings",
    )


def _pick(label: rx.Var | str, detail: rx.Var | str, on_click: Any) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.text(detail, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button("Add", size="1", variant="soft", on_click=on_click),
        width="100%",
        align="center",
        class_name="tool-choice",
    )


def _group(
    title: str, items: rx.Var, render: Callable[[rx.Var], rx.Component], empty: str
) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="2", weight="bold"),
        rx.cond(
            items.length() > 0,
            rx.vstack(rx.foreach(items, render), spacing="2", width="100%"),
            rx.text(empty, size="1", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def _picker() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("plus", size=14), "Add a tool", variant="soft", id="agent-add-tool")
        ),
        rx.dialog.content(
            rx.dialog.title("Add a tool"),
            rx.scroll_area(
                rx.vstack(
                    rx.vstack(
                        rx.text("Built in", size="2", weight="bold"),
                        _pick(
                            "HTTP requests",
                            "Fetch a URL (GET or POST); private addresses are refused.",
                            E.add_tool("http", ""),
                        ),
                        _pick(
                            "Python code",
                            "Run the model's Python in the sandbox (no files, no network).",
                            E.add_tool("code", ""),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    _group(
                        "Workflows",
                        E.workflows,
                        lambda w: _pick(
                            w["name"],
                            "arguments: " + w["arguments"],
                            E.add_tool("workflow", w["id"]),
                        ),
                        "No workflow of this project that you may run.",
                    ),
                    _group(
                        "Nodes",
                        E.nodes,
                        lambda n: _pick(
                            n["title"], n["description"], E.add_tool("node", n["type"])
                        ),
                        "No node can be a tool.",
                    ),
                    _group(
                        "Knowledge bases",
                        E.knowledge_bases,
                        lambda b: _pick(
                            b["name"], "Search it for passages", E.add_tool("knowledge", b["name"])
                        ),
                        "No knowledge base in this project yet (see Knowledge).",
                    ),
                    _group(
                        "MCP servers",
                        E.mcp_servers,
                        lambda s: _pick(
                            s["name"], "Every tool of " + s["where"], E.add_tool("mcp", s["name"])
                        ),
                        "No MCP server configured for this project.",
                    ),
                    rx.link(
                        "Configure the project's MCP servers",
                        href="/mcp-servers?project=" + E.project_id,
                        size="2",
                    ),
                    spacing="4",
                    width="100%",
                ),
                max_height="60vh",
                type="auto",
            ),
            rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
            max_width="560px",
            id="tool-picker",
        ),
        open=E.picker_open,
        on_open_change=E.set_picker_open,
    )


def tools_section() -> rx.Component:
    return _section(
        "Tools",
        rx.text(
            "The agent may call these and nothing else; a tool that asks for approval waits "
            "in the approvals inbox before each call.",
            size="2",
            color_scheme="gray",
        ),
        rx.foreach(E.tools, _tool),
        rx.cond(E.tools.length() == 0, rx.text("No tools yet.", size="2", color_scheme="gray")),
        _picker(),
        id="agent-tools",
    )
