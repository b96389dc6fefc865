"""The editor by keyboard and screen reader, in a real browser: Tab walks the navigation,
the top bar, the canvas nodes and the palette (it no longer opens the palette and traps
the focus there), Enter opens a focused node, the node panel's fields are named by their
labels, focus is always visible, and no icon-only button is nameless.

Names and roles are what Chromium's accessibility tree computes (through the DevTools
protocol), as a screen reader would read them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.studio.test_browser_studio import NODE, _open_editor, _seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_FOCUS_VISIBLE = """async () => {
  // the focused element, or the frame around it (a text field's root), looks different
  // focused and not focused: an outline or a ring
  const look = (el0) => {
    const out = [];
    for (let el = el0, i = 0; el && i < 3; el = el.parentElement, i++) {
      const cs = getComputedStyle(el);
      out.push([cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow].join(" "));
    }
    return out.join(" | ");
  };
  const el = document.activeElement;
  const focused = look(el);
  el.blur();
  await new Promise((r) => setTimeout(r, 200));
  const plain = look(el);
  el.focus();
  await new Promise((r) => setTimeout(r, 200));
  return focused !== plain;
}"""

_ICON_ONLY = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const els = [...root.querySelectorAll("button, [role=button], a[href], [role=tab]")];
  return els.filter((el) => el.getClientRects().length && !(el.innerText || "").trim())
            .map((el, i) => { el.setAttribute("data-a11y-probe", scope + i); return scope + i; });
}"""

_CONTROLS = """() => [...document.querySelectorAll(
    "#node-panel .aura-field input, #node-panel .aura-field textarea, "
    + "#node-panel .aura-field button[role=combobox], #node-panel .aura-field button[role=switch]")]
  .filter((el) => el.getClientRects().length)
  .map((el) => [el.getAttribute("data-path"),
                el.labels && el.labels.length ? el.labels[0].innerText.replace(" *", "") : null,
                el.closest(".aura-field").querySelector("label").innerText.replace(" *", "")])"""


