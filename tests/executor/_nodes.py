"""Test-only nodes for executor tests (registered in a private catalog)."""

from __future__ import annotations

import threading
from typing import Any

from engine.sdk import Field, Item, NodeContext, NodeExecutionError, NodeSpec, Params

CALLS: dict[str, int] = {}
ORDER: list[str] = []
STARTED = threading.Event()


class FlakyParams(Params):
    fail_times: int = Field(0, description="Fail this many calls, then succeed.")
    key: str = Field("flaky", description="Counter key.")


class SleepParams(Params):
    seconds: float = Field(1.0, description="Seconds to sleep.")


class BoomParams(Params):
    message: str = Field("boom", description="Error message.")
    crash: bool = Field(False, description="Raise a non-AURA exception.")


class SubParams(Params):
    workflow: dict[str, Any] = Field(default_factory=dict, description="Definition to run.")


class EmptyParams(Params):
    pass


def flaky(ctx: NodeContext) -> list[Item]:
    p = ctx.params()
    assert isinstance(p, FlakyParams)
    CALLS[p.key] = CALLS.get(p.key, 0) + 1
    if CALLS[p.key] <= p.fail_times:
        raise NodeExecutionError(f"flaky failure {CALLS[p.key]}")
    return [i.derive(index=n) for n, i in enumerate(ctx.items)]


def sleep(ctx: NodeContext) -> list[Item]:
    p = ctx.params()
    assert isinstance(p, SleepParams)
    STARTED.set()
    ctx.sleep(p.seconds)
    return ctx.items


def boom(ctx: NodeContext) -> list[Item]:
    p = ctx.params()
    assert isinstance(p, BoomParams)
    if p.crash:
        raise ZeroDivisionError("division by zero")
    raise NodeExecutionError(p.message)


def record(ctx: NodeContext) -> list[Item]:
    ORDER.append(ctx.node.name)
    return [i.derive(index=n) for n, i in enumerate(ctx.items)]


def nothing(ctx: NodeContext) -> list[Item]:
    return []


def call_sub(ctx: NodeContext) -> list[Item]:
    p = ctx.params()
    assert isinstance(p, SubParams)
    return ctx.run_workflow(p.workflow, ctx.items)


def _spec(name: str, params: type[Params], fn: str, **kw: Any) -> NodeSpec:
    return NodeSpec(type=f"test.{name}", version=1, title=name, description=f"test {name}",
                    category="Utility", params=params, run=f"tests.executor._nodes:{fn}",
                    package="test", **kw)


SPECS = [
    _spec("flaky", FlakyParams, "flaky"),
    _spec("sleep", SleepParams, "sleep"),
    _spec("boom", BoomParams, "boom"),
    _spec("record", EmptyParams, "record"),
    _spec("nothing", EmptyParams, "nothing"),
    _spec("call_sub", SubParams, "call_sub", permissions=frozenset({"workflows"})),
]
