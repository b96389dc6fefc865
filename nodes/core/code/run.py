"""Code: sends the items to the sandbox in one call and turns what comes back into items.

Once for all items, the code sees ``items`` (a list of ``{json, binary?}``) and returns
a list of objects. Once per item, the code still runs in a single sandbox call: the
sandbox loops over the items, calling the code with ``item`` and ``json`` for each, and
reports errors per item, which the node's error policy then handles like any per-item
failure (stop, continue with the error on the item, or route to the ``error`` output).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.sandbox import run_code_each, run_code_ex
from nodes.core.code.spec import CodeParams

_ITEM_KEYS = {"json", "binary", "paired_item", "pairedItem"}


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    params = ctx.params(0)
    assert isinstance(params, CodeParams)
    ctx.check_cancelled()
    items = ctx.items
    if params.mode == "each_item":
        return _each_item(ctx, params, items)
    return _all_items(ctx, params, items)


def _payload(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {"json": item.json}
    if item.binary:
        data["binary"] = {k: b.to_dict() for k, b in item.binary.items()}
    return data


def _log(ctx: NodeContext, lines: list[str], truncated: bool) -> None:
    for line in lines:
        ctx.log.info("%s", line)
    if truncated:
        ctx.log.warning("print output was truncated (the sandbox keeps the first 256 KiB)")


def _log_error_output(ctx: NodeContext, exc: Exception) -> None:
    lines = getattr(exc, "stdout", None)
    if isinstance(lines, list):
        _log(ctx, [str(x) for x in lines], False)


def _as_item(value: Any, where: str) -> Item:
    if not isinstance(value, dict):
        raise NodeExecutionError(
            f"The code returned {type(value).__name__} {where}; return an object like "
            "{'name': 'value'} (or {'json': {...}}) per item.",
            details={"where": where},
            error_type="TypeError",
        )
    if "json" in value and isinstance(value["json"], dict) and set(value) <= _ITEM_KEYS:
        return Item.from_dict(value)
    return Item(json=value)


def returned_items(
    value: Any,
    items: list[Item],
    type_name: Callable[[Any], str],
    hint: str,
    sequence: str,
) -> dict[str, list[Item]]:
    """The output of an 'all_items' run from what the code returned: nothing for None,
    one item for an object, one per object of a list (``sequence`` names the list in
    the language's words). An item without lineage is paired with the input at its
    position (or the only input). Anything else is refused with ``hint``."""
    if value is None:
        return {"main": []}
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise NodeExecutionError(
            f"The code returned {type_name(value)}; in 'all_items' mode return {hint}",
            error_type="TypeError",
        )
    out = [_as_item(v, f"at position {n} of the returned {sequence}") for n, v in enumerate(value)]
    if len(out) == len(items) or len(items) == 1:
        for n, item in enumerate(out):
            if item.paired_item is None:
                idx = n if len(out) == len(items) else 0
                item.paired_item = items[idx].derive(index=idx).paired_item
    return {"main": out}


def _all_items(ctx: NodeContext, params: CodeParams, items: list[Item]) -> dict[str, list[Item]]:
    try:
        res = run_code_ex(params.code, {"items": [_payload(i) for i in items]}, params.timeout_s)
    except Exception as exc:
        _log_error_output(ctx, exc)
        raise
    _log(ctx, res.stdout, res.stdout_truncated)
    return returned_items(
        res.result,
        items,
        lambda v: type(v).__name__,
        "a list of objects (one per output item).",
        "list",
    )


def _each_item(ctx: NodeContext, params: CodeParams, items: list[Item]) -> dict[str, list[Item]]:
    policy = ctx.node.error_policy
    try:
        res = run_code_each(
            params.code,
            [{"item": _payload(i)} for i in items],
            params.timeout_s,
            stop_on_error=policy == "stop",
            views={"json": ("item", "json")},
        )
    except Exception as failure:
        _log_error_output(ctx, failure)
        raise
    _log(ctx, res.stdout, res.stdout_truncated)
    return collect_each(policy, items, res.results, dict(res.errors))


def collect_each(
    policy: str, items: list[Item], results: list[Any], errors: dict[int, NodeExecutionError]
) -> dict[str, list[Item]]:
    """Output items of a once-per-item run: ``results[i]`` (an object, a list or None)
    for item ``i``, or its error handled by the node's error ``policy``."""
    out: list[Item] = []
    failed_items: list[Item] = []
    for i, item in enumerate(items):
        problem: NodeExecutionError | None = errors.get(i)
        produced: list[Item] = []
        if problem is None:
            try:
                produced = _outputs(results[i] if i < len(results) else None, item, i)
            except NodeExecutionError as bad:
                problem = bad
        if problem is None:
            out.extend(produced)
            continue
        if policy == "stop":
            raise problem
        err = {"message": problem.message, "type": problem.error_type, "item_index": i}
        failed = item.derive({**item.json, "error": err}, index=i)
        (out if policy == "continue" else failed_items).append(failed)
    result = {"main": out}
    if failed_items:
        result["error"] = failed_items
    return result


def _outputs(value: Any, source: Item, index: int) -> list[Item]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    produced = []
    for v in values:
        item = _as_item(v, f"for item {index}")
        if item.paired_item is None:
            item.paired_item = source.derive(index=index).paired_item
        if item.binary is None and not (isinstance(v, dict) and "json" in v):
            item.binary = source.binary
        produced.append(item)
    return produced
