"""Change: runs each item's rules in order over a copy of its JSON (Node-RED's ``msg``)
and the workflow's shared ``flow`` / ``global`` context, so a rule reads what the rules
before it wrote, on the item or in the context."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.jsonata import evaluate_jsonata
from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.regex import compile_regex
from nodes.core.change.spec import ChangeParams, ChangeRule
from nodes.core.if_.paths import MISSING, del_path, get_path, set_path


class _Run:
    """One item's rules: the message, the shared context and the allowed environment."""

    def __init__(self, ctx: NodeContext, index: int, msg: dict[str, Any]) -> None:
        self.ctx, self.index, self.msg = ctx, index, msg
        self._env: dict[str, Any] | None = None

    def store(self, target: str, write: bool = False) -> dict[str, Any]:
        if target == "msg":
            return self.msg
        shared = self.ctx.shared_data
        found = shared.get(target)
        if write and not isinstance(found, dict):
            found = shared[target] = {}
        return found if isinstance(found, dict) else {}

    @property
    def env(self) -> dict[str, Any]:
        if self._env is None:
            env = self.ctx.evaluate("{{ $env }}", self.index)
            self._env = env if isinstance(env, dict) else {}
        return self._env

    def read(self, target: str, path: str) -> Any:
        value = get_path(self.store(target), path)
        return None if value is MISSING else copy.deepcopy(value)

    def value(self, rule: ChangeRule, n: int) -> Any:
        t, v = rule.value_type, rule.value
        where = f"rule {n} ({rule.action} {rule.target}.{rule.property})"
        if t == "str":
            return v
        if t == "num":
            try:
                number = float(v)
            except ValueError:
                raise NodeExecutionError(f"{where}: '{v}' is not a number.") from None
            return int(number) if number.is_integer() and "." not in v else number
        if t == "bool":
            return v.strip().lower() == "true"
        if t == "json":
            try:
                return json.loads(v or "null")
            except ValueError as exc:
                raise NodeExecutionError(f"{where}: the value is not valid JSON ({exc}).") from None
        if t in ("msg", "flow", "global"):
            return self.read(t, v)
        if t == "env":
            return self.env.get(v)
        if t == "date":
            return int(time.time() * 1000)
        try:
            return evaluate_jsonata(
                v,
                self.msg,
                flow=self.store("flow"),
                global_=self.store("global"),
                env=self.env,
                where=where,
            )
        except ExpressionError as exc:
            raise NodeExecutionError(exc.message) from None

    def apply(self, rule: ChangeRule, n: int) -> None:
        if rule.action == "set":
            set_path(self.store(rule.target, write=True), rule.property, self.value(rule, n))
        elif rule.action == "delete":
            del_path(self.store(rule.target, write=True), rule.property)
        elif rule.action == "move":
            value = self.read(rule.target, rule.property)
            del_path(self.store(rule.target, write=True), rule.property)
            set_path(self.store(rule.move_target, write=True), rule.value, value)
        else:
            self.change(rule, n)

    def change(self, rule: ChangeRule, n: int) -> None:
        current = self.read(rule.target, rule.property)
        if rule.find_type in ("num", "bool"):
            if str(current).lower() == rule.find.strip().lower():
                set_path(self.store(rule.target, True), rule.property, self.value(rule, n))
            return
        if not isinstance(current, str):
            return  # Node-RED changes text only
        if rule.find_type == "re":
            pattern = compile_regex(rule.find, what=f"rule {n}'s pattern")
            if rule.value_type == "str":
                new: Any = pattern.sub(rule.value.replace("$&", r"\g<0>"), current)
            else:
                new = self.value(rule, n) if pattern.fullmatch(current) else current
        elif rule.value_type == "str":
            new = current.replace(rule.find, rule.value) if rule.find else current
        else:
            new = self.value(rule, n) if current == rule.find else current
        set_path(self.store(rule.target, True), rule.property, new)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    out: list[Item] = []
    for i, item in enumerate(ctx.items):
        params = ctx.params(i)
        assert isinstance(params, ChangeParams)
        run = _Run(ctx, i, copy.deepcopy(item.json))
        for n, rule in enumerate(params.rules, start=1):
            run.apply(rule, n)
        out.append(item.derive(run.msg, index=i))
    return {"main": out}
