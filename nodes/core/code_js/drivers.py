"""The JavaScript that gives user code n8n's or Node-RED's variables, run in the sandbox.

Each driver is the source of ``function (input, user, api)``: it builds the variables
from ``input`` (the items and the data of other nodes, sent as JSON), calls the user's
function (``user``) with them in the order of its parameter list, and returns JSON.
"""

from __future__ import annotations

from nodes.core.code_js.buffer import BUFFER_JS
from nodes.core.code_js.crypto import CRYPTO_JS, MODULES_NOTE

__all__ = ["N8N_DRIVER", "N8N_PARAMS", "NODE_RED_DRIVER", "NODE_RED_PARAMS"]

N8N_PARAMS = [
    "$input",
    "$json",
    "$binary",
    "items",
    "$",
    "$node",
    "$items",
    "$now",
    "$today",
    "$workflow",
    "$execution",
    "$vars",
    "$itemIndex",
    "$runIndex",
    "$prevNode",
    "$getWorkflowStaticData",
    "Buffer",
    "require",
]

N8N_DRIVER = r"""
function (input, user, api) {
  const items = input.items;
  function missing(name) {
    throw new Error("Node '" + name + "' has not run (or is not upstream of this node), so " +
                    "its data cannot be read. Check the name.");
  }
  function nodeItems(name) {
    const got = input.nodes[name];
    if (!got) missing(name);
    return got;
  }
  function pairedItem(name, index) {
    const paired = input.paired[name];
    if (paired && paired[index] !== undefined && paired[index] !== null) return paired[index];
    const all = nodeItems(name);
    return all[index] !== undefined ? all[index] : all[0];
  }
  let current = 0;
  function $(name) {
    return {
      all: function () { return nodeItems(name); },
      first: function () { return nodeItems(name)[0]; },
      last: function () { const a = nodeItems(name); return a[a.length - 1]; },
      itemMatching: function (i) { return pairedItem(name, i); },
      get item() { return pairedItem(name, current); },
      get isExecuted() { return input.nodes[name] !== undefined; },
      params: {},
    };
  }
  const $node = new Proxy({}, {get: function (t, name) {
    if (typeof name !== "string") return undefined;
    const it = pairedItem(name, current);
    return {json: it ? it.json : undefined, binary: it ? it.binary : undefined};
  }});
  function $items(name) { return name === undefined ? items : nodeItems(name); }
  const $input = {
    all: function () { return items; },
    first: function () { return items[0]; },
    last: function () { return items[items.length - 1]; },
    get item() { return items[current]; },
    params: {},
  };
  const now = new Date(input.now);
  now.toISO = function () { return this.toISOString(); };
  const today = new Date(input.now.slice(0, 10) + "T00:00:00.000Z");
  today.toISO = now.toISO;
  const prev = {name: input.prevNode, outputIndex: 0, runIndex: 0};
  const staticData = input.staticData;
  function $getWorkflowStaticData(kind) {
    if (kind !== "global" && kind !== "node") {
      throw new TypeError("$getWorkflowStaticData takes 'global' or 'node'");
    }
    return staticData[kind];
  }
  const Buffer = %BUFFER%;
  %REQUIRE%
  function call(index) {
    current = index;
    const item = items[index] || {json: {}};
    return user($input, item.json, item.binary || {}, items, $, $node, $items, now, today,
                input.workflow, input.execution, input.vars, index, 0, prev,
                $getWorkflowStaticData, Buffer, require);
  }
  if (input.mode === "all_items") {
    return Promise.resolve(call(0)).then(v => ({value: v, staticData: staticData}));
  }
  const results = [], errors = {};
  return (async function () {
    for (let i = 0; i < items.length; i++) {
      try {
        results.push(await call(i));
      } catch (e) {
        results.push(null);
        errors[i] = api.describe(e);
        if (input.stopOnError) break;
      }
    }
    return {results: results, errors: errors, staticData: staticData};
  })();
}
"""

NODE_RED_PARAMS = ["msg", "node", "context", "flow", "global", "env", "RED", "Buffer", "require"]

NODE_RED_DRIVER = r"""
function (input, user, api) {
  const nOut = input.outputs;
  const outputs = [];
  for (let k = 0; k < nOut; k++) outputs.push([]);
  const errors = {};
  let index = 0;
  function clone(m) { return JSON.parse(JSON.stringify(m)); }
  function route(value) {
    if (value === null || value === undefined) return;
    if (!Array.isArray(value)) { outputs[0].push({i: index, msg: value}); return; }
    for (let k = 0; k < value.length && k < nOut; k++) {
      const v = value[k];
      if (v === null || v === undefined) continue;
      if (Array.isArray(v)) {
        for (const m of v) if (m !== null && m !== undefined) outputs[k].push({i: index, msg: m});
      } else {
        outputs[k].push({i: index, msg: v});
      }
    }
  }
  function store(data) {
    return {
      get: function (key) { return Array.isArray(key) ? key.map(k => data[k]) : data[key]; },
      set: function (key, value) {
        if (Array.isArray(key)) { key.forEach((k, n) => { data[k] = value[n]; }); return; }
        if (value === undefined) delete data[key]; else data[key] = value;
      },
      keys: function () { return Object.keys(data); },
    };
  }
  const context = store(input.context), flow = store(input.flow), global = store(input.global);
  const env = {get: function () { return undefined; }};
  const RED = {util: {cloneMessage: clone}};
  const Buffer = %BUFFER%;
  %REQUIRE%
  function say(level) {
    return function () {
      const parts = [];
      for (const a of arguments) parts.push(typeof a === "string" ? a : JSON.stringify(a));
      api.print("[" + level + "] " + parts.join(" "));
    };
  }
  const node = {
    id: input.node.id, name: input.node.name, outputCount: nOut,
    log: say("info"), warn: say("warn"), debug: say("debug"), trace: say("trace"),
    error: function (err, msg) {
      say("error")(err);
      if (msg !== undefined && errors[index] === undefined) {
        errors[index] = {kind: "user", type: "Error", line: null,
                         message: typeof err === "string" ? err : api.describe(err).message};
      }
    },
    status: function () {},
    send: function (value) { route(value); },
    done: function () {},
    linkcall: function () {
      throw new Error("node.linkcall is not available in AURA's function node: call the " +
                      "other flow with an Execute Workflow node before or after this one");
    },
  };
  return (async function () {
    for (let i = 0; i < input.items.length; i++) {
      index = i;
      try {
        route(await user(input.items[i], node, context, flow, global, env, RED, Buffer,
                         require));
      } catch (e) {
        errors[i] = api.describe(e);
        if (input.stopOnError) break;
      }
    }
    return {outputs: outputs, errors: errors,
            context: input.context, flow: input.flow, global: input.global};
  })();
}
"""

_REQUIRE = r"""let cryptoModule = null;
  function require(name) {
    if (name === "crypto" || name === "node:crypto") {
      if (cryptoModule === null) cryptoModule = (%CRYPTO%)(Buffer, input.seed);
      return cryptoModule;
    }
    api.refuse("require('" + String(name) + "') is not available: %MODULES%");
  }""".replace("%CRYPTO%", CRYPTO_JS.strip()).replace("%MODULES%", MODULES_NOTE)

N8N_DRIVER = N8N_DRIVER.replace("%BUFFER%", BUFFER_JS.strip()).replace("%REQUIRE%", _REQUIRE)
NODE_RED_DRIVER = NODE_RED_DRIVER.replace("%BUFFER%", BUFFER_JS.strip()).replace(
    "%REQUIRE%", _REQUIRE
)
