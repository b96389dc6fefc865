"""AURA flow nodes (If, Filter, Switch, Merge) → n8n parameters (IF v2.2, Filter v2.2,
Switch v3.2, Merge v3), in the shape the importer reads back."""

from __future__ import annotations

import re
from typing import Any

from engine.interop._export_values import opt as _opt
from engine.interop._export_values import to_n8n_value as _x

__all__ = ["export_filter", "export_if", "export_merge", "export_switch"]

Exported = tuple[str, float, dict[str, Any]]


def _cond(c: dict[str, Any], i: int) -> dict[str, Any]:
    t = {"date": "dateTime"}.get(c.get("type", "string"), c.get("type", "string"))
    op = str(c.get("operation", "equals"))
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), op)
    camel = {
        "isEmpty": "empty",
        "isNotEmpty": "notEmpty",
        "isTrue": "true",
        "isFalse": "false",
        "eq": "equals",
        "ne": "notEquals",
    }.get(camel, camel)
    out = {
        "id": f"c{i}",
        "leftValue": _x(c.get("left", "")),
        "operator": {"type": t, "operation": camel},
    }
    if "right" in c:
        out["rightValue"] = _x(c["right"])
    else:
        out["operator"]["singleValue"] = True
    return out


def _group(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "options": {
            "caseSensitive": p.get("case_sensitive", True),
            "typeValidation": "loose" if p.get("loose_type_validation") else "strict",
        },
        "combinator": p.get("combinator", "and"),
        "conditions": [_cond(c, i) for i, c in enumerate(p.get("conditions") or [])],
    }


def export_if(p: dict[str, Any]) -> Exported:
    return "n8n-nodes-base.if", 2.2, {"conditions": _group(p), "options": {}}


def export_filter(p: dict[str, Any]) -> Exported:
    return "n8n-nodes-base.filter", 2.2, {"conditions": _group(p), "options": {}}


def export_switch(p: dict[str, Any]) -> Exported:
    if p.get("mode") == "expression":
        return (
            "n8n-nodes-base.switch",
            3.2,
            {
                "mode": "expression",
                "numberOutputs": p.get("number_outputs", 4),
                "output": _x(p.get("output_index", 0)),
                "options": {},
            },
        )
    rules = []
    for r in p.get("rules") or []:
        rule: dict[str, Any] = {"conditions": _group(r)}
        if r.get("output_name"):
            rule.update(renameOutput=True, outputKey=r["output_name"])
        rules.append(rule)
    opts: dict[str, Any] = {
        "allMatchingOutputs": p.get("all_matching_outputs", False),
        "ignoreCase": not p.get("case_sensitive", True),
        "looseTypeValidation": p.get("loose_type_validation", False),
    }
    if p.get("fallback_output", "none") != "none":
        opts["fallbackOutput"] = p["fallback_output"]
    if p.get("fallback_name"):
        opts["renameFallbackOutput"] = p["fallback_name"]
    return "n8n-nodes-base.switch", 3.2, {"rules": {"values": rules}, "options": opts}


_JOIN_BACK = {
    "inner": "keepMatches",
    "keep_non_matches": "keepNonMatches",
    "outer": "keepEverything",
    "left": "enrichInput1",
    "right": "enrichInput2",
}
_CLASH_BACK = {
    "prefer_input2": "preferLast",
    "prefer_input1": "preferInput1",
    "add_suffix": "addSuffix",
}


def export_merge(p: dict[str, Any]) -> Exported:
    mode = p.get("mode", "append")
    out: dict[str, Any] = {}
    if mode == "combine_by_fields":
        out.update(
            mode="combine",
            combineBy="combineByFields",
            advanced=True,
            mergeByFields={"values": p.get("match_fields") or []},
            joinMode=_JOIN_BACK[p.get("join", "inner")],
            outputDataFrom=p.get("output_data_from", "both"),
        )
    elif mode == "combine_by_position":
        out.update(mode="combine", combineBy="combineByPosition")
    elif mode == "combine_all":
        out.update(mode="combine", combineBy="combineAll")
    elif mode == "choose_branch":
        branch = p.get("choose_branch", "input1")
        out.update(
            mode="chooseBranch",
            output="empty" if branch == "empty" else "specifiedInput",
            useDataOfInput=2 if branch == "input2" else 1,
        )
    else:
        out["mode"] = "append"
    opts: dict[str, Any] = {}
    clash: dict[str, Any] = {}
    if "clash_handling" in p:
        clash["resolveClash"] = _CLASH_BACK[p["clash_handling"]]
    if p.get("deep_merge") is False:
        clash["mergeMode"] = "shallowMerge"
    if p.get("override_empty"):
        clash["overrideEmpty"] = True
    if clash:
        opts["clashHandling"] = {"values": clash}
    _opt(opts, p, "fuzzy_compare", "fuzzyCompare")
    _opt(opts, p, "include_unpaired", "includeUnpaired")
    _opt(opts, p, "multiple_matches", "multipleMatches")
    out["options"] = opts
    return "n8n-nodes-base.merge", 3, out
