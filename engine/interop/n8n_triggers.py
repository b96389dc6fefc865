"""n8n triggers and flow-of-control nodes → AURA: Schedule Trigger, Webhook, Respond to
Webhook, Wait, Execute Workflow and its trigger, per ``typeVersion``."""

from __future__ import annotations

from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable

__all__ = [
    "map_execute_workflow",
    "map_respond",
    "map_schedule",
    "map_wait",
    "map_webhook",
    "map_workflow_trigger",
]


def map_schedule(cx: MapContext) -> Mapped:
    rules = []
    for r in cx.get("rule.interval") or [{}]:
        field = r.get("field", "days")
        if field == "cronExpression":
            rules.append({"interval": "cron", "cron_expression": str(r.get("expression", ""))})
            continue
        if field not in ("seconds", "minutes", "hours", "days", "weeks", "months"):
            raise Unmappable(f"schedule interval '{field}'")
        rule: dict[str, Any] = {"interval": field, "every": int(r.get(f"{field}Interval", 1) or 1)}
        if field in ("days", "weeks", "months"):
            rule["at_hour"] = int(r.get("triggerAtHour", 0))
        if field in ("hours", "days", "weeks", "months"):
            rule["at_minute"] = int(r.get("triggerAtMinute", 0))
        if field == "weeks":
            rule["at_weekdays"] = list(r.get("triggerAtDay") or [0])
        if field == "months":
            rule["at_day_of_month"] = int(r.get("triggerAtDayOfMonth", 1))
        rules.append(rule)
    return Mapped("core.schedule_trigger", {"rules": rules}, inputs=[])


def map_webhook(cx: MapContext) -> Mapped:
    path = str(cx.literal("path", "") or "").strip().lstrip("/")
    if not path:
        raise Unmappable("the webhook has no path")
    opts = cx.get("options") or {}
    mode = {
        "onReceived": "immediately",
        "lastNode": "last_node",
        "responseNode": "respond_node",
    }.get(cx.get("responseMode", "onReceived"))
    if mode is None:
        raise Unmappable(f"response mode '{cx.get('responseMode')}'")
    auth = {"none": "none", "basicAuth": "basic_auth", "headerAuth": "header_auth"}.get(
        cx.get("authentication", "none")
    )
    if auth is None:
        raise Unmappable(f"webhook authentication '{cx.get('authentication')}'")
    p: dict[str, Any] = {
        "http_method": cx.literal("httpMethod", "GET"),
        "path": path,
        "response_mode": mode,
        "authentication": auth,
    }
    code = cx.get("responseCode", opts.get("responseCode"))
    if isinstance(code, int):
        p["response_code"] = code
    data = {
        "firstEntryJson": "first_item_json",
        "allEntries": "all_items",
        "noData": "no_body",
    }.get(cx.get("responseData", "firstEntryJson"))
    if data is None:
        cx.note(f"response data '{cx.get('responseData')}' is answered as the first item's JSON")
        data = "first_item_json"
    p["response_data"] = data
    if opts.get("rawBody"):
        p["raw_body"] = True
    if opts.get("binaryPropertyName"):
        p["binary_property"] = str(opts["binaryPropertyName"])
    if opts.get("allowedOrigins"):
        p["allowed_origins"] = str(opts["allowedOrigins"])
    if opts.get("ipWhitelist"):
        p["ip_allowlist"] = str(opts["ipWhitelist"])
    headers = (opts.get("responseHeaders") or {}).get("entries") or []
    if headers:
        p["response_headers"] = [
            {"name": h.get("name", ""), "value": str(h.get("value", ""))}
            for h in headers
            if h.get("name")
        ]
    if isinstance(cx.get("httpMethod"), list):
        raise Unmappable("a webhook answering several methods")
    return Mapped("core.webhook_trigger", p, inputs=[])


def map_respond(cx: MapContext) -> Mapped:
    default = "firstIncomingItem"
    how = cx.get("respondWith", default)
    table = {
        "firstIncomingItem": "first_item_json",
        "allIncomingItems": "all_items",
        "json": "json",
        "text": "text",
        "noData": "no_data",
        "redirect": "redirect",
        "binary": "binary",
    }
    if how not in table:
        raise Unmappable(f"respond with '{how}'")
    opts = cx.get("options") or {}
    p: dict[str, Any] = {"respond_with": table[how]}
    if how == "json":
        p["response_json"] = cx.x("responseBody", "{}")
    elif how == "text":
        p["response_body"] = cx.x("responseBody", "")
    elif how == "redirect":
        p["redirect_url"] = cx.x("redirectURL", "")
    elif how == "binary":
        p["binary_property"] = cx.get("inputFieldName", "data") or "data"
    if "responseCode" in opts:
        p["response_code"] = cx.value(opts["responseCode"], "options.responseCode")
    headers = (opts.get("responseHeaders") or {}).get("entries") or []
    if headers:
        p["response_headers"] = [
            {
                "name": h.get("name", ""),
                "value": cx.value(h.get("value", ""), f"options.responseHeaders[{i}]"),
            }
            for i, h in enumerate(headers)
            if h.get("name")
        ]
    if opts.get("responseKey"):
        p["response_key"] = cx.x("options.responseKey")
    return Mapped("core.respond_to_webhook", p)


def map_wait(cx: MapContext) -> Mapped:
    resume = cx.get("resume", "timeInterval")
    if resume == "timeInterval":
        return Mapped(
            "core.wait",
            {
                "resume": "time_interval",
                "amount": cx.x("amount", 1),
                "unit": cx.literal("unit", "hours"),
            },
        )
    if resume == "specificTime":
        return Mapped("core.wait", {"resume": "specific_time", "date_time": cx.x("dateTime")})
    if resume == "webhook":
        return Mapped(
            "core.wait", {"resume": "webhook", "webhook_method": cx.literal("httpMethod", "GET")}
        )
    raise Unmappable(f"wait until '{resume}'")


def map_execute_workflow(cx: MapContext) -> Mapped:
    if cx.get("source", "database") != "database":
        raise Unmappable(f"workflow source '{cx.get('source')}'")
    ref = cx.get("workflowId", "")
    if isinstance(ref, dict):
        ref = ref.get("value", "")
    cx.note(
        "n8n workflow ids do not exist in AURA: point 'workflow_id' at the imported sub-workflow"
    )
    opts = cx.get("options") or {}
    p = {
        "workflow_id": cx.value(ref, "workflowId"),
        "mode": cx.get("mode", "once"),
        "wait": bool(opts.get("waitForSubWorkflow", True)),
    }
    return Mapped("core.execute_workflow", p)


def map_workflow_trigger(cx: MapContext) -> Mapped:
    fields = cx.get("workflowInputs.values") or []
    if cx.get("inputSource") == "jsonExample" or not fields:
        return Mapped("core.workflow_trigger", {}, inputs=[])
    types = {
        "string": "string",
        "number": "number",
        "boolean": "boolean",
        "array": "array",
        "object": "object",
        "any": "any",
    }
    return Mapped(
        "core.workflow_trigger",
        {
            "input_source": "define_fields",
            "keep_other_fields": True,
            "convert_types": True,
            "fields": [
                {
                    "name": f.get("name", ""),
                    "type": types.get(f.get("type", "any"), "any"),
                    "required": False,
                }
                for f in fields
            ],
        },
        inputs=[],
    )
