# ruff: noqa: E501, RUF001
"""JavaScript of the canvas, injected as page-level custom code by :mod:`.flow`.

* ``AuraCanvas`` wraps the Reflex-rendered ``<ReactFlow>`` in a ``ReactFlowProvider``
  and does what must stay in the browser: applying the editor's commands (reset or
  patch the nodes and edges), drag-and-drop from the palette, copy and paste, and
  keyboard shortcuts, and a workflow file dropped from the desktop (``onDropFile``).
  Committed changes go to Python through its ``on*`` props.
* ``AuraNode``, ``AuraSticky`` and ``AuraEdge`` are the custom node and edge types,
  drawn from the data Python computed from each node's spec, with the run status read
  from a React context (so a status change does not rebuild the node list).
* ``auraMoves``, ``auraConn``, ``auraConnEnd``, ``auraValidConn``, ``auraDeleted`` map
  React Flow callback arguments to the small JSON the Python handlers receive.
"""

from __future__ import annotations

__all__ = ["CANVAS_JS", "EVENT_HELPERS_JS", "NODES_JS"]

EVENT_HELPERS_JS = r"""
const AuraCtx = createContext({ run: {}, action: () => {}, readOnly: false });

function auraMoves(nodes) {
  return (nodes || []).map((n) => ({ id: n.id, x: Math.round(n.position.x),
                                     y: Math.round(n.position.y) }));
}
function auraConn(c) {
  return { source: c.source, output: c.sourceHandle || "main", target: c.target,
           input: c.targetHandle || "main" };
}
function auraDeleted(d) {
  return { nodes: (d.nodes || []).map((n) => n.id), edges: (d.edges || []).map((e) => e.id) };
}
function auraConnEnd(event, state) {
  if (!state || state.isValid || !state.fromNode || !window.__auraFlow) return {};
  const t = event.target;
  if (!t || !t.classList || !t.classList.contains("react-flow__pane")) return {};
  const pt = "changedTouches" in event ? event.changedTouches[0] : event;
  const pos = window.__auraFlow.screenToFlowPosition({ x: pt.clientX, y: pt.clientY });
  return { node: state.fromNode.id, handle: (state.fromHandle && state.fromHandle.id) || "main",
           kind: (state.fromHandle && state.fromHandle.type) || "source",
           x: Math.round(pos.x), y: Math.round(pos.y) };
}
function auraValidConn(c) {
  const rf = window.__auraFlow;
  if (!rf || c.source === c.target) return false;
  const edges = rf.getEdges();
  if (edges.some((e) => e.source === c.source && e.target === c.target &&
                        (e.sourceHandle || "main") === (c.sourceHandle || "main") &&
                        (e.targetHandle || "main") === (c.targetHandle || "main"))) return false;
  const out = new Map();
  for (const e of edges) { if (!out.has(e.source)) out.set(e.source, []); out.get(e.source).push(e.target); }
  const seen = new Set([c.target]); const stack = [c.target];
  while (stack.length) {
    const cur = stack.pop();
    if (cur === c.source) return false;
    for (const k of out.get(cur) || []) if (!seen.has(k)) { seen.add(k); stack.push(k); }
  }
  return true;
}
"""

