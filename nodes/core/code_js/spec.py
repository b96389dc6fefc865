"""Code (JavaScript): n8n- or Node-RED-style JavaScript over the items, on V8 in the sandbox."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui

MAX_OUTPUTS = 10

DEFAULT_CODE = """\
// n8n style: $input.all() is the list of input items; each has .json.
// Return a list of items (or plain objects): each becomes an output item.
for (const item of $input.all()) {
  item.json.seen = true;
}
return $input.all();
"""


class CodeJsParams(Params):
    style: Literal["n8n", "node_red"] = Field(
        "n8n",
        description="'n8n': the code sees $input, $json, items, $('Node') and returns "
        "items, as in n8n's Code node. 'node_red': the code runs once per item with `msg` "
        "(the item's data) and `node`, and returns msg, an array of msgs (one per output) or "
        "null, as in Node-RED's function node.",
    )
    mode: Literal["all_items", "each_item"] = Field(
        "all_items",
        description="n8n style only. 'all_items': run once for all items "
        "(n8n's 'Run Once for All Items'). 'each_item': run once per item with $json and "
        "$input.item (n8n's 'Run Once for Each Item').",
    )
    code: str = Field(
        DEFAULT_CODE,
        description="JavaScript, run as the body of an async function: use "
        "`return` to give the result; `await` works on promises the code makes itself. "
        "console.log() goes to the node's log. require('crypto') gives hashes, HMACs and "
        "random UUIDs; no other modules, fetch, timers or process.",
        json_schema_extra=ui("code", language="javascript", expression=False),
    )
    outputs: int = Field(
        1,
        ge=1,
        le=MAX_OUTPUTS,
        description="Node-RED style only: how many outputs the "
        "node has. Returning [msg1, msg2] sends msg1 to output 0 and msg2 to output 1.",
    )
    timeout_s: float = Field(
        10.0,
        gt=0,
        le=600,
        description="Time limit in seconds for the whole run (all items "
        "together); the code is stopped when it is exceeded.",
    )


def outputs_for(params: Any) -> tuple[Port, ...]:
    """'main' (n8n style, or one output); output_0..output_n-1 for Node-RED's outputs > 1."""
    style = params.get("style") if isinstance(params, dict) else getattr(params, "style", "n8n")
    n = params.get("outputs", 1) if isinstance(params, dict) else getattr(params, "outputs", 1)
    try:
        n = max(1, min(int(n), MAX_OUTPUTS))
    except (TypeError, ValueError):
        n = 1
    if style != "node_red" or n == 1:
        return (Port("main"),)
    return tuple(Port(f"output_{i}", f"Output {i}") for i in range(n))


SPEC = NodeSpec(
    type="core.code_js",
    version=1,
    title="Code (JavaScript)",
    description="Run JavaScript on the items (n8n Code node or Node-RED function style), "
    "in a sandbox.",
    category="Code",
    icon="code",
    params=CodeJsParams,
    outputs=(Port("main"),),
    outputs_for=outputs_for,
    run="nodes.core.code_js.run:execute",
    docs=load_docs(__file__),
)
