"""AURA node parameters → n8n node parameters, one function per node type.

Each function returns ``(n8n type, typeVersion, parameters)`` in the shape the importer
reads (:mod:`engine.interop.n8n_nodes`, ``n8n_flow``, ``n8n_http``), so AURA → n8n →
AURA gives back the same parameters. Values pass through :func:`to_n8n_value`: text with
``{{ }}`` becomes an n8n expression (``=...``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.interop._export_content import code_js_params, convert, email, extract, html, sql
from engine.interop._export_flow import export_filter, export_if, export_merge, export_switch
from engine.interop._export_values import opt as _opt
from engine.interop._export_values import to_n8n_value

__all__ = ["EXPORTERS", "code_js_params", "to_n8n_value"]

Exported = tuple[str, float, dict[str, Any]]
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

_x = to_n8n_value


def _set(p: dict[str, Any]) -> Exported:
    out: dict[str, Any] = {"options": {}}
    if p.get("mode") == "json":
        out.update(mode="raw", jsonOutput=_x(p.get("json_value")))
    else:
        out["assignments"] = {
            "assignments": [
                {
                    "id": f"a{i}",
                    "name": _x(a.get("name", "")),
                    "value": _x(a.get("value")),
                    "type": a.get("type", "auto") if a.get("type", "auto") != "auto" else "string",
                }
                for i, a in enumerate(p.get("assignments") or [])
            ]
        }
    keep = p.get("keep", "all")
    if keep != "none":
        out["includeOtherFields"] = True
        out["include"] = keep
        if keep in ("selected", "except"):
            key = "includeFields" if keep == "selected" else "excludeFields"
            out[key] = ",".join(p.get("fields") or [])
    if "dot_notation" in p:
        out["options"]["dotNotation"] = p["dot_notation"]
    if "include_binary" in p:
        out["options"]["includeBinary"] = p["include_binary"]
    return "n8n-nodes-base.set", 3.4, out


_AUTH_BACK = {
    "header_auth": "httpHeaderAuth",
    "bearer": "httpBearerAuth",
    "basic_auth": "httpBasicAuth",
    "digest_auth": "httpDigestAuth",
    "api_key": "httpQueryAuth",
    "oauth2": "oAuth2Api",
}
_BODY_BACK = {
    "json": "json",
    "form_urlencoded": "form-urlencoded",
    "multipart": "multipart-form-data",
    "raw": "raw",
    "binary": "binaryData",
}
_FORMAT_BACK = {"auto": "autodetect", "json": "json", "text": "text", "binary": "file"}


def _http(p: dict[str, Any]) -> Exported:
    out: dict[str, Any] = {"method": p.get("method", "GET"), "url": _x(p.get("url", ""))}
    if p.get("authentication", "none") != "none":
        out.update(
            authentication="genericCredentialType", genericAuthType=_AUTH_BACK[p["authentication"]]
        )
    if "query" in p:
        out.update(sendQuery=True, queryParameters={"parameters": _x(p["query"])})
    if "headers" in p:
        out.update(sendHeaders=True, headerParameters={"parameters": _x(p["headers"])})
    body = p.get("body_type", "none")
    if body != "none":
        out.update(sendBody=True, contentType=_BODY_BACK[body])
        if body == "raw":
            out.update(
                body=_x(p.get("raw_body", "")),
                rawContentType=p.get("raw_content_type", "text/plain"),
            )
        elif body == "binary":
            out["inputDataFieldName"] = p.get("binary_property", "data")
        elif p.get("json_body") is not None:
            out.update(specifyBody="json", jsonBody=_x(p["json_body"]))
        else:
            out["bodyParameters"] = {
                "parameters": [
                    {
                        "name": _x(f.get("name", "")),
                        "parameterType": "formBinaryData",
                        "inputDataFieldName": f.get("binary_property", "data"),
                    }
                    if f.get("kind") == "file"
                    else {"name": _x(f.get("name", "")), "value": _x(f.get("value", ""))}
                    for f in p.get("body_fields") or []
                ]
            }
    opts: dict[str, Any] = {}
    resp: dict[str, Any] = {}
    if "response_format" in p:
        resp["responseFormat"] = _FORMAT_BACK[p["response_format"]]
    _opt(resp, p, "output_field", "outputPropertyName")
    _opt(resp, p, "full_response", "fullResponse")
    _opt(resp, p, "never_error", "neverError")
    if resp:
        opts["response"] = {"response": resp}
    if p.get("timeout_s"):
        opts["timeout"] = int(p["timeout_s"] * 1000)
    redirect: dict[str, Any] = {}
    _opt(redirect, p, "follow_redirects", "followRedirects")
    _opt(redirect, p, "max_redirects", "maxRedirects")
    if redirect:
        opts["redirect"] = {"redirect": redirect}
    if p.get("ignore_ssl_issues"):
        opts["allowUnauthorizedCerts"] = True
    if p.get("batch_size"):
        opts["batching"] = {
            "batch": {"batchSize": p["batch_size"], "batchInterval": p.get("batch_interval_ms", 0)}
        }
    out["options"] = opts
    return "n8n-nodes-base.httpRequest", 4.2, out


def _split_out(p: dict[str, Any]) -> Exported:
    inc = p.get("include", "none")
    out: dict[str, Any] = {
        "fieldToSplitOut": ",".join(p.get("field") or []),
        "include": {
            "none": "noOtherFields",
            "all": "allOtherFields",
            "selected": "selectedOtherFields",
        }[inc],
        "options": {},
    }
    if inc == "selected":
        out["fieldsToInclude"] = ",".join(p.get("include_fields") or [])
    if p.get("destination"):
        out["options"]["destinationFieldName"] = ",".join(p["destination"])
    if "dot_notation" in p:
        out["options"]["disableDotNotation"] = not p["dot_notation"]
    _opt(out["options"], p, "include_binary", "includeBinary")
    return "n8n-nodes-base.splitOut", 1, out


def _aggregate(p: dict[str, Any]) -> Exported:
    mode = p.get("mode", "individual_fields")
    opts: dict[str, Any] = {}
    _opt(opts, p, "include_binaries", "includeBinaries")
    if mode == "summarize":
        back = {"avg": "average", "count_unique": "countUnique"}
        return (
            "n8n-nodes-base.summarize",
            1,
            {
                "fieldsToSummarize": {
                    "values": [
                        {
                            "aggregation": back.get(
                                f.get("aggregation", "count"), f.get("aggregation")
                            ),
                            "field": f.get("field", ""),
                        }
                        for f in p.get("summarize") or []
                    ]
                },
                "fieldsToSplitBy": ",".join(p.get("group_by") or []),
                "options": {},
            },
        )
    if mode == "all_item_data":
        inc = p.get("include", "all")
        out = {
            "aggregate": "aggregateAllItemData",
            "destinationFieldName": p.get("destination_field", "data"),
            "include": {
                "all": "allFields",
                "selected": "specifiedFields",
                "except": "allFieldsExcept",
            }[inc],
            "options": opts,
        }
        if inc != "all":
            key = "fieldsToInclude" if inc == "selected" else "fieldsToExclude"
            out[key] = ",".join(p.get("include_fields") or [])
        return "n8n-nodes-base.aggregate", 1, out
    _opt(opts, p, "merge_lists", "mergeLists")
    _opt(opts, p, "keep_missing", "keepMissing")
    fields = [
        {"fieldToAggregate": (f if isinstance(f, str) else f.get("field", ""))}
        | (
            {"renameField": True, "outputFieldName": f["rename"]}
            if isinstance(f, dict) and f.get("rename")
            else {}
        )
        for f in p.get("fields") or []
    ]
    return (
        "n8n-nodes-base.aggregate",
        1,
        {"fieldsToAggregate": {"fieldToAggregate": fields}, "options": opts},
    )


def _weekday(d: Any) -> Any:
    return _WEEKDAYS.index(d) if isinstance(d, str) and d in _WEEKDAYS else d


def _schedule(p: dict[str, Any]) -> Exported:
    rules = []
    for r in p.get("rules") or []:
        unit = r.get("interval", "days")
        if unit == "cron":
            rules.append({"field": "cronExpression", "expression": r.get("cron_expression")})
            continue
        rule: dict[str, Any] = {"field": unit, f"{unit}Interval": r.get("every", 1)}
        _opt(rule, r, "at_hour", "triggerAtHour")
        _opt(rule, r, "at_minute", "triggerAtMinute")
        _opt(rule, r, "at_day_of_month", "triggerAtDayOfMonth")
        if "at_weekdays" in r:
            rule["triggerAtDay"] = [_weekday(d) for d in r["at_weekdays"]]
        rules.append(rule)
    return "n8n-nodes-base.scheduleTrigger", 1.2, {"rule": {"interval": rules}}


_RESPOND_BACK = {
    "first_item_json": "firstIncomingItem",
    "all_items": "allIncomingItems",
    "json": "json",
    "text": "text",
    "no_data": "noData",
    "redirect": "redirect",
    "binary": "binary",
}


def _respond(p: dict[str, Any]) -> Exported:
    how = p.get("respond_with", "first_item_json")
    out: dict[str, Any] = {"respondWith": _RESPOND_BACK[how]}
    if how == "json":
        out["responseBody"] = _x(p.get("response_json", {}))
    elif how == "text":
        out["responseBody"] = _x(p.get("response_body", ""))
    elif how == "redirect":
        out["redirectURL"] = _x(p.get("redirect_url", ""))
    elif how == "binary":
        out.update(responseDataSource="set", inputFieldName=p.get("binary_property", "data"))
    opts: dict[str, Any] = {}
    _opt(opts, p, "response_code", "responseCode")
    if "response_headers" in p:
        opts["responseHeaders"] = {"entries": _x(p["response_headers"])}
    _opt(opts, p, "response_key", "responseKey")
    out["options"] = opts
    return "n8n-nodes-base.respondToWebhook", 1.1, out


def _webhook(p: dict[str, Any]) -> Exported:
    out: dict[str, Any] = {
        "httpMethod": p.get("http_method", "GET"),
        "path": p.get("path", ""),
        "responseMode": {
            "immediately": "onReceived",
            "last_node": "lastNode",
            "respond_node": "responseNode",
        }[p.get("response_mode", "immediately")],
        "authentication": {
            "none": "none",
            "basic_auth": "basicAuth",
            "header_auth": "headerAuth",
        }.get(p.get("authentication", "none"), "none"),
    }
    if "response_data" in p:
        out["responseData"] = {
            "first_item_json": "firstEntryJson",
            "all_items": "allEntries",
            "no_body": "noData",
        }[p["response_data"]]
    _opt(out, p, "response_code", "responseCode")
    opts: dict[str, Any] = {}
    _opt(opts, p, "raw_body", "rawBody")
    _opt(opts, p, "binary_property", "binaryPropertyName")
    _opt(opts, p, "allowed_origins", "allowedOrigins")
    _opt(opts, p, "ip_allowlist", "ipWhitelist")
    if p.get("response_headers"):
        opts["responseHeaders"] = {"entries": p["response_headers"]}
    out["options"] = opts
    return "n8n-nodes-base.webhook", 2, out


def _plain(
    n8n_type: str, version: float, build: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[dict[str, Any]], Exported]:
    return lambda p: (n8n_type, version, build(p))


def _sort(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("type") == "random":
        return {"type": "random"}
    return {
        "sortFieldsUi": {
            "sortField": [
                {
                    "fieldName": f.get("field", ""),
                    "order": "descending" if f.get("order") == "desc" else "ascending",
                }
                for f in p.get("fields") or []
            ]
        },
        "options": {},
    }


def _dedupe(p: dict[str, Any]) -> dict[str, Any]:
    compare = p.get("compare", "all")
    out = {
        "compare": {
            "all": "allFields",
            "all_except": "allFieldsExcept",
            "selected": "selectedFields",
        }[compare],
        "options": {},
    }
    if compare != "all":
        key = "fieldsToCompare" if compare == "selected" else "fieldsToExclude"
        out[key] = ",".join(p.get("fields") or [])
    return out


def _wait(p: dict[str, Any]) -> dict[str, Any]:
    resume = p.get("resume", "time_interval")
    if resume == "specific_time":
        return {"resume": "specificTime", "dateTime": _x(p.get("date_time"))}
    if resume == "webhook":
        return {"resume": "webhook", "httpMethod": p.get("webhook_method", "GET")}
    return {"amount": _x(p.get("amount", 1)), "unit": p.get("unit", "seconds")}


_DT_BACK = {
    "current_date": "getCurrentDate",
    "add": "addToDate",
    "subtract": "subtractFromDate",
    "format": "formatDate",
    "difference": "getTimeBetweenDates",
    "extract": "extractDate",
    "round": "roundDate",
}


def _date_time(p: dict[str, Any]) -> dict[str, Any]:
    op = _DT_BACK[p.get("operation", "current_date")]
    out: dict[str, Any] = {"operation": op, "options": {}}
    if p.get("output_field"):
        out["outputFieldName"] = p["output_field"]
    if op in ("addToDate", "subtractFromDate"):
        out.update(
            magnitude=to_n8n_value(p.get("date")),
            timeUnit=p.get("unit", "days"),
            duration=to_n8n_value(p.get("duration", 1)),
        )
    elif op == "formatDate":
        fmt = {"unix_s": "X", "unix_ms": "x"}.get(p.get("format", "iso"))
        out.update(date=to_n8n_value(p.get("date")), format=fmt or "custom")
        if fmt is None:
            out["customFormat"] = p.get("custom_format") or "yyyy-MM-dd'T'HH:mm:ssZZ"
    elif op == "getTimeBetweenDates":
        out.update(
            startDate=to_n8n_value(p.get("date")),
            endDate=to_n8n_value(p.get("end_date")),
            units=[u.rstrip("s") for u in p.get("units") or ["days"]],
        )
    elif op == "extractDate":
        out.update(date=to_n8n_value(p.get("date")), part=p.get("part", "year"))
    elif op == "roundDate":
        out.update(
            date=to_n8n_value(p.get("date")),
            mode="roundUp" if p.get("round_mode") == "up" else "roundDown",
            toNearest=p.get("round_unit", "day"),
        )
    else:
        out["includeTime"] = p.get("include_time", True)
    return out


EXPORTERS: dict[str, Callable[[dict[str, Any]], Exported]] = {
    "core.postgres": _plain("n8n-nodes-base.postgres", 2.5, sql),
    "core.mysql": _plain("n8n-nodes-base.mySql", 2.4, sql),
    "core.send_email": _plain("n8n-nodes-base.emailSend", 2.1, email),
    "core.html": _plain("n8n-nodes-base.html", 1.2, html),
    "core.extract_from_file": _plain("n8n-nodes-base.extractFromFile", 1, extract),
    "core.convert_to_file": _plain("n8n-nodes-base.convertToFile", 1.1, convert),
    "core.date_time": _plain("n8n-nodes-base.dateTime", 2, _date_time),
    "core.manual_trigger": _plain("n8n-nodes-base.manualTrigger", 1, lambda p: {}),
    "core.noop": _plain("n8n-nodes-base.noOp", 1, lambda p: {}),
    "core.loop_over_items": _plain(
        "n8n-nodes-base.splitInBatches",
        3,
        lambda p: {"batchSize": p.get("batch_size", 10), "options": {}},
    ),
    "core.error_trigger": _plain("n8n-nodes-base.errorTrigger", 1, lambda p: {}),
    "core.set": _set,
    "core.http_request": _http,
    "core.if": export_if,
    "core.filter": export_filter,
    "core.switch": export_switch,
    "core.merge": export_merge,
    "core.split_out": _split_out,
    "core.aggregate": _aggregate,
    "core.schedule_trigger": _schedule,
    "core.respond_to_webhook": _respond,
    "core.webhook_trigger": _webhook,
    "core.sort": _plain("n8n-nodes-base.sort", 1, _sort),
    "core.remove_duplicates": _plain("n8n-nodes-base.removeDuplicates", 2, _dedupe),
    "core.wait": _plain("n8n-nodes-base.wait", 1.1, _wait),
    "core.limit": _plain(
        "n8n-nodes-base.limit",
        1,
        lambda p: {
            "maxItems": p.get("max_items", 1),
            "keep": "lastItems" if p.get("keep") == "last" else "firstItems",
        },
    ),
    "core.stop_and_error": _plain(
        "n8n-nodes-base.stopAndError",
        1,
        lambda p: (
            {"errorType": "errorObject", "errorObject": _x(p.get("error_object"))}
            if p.get("error_type") == "object"
            else {"errorMessage": _x(p.get("message", ""))}
        ),
    ),
    "core.rename_keys": _plain(
        "n8n-nodes-base.renameKeys",
        1,
        lambda p: {
            "keys": {
                "key": [
                    {"currentKey": k.get("current", ""), "newKey": k.get("new", "")}
                    for k in p.get("keys") or []
                ]
            }
        },
    ),
    "core.code": _plain(
        "n8n-nodes-base.code",
        2,
        lambda p: {
            "language": "python",
            "pythonCode": p.get("code", ""),
            "mode": "runOnceForEachItem" if p.get("mode") == "each_item" else "runOnceForAllItems",
        },
    ),
    "core.workflow_trigger": _plain(
        "n8n-nodes-base.executeWorkflowTrigger",
        1.1,
        lambda p: (
            {
                "workflowInputs": {
                    "values": [
                        {"name": f.get("name", ""), "type": f.get("type", "any")}
                        for f in p.get("fields") or []
                    ]
                }
            }
            if p.get("fields")
            else {"inputSource": "passthrough"}
        ),
    ),
    "core.execute_workflow": _plain(
        "n8n-nodes-base.executeWorkflow",
        1.1,
        lambda p: {
            "workflowId": {"__rl": True, "mode": "id", "value": _x(p.get("workflow_id", ""))},
            "mode": p.get("mode", "once"),
            "options": {"waitForSubWorkflow": p.get("wait", True)},
        },
    ),
}
