"""n8n node types → AURA nodes: triggers, data transforms and HTTP, per ``typeVersion``.

:data:`MAPPERS` maps an n8n type to a function ``(MapContext) -> Mapped``. Parameter
shapes follow n8n's node definitions (``packages/nodes-base/nodes/*``); defaults that
differ between n8n and AURA are written out explicitly (n8n's Set v3.3+ keeps only the
set fields, AURA's default keeps all, so ``keep: "none"`` is set).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.n8n_ai import map_agent, map_chain_llm, map_chat_trigger
from engine.interop.n8n_content import (
    map_code,
    map_convert_to_file,
    map_email_send,
    map_extract_from_file,
    map_function,
    map_html,
    map_sql,
)
from engine.interop.n8n_dates import map_date_time, map_item_lists
from engine.interop.n8n_flow import map_filter, map_if, map_merge, map_switch
from engine.interop.n8n_http import map_http_request
from engine.interop.n8n_loops import map_split_in_batches
from engine.interop.n8n_triggers import (
    map_execute_workflow,
    map_respond,
    map_schedule,
    map_wait,
    map_webhook,
    map_workflow_trigger,
)

__all__ = ["MAPPERS", "Mapper"]

Mapper = Callable[[MapContext], Mapped]
_SET_TYPES = {
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [s.strip() for s in str(value or "").split(",") if s.strip()]


def map_set(cx: MapContext) -> Mapped:
    v = float(cx.version)
    p: dict[str, Any] = {}
    if cx.get("mode") == "raw":
        p["mode"] = "json"
        p["json_value"] = cx.x("jsonOutput", "{}")
    elif v >= 3.3:
        p["assignments"] = [
            {
                "name": str(cx.value(a.get("name", ""), f"assignments[{i}].name")),
                "value": cx.value(a.get("value"), f"assignments[{i}].value"),
                "type": _SET_TYPES.get(a.get("type", "string"), "auto"),
            }
            for i, a in enumerate(cx.get("assignments.assignments") or [])
            if str(a.get("name", "")).strip()
        ]
    elif v >= 3:
        out = []
        for i, f in enumerate(cx.get("fields.values") or []):
            t = f.get("type", "stringValue")
            out.append(
                {
                    "name": str(cx.value(f.get("name", ""), f"fields.values[{i}].name")),
                    "value": cx.value(f.get(t), f"fields.values[{i}].{t}"),
                    "type": _SET_TYPES.get(t.removesuffix("Value"), "auto"),
                }
            )
        p["assignments"] = out
    else:
        out = []
        for t, items in (cx.get("values") or {}).items():
            for i, f in enumerate(items or []):
                out.append(
                    {
                        "name": str(cx.value(f.get("name", ""), f"values.{t}[{i}].name")),
                        "value": cx.value(f.get("value"), f"values.{t}[{i}].value"),
                        "type": _SET_TYPES.get(t, "auto"),
                    }
                )
        p["assignments"] = out
    # which other fields are kept
    if v >= 3.3:
        include = cx.get("include", "all") if cx.get("includeOtherFields") else "none"
    elif v >= 3:
        include = cx.get("include", "all")
    else:
        include = "none" if cx.get("keepOnlySet") else "all"
    p["keep"] = {"all": "all", "none": "none", "selected": "selected", "except": "except"}.get(
        include, "all"
    )
    if p["keep"] == "selected":
        p["fields"] = _names(cx.get("includeFields"))
    elif p["keep"] == "except":
        p["fields"] = _names(cx.get("excludeFields"))
    opts = cx.get("options") or {}
    if "dotNotation" in opts:
        p["dot_notation"] = bool(opts["dotNotation"])
    if "includeBinary" in opts:
        p["include_binary"] = bool(opts["includeBinary"])
    return Mapped("core.set", p)


def map_split_out(cx: MapContext) -> Mapped:
    include = {
        "noOtherFields": "none",
        "allOtherFields": "all",
        "selectedOtherFields": "selected",
    }.get(cx.get("include", "noOtherFields"), "none")
    opts = cx.get("options") or {}
    p: dict[str, Any] = {"field": _names(cx.literal("fieldToSplitOut", "")), "include": include}
    if include == "selected":
        p["include_fields"] = _names(cx.get("fieldsToInclude"))
    if opts.get("destinationFieldName"):
        p["destination"] = _names(opts["destinationFieldName"])
    if "disableDotNotation" in opts:
        p["dot_notation"] = not opts["disableDotNotation"]
    if "includeBinary" in opts:
        p["include_binary"] = bool(opts["includeBinary"])
    return Mapped("core.split_out", p)


def map_aggregate(cx: MapContext) -> Mapped:
    opts = cx.get("options") or {}
    p: dict[str, Any] = {}
    if cx.get("aggregate", "aggregateIndividualFields") == "aggregateAllItemData":
        p["mode"] = "all_item_data"
        p["destination_field"] = cx.literal("destinationFieldName", "data") or "data"
        inc = cx.get("include", "allFields")
        p["include"] = {
            "allFields": "all",
            "specifiedFields": "selected",
            "allFieldsExcept": "except",
        }.get(inc, "all")
        if p["include"] == "selected":
            p["include_fields"] = _names(cx.get("fieldsToInclude"))
        elif p["include"] == "except":
            p["include_fields"] = _names(cx.get("fieldsToExclude"))
    else:
        p["mode"] = "individual_fields"
        fields = []
        for f in cx.get("fieldsToAggregate.fieldToAggregate") or []:
            name = str(f.get("fieldToAggregate", "")).strip()
            if not name:
                continue
            rename = f.get("outputFieldName", "") if f.get("renameField") else ""
            fields.append({"field": name, "rename": str(rename or "")})
        p["fields"] = fields
        if "mergeLists" in opts:
            p["merge_lists"] = bool(opts["mergeLists"])
        if "keepMissing" in opts:
            p["keep_missing"] = bool(opts["keepMissing"])
    if "includeBinaries" in opts:
        p["include_binaries"] = bool(opts["includeBinaries"])
    if "disableDotNotation" in opts:
        p["dot_notation"] = not opts["disableDotNotation"]
    return Mapped("core.aggregate", p)


_AGG = {
    "average": "avg",
    "countUnique": "count_unique",
    "append": "append",
    "concatenate": "concatenate",
    "count": "count",
    "max": "max",
    "min": "min",
    "sum": "sum",
}


def map_summarize(cx: MapContext) -> Mapped:
    out = []
    for f in cx.get("fieldsToSummarize.values") or []:
        agg = f.get("aggregation", "count")
        if agg not in _AGG:
            raise Unmappable(f"the aggregation '{agg}'")
        out.append(
            {
                "field": str(f.get("field", "")),
                "aggregation": _AGG[agg],
                "separator": f.get("customSeparator", ", ") or ", ",
            }
        )
    return Mapped(
        "core.aggregate",
        {"mode": "summarize", "summarize": out, "group_by": _names(cx.get("fieldsToSplitBy"))},
    )


def map_limit(cx: MapContext) -> Mapped:
    return Mapped(
        "core.limit",
        {
            "max_items": cx.literal("maxItems", 1),
            "keep": "last" if cx.get("keep") == "lastItems" else "first",
        },
    )


def map_sort(cx: MapContext) -> Mapped:
    kind = cx.get("type", "simple")
    if kind == "random":
        return Mapped("core.sort", {"type": "random"})
    if kind != "simple":
        raise Unmappable(f"sort type '{kind}' (JavaScript code)")
    fields = [
        {
            "field": str(f.get("fieldName", "")),
            "order": "desc" if f.get("order") == "descending" else "asc",
        }
        for f in cx.get("sortFieldsUi.sortField") or []
    ]
    return Mapped("core.sort", {"type": "simple", "fields": fields})


def map_remove_duplicates(cx: MapContext) -> Mapped:
    if cx.get("operation", "removeDuplicateInputItems") != "removeDuplicateInputItems":
        raise Unmappable(f"operation '{cx.get('operation')}'")
    compare = {"allFields": "all", "allFieldsExcept": "all_except", "selectedFields": "selected"}[
        cx.get("compare", "allFields")
    ]
    p: dict[str, Any] = {"compare": compare}
    if compare == "selected":
        p["fields"] = _names(cx.get("fieldsToCompare"))
    elif compare == "all_except":
        p["fields"] = _names(cx.get("fieldsToExclude"))
    return Mapped("core.remove_duplicates", p)


def map_rename_keys(cx: MapContext) -> Mapped:
    keys = [
        {"current": k.get("currentKey", ""), "new": k.get("newKey", "")}
        for k in cx.get("keys.key") or []
    ]
    return Mapped("core.rename_keys", {"keys": keys})


def map_stop(cx: MapContext) -> Mapped:
    if cx.get("errorType", "errorMessage") == "errorObject":
        return Mapped(
            "core.stop_and_error",
            {"error_type": "object", "error_object": cx.x("errorObject", "{}")},
            outputs=[],
        )
    return Mapped("core.stop_and_error", {"message": cx.x("errorMessage", "")}, outputs=[])


def map_crypto(cx: MapContext) -> Mapped:
    action = cx.get("action", "hash")
    if action not in ("hash", "hmac"):
        raise Unmappable(f"crypto action '{action}'")
    p: dict[str, Any] = {
        "operation": action,
        "algorithm": str(cx.get("type", "MD5")).lower().replace("-", ""),
        "encoding": cx.get("encoding", "hex"),
        "output_field": cx.get("dataPropertyName", "data"),
    }
    if cx.get("binaryData"):
        p["input_type"] = "binary"
        p["binary_property"] = cx.get("binaryPropertyName", "data")
    else:
        p["value"] = cx.x("value", "")
    if action == "hmac":
        p["secret"] = cx.x("secret", "")
        if p["secret"]:
            cx.note("the HMAC secret is stored in the workflow as in n8n; consider a credential")
        else:
            cx.needs.append(("hmac secret", "hmac_secret", "hmac_secret"))
            cx.note("the HMAC secret is empty: create an 'hmac_secret' credential for it")
    return Mapped("core.crypto", p)


def map_simple(type_: str, *, trigger: bool = False) -> Mapper:
    def mapper(cx: MapContext) -> Mapped:
        return Mapped(type_, {}, inputs=[] if trigger else ["main"])

    return mapper


MAPPERS: dict[str, Mapper] = {
    "n8n-nodes-base.dateTime": map_date_time,
    "n8n-nodes-base.itemLists": map_item_lists,
    "n8n-nodes-base.set": map_set,
    "n8n-nodes-base.if": map_if,
    "n8n-nodes-base.filter": map_filter,
    "n8n-nodes-base.switch": map_switch,
    "n8n-nodes-base.merge": map_merge,
    "n8n-nodes-base.httpRequest": map_http_request,
    "n8n-nodes-base.splitOut": map_split_out,
    "n8n-nodes-base.aggregate": map_aggregate,
    "n8n-nodes-base.summarize": map_summarize,
    "n8n-nodes-base.scheduleTrigger": map_schedule,
    "n8n-nodes-base.webhook": map_webhook,
    "n8n-nodes-base.respondToWebhook": map_respond,
    "n8n-nodes-base.wait": map_wait,
    "n8n-nodes-base.limit": map_limit,
    "n8n-nodes-base.sort": map_sort,
    "n8n-nodes-base.removeDuplicates": map_remove_duplicates,
    "n8n-nodes-base.renameKeys": map_rename_keys,
    "n8n-nodes-base.stopAndError": map_stop,
    "n8n-nodes-base.executeWorkflow": map_execute_workflow,
    "n8n-nodes-base.executeWorkflowTrigger": map_workflow_trigger,
    "n8n-nodes-base.crypto": map_crypto,
    "n8n-nodes-base.manualTrigger": map_simple("core.manual_trigger", trigger=True),
    "n8n-nodes-base.errorTrigger": map_simple("core.error_trigger", trigger=True),
    "n8n-nodes-base.noOp": map_simple("core.noop"),
    "n8n-nodes-base.extractFromFile": map_extract_from_file,
    "n8n-nodes-base.convertToFile": map_convert_to_file,
    "n8n-nodes-base.code": map_code,
    "n8n-nodes-base.function": map_function,
    "n8n-nodes-base.html": map_html,
    "n8n-nodes-base.postgres": map_sql("core.postgres"),
    "n8n-nodes-base.mySql": map_sql("core.mysql"),
    "n8n-nodes-base.emailSend": map_email_send,
    "@n8n/n8n-nodes-langchain.agent": map_agent,
    "@n8n/n8n-nodes-langchain.chainLlm": map_chain_llm,
    "@n8n/n8n-nodes-langchain.chatTrigger": map_chat_trigger,
    "@n8n/n8n-nodes-langchain.manualChatTrigger": map_simple("core.manual_trigger", trigger=True),
    "n8n-nodes-base.splitInBatches": map_split_in_batches,
}
