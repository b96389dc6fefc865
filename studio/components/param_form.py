"""The parameter form component (``AuraForm``), generated from a node's spec."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.components.form_js import FORM_JS

__all__ = ["AuraForm", "aura_form"]

RADIX = "@radix-ui/themes@3.3.0"
CODEMIRROR = "@uiw/react-codemirror@4.25.12"


class AuraForm(rx.Component):
    """Fields, values, inline errors and expression previews of one node.

    Events: ``on_change_value(path, value, kind, integer)``, ``on_add_item(path)``,
    ``on_remove_item(path)``, ``on_move_item(path, delta)``, ``on_mode(path, mode)``.
    """

    tag = "AuraForm"

    fields: rx.Var[list[dict[str, Any]]]
    values: rx.Var[dict[str, Any]]
    errors: rx.Var[dict[str, str]]
    previews: rx.Var[dict[str, Any]]
    modes: rx.Var[dict[str, str]]
    rev: rx.Var[int]
    read_only: rx.Var[bool]
    color_mode: rx.Var[str]

    on_change_value: rx.EventHandler[lambda p, v, k, i: [p, v, k, i]]
    on_add_item: rx.EventHandler[lambda p: [p]]
    on_remove_item: rx.EventHandler[lambda p: [p]]
    on_move_item: rx.EventHandler[lambda p, d: [p, d]]
    on_mode: rx.EventHandler[lambda p, m: [p, m]]

    def add_imports(self) -> dict[str, Any]:
        return {
            "react": ["useState", "useEffect", "useRef", "useMemo", "useId"],
            RADIX: [
                "TextField",
                "TextArea",
                "Select",
                "Switch",
                "Button",
                "IconButton",
                "Text",
                "Flex",
                "SegmentedControl",
            ],
            CODEMIRROR: [rx.ImportVar(tag="CodeMirror", is_default=True), "EditorView"],
            "@codemirror/lang-python@6.2.1": [rx.ImportVar(tag="python", alias="auraPython")],
            "@codemirror/lang-json@6.0.2": [rx.ImportVar(tag="json", alias="auraJson")],
        }

    def add_custom_code(self) -> list[str]:
        return [FORM_JS]


aura_form = AuraForm.create
