"""Route declarations: each operation states its method, path, required action and
pydantic models once; the Starlette routes, the permission check, request parsing and the
OpenAPI document are all derived from that declaration.

Example::

    router = Router("Workflows")

    @router.get("/workflows/{id}", action="workflow:read", summary="Get a workflow",
                response=WorkflowOut, errors=(404,))
    def get_workflow(call: Call) -> dict[str, Any]:
        return services.get(call.path["id"])

Handlers take one :class:`Call` and return a JSON-able value, a pydantic model, ``None``
(204) or a Starlette ``Response``. Plain functions run in the thread pool (the engine is
synchronous); ``async def`` handlers run on the event loop.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.errors import NotFoundError, ValidationError
from engine.graph.messages import plain_message
from studio.api.security import authenticate, check_cookie_body, client_ip
from studio.api.serialize import json_response

__all__ = ["Call", "Operation", "Router", "parse_model"]

Handler = Callable[["Call"], Any]
API_PREFIX = "/api/v1"
MAX_INT_PARAM = 2**31 - 1
MAX_PATH_PARAM = 256
"""Longest id or name a path may carry; a longer one names nothing (404)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Operation:
    """One HTTP operation: what it needs, what it returns, who may call it.

    Authorization (with ``engine.services.auth`` installed) follows ``action``:

    * ``None``: public (no login); ``"self"``: any signed-in caller;
    * with ``resource`` ("workflow" or "credential"): the caller needs ``action`` on the
      resource named by the path parameter ``resource_param`` (its project, shares);
    * ``scope="instance"`` (default): the action outside any project;
    * ``scope="handler"``: the handler calls :meth:`Call.authorize` with the project of
      what it touches (checked: forgetting it is a server error, never a silent pass);
    * ``scope="service"``: the auth service function the handler calls authorizes.

    ``audit`` names the audit event recorded after success (target: the path id or the
    ``id`` of the result).
    """

    method: str
    path: str
    handler: Handler
    action: str | None
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    description: str = ""
    media_type: str = "application/json"
    resource: str | None = None
    resource_param: str = "id"
    scope: str = "instance"
    audit: str | None = None

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def public(self) -> bool:
        return self.action is None


@dataclass
class Call:
    """What a handler receives: the request, the caller and the parsed inputs."""

    request: Request
    principal: Any
    path: dict[str, Any]
    query: Any = None
    body: Any = None
    operation: Operation | None = None
    project_id: str | None = None
    authorized: bool = False
    target_id: str | None = None

    @property
    def runner(self) -> Any:
        """The runtime adapter of the app (:mod:`studio.api.runner`)."""
        return self.request.app.state.runner

    @property
    def auth(self) -> Any:
        """``engine.services.auth``, or None when authentication is off."""
        return self.request.app.state.auth

    @property
    def user_id(self) -> str | None:
        return getattr(self.principal, "user_id", None)

    def authorize(self, project_id: str | None = None, action: str | None = None) -> None:
        """Checks ``action`` (default: the operation's) in ``project_id`` (NotFoundError
        when the caller is not a member there)."""
        act = action or (self.operation.action if self.operation else None)
        if self.auth is not None and act not in (None, "self"):
            if project_id is None:
                self.auth.authorize(self.principal, act)
            else:  # a project the caller is not in answers 404, like a missing one
                from engine.services import access

                access.project(self.principal, act, project_id)
        self.authorized = True

    def authorize_in(self, project_id: str | None, action: str | None = None) -> None:
        """:meth:`authorize` for creating something in ``project_id``, which must exist
        (NotFoundError otherwise)."""
        if project_id is not None and self.auth is not None:
            self.auth.context().store.projects.get(project_id)
        self.authorize(project_id, action)

    def authorize_resource(self, kind: str, id: str, action: str | None = None
                           ) -> str | None:
        """Checks ``action`` on a workflow or credential; returns its project id.
        NotFoundError when the caller may not even read it."""
        act = action or (self.operation.action if self.operation else None)
        self.authorized = True
        if self.auth is None or act is None:
            return None
        from engine.services import access  # 404 for what the caller may not read

        return access.resource(self.principal, act, kind, id)

    @property
    def sees_all(self) -> bool:
        """True when the caller may read everything (no auth, owner or admin)."""
        return self.auth is None or getattr(self.principal, "role", "") in ("owner", "admin")

    def visible(self, kind: str, items: list[Any]) -> list[Any]:
        """The items (with ``id`` and ``project_id``) the caller may read."""
        if self.sees_all:
            return items
        return list(self.auth.filter_visible(self.principal, kind, items))

    def default_project(self) -> str | None:
        """Where new things of the caller go (their personal project)."""
        if self.auth is None:
            return None
        return self.auth.default_project(self.principal)  # type: ignore[no-any-return]

    def audit(self, event: str, target_type: str = "", target_id: str | None = None,
              details: dict[str, Any] | None = None) -> None:
        """Records an audit event for this caller (no-op without the auth service)."""
        if self.auth is not None:
            self.auth.record_audit(self.principal, event, target_type, target_id, details,
                                   client_ip(self.request))


