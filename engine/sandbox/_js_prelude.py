"""The JavaScript evaluated in every JavaScript sandbox process before any user byte.

It keeps references to the intrinsics it needs (so user code replacing ``JSON`` or
``Promise.prototype.then`` changes only its own result), installs ``console`` (lines
are collected, capped, and handed back like Python's ``print``), removes the timers
the embedding library adds (there is no event loop to run them), and makes the names
a Node.js or browser program would use to reach the host (``require``, ``process``,
``fetch``, ...) fail with a clear message that is *latched*: catching it does not hide
it, the run ends as a sandbox violation.

The isolate itself holds nothing of the host (no modules, files, network, timers or
Python objects); these are messages for people, not the security boundary.
"""

from __future__ import annotations

__all__ = ["PRELUDE", "REFUSED_NAMES", "USER_SOURCE_URL"]

USER_SOURCE_URL = "code.js"

REFUSED_NAMES = (
    "require",
    "process",
    "fetch",
    "module",
    "exports",
    "Buffer",
    "XMLHttpRequest",
    "WebSocket",
    "importScripts",
    "Deno",
    "Bun",
    "__dirname",
    "__filename",
    "setTimeout",
    "setInterval",
    "setImmediate",
    "clearTimeout",
    "clearInterval",
    "queueMicrotask",
    "SharedArrayBuffer",
    "Atomics",
    "WebAssembly",
)

PRELUDE = r"""
(function () {
  "use strict";
  const g = globalThis;
  const apply = Reflect.apply, defineProperty = Reflect.defineProperty;
  const stringify = JSON.stringify, parse = JSON.parse;
  const then = Promise.prototype.then, resolve = Promise.resolve.bind(Promise);
  const StringOf = String, exec = RegExp.prototype.exec;
  const ReferenceErrorC = ReferenceError;
  const lineRe = /code\.js:(\d+)/;
  const REFUSED = %REFUSED%;

  let maxOut = 262144, maxResult = 16777216;
  const out = [];
  let outLen = 0, truncated = false, refused = null;
  let input = null, status = {__proto__: null, state: "idle"}, valueText = "null";
  const locked = {limits: false, input: false};

  function text(v) {
    if (typeof v === "string") return v;
    try {
      const s = stringify(v);
      if (s !== undefined) return s;
    } catch (e) { /* fall through */ }
    try { return StringOf(v); } catch (e) { return "[unprintable value]"; }
  }
  function write(args) {
    if (truncated) return;
    let line;
    line = "";
    for (let i = 0; i < args.length; i++) line += (i ? " " : "") + text(args[i]);
    if (outLen + line.length + 1 > maxOut) {
      truncated = true;
      line = line.slice(0, Math.max(0, maxOut - outLen - 1));
    }
    outLen += line.length + 1;
    out[out.length] = line;
  }
  const log = function () { write(arguments); };
  const consoleObj = {log: log, info: log, warn: log, error: log, debug: log, trace: log};
  defineProperty(g, "console", {value: consoleObj, writable: false, configurable: false});

  for (const name of REFUSED) {
    try { delete g[name]; } catch (e) { /* not configurable */ }
    defineProperty(g, name, {configurable: false, enumerable: false, get: function () {
      if (refused === null) {
        refused = "'" + name + "' is not available: JavaScript code runs without modules, " +
          "files, network, timers or processes";
      }
      throw new ReferenceErrorC(refused);
    }, set: function () {}});
  }

  function describe(e) {
    const d = {__proto__: null, kind: "user", type: "Error", message: "", line: null};
    try {
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        d.type = StringOf(e.name || "Error");
        d.message = StringOf(e.message === undefined ? "" : e.message);
        const m = apply(exec, lineRe, [StringOf(e.stack)]);
        if (m) d.line = +m[1] - 1;
      } else {
        d.message = StringOf(e);
      }
    } catch (x) {
      d.message = "(the thrown value could not be read)";
    }
    if (d.message.length > 2000) d.message = d.message.slice(0, 2000) + "...";
    if (d.type.length > 100) d.type = d.type.slice(0, 100);
    return d;
  }
  function fail(e) {
    status = {__proto__: null, state: "error", error: refused !== null
      ? {__proto__: null, kind: "violation", message: refused} : describe(e)};
  }
  function ok(v) {
    if (refused !== null) { fail(null); return; }
    let s;
    try { s = stringify(v === undefined ? null : v); }
    catch (e) {
      const d = describe(e);
      status = {__proto__: null, state: "error", error: {__proto__: null, kind: "result",
        type: d.type, message: "the returned value cannot be turned into JSON: " + d.message}};
      return;
    }
    if (s === undefined) s = "null";
    if (s.length > maxResult) {
      status = {__proto__: null, state: "error", error: {__proto__: null, kind: "too_large",
        message: "the result is " +
        s.length + " characters of JSON, more than the limit of " + maxResult + " bytes"}};
      return;
    }
    valueText = s;
    status = {__proto__: null, state: "ok"};
  }
  const api = Object.freeze({
    print: function () { write(arguments); },
    describe: describe,
    // for drivers: refuse something outside the sandbox, latched like the names above
    refuse: function (message) {
      if (refused === null) refused = StringOf(message);
      throw new ReferenceErrorC(refused);
    },
  });
  const aura = {
    limits: function (result, output) {
      if (locked.limits) return;
      locked.limits = true; maxResult = result; maxOut = output;
    },
    input: function (json) {
      if (locked.input) return;
      locked.input = true; input = parse(json);
    },
    start: function (driver, user) {
      status = {__proto__: null, state: "pending"};
      let r;
      try { r = driver(input, user, api); } catch (e) { fail(e); return; }
      input = null;
      try { apply(then, resolve(r), [ok, fail]); } catch (e) { fail(e); }
    },
    status: function () {
      if (refused !== null && status.state !== "error") fail(null);
      return stringify(status);
    },
    value: function () { return valueText; },
    output: function () {
      // built by hand: a toJSON or species the code put on a prototype must not apply
      let s = "{\"lines\":[";
      for (let i = 0; i < out.length; i++) s += (i ? "," : "") + stringify(out[i]);
      return s + "],\"truncated\":" + (truncated ? "true" : "false") + "}";
    },
  };
  defineProperty(g, "__aura", {value: Object.freeze(aura), writable: false,
                               configurable: false, enumerable: false});
})();
"""

PRELUDE = PRELUDE.replace("%REFUSED%", "[" + ", ".join(f'"{n}"' for n in REFUSED_NAMES) + "]")
