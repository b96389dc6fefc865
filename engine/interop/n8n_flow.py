"""n8n flow nodes → AURA: IF, Filter, Switch (conditions per typeVersion) and Merge.

IF v1 has typed lists of ``value1 <operation> value2``; IF/Filter v2+ and Switch v3 share
the "filter" condition shape (``leftValue``, ``operator {type, operation}``,
``rightValue``, ``combinator``, ``options.caseSensitive / typeValidation``), which maps
onto AURA's conditions one to one. Output indexes: IF 0→``true``, 1→``false``; Switch
rule *i*→``output_i`` and the extra fallback→``fallback``; Merge input 0/1→``input1``/
``input2``.
"""

from __future__ import annotations

from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable, snake

__all__ = ["map_filter", "map_if", "map_merge", "map_switch"]

_TYPES = {
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "dateTime": "date",
    "array": "array",
    "object": "object",
    "any": "any",
}
_V1_OPS = {
    "equal": "equals",
    "notEqual": "not_equals",
    "smaller": "lt",
    "smallerEqual": "lte",
    "larger": "gt",
    "largerEqual": "gte",
    "isEmpty": "is_empty",
    "isNotEmpty": "is_not_empty",
    "after": "after",
    "before": "before",
}
_V1_DEFAULT_OP = {"string": "equal", "number": "smaller", "boolean": "equal", "dateTime": "after"}
_OP_ALIASES = {
    "empty": "is_empty",
    "not_empty": "is_not_empty",
    "true": "is_true",
    "false": "is_false",
    "length_equals": "length_eq",
    "length_not_equals": "length_ne",
    "does_not_exist": "not_exists",
}
_NUMBER_OPS = {"equals": "eq", "not_equals": "ne"}


def _operation(type_: str, n8n_op: str) -> str:
    """n8n's operation name as AURA's canonical one (``notEmpty`` → ``is_not_empty``)."""
    op = _OP_ALIASES.get(snake(n8n_op), snake(n8n_op))
    return _NUMBER_OPS.get(op, op) if type_ == "number" else op


_SINGLE = {"exists", "notExists", "empty", "notEmpty", "true", "false"}


def _conditions_v2(cx: MapContext, base: str) -> tuple[list[dict[str, Any]], str, bool, bool]:
    group = cx.get(base) or {}
    conds = []
    for i, c in enumerate(group.get("conditions") or []):
        op = c.get("operator") or {}
        t = op.get("type", "string")
        if t not in _TYPES:
            raise Unmappable(f"condition {i + 1} has the operator type '{t}'")
        operation = op.get("operation", "equals")
        cond = {
            "left": cx.value(c.get("leftValue", ""), f"{base}.conditions[{i}].leftValue"),
            "type": _TYPES[t],
            "operation": _operation(_TYPES[t], operation),
        }
        if operation not in _SINGLE and not op.get("singleValue"):
            cond["right"] = cx.value(c.get("rightValue", ""), f"{base}.conditions[{i}].rightValue")
        elif c.get("rightValue") not in (None, ""):
            # unused by single-value operations, in n8n as here
            cx.value(c["rightValue"], f"{base}.conditions[{i}].rightValue")
        conds.append(cond)
    opts = group.get("options") or {}
    loose = opts.get("typeValidation") == "loose" or bool(cx.literal("looseTypeValidation"))
    return conds, group.get("combinator", "and"), opts.get("caseSensitive", True), loose


def _conditions_v1(cx: MapContext) -> tuple[list[dict[str, Any]], str]:
    out = []
    groups = cx.get("conditions") or {}
    for t, items in groups.items():
        if t not in _V1_DEFAULT_OP:
            raise Unmappable(f"IF v1 conditions of type '{t}'")
        for i, c in enumerate(items or []):
            op = c.get("operation", _V1_DEFAULT_OP[t])
            if op not in _V1_OPS and op not in (
                "contains",
                "notContains",
                "startsWith",
                "endsWith",
                "regex",
                "notRegex",
                "notStartsWith",
                "notEndsWith",
            ):
                raise Unmappable(f"IF v1 operation '{op}'")
            aura_op = _V1_OPS.get(op, snake(op))
            cond = {
                "left": cx.value(c.get("value1", ""), f"conditions.{t}[{i}].value1"),
                "type": _TYPES[t],
                "operation": aura_op,
            }
            if aura_op not in ("is_empty", "is_not_empty"):
                default: Any = {"string": "", "number": 0, "boolean": False}.get(t, "")
                cond["right"] = cx.value(c.get("value2", default), f"conditions.{t}[{i}].value2")
            out.append(cond)
    combinator = "or" if cx.get("combineOperation", "all") == "any" else "and"
    return out, combinator


