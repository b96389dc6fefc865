"""Pydantic models shared by several resources: errors, pages, paging queries.

Request models forbid unknown fields (a typo is a 422 naming the field, not a silently
ignored option); response models describe what the API sends, for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorOut", "In", "Out", "Page", "PageQuery", "T"]

T = TypeVar("T")


class In(BaseModel):
    """Base of request bodies and queries: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Base of response models."""

    model_config = ConfigDict(extra="allow")


class ErrorOut(Out):
    """Every error answer."""

    error: str = Field(description="Stable machine-readable code, e.g. 'not_found'.")
    message: str = Field(description="What went wrong and what to do about it.")
    details: Any = Field(None, description="Structured details (problems, ids...).")


class Page(Out, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="How many match in all.")
    limit: int
    offset: int


class PageQuery(In):
    """Paging: ``limit`` items from ``offset``."""

    limit: int = Field(50, ge=1, le=1000, description="Items per page (1-1000).")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")