NODES_JS = r"""
function auraItems(n) { return n === 1 ? "1 item" : `${n} items`; }
function auraPct(i, n) { return `${((i + 1) * 100) / (n + 1)}%`; }
const AURA_BADGE = { succeeded: "✓", failed: "!", running: "", pinned: "P", disabled: "–",
                     reused: "↺", cancelled: "×", waiting: "…" };

function AuraTool({ name }) { const I = AURA_ICONS[name]; return I ? <I size={12} /> : null; }

const AuraNode = memo(function AuraNode({ id, data, selected }) {
  const ctx = useContext(AuraCtx);
  const run = (ctx.run || {})[id];
  const Icon = AURA_ICONS[data.icon] || AURA_ICONS["box"];
  const ins = data.inputs || [];
  const outs = data.outputs || [];
  const st = run ? run.status : "";
  const cls = ["aura-node", selected ? "selected" : "", data.disabled ? "disabled" : "",
               st ? "st-" + st : "", data.unknown ? "unknown" : "",
               data.trigger ? "trigger" : "", data.flag ? "flag-" + data.flag : "",
               ins.length > 1 ? "multi-in" : "",
               outs.length > 1 || (outs[0] && outs[0].name !== "main") ? "multi-out" : ""].join(" ");
  const act = (name) => (e) => { e.stopPropagation(); ctx.action(name, id, {}); };
  return (
    <div className={cls} data-testid="aura-node" data-name={data.name} data-status={st}
         data-flag={data.flag || ""}>
      {ins.map((p, i) => (
        <Handle key={"in-" + p.name} type="target" position={Position.Left} id={p.name}
                className="aura-handle" style={{ top: auraPct(i, ins.length) }}>
          {ins.length > 1 ? <span className="aura-port in">{p.title}</span> : null}
        </Handle>
      ))}
      <div className="aura-node-icon">{Icon ? <Icon size={20} strokeWidth={1.75} /> : null}</div>
      <div className="aura-node-text">
        <div className="aura-node-name" title={data.name}>{data.name}</div>
        {data.unknown || data.disabled || data.name !== data.title ?
          <div className="aura-node-sub">{data.unknown ? "Unknown: " + data.type :
                                          data.disabled ? "Disabled" : data.title}</div> : null}
      </div>
      {st ? <div className={"aura-badge " + st} title={run.error || st}
                 data-testid="node-status">{st === "running" ? <span className="aura-spin" /> :
                                             st === "pinned" ? <AuraTool name="pin" /> : AURA_BADGE[st] || ""}</div> : null}
      {data.flag ? <div className={"aura-flag " + data.flag} data-testid="import-flag"
                        title={(data.flag === "placeholder" ? "Not imported: " : "Check after import: ") + data.notes}>
                     <AuraTool name="triangle-alert" /></div> : null}
      {data.pinned && st !== "pinned" ? <div className="aura-pin" title="Output is pinned"><AuraTool name="pin" /></div> : null}
      {run && run.error ? <div className="aura-node-error" title={run.error}>{run.error}</div> : null}
      {data.notes ? <div className="aura-node-note" title={data.notes}>{data.notes}</div> : null}
      {outs.map((p, i) => {
        const n = run && run.counts ? run.counts[p.name] : undefined;
        return (
          <Handle key={"out-" + p.name} type="source" position={Position.Right} id={p.name}
                  className={"aura-handle" + (p.name === "error" ? " err" : "")}
                  style={{ top: auraPct(i, outs.length) }}>
            {outs.length > 1 || p.name !== "main" ? <span className="aura-port out">{p.title}</span> : null}
            {n !== undefined ? <span className="aura-count">{auraItems(n)}</span> : null}
          </Handle>
        );
      })}
      {ctx.readOnly ? null : (
        <div className="aura-node-tools nodrag">
          <button title="Run up to here" onClick={act("run_to")} aria-label={"Run up to " + data.name}><AuraTool name="play" /></button>
          <button title={data.disabled ? "Enable" : "Disable"} onClick={act("toggle_disabled")}
                  aria-label={(data.disabled ? "Enable " : "Disable ") + data.name}><AuraTool name="power" /></button>
          <button title="Open" onClick={act("open")} aria-label={"Open " + data.name}><AuraTool name="pencil" /></button>
          <button title="Delete" onClick={act("delete")} aria-label={"Delete " + data.name}><AuraTool name="trash-2" /></button>
        </div>
      )}
    </div>
  );
});

function auraMarkdown(text) {
  return (text || "").split("\n").map((line, i) => {
    if (line.startsWith("## ") || line.startsWith("# "))
      return <div key={i} className="aura-sticky-h">{line.replace(/^#+ /, "")}</div>;
    if (line.startsWith("- ")) return <div key={i} className="aura-sticky-li">• {line.slice(2)}</div>;
    return <div key={i}>{line || "\u00a0"}</div>;
  });
}

const AuraSticky = memo(function AuraSticky({ id, data, selected }) {
  const ctx = useContext(AuraCtx);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(data.content);
  useEffect(() => setText(data.content), [data.content]);
  const done = () => { setEditing(false); if (text !== data.content) ctx.action("sticky_text", id, { content: text }); };
  return (
    <div className={"aura-sticky " + (data.color || "yellow") + (selected ? " selected" : "")}
         onDoubleClick={(e) => { if (!ctx.readOnly) { e.stopPropagation(); setEditing(true); } }}
         data-testid="aura-sticky">
      <NodeResizer isVisible={selected && !ctx.readOnly} minWidth={140} minHeight={80}
                   onResizeEnd={(e, p) => ctx.action("sticky_resize", id, { width: Math.round(p.width), height: Math.round(p.height), x: Math.round(p.x), y: Math.round(p.y) })} />
      {editing ? <textarea className="nodrag nowheel aura-sticky-edit" autoFocus value={text}
                           onChange={(e) => setText(e.target.value)} onBlur={done}
                           onKeyDown={(e) => { e.stopPropagation(); if (e.key === "Escape") done(); }} />
               : <div className="aura-sticky-md">{auraMarkdown(text)}</div>}
    </div>
  );
});

const AuraEdge = memo(function AuraEdge(props) {
  const { id, source, sourceHandleId, sourceX, sourceY, targetX, targetY, sourcePosition,
          targetPosition, selected, markerEnd } = props;
  const ctx = useContext(AuraCtx);
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const run = (ctx.run || {})[source];
  const n = run && run.counts ? run.counts[sourceHandleId || "main"] : undefined;
  const cls = "aura-edge" + (n ? " has-data" : "") + (selected ? " selected" : "");
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={cls} />
      {selected && !ctx.readOnly ? (
        <EdgeLabelRenderer>
          <button className="aura-edge-del nodrag nopan" aria-label="Delete connection"
                  style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}
                  onClick={() => ctx.action("delete_edge", id, {})}>×</button>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
});

const auraNodeTypes = { aura: AuraNode, sticky: AuraSticky };
const auraEdgeTypes = { aura: AuraEdge };
"""

