"""Inside a sandboxed run of a node package: the brokered ``ctx`` the package code gets.

A package node's code runs like Code-node code (same process, limits, policy and
guards) and receives ``ctx`` and ``items``. ``ctx`` has no reach of its own: every call
that leaves the process (``ctx.http``, ``ctx.credentials``) is a *call frame* written to
stdout and answered by the host on stdin (:mod:`engine.marketplace.broker`), which
decides with the package's manifest. A refusal from the host (a host outside the
manifest, a credential slot or kind it does not declare) ends the run as a sandbox
violation that user code cannot catch; an HTTP failure raises ``HttpError`` (an
``Exception``), which it can.

The objects here are plain instances of classes defined by us; user code can read their
public attributes and call their methods but not modify them (the write guard refuses
objects of classes it did not define) nor reach anything behind them (``_`` names and
function internals are refused by the attribute guard).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.sandbox._convert import ResultProblem, to_json_bytes
from engine.sandbox._protocol import frame, read_frame, write_all
from engine.sandbox._state import refuse

__all__ = ["HttpError", "make_ctx"]

_MAX_REPLY = 8 * 1024 * 1024
_MAX_ARGS = 4 * 1024 * 1024
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


class HttpError(Exception):
    """An HTTP call could not be made or answered (connection refused, timeout...)."""


def _call(op: str, args: dict[str, Any]) -> Any:
    try:
        body = to_json_bytes(args, _MAX_ARGS)
    except ResultProblem as p:
        raise TypeError(f"ctx.{op}: {p.message}") from None
    write_all(
        1, frame(b'{"kind":"call","op":' + json.dumps(op).encode() + b',"args":' + body + b"}")
    )
    reply = json.loads(read_frame(0, _MAX_REPLY))
    if reply.get("ok"):
        return reply.get("value")
    message = str(reply.get("error") or "refused")
    if reply.get("refused"):
        raise refuse(message)
    raise HttpError(message)


class Response:
    """What ``ctx.http`` returns: ``status_code``, ``ok``, ``headers``, ``text``, ``json()``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.status_code = int(data.get("status_code") or 0)
        self.headers = dict(data.get("headers") or {})
        self.text = str(data.get("text") or "")
        self.url = str(data.get("url") or "")
        self.ok = 200 <= self.status_code < 400

    def json(self) -> Any:
        return json.loads(self.text)

    def raise_for_status(self) -> None:
        if not self.ok:
            raise HttpError(f"HTTP {self.status_code} from {self.url}: {self.text[:200]}")

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


class Http:
    """``ctx.http``: HTTP through the host's SSRF-safe client, to the manifest's hosts."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Any = None,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        timeout: Any = None,
    ) -> Response:
        method = str(method).upper()
        if method not in _METHODS:
            raise ValueError(f"HTTP method must be one of {', '.join(_METHODS)}")
        args = {
            "method": method,
            "url": str(url),
            "headers": headers or {},
            "params": params or {},
            "json": json,
            "data": data,
            "timeout": float(timeout) if timeout is not None else None,
        }
        return Response(_call("http", args))

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)


class Log:
    """``ctx.log``: lines kept with the node run (``ctx.log.info("...")``)."""

    def __init__(self, emit: Any) -> None:
        self.info = lambda message: emit("info", message)
        self.warning = lambda message: emit("warning", message)
        self.error = lambda message: emit("error", message)


class Ctx:
    """The package code's window on its run."""

    def __init__(self, req: dict[str, Any], emit: Any) -> None:
        params = req.get("params") or [{}]
        self.node = dict(req.get("node") or {})
        self.http = Http()
        self.log = Log(emit)

        def get_params(index: int = 0) -> dict[str, Any]:
            i = int(index)
            chosen = params[i] if 0 <= i < len(params) else params[0]
            return copy.deepcopy(chosen)

        def credentials(slot: str) -> dict[str, Any]:
            value = _call("credentials", {"slot": str(slot)})
            return dict(value) if isinstance(value, dict) else {}

        self.params = get_params
        self.credentials = credentials


def make_ctx(req: dict[str, Any], emit: Any) -> Ctx:
    """The ``ctx`` for one package run (``emit(level, message)`` records a log line)."""
    return Ctx(req, emit)
