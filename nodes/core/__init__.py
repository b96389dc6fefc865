"""The built-in core nodes, registered as the ``core`` node package."""

from __future__ import annotations

from engine.sdk import NodePackage

__all__ = ["NODE_FOLDERS", "PACKAGE"]

NODE_FOLDERS = (
    "manual_trigger",
    "schedule_trigger",
    "webhook_trigger",
    "respond_to_webhook",
    "error_trigger",
    "workflow_trigger",
    "set",
    "if_",
    "switch",
    "merge",
    "filter",
    "sort",
    "limit",
    "aggregate",
    "split_out",
    "remove_duplicates",
    "rename_keys",
    "date_time",
    "crypto",
    "json",
    "csv",
    "http_request",
    "wait",
    "noop",
    "stop_and_error",
    "execute_workflow",
    "code",
    "placeholder",
    "code_js",
    "template",
    "xml",
    "yaml",
    "html",
    "loop_over_items",
    "delay",
    "extract_from_file",
    "convert_to_file",
    "summarize",
    "compare_datasets",
    "postgres",
    "mysql",
    "send_email",
    "sqlite",
    "knowledge_insert",
    "knowledge_search",
    "agent",
    "chat",
)

PACKAGE = NodePackage(
    name="core",
    version="1.0.0",
    spec_modules=tuple(f"nodes.core.{f}.spec" for f in NODE_FOLDERS),
    description="AURA's built-in nodes: triggers, flow control, data transforms, HTTP, code.",
    trusted=True,
)
