# ruff: noqa: E501, RUF001
"""JavaScript of the parameter form (``AuraForm``), injected by :mod:`.param_form`.

The form is drawn from field descriptors computed in Python (:mod:`studio.logic.form`),
recursively, so collections inside collections (Switch rules holding conditions) work.
Inputs are uncontrolled and commit on blur or Enter (no round trip per keystroke); they
are re-created when Python bumps ``rev`` (undo, mode switch, another node).
"""

from __future__ import annotations

__all__ = ["FORM_JS"]

FORM_JS = r"""
function auraIsExpr(v) { return typeof v === "string" && v.indexOf("{{") !== -1; }
function auraText(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v, null, 2);
}
function auraGet(obj, path) {
  let cur = obj;
  for (const p of path.split(".")) { if (cur === null || cur === undefined) return undefined; cur = cur[p]; }
  return cur;
}
function auraSingular(label) { return label.endsWith("s") ? label.slice(0, -1) : label; }
function auraSibling(values, fields, key) {
  if (values && key in values) return values[key];
  const f = fields.find((x) => x.key === key);
  return f ? f.default : undefined;
}
// show/hide declared on the spec (like n8n's displayOptions): a field applies only when
// its siblings hold one of the listed values
function auraRuleText(v) { return v === null || v === undefined ? "null" : String(v); }
function auraVisible(f, values, fields) {
  for (const [k, allowed] of Object.entries(f.show || {}))
    if (!allowed.map(auraRuleText).includes(auraRuleText(auraSibling(values, fields, k)))) return false;
  for (const [k, refused] of Object.entries(f.hide || {}))
    if (refused.map(auraRuleText).includes(auraRuleText(auraSibling(values, fields, k)))) return false;
  return true;
}
function auraOptions(f, values, fields) {
  if (!f.options_by) return f.options || [];
  return (f.options_by.options || {})[String(auraSibling(values, fields, f.options_by.field))] || [];
}

function AuraCode({ value, language, onCommit, dark, readOnly, minHeight, labelId }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  // the editable area is named by the field's label (it is not a labelable element)
  const named = EditorView.contentAttributes.of(labelId ? { "aria-labelledby": labelId } : {});
  const exts = language === "python" ? [auraPython(), named] : [auraJson(), named];
  return (
    <div className="aura-code" onKeyDown={(e) => e.stopPropagation()}>
      <CodeMirror value={text} extensions={exts} theme={dark ? "dark" : "light"}
                  editable={!readOnly} minHeight={minHeight || "120px"} maxHeight="420px"
                  basicSetup={{ lineNumbers: true, foldGutter: false }}
                  onChange={(v) => setText(v)} onBlur={() => { if (text !== value) onCommit(text); }} />
    </div>
  );
}

function AuraInput({ f, path, value, ctx, expr, options, inputId, labelId }) {
  const commit = (v) => ctx.change(path, v, expr ? "text" : f.kind, !!f.integer);
  // named by the field's <label htmlFor> (its text is the field's label)
  const common = { disabled: ctx.readOnly, "data-path": path, id: inputId,
                   "aria-required": f.required ? true : undefined };
  const onKey = (e) => { e.stopPropagation(); if (e.key === "Enter" && e.target.tagName !== "TEXTAREA") e.target.blur(); };
  if (expr) {
    return <TextArea {...common} className="aura-expr" defaultValue={auraText(value)} rows={2}
                     onKeyDown={(e) => e.stopPropagation()}
                     onBlur={(e) => { if (e.target.value !== auraText(value)) commit(e.target.value); }} />;
  }
  switch (f.kind) {
    case "boolean":
      return <Switch {...common} checked={!!value} onCheckedChange={(v) => commit(v)} />;
    case "options": {
      const opts = (options || []).filter((o) => o.value !== "");
      if (f.free || !opts.length)
        return <TextField.Root {...common} defaultValue={auraText(value)} list={"dl-" + path}
                               onKeyDown={onKey} onBlur={(e) => { if (e.target.value !== auraText(value)) commit(e.target.value); }}>
                 <datalist id={"dl-" + path}>{opts.map((o) => <option key={o.value} value={o.value} label={o.label} />)}</datalist>
               </TextField.Root>;
      const cur = value === null || value === undefined || value === "" ? undefined : String(value);
      // a stored value outside the choices stays visible (and is flagged) until changed
      const shown = cur !== undefined && !opts.some((o) => o.value === cur)
        ? [...opts, { value: cur, label: cur + " (not a choice)" }] : opts;
      return (
        <Select.Root value={cur} onValueChange={(v) => commit(v)} disabled={ctx.readOnly}>
          <Select.Trigger {...common} placeholder="Choose…" style={{ width: "100%" }} />
          <Select.Content position="popper">{shown.map((o) => <Select.Item key={o.value} value={o.value}>{o.label}</Select.Item>)}</Select.Content>
        </Select.Root>
      );
    }
    case "number":
      return <TextField.Root {...common} type="text" inputMode="decimal" defaultValue={auraText(value)}
                             onKeyDown={onKey} onBlur={(e) => { if (e.target.value !== auraText(value)) commit(e.target.value); }} />;
    case "textarea":
    case "list":
      return <TextArea {...common} rows={f.kind === "list" ? 3 : 4}
                       defaultValue={f.kind === "list" && Array.isArray(value) ? value.join("\n") : auraText(value)}
                       placeholder={f.kind === "list" ? "One per line" : ""} onKeyDown={(e) => e.stopPropagation()}
                       onBlur={(e) => commit(e.target.value)} />;
    case "code":
    case "json":
      return <AuraCode value={auraText(value)} language={f.kind === "code" ? (f.language || "python") : "json"}
                       dark={ctx.dark} readOnly={ctx.readOnly} minHeight={f.kind === "json" ? "64px" : "160px"}
                       labelId={labelId} onCommit={(t) => commit(t)} />;
    case "password":
      return <TextField.Root {...common} type="password" defaultValue={auraText(value)} onKeyDown={onKey}
                             onBlur={(e) => { if (e.target.value !== auraText(value)) commit(e.target.value); }} />;
    default:
      return <TextField.Root {...common} defaultValue={auraText(value)} onKeyDown={onKey}
                             placeholder={f.kind === "datetime" ? "2025-01-31T12:00:00+00:00" : ""}
                             onBlur={(e) => { if (e.target.value !== auraText(value)) commit(e.target.value); }} />;
  }
}

function AuraCollection({ f, path, value, ctx }) {
  const items = Array.isArray(value) ? value : [];
  const kv = f.kind === "key_value";
  return (
    <Flex direction="column" gap="2" className="aura-collection" data-path={path}>
      {items.map((it, i) => (
        <div key={i} className={kv ? "aura-kv-row" : "aura-coll-item"}>
          <div className="aura-coll-fields">
            <AuraFields fields={f.fields || []} prefix={path + "." + i} values={it || {}} ctx={ctx} compact={kv} />
          </div>
          {ctx.readOnly ? null : (
            <Flex direction={kv ? "row" : "column"} gap="1">
              {kv ? null : <IconButton size="1" variant="ghost" color="gray" aria-label="Move up" disabled={i === 0}
                                       onClick={() => ctx.move(path + "." + i, -1)}>↑</IconButton>}
              {kv ? null : <IconButton size="1" variant="ghost" color="gray" aria-label="Move down" disabled={i === items.length - 1}
                                       onClick={() => ctx.move(path + "." + i, 1)}>↓</IconButton>}
              <IconButton size="1" variant="ghost" color="red" aria-label={"Remove " + auraSingular(f.label)}
                          onClick={() => ctx.remove(path + "." + i)}>×</IconButton>
            </Flex>
          )}
        </div>
      ))}
      {ctx.readOnly ? null : (
        <Button size="1" variant="soft" onClick={() => ctx.add(path)} style={{ alignSelf: "flex-start" }}
                data-testid={"add-" + path}>+ Add {auraSingular(f.label).toLowerCase()}</Button>
      )}
    </Flex>
  );
}

function AuraField({ f, path, value, ctx, compact, options }) {
  const err = (ctx.errors || {})[path];
  const prev = (ctx.previews || {})[path];
  const nested = f.kind === "collection" || f.kind === "key_value";
  const expr = !nested && f.expression && (auraIsExpr(value) || (ctx.modes || {})[path] === "expression");
  const canExpr = f.expression && !nested && f.kind !== "code";
  const uid = useId();
  const inputId = uid + "in";
  const labelId = uid + "label";
  // a code editor and a list of entries are not labelable: they are named by the label's id
  const labelable = !nested && (expr || (f.kind !== "code" && f.kind !== "json"));
  return (
    <div className={"aura-field" + (compact ? " compact" : "") + (err ? " has-error" : "")}
         data-field={path} data-kind={f.kind} role={nested ? "group" : undefined}
         aria-labelledby={nested ? labelId : undefined}>
      <Flex align="center" justify="between" gap="2">
        <Text as="label" size="2" weight="medium" id={labelId} htmlFor={labelable ? inputId : undefined}>
          {f.label}{f.required ? <span className="aura-req" aria-hidden="true"> *</span> : null}</Text>
        {canExpr && !ctx.readOnly ? (
          <SegmentedControl.Root size="1" value={expr ? "expression" : "fixed"}
                                 onValueChange={(m) => ctx.mode(path, m)} aria-label={"Mode of " + f.label}>
            <SegmentedControl.Item value="fixed">Fixed</SegmentedControl.Item>
            <SegmentedControl.Item value="expression">Expression</SegmentedControl.Item>
          </SegmentedControl.Root>
        ) : null}
      </Flex>
      {f.help && !compact ? <Text as="div" size="1" color="gray" className="aura-help">{f.help}</Text> : null}
      <div className="aura-input">
        {nested ? <AuraCollection f={f} path={path} value={value} ctx={ctx} />
                : <AuraInput key={path + ":" + ctx.rev + (expr ? ":x" : "")} f={f} path={path}
                             value={value} ctx={ctx} expr={expr} options={options}
                             inputId={inputId} labelId={labelId} />}
      </div>
      {expr && prev ? (
        <div className={"aura-preview" + (prev.pending ? " pending" : prev.ok ? "" : " bad")} data-testid="expr-preview">
          <span className="aura-preview-label">{prev.pending ? "Preview" : prev.ok ? "Result" : "Problem"}</span>{prev.text}
        </div>
      ) : null}
      {err ? <Text as="div" size="1" color="red" className="aura-error" data-testid="field-error">{err}</Text> : null}
    </div>
  );
}

function AuraFields({ fields, prefix, values, ctx, compact, level }) {
  const siblings = level || fields;
  return (
    <div className={compact ? "aura-fields-row" : "aura-fields"}>
      {fields.filter((f) => auraVisible(f, values, siblings)).map((f) => {
        const path = prefix ? prefix + "." + f.key : f.key;
        const v = values && f.key in values ? values[f.key] : f.default;
        return <AuraField key={f.key} f={f} path={path} value={v} ctx={ctx} compact={compact}
                          options={auraOptions(f, values, siblings)} />;
      })}
    </div>
  );
}

function AuraForm(props) {
  const cb = useRef(props);
  cb.current = props;
  const ctx = useMemo(() => ({
    errors: props.errors, previews: props.previews, modes: props.modes, rev: props.rev,
    readOnly: !!props.readOnly, dark: props.colorMode === "dark",
    change: (p, v, kind, integer) => cb.current.onChangeValue && cb.current.onChangeValue(p, v, kind, !!integer),
    add: (p) => cb.current.onAddItem && cb.current.onAddItem(p),
    remove: (p) => cb.current.onRemoveItem && cb.current.onRemoveItem(p),
    move: (p, d) => cb.current.onMoveItem && cb.current.onMoveItem(p, d),
    mode: (p, m) => cb.current.onMode && cb.current.onMode(p, m),
  }), [props.errors, props.previews, props.modes, props.rev, props.readOnly, props.colorMode]);
  const fields = props.fields || [];
  const values = props.values || {};
  const shown = fields.filter((f) => auraVisible(f, values, fields));
  const main = shown.filter((f, i) => i < 4 || f.required || (f.key in values && JSON.stringify(values[f.key]) !== JSON.stringify(f.default)) || (props.errors || {})[f.key]);
  const more = shown.filter((f) => !main.includes(f));
  if (!fields.length) return <Text size="2" color="gray">This node has no parameters.</Text>;
  return (
    <div className="aura-form">
      <AuraFields fields={main} prefix="" values={values} ctx={ctx} level={fields} />
      {more.length ? (
        <details className="aura-more">
          <summary>More options ({more.length})</summary>
          <AuraFields fields={more} prefix="" values={values} ctx={ctx} level={fields} />
        </details>
      ) : null}
    </div>
  );
}
"""
