"""The node SDK: everything a node package imports from AURA.

Nodes import only from ``engine.sdk``; the public surface is pinned by a test.
"""

from __future__ import annotations

from pydantic import Field

from engine.errors import (
    AuraError,
    CredentialError,
    ExecutionCancelled,
    NodeExecutionError,
    SSRFBlocked,
    ValidationError,
)
from engine.sdk.catalog import Catalog, NodePackage, get_catalog
from engine.sdk.context import (
    ErrorPolicy,
    ExecutionInfo,
    NodeContext,
    NodeInfo,
    NodeOutput,
    WorkflowInfo,
)
from engine.sdk.items import Binary, Item, PairedItem, items_from_json, items_to_json
from engine.sdk.spec import CredentialSlot, NodeSpec, Params, Port, load_docs, ui
from engine.sdk.waits import WaitRequested

__all__ = [
    "AuraError",
    "Binary",
    "Catalog",
    "CredentialError",
    "CredentialSlot",
    "ErrorPolicy",
    "ExecutionCancelled",
    "ExecutionInfo",
    "Field",
    "Item",
    "NodeContext",
    "NodeExecutionError",
    "NodeInfo",
    "NodeOutput",
    "NodePackage",
    "NodeSpec",
    "PairedItem",
    "Params",
    "Port",
    "SSRFBlocked",
    "ValidationError",
    "WaitRequested",
    "WorkflowInfo",
    "get_catalog",
    "items_from_json",
    "items_to_json",
    "load_docs",
    "ui",
]
