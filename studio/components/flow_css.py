"""Styles of the canvas: node cards, ports, status badges, sticky notes, edges.

Colours are Radix Themes CSS variables, so light and dark mode follow the theme.
"""

from __future__ import annotations

import reflex as rx

__all__ = ["CANVAS_CSS", "canvas_style"]

CANVAS_CSS = """
.aura-canvas .react-flow { --xy-background-color: var(--gray-2); }
.aura-canvas .react-flow__node-aura { padding: 0; border: none; background: transparent; }
.aura-node {
  width: 100%; height: 100%; box-sizing: border-box; display: flex; align-items: center;
  gap: 10px; padding: 8px 12px; border-radius: 10px; background: var(--color-panel-solid);
  border: 1.5px solid var(--gray-7); box-shadow: 0 1px 2px var(--black-a3);
  color: var(--gray-12); font-family: var(--default-font-family); position: relative;
}
.aura-node.multi-in { padding-left: 52px; }
.aura-node.multi-out { padding-right: 44px; }
.aura-node.trigger { border-radius: 28px 10px 10px 28px; }
.aura-node.selected { border-color: var(--accent-9); box-shadow: 0 0 0 3px var(--accent-a5); }
.aura-node.disabled { opacity: .55; border-style: dashed; }
.aura-node.disabled .aura-node-name { text-decoration: line-through; }
.aura-node.unknown { border-color: var(--amber-9); }
.aura-node.flag-notes { border-color: var(--amber-9); box-shadow: 0 0 0 3px var(--amber-a5); }
.aura-node.flag-placeholder { border-color: var(--red-9); box-shadow: 0 0 0 3px var(--red-a4); }
.aura-node.selected[class*="flag-"] { border-color: var(--accent-9);
  box-shadow: 0 0 0 3px var(--accent-a5); }
.aura-flag { position: absolute; bottom: -9px; left: -9px; width: 20px; height: 20px;
  border-radius: 10px; color: white; display: flex; align-items: center;
  justify-content: center; cursor: help; }
.aura-flag.notes { background: var(--amber-9); }
.aura-flag.placeholder { background: var(--red-9); }
.aura-node.st-succeeded { border-color: var(--green-9); }
.aura-node.st-failed { border-color: var(--red-9); background: var(--red-2); }
.aura-node.st-running { border-color: var(--blue-9); }
.aura-node.st-pinned { border-color: var(--violet-9); }
.aura-node-icon { flex: none; width: 36px; height: 36px; border-radius: 8px; display: flex;
  align-items: center; justify-content: center; background: var(--accent-3);
  color: var(--accent-11); }
.aura-node-text { min-width: 0; flex: 1; }
.aura-node-name { font-size: 13px; font-weight: 600; line-height: 1.25; overflow: hidden;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
  overflow-wrap: anywhere; }
.aura-node-sub { font-size: 11px; color: var(--gray-10); white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.aura-badge { position: absolute; top: -9px; right: -9px; min-width: 20px; height: 20px;
  border-radius: 10px; font-size: 11px; font-weight: 700; display: flex; align-items: center;
  justify-content: center; color: white; background: var(--gray-9); padding: 0 4px; }
.aura-badge.succeeded { background: var(--green-9); }
.aura-badge.failed { background: var(--red-9); }
.aura-badge.running { background: var(--blue-9); }
.aura-badge.pinned { background: var(--violet-9); }
.aura-spin { width: 10px; height: 10px; border: 2px solid white; border-right-color: transparent;
  border-radius: 50%; animation: aura-spin .8s linear infinite; }
@keyframes aura-spin { to { transform: rotate(360deg); } }
.aura-pin { position: absolute; top: -9px; left: -9px; width: 20px; height: 20px;
  border-radius: 10px; background: var(--violet-9); color: white; display: flex;
  align-items: center; justify-content: center; }
.aura-node-error { position: absolute; top: 100%; left: 0; right: 0; margin-top: 4px;
  font-size: 11px; color: var(--red-11); background: var(--red-3); border-radius: 6px;
  padding: 2px 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.aura-node-note { position: absolute; bottom: 100%; left: 0; right: 0; margin-bottom: 4px;
  font-size: 11px; color: var(--gray-11); white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-style: italic; }
.aura-handle.react-flow__handle { width: 12px; height: 12px; background: var(--gray-1);
  border: 2px solid var(--gray-9); }
.aura-handle.react-flow__handle:hover { background: var(--accent-9);
  border-color: var(--accent-9); }
.aura-handle.err { border-color: var(--red-9); }
.aura-port { position: absolute; top: 50%; transform: translateY(-50%); font-size: 10px;
  color: var(--gray-11); pointer-events: none; white-space: nowrap; }
.aura-port.in { left: 12px; }
.aura-port.out { right: 12px; }
.aura-count { position: absolute; left: 14px; top: -14px; font-size: 10px; white-space: nowrap;
  color: var(--green-11); pointer-events: none; font-weight: 600; }
.aura-node-tools { position: absolute; bottom: 100%; right: 0; display: none; gap: 2px;
  padding-bottom: 4px; }
.react-flow__node-aura:hover .aura-node-tools { display: flex; }
.aura-node-tools button { border: 1px solid var(--gray-6); background: var(--color-panel-solid);
  color: var(--gray-11); border-radius: 5px; font-size: 11px; width: 22px; height: 20px;
  cursor: pointer; padding: 0; line-height: 1; display: flex; align-items: center;
  justify-content: center; }
.aura-node-tools button:hover { background: var(--accent-4); color: var(--accent-11); }
.aura-edge.react-flow__edge-path { stroke: var(--gray-9); stroke-width: 2; }
.aura-edge.has-data.react-flow__edge-path { stroke: var(--green-9); }
.react-flow__edge.selected .aura-edge.react-flow__edge-path { stroke: var(--accent-9); }
.aura-edge-del { position: absolute; pointer-events: all; width: 20px; height: 20px;
  border-radius: 10px; border: 1px solid var(--gray-7); background: var(--color-panel-solid);
  color: var(--red-11); cursor: pointer; font-size: 14px; line-height: 1; }
.react-flow__node-sticky { padding: 0; }
.aura-sticky { width: 100%; height: 100%; border-radius: 8px; padding: 10px 12px;
  box-sizing: border-box; font-size: 12px; overflow: hidden; color: var(--gray-12);
  border: 1px solid var(--amber-6); background: var(--amber-3); }
.aura-sticky.selected { border-color: var(--amber-9); }
.aura-sticky.blue { background: var(--blue-3); border-color: var(--blue-6); }
.aura-sticky.green { background: var(--green-3); border-color: var(--green-6); }
.aura-sticky-h { font-weight: 700; font-size: 14px; margin-bottom: 4px; }
.aura-sticky-edit { width: 100%; height: 100%; border: none; background: transparent;
  font: inherit; color: inherit; resize: none; outline: none; }
.react-flow__minimap { background: var(--gray-3); }
.react-flow__controls button { background: var(--color-panel-solid); color: var(--gray-12);
  border-bottom-color: var(--gray-5); }
.react-flow__controls button svg { fill: currentColor; }
.aura-form { display: flex; flex-direction: column; gap: 4px; }
.aura-fields { display: flex; flex-direction: column; gap: 14px; }
.aura-fields-row { display: flex; gap: 8px; align-items: flex-start; }
.aura-fields-row > .aura-field { flex: 1; min-width: 0; }
.aura-field { display: flex; flex-direction: column; gap: 4px; }
.aura-field .aura-help { line-height: 1.35; }
.aura-field .rt-SegmentedControlRoot { flex-shrink: 0; }
.aura-field .rt-SegmentedControlItem[data-state="on"] { color: var(--accent-11); font-weight: 600; }
.aura-field .rt-SegmentedControlItem[data-state="off"] { color: var(--gray-11); }
.aura-field .rt-SegmentedControlIndicator::before { background-color: var(--accent-3);
  box-shadow: inset 0 0 0 1px var(--accent-7); }
.aura-field.has-error .rt-TextFieldRoot, .aura-field.has-error .rt-TextAreaRoot
  { box-shadow: inset 0 0 0 1px var(--red-8); }
.aura-req { color: var(--red-10); }
.aura-expr textarea, textarea.aura-expr { font-family: var(--code-font-family); font-size: 12px;
  background: var(--violet-2); }
.aura-preview { font-family: var(--code-font-family); font-size: 12px; padding: 6px 8px;
  border-radius: 6px; background: var(--green-2); color: var(--green-11);
  border: 1px solid var(--green-5); word-break: break-word; }
.aura-preview.bad { background: var(--red-2); color: var(--red-11); border-color: var(--red-5); }
.aura-preview.pending { background: var(--gray-2); color: var(--gray-11);
  border-color: var(--gray-5); font-family: var(--default-font-family); }
.aura-preview-label { font-weight: 700; margin-right: 8px; font-family: var(--default-font-family);
  text-transform: uppercase; font-size: 10px; letter-spacing: .05em; }
.aura-coll-item { display: flex; gap: 8px; padding: 10px; border-radius: 8px;
  border: 1px solid var(--gray-5); background: var(--gray-2); }
.aura-coll-fields { flex: 1; min-width: 0; }
.aura-coll-item .aura-fields { gap: 10px; }
.aura-kv-row { display: flex; gap: 6px; align-items: flex-end; }
.aura-more summary { cursor: pointer; color: var(--gray-11); font-size: 13px; padding: 10px 0; }
.aura-more > .aura-fields { padding-top: 6px; }
.aura-code { border: 1px solid var(--gray-6); border-radius: 6px; overflow: hidden; }
.aura-schema-path { font-family: var(--code-font-family); font-size: 12px; cursor: grab;
  padding: 1px 6px; border-radius: 4px; background: var(--accent-3); color: var(--accent-11); }
.aura-canvas.far .aura-node { box-shadow: none; }
.aura-canvas.far .aura-node-sub, .aura-canvas.far .aura-port, .aura-canvas.far .aura-count,
.aura-canvas.far .aura-node-note, .aura-canvas.far .aura-node-tools { display: none; }
.aura-palette-item { cursor: grab; border-radius: 8px; padding: 8px; display: flex;
  gap: 10px; align-items: center; }
.aura-palette-item:hover { background: var(--gray-4); }
.aura-setting-label { font-size: var(--font-size-2); line-height: var(--line-height-2); }
/* keyboard focus is always visible: nodes, their tools, palette entries, canvas controls */
.react-flow__node-aura:focus-within .aura-node-tools { display: flex; }
.react-flow .react-flow__node-aura:focus-visible, .react-flow .react-flow__node-sticky:focus-visible
  { outline: 2px solid var(--focus-8); outline-offset: 4px; border-radius: 12px; }
.aura-node-tools button:focus-visible, .aura-edge-del:focus-visible,
.react-flow__controls button:focus-visible, .aura-more summary:focus-visible
  { outline: 2px solid var(--focus-8); outline-offset: 1px; }
.aura-palette-item:focus-visible { outline: 2px solid var(--focus-8); outline-offset: -2px;
  background: var(--gray-4); }
"""


def canvas_style() -> rx.Component:
    """A ``<style>`` element with :data:`CANVAS_CSS`."""
    return rx.el.style(CANVAS_CSS)