def _group(cx: MapContext, base: str = "conditions") -> dict[str, Any]:
    if float(cx.version) < 2:
        conds, comb = _conditions_v1(cx)
        return {
            "conditions": conds,
            "combinator": comb,
            "case_sensitive": True,
            "loose_type_validation": True,
        }
    conds, comb, case, loose = _conditions_v2(cx, base)
    return {
        "conditions": conds,
        "combinator": comb,
        "case_sensitive": case,
        "loose_type_validation": loose,
    }


def map_if(cx: MapContext) -> Mapped:
    params = _group(cx)
    if float(cx.version) < 2:
        cx.info(
            "IF v1 compared values loosely; the AURA node converts types ('loose type "
            "validation' is on)."
        )
    return Mapped("core.if", params, outputs=["true", "false"])


def map_filter(cx: MapContext) -> Mapped:
    if float(cx.version) < 2:
        raise Unmappable("Filter v1 conditions")
    return Mapped("core.filter", _group(cx))


def map_switch(cx: MapContext) -> Mapped:
    if float(cx.version) < 3:
        raise Unmappable(f"Switch v{cx.version} (re-save it in n8n as v3 or later)")
    opts = cx.get("options") or {}
    if cx.get("mode", "rules") == "expression":
        n = int(cx.literal("numberOutputs", 4))
        return Mapped(
            "core.switch",
            {"mode": "expression", "number_outputs": n, "output_index": cx.x("output", 0)},
            outputs=[f"output_{i}" for i in range(n)],
        )
    rules = []
    for i, r in enumerate(cx.get("rules.values") or []):
        conds, comb, _case, _loose = _rule_conditions(cx, r, i)
        rule: dict[str, Any] = {"conditions": conds, "combinator": comb}
        if r.get("renameOutput") and r.get("outputKey"):
            rule["output_name"] = str(r["outputKey"])
        rules.append(rule)
    fallback = opts.get("fallbackOutput", "none")
    params: dict[str, Any] = {
        "mode": "rules",
        "rules": rules,
        "fallback_output": fallback,
        "all_matching_outputs": bool(opts.get("allMatchingOutputs", False)),
        "case_sensitive": not opts.get("ignoreCase", False),
        "loose_type_validation": bool(
            cx.literal("looseTypeValidation") or opts.get("looseTypeValidation")
        ),
    }
    if fallback == "extra" and opts.get("renameFallbackOutput"):
        params["fallback_name"] = str(opts["renameFallbackOutput"])
    outputs = [f"output_{i}" for i in range(len(rules))]
    if fallback == "extra":
        outputs.append("fallback")
    return Mapped("core.switch", params, outputs=outputs)


def _rule_conditions(
    cx: MapContext, rule: dict[str, Any], i: int
) -> tuple[list[dict[str, Any]], str, bool, bool]:
    sub = MapContext({"c": rule.get("conditions") or {}}, version=cx.version)
    out = _conditions_v2(sub, "c")
    for e in sub.expressions:
        e.path = f"rules.values[{i}].conditions" + e.path[1:]
    cx.expressions.extend(sub.expressions)
    return out


_JOIN = {
    "keepMatches": "inner",
    "keepNonMatches": "keep_non_matches",
    "keepEverything": "outer",
    "enrichInput1": "left",
    "enrichInput2": "right",
}
_CLASH = {
    "preferLast": "prefer_input2",
    "preferInput2": "prefer_input2",
    "preferInput1": "prefer_input1",
    "addSuffix": "add_suffix",
}


