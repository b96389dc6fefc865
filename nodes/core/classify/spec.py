"""Text Classifier: a language model puts each item's text in one of your categories, and
the item leaves by that category's output."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, Port, load_docs, ui
from nodes.core.agent.spec import MODEL_KINDS, ModelParams

MAX_CATEGORIES = 20
OTHER = "other"


class Category(Params):
    """One category (one output)."""

    name: str = Field(
        ..., min_length=1, max_length=100, description="The category, e.g. 'billing'."
    )
    description: str = Field(
        "", description="What belongs in it; the model decides from the name and this."
    )


class ClassifyParams(ModelParams):
    """Parameters of the Text Classifier."""

    prompt: str = Field(
        ...,
        min_length=1,
        description="The text to classify, usually an expression such as {{ $json.message }}.",
        json_schema_extra=ui("textarea"),
    )
    categories: list[Category] = Field(
        default_factory=list,
        description="The categories, one output each (in this order).",
        json_schema_extra=ui("collection", expression=False),
    )
    other_output: bool = Field(
        True,
        description="Add an 'Other' output for text that fits no category (off: the model "
        "must choose one of the categories).",
    )
    output_field: str = Field(
        "category", min_length=1, description="Field of the output item that receives the category."
    )

    @model_validator(mode="after")
    def _categories(self) -> ClassifyParams:
        names = [c.name for c in self.categories]
        if not names:
            raise ValueError("Add at least one category.")
        if len(names) > MAX_CATEGORIES:
            raise ValueError(f"At most {MAX_CATEGORIES} categories.")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"Category {', '.join(map(repr, dup))} is given twice.")
        if self.other_output and OTHER in names:
            raise ValueError(f"'{OTHER}' is the name of the extra output; rename that category.")
        return self


def _get(params: Any, name: str, default: Any) -> Any:
    if isinstance(params, dict):
        return params.get(name, default)
    return getattr(params, name, default)


def outputs_for(params: Any) -> tuple[Port, ...]:
    """One output per category (``category_0``...), plus ``other`` when asked."""
    categories = _get(params, "categories", None) or []
    ports = [
        Port(f"category_{i}", str(_get(c, "name", "") or f"Category {i}"))
        for i, c in enumerate(categories[:MAX_CATEGORIES])
    ]
    if _get(params, "other_output", True):
        ports.append(Port(OTHER, "Other"))
    return tuple(ports) or (Port("category_0", "Category 0"),)


SPEC = NodeSpec(
    type="ai.classify",
    version=1,
    title="Text Classifier",
    description="Route items to an output per category, chosen by a language model.",
    category="AI",
    icon="tags",
    params=ClassifyParams,
    run="nodes.core.classify.run:execute",
    outputs=(Port("category_0", "Category 0"), Port(OTHER, "Other")),
    outputs_for=outputs_for,
    credentials=(
        CredentialSlot(
            "model", MODEL_KINDS, required=True, description="The model provider's API key."
        ),
    ),
    permissions=frozenset({"network", "credentials"}),
    docs=load_docs(__file__),
    aliases=("@n8n/n8n-nodes-langchain.textClassifier",),
)
