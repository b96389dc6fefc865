"""The run function of every sandboxed package node: items in, sandbox, items out.

The executor calls :func:`execute` like any node's run function. It finds the package
that provides the node (:mod:`engine.marketplace.live`, the installed set), evaluates
the parameters per item here in the host, and makes **one** sandbox call for all the
node's items (:func:`engine.sandbox.brokered.run_brokered`), answering the code's
``ctx`` calls with a :class:`~engine.marketplace.broker.Broker`. What the code returns
becomes the node's output: a list of objects (the ``main`` output) or an object mapping
declared output ports to lists. Printed lines and ``ctx.log`` lines go to the run's log.
"""

from __future__ import annotations

import time
from typing import Any

from engine.errors import NodeExecutionError, SandboxViolation
from engine.sdk.context import NodeContext
from engine.sdk.items import Item

__all__ = ["execute"]

_CODE_HINT = (
    "Code nodes may use only the listed modules and builtins and no names starting with '_'."
)


def _params(ctx: NodeContext, count: int) -> list[dict[str, Any]]:
    first = ctx.params(0).model_dump()
    if not any("{{" in str(v) for v in ctx.raw_params().values()):
        return [first]
    return [first] + [ctx.params(i).model_dump() for i in range(1, count)]


def _items(value: Any, inputs: list[Item], ports: list[str], node: str) -> dict[str, list[Item]]:
    if isinstance(value, list):
        value = {ports[0] if ports else "main": value}
    if not isinstance(value, dict):
        raise NodeExecutionError(
            f"The package node returned {type(value).__name__}; it must "
            "return a list of objects or {port: [objects]}.",
            node=node,
        )
    out: dict[str, list[Item]] = {}
    for port, rows in value.items():
        if port not in ports:
            raise NodeExecutionError(
                f"The package node returned items for port '{port}', "
                f"which it does not declare ({', '.join(ports)}).",
                node=node,
            )
        if not isinstance(rows, list):
            raise NodeExecutionError(f"Output '{port}' must be a list of objects.", node=node)
        items = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise NodeExecutionError(
                    f"Output '{port}' item {i} is {type(row).__name__}, not an object.", node=node
                )
            src = inputs[i] if len(rows) == len(inputs) else (inputs[0] if inputs else None)
            items.append(
                src.derive(row, index=i if len(rows) == len(inputs) else 0)
                if src is not None
                else Item(json=row)
            )
        out[port] = items
    return out


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Runs the package node ``ctx.node`` in the sandbox."""
    from engine.marketplace.broker import Broker
    from engine.marketplace.live import lookup
    from engine.sandbox.brokered import run_brokered

    found = lookup(ctx.node.type, ctx.node.version)
    pkg, decl, extra_hosts = found.package, found.node, found.extra_hosts
    inputs = ctx.input("main")
    params = _params(ctx, len(inputs))
    broker = Broker(
        pkg.manifest, decl, ctx, deadline=time.monotonic() + decl.timeout_s, extra_hosts=extra_hosts
    )
    try:
        result = run_brokered(
            pkg.code_for(decl),
            [{"json": i.json} for i in inputs],
            params=params,
            node={"name": ctx.node.name, "type": decl.type, "version": decl.version},
            broker=broker,
            timeout_s=decl.timeout_s,
        )
    except SandboxViolation as exc:
        hint = (
            f"Package {pkg.name} {pkg.version} did something its manifest does not allow "
            "or the sandbox refuses; it was stopped."
        )
        exc.message = exc.message.replace(_CODE_HINT, hint)
        exc.args = (exc.message,)
        raise
    for line in result.stdout:
        ctx.log.info(line)
    return _items(result.result, inputs, [p.name for p in ctx_outputs(decl)], ctx.node.name)


def ctx_outputs(decl: Any) -> list[Any]:
    from engine.sdk.spec import Port

    return [Port(p) for p in decl.outputs]
