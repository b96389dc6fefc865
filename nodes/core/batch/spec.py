"""Batch: groups items into batches of N (with overlap) or by a field's value."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class BatchParams(Params):
    mode: Literal["count", "field"] = Field(
        "count",
        description="count: every N items form a batch; field: items with the same value "
        "of a field form a batch (in the order their values first appear).",
        json_schema_extra=ui(
            expression=False,
            labels={"count": "Every N items", "field": "Same value of a field"},
        ),
    )
    size: int = Field(
        10,
        ge=0,
        description="count: how many items a batch holds (0: no limit, the whole input "
        "is one batch unless the end field ends it).",
        json_schema_extra=ui(show={"mode": ["count"]}),
    )
    overlap: int = Field(
        0,
        ge=0,
        description="count: how many items at the end of a batch also start the next "
        "one (less than the size).",
        json_schema_extra=ui(show={"mode": ["count"]}),
    )
    field: str = Field(
        "",
        description="field: the field (dot path) whose value groups the items.",
        json_schema_extra=ui(show={"mode": ["field"]}),
    )
    end_field: str = Field(
        "",
        description="Optional: an item that has this field ends its batch, full or not "
        "(Node-RED's msg.complete).",
    )
    accumulate: bool = Field(
        False,
        description="count: once a batch is full, every further item sends the batch again "
        "with that item added, instead of starting a new one.",
        json_schema_extra=ui(show={"mode": ["count"]}),
    )
    partial: Literal["send", "drop"] = Field(
        "send",
        description="count: what to do with the last batch when it is not full: send it, "
        "or drop its items.",
        json_schema_extra=ui(
            expression=False,
            show={"mode": ["count"]},
            labels={"send": "Send it", "drop": "Drop it"},
        ),
    )
    output: Literal["batches", "items"] = Field(
        "batches",
        description="batches: one item per batch, the items' data listed in the "
        "destination field; items: every item (once per batch it is in) with "
        "{id, index, count} of its batch in the destination field.",
        json_schema_extra=ui(
            expression=False,
            labels={"batches": "One item per batch", "items": "Each item, tagged"},
        ),
    )
    destination_field: str = Field(
        "batch", min_length=1, description="The output field for the list or the tag."
    )

    @model_validator(mode="after")
    def _check(self) -> BatchParams:
        if self.mode == "count" and self.size and self.overlap >= self.size:
            raise ValueError(
                f"the overlap ({self.overlap}) must be less than the batch size ({self.size})"
            )
        if self.mode == "field" and not self.field.strip():
            raise ValueError("name the field whose value groups the items")
        return self


SPEC = NodeSpec(
    type="core.batch",
    version=1,
    title="Batch",
    description="Group items into batches of N (optionally overlapping) or by a field's value.",
    category="Transform",
    icon="group",
    params=BatchParams,
    run="nodes.core.batch.run:execute",
    docs=load_docs(__file__),
)