def _where(loc: tuple[Any, ...], origin: str) -> str:
    out = origin
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse_model(model: type[BaseModel], data: Any, origin: str) -> Any:
    """``data`` validated as ``model``; a ValidationError (422) naming each problem."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = [{"path": _where(tuple(e.get("loc", ())), origin),
                     "message": plain_message(e), "type": e.get("type")}
                    for e in exc.errors()]
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ValidationError(f"{first['path']}: {first['message']}{more} Fix the "
                              f"{origin} and send it again.", details=problems) from None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(
        typing.get_origin(a) is list for a in typing.get_args(annotation))


def _query(op: Operation, request: Request) -> Any:
    if op.query is None:
        return None
    params = request.query_params
    data: dict[str, Any] = {}
    for name, f in op.query.model_fields.items():
        key = f.alias or name
        if key in params:
            data[key] = params.getlist(key) if _is_list(f.annotation) else params[key]
            if any("\x00" in v for v in params.getlist(key)):
                raise ValidationError(f"query.{key}: contains a NUL character; send "
                                      "printable text.", details=[{
                                          "path": f"query.{key}", "type": "nul_character",
                                          "message": "contains a NUL character"}])
    return parse_model(op.query, data, "query")


def _nul_path(data: Any) -> str | None:
    """Where a JSON document holds a string with a NUL character (no database stores
    one as text), e.g. ``body.nodes[0].name``; None when nowhere."""
    todo: list[tuple[str, Any]] = [("body", data)]
    while todo:
        where, value = todo.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return where
        elif isinstance(value, dict):
            for k, v in value.items():
                if "\x00" in k:
                    return f"{where} (a key)"
                todo.append((f"{where}.{k}", v))
        elif isinstance(value, list):
            todo.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
    return None


def _check_path(request: Request) -> None:
    """404 for a path id that no resource can have: above the largest integer, longer
    than :data:`MAX_PATH_PARAM` or with control characters (``abc%12``)."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and value > MAX_INT_PARAM:
            raise NotFoundError(f"There is no {name} {value}.", details={name: value})
        if isinstance(value, str) and (len(value) > MAX_PATH_PARAM or
                                       _CONTROL.search(value)):
            raise NotFoundError(f"There is no {name} {value[:64]!r}: ids and names are "
                                f"at most {MAX_PATH_PARAM} printable characters. Copy the "
                                "id from a listing.", details={name: value[:64]})


async def _body(op: Operation, request: Request) -> Any:
    if op.body is None:
        return None
    check_cookie_body(request)
    raw = await request.body()
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise ValidationError(f"The request body is not valid JSON ({exc}); send a JSON "
                                  "document with Content-Type: application/json.") from None
    where = _nul_path(data)
    if where is not None:
        raise ValidationError(f"{where}: contains a NUL character (\\u0000), which cannot "
                              "be stored; remove it and send the body again.",
                              details=[{"path": where, "type": "nul_character",
                                        "message": "contains a NUL character"}])
    return parse_model(op.body, data, "body")


def to_response(result: Any, status: int) -> Response:
    """A Starlette response for whatever a handler returned."""
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204 if status == 200 else status)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return json_response(result, status)


def _before(call: Call) -> None:
    op = call.operation
    assert op is not None
    if call.auth is None or op.action in (None, "self"):
        call.authorized = True
    elif op.resource is not None:
        call.project_id = call.authorize_resource(op.resource, call.path[op.resource_param])
    elif op.scope == "instance":
        call.authorize()


def _after(call: Call, result: Any) -> None:
    op = call.operation
    assert op is not None
    if op.scope == "handler" and not call.authorized:
        raise RuntimeError(f"{op.method} {op.path} did not authorize the caller")
    if op.audit and call.auth is not None:
        target = call.target_id or call.path.get(op.resource_param)
        if target is None and isinstance(result, dict):
            target = result.get("id")
        call.audit(op.audit, op.resource or op.tag.lower().rstrip("s"), target)


def _sync(op: Operation, call: Call) -> Any:
    _before(call)
    result = op.handler(call)
    _after(call, result)
    return result


def _endpoint(ops: dict[str, Operation]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        op = ops[method]
        principal = await authenticate(request, op.action)
        _check_path(request)
        call = Call(request, principal, dict(request.path_params), _query(op, request),
                    await _body(op, request), op)
        if inspect.iscoroutinefunction(op.handler):
            await run_in_threadpool(_before, call)
            result = await op.handler(call)
            _after(call, result)
        else:
            result = await run_in_threadpool(_sync, op, call)
        return to_response(result, op.status)

    return endpoint


class Router:
    """A group of operations sharing an OpenAPI tag (one per resource module)."""

    def __init__(self, tag: str, prefix: str = API_PREFIX) -> None:
        self.tag = tag
        self.prefix = prefix
        self.operations: list[Operation] = []

    def add(self, method: str, path: str, *, action: str | None, summary: str,
            **options: Any) -> Callable[[Handler], Handler]:
        """Declares an operation; ``action=None`` makes it public (no login)."""
        def decorate(handler: Handler) -> Handler:
            doc = inspect.getdoc(handler) or ""
            self.operations.append(Operation(
                method.upper(), self.prefix + path, handler, action, summary, self.tag,
                description=options.pop("description", doc), **options))
            return handler

        return decorate

    def get(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.add("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.add("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.add("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.add("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.add("DELETE", path, **kw)


def build_routes(operations: list[Operation]) -> list[Route]:
    """One Starlette route per path, dispatching on the method (so a wrong method gets
    405 with every allowed method in ``Allow``)."""
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        methods = by_path.setdefault(op.path, {})
        if op.method in methods:
            raise ValueError(f"{op.method} {op.path} is declared twice")
        methods[op.method] = op
    return [Route(path, _endpoint(ops), methods=list(ops), name=next(iter(ops.values())).
                  operation_id) for path, ops in by_path.items()]