class Reader:
    """What Chromium's accessibility tree says about elements of a page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Accessibility.enable")

    def read(self, expression: str) -> tuple[str, str]:
        """``(role, accessible name)`` of the element a JS expression gives."""
        obj = self.cdp.send("Runtime.evaluate", {"expression": expression})["result"]
        nodes = self.cdp.send(
            "Accessibility.getPartialAXTree",
            {"objectId": obj["objectId"], "fetchRelatives": False},
        )["nodes"]
        node = nodes[0]
        return node.get("role", {}).get("value", ""), node.get("name", {}).get("value", "")

    def focused(self) -> tuple[str, str]:
        return self.read("document.activeElement")

    def focus_is_visible(self) -> bool:
        return bool(self.page.evaluate(_FOCUS_VISIBLE))


def _tab(
    page: Any, reader: Reader, until: Any, limit: int = 80, shift: bool = False
) -> list[tuple[str, str]]:
    """Presses Tab until ``until(role, name)``; the focused elements on the way."""
    seen: list[tuple[str, str]] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        page.wait_for_timeout(60)
        seen.append(reader.focused())
        if until(*seen[-1]):
            return seen
    raise AssertionError(f"never reached it; focus went through: {seen}")


def _workflow() -> str:
    return _seed(
        {
            "name": "Keyboard orders",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
                {
                    "name": "Big order",
                    "type": "core.if",
                    "position": [320, 0],
                    "parameters": {
                        "conditions": [
                            {
                                "left": "{{ $json.total }}",
                                "type": "number",
                                "operation": "gt",
                                "right": 100,
                            }
                        ]
                    },
                },
            ],
            "connections": [{"source": "Start", "target": "Big order"}],
        }
    )


def test_tab_walks_the_editor_by_name_with_visible_focus(
    page: Any, studio_url: str, shot: Any
) -> None:
    _open_editor(page, studio_url, _workflow())
    page.wait_for_function("window.__auraReady === true")
    reader = Reader(page)

    # from the top of the page: navigation, top bar, then the nodes on the canvas
    walk = _tab(page, reader, lambda role, name: name == "Big order (If)")
    assert page.locator("#palette").count() == 0  # Tab moved the focus, it opened nothing
    names = [name for _, name in walk]
    assert names[0] == "Workflows" and walk[0][0] == "link"
    for expected in (
        "Workflow name",
        "Export",
        "History",
        "Node",
        "Run",
        "Save",
        "Publish",
        "Start (Manual Trigger)",
        "Big order (If)",
    ):
        assert expected in names, (expected, walk)
    assert (
        names.index("Workflow name")
        < names.index("Save")
        < names.index("Start (Manual Trigger)")
        < names.index("Big order (If)")
    )
    assert all(name.strip() for _, name in walk), walk  # nothing reads as an unnamed control
    assert reader.focus_is_visible()
    shot(page, "a11y-node-focused")

    # a focused node shows its tools, named after it; Enter opens it
    tools = _tab(page, reader, lambda role, name: name == "Delete Big order")
    assert [n for _, n in tools] == [
        "Run up to Big order",
        "Disable Big order",
        "Open Big order",
        "Delete Big order",
    ]
    assert reader.focus_is_visible()
    _tab(page, reader, lambda role, name: name == "Big order (If)", shift=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("#node-panel")

    # the node panel: its fields read as their labels, in the form's order
    panel = _tab(page, reader, lambda role, name: name == "Combinator", limit=60)
    labels = [name for _, name in panel]
    for expected in ("Node name", "Parameters", "Left", "Type", "Operation", "Right"):
        assert expected in labels, (expected, panel)
    assert labels.index("Type") < labels.index("Operation") < labels.index("Combinator")
    assert ("combobox", "Operation") in panel and ("combobox", "Combinator") in panel
    assert reader.focus_is_visible()
    shot(page, "a11y-panel-field-focused")
    page.keyboard.press("Escape")
    page.wait_for_selector("#node-panel", state="detached")
    # tabbing through a form changes nothing
    assert page.inner_text("#save-state").startswith("Saved")

    # the palette: opened from the top bar by keyboard (Enter works the focused button,
    # though a node is selected), entries are buttons; Enter adds one
    page.focus("#open-palette")
    page.keyboard.press("Enter")
    page.wait_for_selector("#palette")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'palette-search'"
    )
    assert reader.focused() == ("textbox", "Search nodes")
    page.keyboard.type("no operation")
    entry = _tab(page, reader, lambda role, name: name.startswith("Add "), limit=20)[-1]
    assert entry[0] == "button" and entry[1] == "Add No Operation, do nothing", entry
    assert reader.focus_is_visible()
    shot(page, "a11y-palette-entry-focused")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"aura-node\"]').length === 3")


def _nameless(page: Any, reader: Reader, scope: str) -> list[str]:
    out = []
    for probe in page.evaluate(_ICON_ONLY, scope):
        role, name = reader.read(f"document.querySelector('[data-a11y-probe=\"{probe}\"]')")
        if not name.strip():
            html = page.locator(f'[data-a11y-probe="{probe}"]').evaluate(
                "(el) => el.outerHTML.slice(0, 200)"
            )
            out.append(f"{scope or 'page'}: {role} {html}")
    return out


def test_no_icon_only_button_lacks_a_name_and_fields_have_labels(
    page: Any, studio_url: str, shot: Any
) -> None:
    _open_editor(page, studio_url, _workflow())
    page.wait_for_function("window.__auraReady === true")
    reader = Reader(page)
    problems: list[str] = []

    # the editor with a node's tools showing and a connection selected
    page.locator(NODE.format("Big order")).hover()
    problems += _nameless(page, reader, "")
    page.locator(".react-flow__edge").first.click(force=True)
    page.wait_for_selector(".aura-edge-del")
    assert reader.read("document.querySelector('.aura-edge-del')") == (
        "button",
        "Delete connection",
    )
    assert reader.read("document.querySelector('.react-flow__edge')")[1] == (
        "Connection from Start to Big order"
    )
    # the palette
    page.click("#open-palette")
    page.wait_for_selector("#palette .aura-palette-item")
    problems += _nameless(page, reader, "#palette")
    page.click("#open-palette")
    # the history drawer
    page.click("#history")
    page.wait_for_selector("[role=dialog]")
    problems += _nameless(page, reader, "[role=dialog]")
    page.keyboard.press("Escape")
    page.wait_for_selector("[role=dialog]", state="detached")
    # the node panel, with a condition's row buttons and the settings tab
    page.locator(NODE.format("Big order")).dblclick()
    page.wait_for_selector("#node-panel .aura-field")
    problems += _nameless(page, reader, "#node-panel")
    assert problems == []

    # every field's control is tied to its label (a click on the label reaches it)
    controls = page.evaluate(_CONTROLS)
    assert len(controls) >= 5, controls
    untied = [(path, tied, label) for path, tied, label in controls if tied != label]
    assert untied == []
    page.get_by_role("tab", name="Settings").click()
    for name in (
        "Disabled (passes its input through)",
        "On error",
        "Retry on failure",
        "Run once (first item only)",
        "Always output data",
        "Notes (shown on the canvas)",
    ):
        assert page.get_by_label(name, exact=True).count() == 1, name
    shot(page, "a11y-node-settings")
