# ruff: noqa: E501
"""The unsaved-changes guard of the editor (``AuraUnsavedGuard``).

While ``dirty`` is true, leaving the page asks first: a reload, a closed tab or a typed
address through the browser's own ``beforeunload`` prompt, and a click on a link of the
studio (the sidebar, a breadcrumb) through a confirmation that names what would be lost.
The click is caught in the capture phase, before the router's link handler sees it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

__all__ = ["LEAVE_QUESTION", "AuraUnsavedGuard", "unsaved_guard"]

LEAVE_QUESTION = "This workflow has unsaved changes. Leave without saving them?"

_JS = r"""
function AuraUnsavedGuard({ dirty, question }) {
  const ref = useRef(!!dirty);
  ref.current = !!dirty;
  useEffect(() => {
    const onBeforeUnload = (e) => {
      if (!ref.current) return undefined;
      e.preventDefault();
      e.returnValue = "";
      return "";
    };
    const onClick = (e) => {
      if (!ref.current || e.defaultPrevented || e.button !== 0) return;
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;  // a new tab keeps this one
      const a = e.target && e.target.closest ? e.target.closest("a[href]") : null;
      if (!a || (a.target && a.target !== "_self") || a.hasAttribute("download")) return;
      const url = new URL(a.getAttribute("href"), window.location.href);
      if (url.origin === window.location.origin && url.pathname === window.location.pathname) return;
      if (window.confirm(question)) { ref.current = false; return; }
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [question]);
  return <span hidden data-testid="unsaved-guard" data-dirty={dirty ? "true" : "false"} />;
}
"""


class AuraUnsavedGuard(rx.Component):
    """Asks before leaving the page while ``dirty`` is true (renders nothing visible)."""

    tag = "AuraUnsavedGuard"

    dirty: rx.Var[bool]
    question: rx.Var[str]

    def add_imports(self) -> dict[str, Any]:
        return {"react": ["useEffect", "useRef"]}

    def add_custom_code(self) -> list[str]:
        return [_JS]


def unsaved_guard(dirty: Any) -> rx.Component:
    """The guard bound to a state var telling whether there are unsaved changes."""
    return AuraUnsavedGuard.create(dirty=dirty, question=LEAVE_QUESTION)
