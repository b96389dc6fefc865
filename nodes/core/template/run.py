"""Template: renders the template with chevron over each item's JSON.

Partials (``{{> name}}``) render as nothing: chevron would otherwise read them from
files, and a template must not reach the disk.
"""

from __future__ import annotations

import collections
import copy
import json
from typing import Any

import chevron

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.json.run import set_field
from nodes.core.template.spec import TemplateParams


def render(template: str, data: dict[str, Any]) -> str:
    """The mustache rendering of ``template`` over ``data``; partials are empty."""
    try:
        return str(chevron.render(template, data, partials_dict=collections.defaultdict(str)))
    except chevron.ChevronError as exc:
        raise NodeExecutionError(
            f"The template is not valid mustache: {exc}. Check that "
            "every {{#section}} is closed by {{/section}}."
        ) from None


def _parse(text: str, fmt: str, i: int) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise NodeExecutionError(
                f"Item {i}: the rendered text is not JSON ({exc.msg} at "
                f"line {exc.lineno}); set 'Output format' to 'text' or "
                "fix the template."
            ) from None
    from nodes.core.yaml.run import load_yaml

    return load_yaml(text, f"Item {i}: the rendered text")


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Renders the template for every item into ``output_field``."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, TemplateParams)
        text = p.template if p.syntax == "plain" else render(p.template, item.json)
        value: Any = text if p.output_format == "text" else _parse(text, p.output_format, i)
        out = copy.deepcopy(item.json)
        set_field(out, p.output_field or "text", value)
        return item.derive(out, index=i)

    return ctx.map(one)
