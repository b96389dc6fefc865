"""Workflow model: pure data, JSON in and out, validation. No execution here."""

from __future__ import annotations

from engine.graph.index import Graph
from engine.graph.io import dump_workflow, load_workflow, parse_json, workflow_json_schema
from engine.graph.model import (
    FORMAT,
    Connection,
    CredentialRef,
    NodeDef,
    RetrySettings,
    StickyNote,
    Workflow,
    WorkflowSettings,
)
from engine.graph.validate import (
    Problem,
    ValidationReport,
    contains_expression,
    validate,
    validate_params,
)

__all__ = [
    "FORMAT",
    "Connection",
    "CredentialRef",
    "Graph",
    "NodeDef",
    "Problem",
    "RetrySettings",
    "StickyNote",
    "ValidationReport",
    "Workflow",
    "WorkflowSettings",
    "contains_expression",
    "dump_workflow",
    "load_workflow",
    "parse_json",
    "validate",
    "validate_params",
    "workflow_json_schema",
]