CANVAS_JS = r"""
function auraEditable(el) {
  if (!el) return false;
  const tag = (el.tagName || "").toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable ||
         !!(el.closest && el.closest(".cm-editor, [role=dialog], [role=menu], [role=listbox]"));
}

function auraApply(rf, c) {
  if (c.reset) {
    const keep = new Set(rf.getNodes().filter((n) => n.selected).map((n) => n.id));
    rf.setNodes((c.nodes || []).map((n) => (keep.has(n.id) ? { ...n, selected: true } : n)));
    rf.setEdges(c.edges || []);
  } else {
    const rmN = new Set(c.remove_nodes || []);
    const rmE = new Set(c.remove_edges || []);
    const upN = new Map((c.nodes || []).map((n) => [n.id, n]));
    const upE = new Map((c.edges || []).map((e) => [e.id, e]));
    if (rmN.size || upN.size) rf.setNodes((ns) => {
      const out = [];
      for (const n of ns) {
        if (rmN.has(n.id)) continue;
        const u = upN.get(n.id);
        if (u) { upN.delete(n.id); out.push({ ...n, ...u, position: c.move ? u.position : n.position, selected: n.selected }); }
        else out.push(n);
      }
      for (const u of upN.values()) out.push(u);
      return out;
    });
    if (rmE.size || upE.size) rf.setEdges((es) => {
      const out = es.filter((e) => !rmE.has(e.id) && !upE.has(e.id));
      return out.concat([...upE.values()]);
    });
  }
  if (c.select) {
    const sel = new Set(c.select);
    rf.setNodes((ns) => ns.map((n) => (n.selected === sel.has(n.id) ? n : { ...n, selected: sel.has(n.id) })));
  }
  if (c.fit) setTimeout(() => auraFit(rf), 30);
  if (c.center) setTimeout(() => rf.setCenter(c.center.x, c.center.y, { zoom: rf.getZoom(), duration: 200 }), 30);
}

// Big workflows open on their beginning (the leftmost nodes), not squeezed to fit: drawing
// hundreds of tiny nodes makes every drag slow, and nobody can read them anyway.
function auraFit(rf) {
  const ns = rf.getNodes().filter((n) => n.type === "aura");
  // React Flow 12 queues a fit asked for on an empty canvas until nodes appear: the first
  // node dropped would then be centred instead of staying where it was dropped
  if (!ns.length) return;
  if (ns.length <= 120) { rf.fitView({ padding: 0.2, maxZoom: 1, duration: 0 }); return; }
  const first = [...ns].sort((a, b) => a.position.x - b.position.x).slice(0, 60);
  rf.fitView({ padding: 0.15, maxZoom: 1, minZoom: 0.4, nodes: first.map((n) => ({ id: n.id })), duration: 0 });
}

function auraFragment(rf) {
  const nodes = rf.getNodes().filter((n) => n.selected);
  const flowNodes = nodes.filter((n) => n.type === "aura");
  const names = new Map(flowNodes.map((n) => [n.id, n.data.name]));
  const out = {
    format: "aura.workflow/1",
    nodes: flowNodes.map((n) => ({ ...n.data.def, position: [Math.round(n.position.x), Math.round(n.position.y)] })),
    connections: rf.getEdges().filter((e) => names.has(e.source) && names.has(e.target)).map((e) => ({
      source: names.get(e.source), output: e.sourceHandle || "main",
      target: names.get(e.target), input: e.targetHandle || "main" })),
    sticky_notes: nodes.filter((n) => n.type === "sticky").map((n) => ({
      id: n.data.note_id, content: n.data.content, color: n.data.color,
      position: [Math.round(n.position.x), Math.round(n.position.y)],
      size: [Math.round(n.width || 240), Math.round(n.height || 160)] })),
  };
  return out.nodes.length || out.sticky_notes.length ? out : null;
}

function AuraInner(props) {
  const rf = useReactFlow();
  const cb = useRef(props);
  cb.current = props;
  const last = useRef(0);
  const mouse = useRef(null);
  const pasted = useRef(false);
  const clicked = useRef(false);  // the last click was on the canvas (Tab then opens the palette)
  const far = useStore((s) => s.transform[2] < 0.45);
  useEffect(() => { window.__auraFlow = rf; window.__auraReady = true; }, [rf]);
  // React Flow empties its store when it (re)mounts: apply every command again then.
  useEffect(() => () => { last.current = 0; }, []);

  useEffect(() => {
    const cmds = props.cmds || [];
    if (!cmds.length) return;
    let start = cmds.findIndex((c) => c.seq > last.current);
    if (start < 0) return;
    for (let i = cmds.length - 1; i >= start; i--) if (cmds[i].reset) { start = i; break; }
    for (const c of cmds.slice(start)) auraApply(rf, c);
    last.current = cmds[cmds.length - 1].seq;
    window.__auraSeq = last.current;
  }, [props.cmds, rf]);

  useEffect(() => {
    const selectedIds = () => rf.getNodes().filter((n) => n.selected).map((n) => n.id);
    const onKey = (e) => {
      if (auraEditable(e.target)) return;
      // Enter and Space on a focused button, link or tab work that control
      if ((e.key === "Enter" || e.key === " ") && e.target && e.target.closest &&
          e.target.closest("button, a[href], [role=button], [role=tab], [role=switch], summary")) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const send = (a, ids) => { e.preventDefault(); cb.current.onShortcut && cb.current.onShortcut(a, ids || selectedIds()); };
      if (mod && k === "z" && !e.shiftKey) return send("undo");
      if (mod && (k === "y" || (k === "z" && e.shiftKey))) return send("redo");
      if (mod && k === "s") return send("save");
      if (mod && k === "enter") return send("run");
      if (cb.current.readOnly) return;
      if (mod && k === "a") { e.preventDefault(); rf.setNodes((ns) => ns.map((n) => ({ ...n, selected: true }))); return; }
      if (mod && k === "d") return send("duplicate");
      if (mod && k === "v") {
        // Browsers fire "paste" only when they want to; fall back to the clipboard API,
        // then to what was last copied in this tab.
        pasted.current = false;
        setTimeout(async () => {
          if (pasted.current) return;
          let text = "";
          try { text = await navigator.clipboard.readText(); } catch (err) { text = ""; }
          if (!text || !text.includes("nodes")) text = window.__auraClipboard || "";
          if (text) pasteText(text);
        }, 60);
        return;
      }
      if (mod) return;
      if (e.altKey && e.shiftKey && k === "t") return send("tidy");
      if (e.altKey) return;
      if (k === "1" || (e.shiftKey && k === "!")) { e.preventDefault(); rf.fitView({ padding: 0.2, maxZoom: 1, duration: 150 }); return; }
      if (k === "+" || k === "=") { e.preventDefault(); rf.zoomIn({ duration: 100 }); return; }
      if (k === "-" || k === "_") { e.preventDefault(); rf.zoomOut({ duration: 100 }); return; }
      if (k === "0") { e.preventDefault(); rf.zoomTo(1, { duration: 100 }); return; }
      if (k === "d" && selectedIds().length) return send("toggle_disabled");
      if ((k === "enter" || k === "f2") && selectedIds().length === 1) return send(k === "f2" ? "rename" : "open");
      if (k === "tab") {
        // Tab right after a click on the canvas opens the palette (as in n8n); otherwise it
        // moves the focus, so the keyboard reaches every control (N opens the palette)
        const canvasEl = document.querySelector(".aura-canvas");
        const at = document.activeElement;
        const open = clicked.current && !e.shiftKey &&
                     (!at || at === document.body || (canvasEl && canvasEl.contains(at)));
        clicked.current = false;
        return open ? send("palette") : undefined;
      }
      if (k === "n") return send("palette");
      if (k === "s" && e.shiftKey) return send("sticky");
      if (k === "p" && selectedIds().length === 1) return send("pin");
    };
    const onCopy = (e) => {
      if (auraEditable(document.activeElement) || (window.getSelection && String(window.getSelection()))) return;
      const frag = auraFragment(rf);
      if (!frag) return;
      e.clipboardData.setData("text/plain", JSON.stringify(frag, null, 2));
      e.preventDefault();
      window.__auraClipboard = JSON.stringify(frag);
      if (e.type === "cut" && !cb.current.readOnly) {
        rf.deleteElements({ nodes: rf.getNodes().filter((n) => n.selected).map((n) => ({ id: n.id })) });
      }
    };
    const pasteText = (text) => {
      pasted.current = true;
      const at = mouse.current ? rf.screenToFlowPosition(mouse.current) : null;
      cb.current.onPaste && cb.current.onPaste(text, at ? { x: Math.round(at.x), y: Math.round(at.y) } : {});
    };
    const onPaste = (e) => {
      if (cb.current.readOnly || auraEditable(document.activeElement)) return;
      const text = e.clipboardData ? e.clipboardData.getData("text/plain") : "";
      if (!text) return;
      e.preventDefault();
      pasteText(text);
    };
    const onPointer = (e) => {
      const canvasEl = document.querySelector(".aura-canvas");
      clicked.current = !!(canvasEl && canvasEl.contains(e.target));
    };
    document.addEventListener("pointerdown", onPointer, true);
    document.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("cut", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("pointerdown", onPointer, true);
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("cut", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [rf]);

  const action = useCallback((name, id, payload) => {
    if (name === "delete") { rf.deleteElements({ nodes: [{ id }] }); return; }
    if (name === "delete_edge") { rf.deleteElements({ edges: [{ id }] }); return; }
    cb.current.onAction && cb.current.onAction(name, id, payload || {});
  }, [rf]);
  const ctx = useMemo(() => ({ run: props.run || {}, action, readOnly: !!props.readOnly }),
                      [props.run, action, props.readOnly]);

  const onDragOver = useCallback((e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = Array.from(e.dataTransfer.types || []).includes("Files") ? "copy" : "move";
  }, []);
  const onDrop = useCallback((e) => {
    const type = e.dataTransfer.getData("application/aura-node");
    const files = e.dataTransfer.files;
    if (!type && files && files.length) {
      // a workflow file (n8n, Node-RED) dropped from the desktop: the import dialog reads it
      e.preventDefault();
      const f = files[0];
      const send = (text) => cb.current.onDropFile && cb.current.onDropFile(f.name, text, f.size);
      if (cb.current.readOnly) return;
      if (f.size > 5 * 1024 * 1024) { send(""); return; }
      f.text().then(send, () => send(""));
      return;
    }
    if (!type) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    cb.current.onDropNode && cb.current.onDropNode(type, { x: Math.round(p.x - 110), y: Math.round(p.y - 32) });
  }, [rf]);

  return (
    <AuraCtx.Provider value={ctx}>
      <div className={"aura-canvas" + (far ? " far" : "")} onDragOver={onDragOver} onDrop={onDrop}
           onMouseMove={(e) => { mouse.current = { x: e.clientX, y: e.clientY }; }}
           style={{ width: "100%", height: "100%", position: "relative" }}>
        {props.children}
      </div>
    </AuraCtx.Provider>
  );
}

function AuraCanvas(props) {
  return <ReactFlowProvider><AuraInner {...props} /></ReactFlowProvider>;
}

function AuraDraggable({ nodeType, children, className, onPick, label }) {
  const pick = () => onPick && onPick(nodeType);
  return (
    <div draggable className={className} data-node-type={nodeType} role="button" tabIndex={0}
         aria-label={label || undefined}
         onDragStart={(e) => { e.dataTransfer.setData("application/aura-node", nodeType); e.dataTransfer.effectAllowed = "move"; }}
         onClick={pick}
         onKeyDown={(e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } }}>
      {children}
    </div>
  );
}
"""