def _merge_options(cx: MapContext, params: dict[str, Any]) -> None:
    opts = cx.get("options") or {}
    clash = (opts.get("clashHandling") or {}).get("values") or {}
    if clash.get("resolveClash") in _CLASH:
        params["clash_handling"] = _CLASH[clash["resolveClash"]]
    if clash.get("mergeMode") == "shallowMerge":
        params["deep_merge"] = False
    if clash.get("overrideEmpty"):
        params["override_empty"] = True
    for src, dst in (("fuzzyCompare", "fuzzy_compare"), ("includeUnpaired", "include_unpaired")):
        if src in opts:
            params[dst] = bool(opts[src])
    if opts.get("multipleMatches") in ("all", "first"):
        params["multiple_matches"] = opts["multipleMatches"]


def _match_fields(cx: MapContext) -> list[dict[str, str]]:
    if cx.get("advanced") or cx.get("mergeByFields"):
        pairs = cx.get("mergeByFields.values") or []
        return [
            {"field1": str(p.get("field1", "")), "field2": str(p.get("field2", ""))} for p in pairs
        ]
    names = str(cx.literal("fieldsToMatchString", "") or "")
    return [{"field1": n.strip(), "field2": n.strip()} for n in names.split(",") if n.strip()]


def map_merge(cx: MapContext) -> Mapped:
    v = float(cx.version)
    ins = ["input1", "input2"]
    if int(cx.get("numberInputs", 2) or 2) > 2:
        raise Unmappable(
            "Merge with more than two inputs (AURA's Merge has two: chain two Merge nodes)"
        )
    if v < 2:
        return Mapped("core.merge", _merge_v1(cx), inputs=ins)
    mode = cx.get("mode", "append")
    params: dict[str, Any] = {}
    if mode == "append":
        params["mode"] = "append"
    elif mode == "chooseBranch":
        params["mode"] = "choose_branch"
        if v >= 3:
            out = cx.get("output", "specifiedInput")
            params["choose_branch"] = (
                "empty" if out == "empty" else f"input{cx.get('useDataOfInput', 1)}"
            )
        else:
            params["choose_branch"] = {
                "input1": "input1",
                "input2": "input2",
                "empty": "empty",
            }.get(cx.get("output", "input1"), "input1")
    elif mode == "combine":
        how = cx.get(
            "combineBy" if v >= 3 else "combinationMode",
            "combineByFields" if v >= 3 else "mergeByFields",
        )
        if how in ("combineByPosition", "mergeByPosition"):
            params["mode"] = "combine_by_position"
        elif how in ("combineAll", "multiplex"):
            params["mode"] = "combine_all"
        else:
            params["mode"] = "combine_by_fields"
            params["match_fields"] = _match_fields(cx)
            params["join"] = _JOIN.get(cx.get("joinMode", "keepMatches"), "inner")
            params["output_data_from"] = cx.get("outputDataFrom", "both")
    else:
        raise Unmappable(f"Merge mode '{mode}' (SQL queries over inputs)")
    _merge_options(cx, params)
    return Mapped("core.merge", params, inputs=ins)


def _merge_v1(cx: MapContext) -> dict[str, Any]:
    mode = cx.get("mode", "append")
    keys = [
        {"field1": str(cx.get("propertyName1", "")), "field2": str(cx.get("propertyName2", ""))}
    ]
    table: dict[str, dict[str, Any]] = {
        "append": {"mode": "append"},
        "mergeByIndex": {"mode": "combine_by_position"},
        "multiplex": {"mode": "combine_all"},
        "mergeByKey": {"mode": "combine_by_fields", "match_fields": keys, "join": "left"},
        "keepKeyMatches": {
            "mode": "combine_by_fields",
            "match_fields": keys,
            "join": "inner",
            "output_data_from": "input1",
        },
        "removeKeyMatches": {
            "mode": "combine_by_fields",
            "match_fields": keys,
            "join": "keep_non_matches",
            "output_data_from": "input1",
        },
        "passThrough": {
            "mode": "choose_branch",
            "choose_branch": "input2" if cx.get("output") == "input2" else "input1",
        },
        "wait": {"mode": "choose_branch", "choose_branch": "empty"},
    }
    if mode not in table:
        raise Unmappable(f"Merge v1 mode '{mode}'")
    return table[mode]

