"""Conditions shared by IF, Switch and Filter: the condition model and its evaluation.

A condition compares a *left value* (usually an expression such as ``{{ $json.age }}``,
already evaluated when the node reads its parameters) with a *right value* using an
operation of a value type: ``string.contains``, ``number.gt``, ``date.before`` ... A group
of conditions is combined with ``and`` / ``or``.

Type validation is strict by default: a number operation on the string ``"3"`` fails with
a message telling the user to turn on *loose type validation*, which converts values
(``"3"`` to 3, ``"true"`` to True, ISO/epoch values to dates, JSON text to lists/objects).
Right values are always converted loosely: they are typed by the user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import model_validator

from engine.sdk import AuraError, Field, Item, NodeContext, NodeExecutionError, Params, ui
from nodes.core.if_._operators import (
    OPERATION_CHOICES,
    OPERATIONS,
    ConditionTypeError,
    apply_operation,
    normalise_operation,
)

__all__ = [
    "OPERATIONS",
    "Condition",
    "ConditionGroupParams",
    "ConditionType",
    "ConditionTypeError",
    "evaluate_condition",
    "evaluate_group",
    "item_error",
    "route_items",
]

ConditionType = Literal["string", "number", "boolean", "date", "array", "object", "any"]


class Condition(Params):
    """One comparison: ``left <operation> right``."""

    left: Any = Field(
        None, description="The value to test, usually an expression such as '{{ $json.status }}'."
    )
    type: ConditionType = Field(
        "string",
        description="Type of the values compared: string, "
        "number, boolean, date, array, object or any.",
        json_schema_extra=ui(labels={"any": "Any type"}),
    )
    operation: str = Field(
        "equals",
        description="The comparison, depending on the type; e.g. "
        "string: equals, contains, starts_with, regex, is_empty; number: eq, "
        "gt, lte; date: before, after; array: contains, length_gt; object: "
        "has_key; every type: exists, not_exists.",
        json_schema_extra=ui(
            "options",
            options_by={"type": OPERATION_CHOICES},
            help="The comparison; its choices follow the type.",
        ),
    )
    right: Any = Field(
        None,
        description="The value to compare with (unused by single-value "
        "operations such as is empty, exists or is true).",
    )

    @model_validator(mode="after")
    def _check_operation(self) -> Condition:
        op = normalise_operation(self.type, self.operation)
        if op not in OPERATIONS[self.type]:
            raise ValueError(
                f"'{self.operation}' is not an operation of type '{self.type}'; choose one of: "
                f"{', '.join(OPERATIONS[self.type])}."
            )
        self.operation = op
        return self


class ConditionGroupParams(Params):
    """Conditions combined with and/or, plus the comparison options."""

    conditions: list[Condition] = Field(
        default_factory=list,
        description="The conditions to test; with none, every item matches.",
        json_schema_extra=ui("collection"),
    )
    combinator: Literal["and", "or"] = Field(
        "and",
        description="'and': every condition must hold; 'or': at least one.",
        json_schema_extra=ui(
            labels={"and": "AND: all conditions hold", "or": "OR: at least one condition holds"}
        ),
    )
    case_sensitive: bool = Field(
        True, description="Compare strings with case (off: 'ABC' equals 'abc')."
    )
    loose_type_validation: bool = Field(
        False,
        description="Convert values to the operation's type ('3' to 3, 'true' to true, "
        "ISO text to dates) instead of failing on a type mismatch.",
    )


def evaluate_condition(
    cond: Condition, *, case_sensitive: bool = True, loose: bool = False, index: int = 0
) -> bool:
    """True if ``cond`` holds.

    Raises:
        ConditionTypeError: a value has the wrong type for the operation (strict mode), or
            the right value is unusable (bad regex, not a number...).
    """
    try:
        return apply_operation(
            cond.type,
            cond.operation,
            cond.left,
            cond.right,
            case_sensitive=case_sensitive,
            loose=loose,
        )
    except ConditionTypeError as exc:
        raise ConditionTypeError(
            f"Condition {index + 1} ({cond.type} {cond.operation}): {exc}"
        ) from None


def evaluate_group(
    conditions: Sequence[Condition],
    combinator: str = "and",
    *,
    case_sensitive: bool = True,
    loose: bool = False,
) -> bool:
    """Combines conditions with ``and``/``or``; an empty list is true.

    Every condition is evaluated in order and evaluation stops early, like ``all``/``any``.
    """
    if combinator == "or":
        return (
            any(
                evaluate_condition(c, case_sensitive=case_sensitive, loose=loose, index=i)
                for i, c in enumerate(conditions)
            )
            if conditions
            else True
        )
    return all(
        evaluate_condition(c, case_sensitive=case_sensitive, loose=loose, index=i)
        for i, c in enumerate(conditions)
    )


def item_error(exc: Exception, index: int) -> dict[str, Any]:
    """The ``error`` object attached to an item under the 'continue'/'route' error policies."""
    return {"message": str(exc), "type": type(exc).__name__, "item_index": index}


def route_items(
    ctx: NodeContext,
    decide: Callable[[Item, int], Sequence[str]],
    ports: Sequence[str],
    continue_port: str,
) -> dict[str, list[Item]]:
    """Sends each main input item to the ports ``decide(item, index)`` names.

    Errors follow the node's error policy: ``stop`` raises (naming the item), ``continue``
    sends the item with an ``error`` field to ``continue_port``, ``route`` to ``error``.
    Every port in ``ports`` is present in the result, empty or not.
    """
    out: dict[str, list[Item]] = {p: [] for p in ports}
    policy = ctx.node.error_policy
    for i, item in enumerate(ctx.input("main")):
        ctx.check_cancelled()
        try:
            targets = decide(item, i)
        except Exception as exc:
            if policy == "stop":
                if isinstance(exc, AuraError):
                    raise
                raise NodeExecutionError(
                    f"Item {i}: {exc}",
                    node=ctx.node.name,
                    details={"item_index": i},
                    error_type=type(exc).__name__,
                ) from None
            port = continue_port if policy == "continue" else "error"
            out.setdefault(port, []).append(
                item.derive({**item.json, "error": item_error(exc, i)}, index=i)
            )
            continue
        for port in targets:
            out.setdefault(port, []).append(item.derive(index=i))
    return out
