"""Code: run Python over the items in the sandbox (RestrictedPython, separate process)."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

DEFAULT_CODE = """\
# `items` is the list of input items; each has "json" (and "binary" if it has files).
# Return a list of objects: each becomes an output item.
out = []
for item in items:
    data = dict(item["json"])
    data["seen"] = True
    out.append(data)
return out
"""


class CodeParams(Params):
    mode: Literal["all_items", "each_item"] = Field(
        "all_items", description="'all_items': run once with the list `items`, return a list "
        "of objects. 'each_item': run once per item with `item` and `json`, return an object "
        "(or None to drop the item).")
    code: str = Field(
        DEFAULT_CODE, description="Python code, run as the body of a function: use `return` "
        "to give the result. Only some modules can be imported (json, re, datetime, math, "
        "...); print() output goes to the node's log.",
        json_schema_extra=ui("code", language="python", expression=False))
    timeout_s: float = Field(
        10.0, gt=0, le=600, description="Time limit in seconds for the whole run (all items "
        "together); the code is stopped when it is exceeded.")


SPEC = NodeSpec(
    type="core.code",
    version=1,
    title="Code",
    description="Run Python code on the items, in a sandbox.",
    category="Code",
    icon="code",
    params=CodeParams,
    run="nodes.core.code.run:execute",
    docs=load_docs(__file__),
)
