"""Webhook triggers: activation, the editor's test listeners, and one request end to end.

* :func:`activate` publishes the draft when nothing is published yet and registers each
  Webhook node's method and path in ``store.webhooks`` (a method and path belong to one
  workflow: a second claim is a ConflictError naming the first). A node left without a
  path gets ``<node id>/<node-slug>`` (unguessable), saved into the draft by
  :func:`assign_paths`. :func:`deactivate` removes the registrations.
* :func:`arm_test` listens on ``/webhook-test/<path>`` for the DRAFT for ``TEST_TTL_S``
  seconds; the first request runs it once and disarms the workflow.
* :func:`handle` (= :func:`resolve` + :func:`dispatch`) answers a request: origin, body
  limit, IP allowlist and authentication checks (the hooks the node's spec declares,
  :mod:`engine.sdk.hooks`),
  the request becomes the trigger item ``{headers, params, query, body, method, path}``,
  and the response follows the node's mode: ``immediately``, ``last_node`` or
  ``respond_node`` (a Respond to Webhook node).

Executions go through a :class:`Runner` (the HTTP layer passes the configured runtime).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from engine.errors import AuraError, ConflictError, NotFoundError, ValidationError
from engine.graph import NodeDef, Workflow
from engine.store import stamps
from engine.store.current import get_store
from engine.triggers._webhook_defs import (
    ANY_METHODS,
    assign_paths,
    default_path,
    listening_triggers,
    node_params,
    prepared,
    webhook_nodes,
)
from engine.triggers._webhook_defs import (
    claims as webhook_claims,
)
from engine.triggers._webhook_http import (
    BadWebhookRequest,
    RunOutcome,
    WebhookMethodNotAllowed,
    WebhookRequest,
    WebhookResponse,
    find_entry,
    output_items,
    request_item,
    respond_node_response,
)

__all__ = [
    "TEST_TTL_S",
    "BadWebhookRequest",
    "RunOutcome",
    "Runner",
    "Target",
    "WebhookMethodNotAllowed",
    "WebhookRequest",
    "WebhookResponse",
    "activate",
    "arm_test",
    "assign_paths",
    "deactivate",
    "default_path",
    "disarm_test",
    "dispatch",
    "handle",
    "request_item",
    "resolve",
    "test_listeners",
    "webhook_nodes",
]

TEST_TTL_S = 120.0
_NOT_FOUND_HINT = (
    "Check the method and path; is the workflow active? Test URLs "
    "(/webhook-test/...) work only while the editor listens."
)


class Runner(Protocol):
    """Where executions run (inline or the queue); implemented by the HTTP layer."""

    def submit(self, **request: Any) -> str:
        """Starts an execution and returns its id without waiting."""
        ...

    def run(self, **request: Any) -> RunOutcome:
        """Runs an execution to its end."""
        ...


@dataclass
class Target:
    """A resolved webhook: which node of which workflow answers, with its parameters."""

    workflow_id: str
    workflow: Workflow
    node: NodeDef
    params: Any
    path_params: dict[str, str]
    test: bool = False
    project_id: str | None = None
    version_id: str | None = None
    stamp: Any = stamps.UNREAD
    """The store's stamp :func:`resolve` read (:mod:`engine.store.stamps`): the
    request's cached reads (webhooks, workflow, $vars, static data) all use it."""


# -- activation -----------------------------------------------------------------------
def activate(workflow_id: str) -> dict[str, Any]:
    """Publishes the draft if nothing is published, registers the webhooks, and marks
    the workflow active. Returns ``{active, published_version, webhooks}``.

    Raises:
        WorkflowValidationError: the published definition is not valid.
        ConflictError: another workflow already uses one of the methods and paths.
    """
    store = get_store()
    rec = store.workflows.get(workflow_id)
    if rec.published_version_id is None:
        assign_paths(workflow_id)
        prepared(store.workflows.definition(workflow_id), workflow_id)
        store.workflows.publish(workflow_id)
    wf = prepared(store.workflows.definition(workflow_id, published=True), workflow_id)
    claims = webhook_claims(wf)
    for m, p, _ in claims:
        try:
            row = store.webhooks.lookup(m, p)
        except NotFoundError:
            continue
        if row.workflow_id != workflow_id:
            other = _name_of(row.workflow_id)
            raise ConflictError(
                f"{m} /webhook/{p} is already used by workflow '{other}'; change the path "
                "of this workflow's Webhook node or deactivate the other workflow.",
                details={
                    "method": m,
                    "path": p,
                    "workflow_id": row.workflow_id,
                    "workflow_name": other,
                },
            )
    store.webhooks.delete_for_workflow(workflow_id)
    try:
        for m, p, n in claims:
            store.webhooks.register(workflow_id, n, m, p)
    except AuraError:
        store.webhooks.delete_for_workflow(workflow_id)
        raise
    rec = store.workflows.set_active(workflow_id, True)
    version = store.workflows.versions(workflow_id)
    number = next((v.number for v in version if v.id == rec.published_version_id), None)
    out: dict[str, Any] = {
        "active": True,
        "published_version": number,
        "webhooks": [{"method": m, "path": p, "node": n} for m, p, n in claims],
    }
    if not listening_triggers(wf):
        out["notice"] = (
            f"'{rec.name}' has no Webhook or Schedule trigger, so being active changes "
            "nothing: it runs only when started by hand, as a sub-workflow or as an error "
            "workflow. Add a Webhook or Schedule trigger to have it start by itself."
        )
    return out


def deactivate(workflow_id: str) -> dict[str, Any]:
    """Removes the workflow's webhook registrations and marks it inactive."""
    store = get_store()
    store.workflows.get(workflow_id)
    removed = store.webhooks.delete_for_workflow(workflow_id)
    store.workflows.set_active(workflow_id, False)
    return {"active": False, "removed_webhooks": removed}


def _name_of(workflow_id: str) -> str:
    try:
        return str(get_store().workflows.get(workflow_id).name)
    except NotFoundError:
        return workflow_id


# -- test listeners -------------------------------------------------------------------
@dataclass
class _Listener:
    workflow_id: str
    node: str
    expires: float


_tests: dict[tuple[str, str], _Listener] = {}
_tests_lock = threading.Lock()


def arm_test(workflow_id: str, ttl_s: float = TEST_TTL_S) -> dict[str, Any]:
    """Listens on the draft's webhook paths under ``/webhook-test/`` for ``ttl_s``."""
    store = get_store()
    assign_paths(workflow_id)
    wf = prepared(store.workflows.definition(workflow_id), workflow_id)
    claims = webhook_claims(wf)
    if not claims:
        raise ValidationError(
            "This workflow has no enabled Webhook node to listen for; add one first."
        )
    now = time.monotonic()
    with _tests_lock:
        for m, p, _ in claims:
            other = _tests.get((m, p))
            if other and other.expires > now and other.workflow_id != workflow_id:
                raise ConflictError(
                    f"Workflow '{_name_of(other.workflow_id)}' is listening "
                    f"on {m} /webhook-test/{p} right now; try again later."
                )
        _drop(workflow_id)
        for m, p, n in claims:
            _tests[(m, p)] = _Listener(workflow_id, n, now + ttl_s)
    until = datetime.now(UTC) + timedelta(seconds=ttl_s)
    return {
        "listening": True,
        "expires_at": until.isoformat(),
        "webhooks": [{"method": m, "path": p, "node": n} for m, p, n in claims],
    }


def disarm_test(workflow_id: str) -> int:
    """Stops listening for the workflow's test webhooks; returns how many were armed."""
    with _tests_lock:
        return _drop(workflow_id)


def _drop(workflow_id: str) -> int:
    keys = [k for k, v in _tests.items() if v.workflow_id == workflow_id]
    for k in keys:
        del _tests[k]
    return len(keys)


def test_listeners(workflow_id: str) -> list[dict[str, Any]]:
    """The test webhooks the workflow listens on now."""
    now = time.monotonic()
    with _tests_lock:
        return [
            {"method": m, "path": p, "node": v.node, "expires_in_s": round(v.expires - now, 1)}
            for (m, p), v in _tests.items()
            if v.workflow_id == workflow_id and v.expires > now
        ]


# -- resolving a request ---------------------------------------------------------------
_memo: dict[tuple[str, str], tuple[Any, Any, Any]] = {}


def _memoized(kind: str, key: str, load: Any) -> Any:
    """``load()``, reused while the store's stamp is unchanged (no process changed a
    webhook, workflow, version or variable since: :mod:`engine.store.stamps`)."""
    store = get_store()
    stamp = stamps.current(store.db)  # before loading: a change meanwhile is seen next time
    hit = _memo.get((kind, key))
    if hit is not None and hit[0] is store and hit[1] == stamp:
        return hit[2]
    value = load()
    if len(_memo) > 1024:
        _memo.clear()
    _memo[(kind, key)] = (store, stamp, value)
    return value


def _store_entries(path: str) -> list[tuple[str, str, Any]]:
    return list(_memoized("path", path, lambda: _load_entries(path)))


def _load_entries(path: str) -> list[tuple[str, str, Any]]:
    from sqlmodel import col, or_, select

    from engine.store.models import Webhook

    store = get_store()
    with store.db.read() as s:
        rows = s.exec(
            select(Webhook).where(or_(col(Webhook.path) == path, col(Webhook.path).contains(":")))
        ).all()
    return [(r.method, r.path, r) for r in rows]


_cache: dict[tuple[str, str | None], Workflow] = {}
_cache_lock = threading.Lock()


def _published(workflow_id: str) -> tuple[Workflow, Any]:
    """The published workflow (cached per version) and its record."""
    store = get_store()
    rec = store.workflows.cached(workflow_id)
    if not rec.active or rec.published_version_id is None:
        raise NotFoundError(f"The workflow of this webhook is not active. {_NOT_FOUND_HINT}")
    key = (workflow_id, rec.published_version_id)
    with _cache_lock:
        wf = _cache.get(key)
    if wf is None:
        wf = prepared(store.workflows.definition(workflow_id, published=True), workflow_id)
        with _cache_lock:
            if len(_cache) > 256:
                _cache.clear()
            _cache[key] = wf
    return wf, rec


def resolve(method: str, path: str, *, test: bool = False) -> Target:
    """The node answering ``method`` + ``path`` (HEAD falls back to GET).

    Raises:
        NotFoundError: nothing listens on the path.
        WebhookMethodNotAllowed: the path listens for other methods only.
    """
    # one read of the store's stamp for every cached read of the request
    with stamps.pinned(get_store().db) as stamp:
        target = _resolve(method, path, test)
    target.stamp = stamp
    return target


def _resolve(method: str, path: str, test: bool) -> Target:
    m, p = method.strip().upper(), path.strip().strip("/")
    if test:
        now = time.monotonic()
        with _tests_lock:
            entries = [(k[0], k[1], v) for k, v in _tests.items() if v.expires > now]
    else:
        entries = _store_entries(p)
    hit = find_entry(entries, m, p) or (find_entry(entries, "GET", p) if m == "HEAD" else None)
    if hit is None:
        allowed = sorted({e[0] for e in entries if find_entry([e], e[0], p)})
        prefix = "/webhook-test/" if test else "/webhook/"
        if allowed:
            raise WebhookMethodNotAllowed(
                f"{prefix}{p} accepts {', '.join(allowed)} requests, not {m}.",
                details={"allowed": allowed},
            )
        raise NotFoundError(
            f"No webhook listens on {m} {prefix}{p}. {_NOT_FOUND_HINT}",
            details={"method": m, "path": p},
        )
    value, path_params = hit
    rec = None
    if test:
        wid, node_name = value.workflow_id, value.node
        wf = prepared(get_store().workflows.definition(wid), wid)
    else:
        wid, node_name = value.workflow_id, value.node_name
        wf, rec = _published(wid)
    try:
        node = wf.node(node_name)
    except KeyError:
        raise NotFoundError(
            f"The webhook node '{node_name}' no longer exists; re-activate the workflow."
        ) from None
    return Target(
        wid,
        wf,
        node,
        node_params(node),
        path_params,
        test,
        rec.project_id if rec else None,
        rec.published_version_id if rec else None,
    )


# -- handling ---------------------------------------------------------------------------
def handle(
    method: str, path: str, request: WebhookRequest, *, runner: Runner, test: bool = False
) -> WebhookResponse:
    """Answers one webhook request (resolve, then dispatch). Raises AuraError for an
    unknown path (404) or method (405)."""
    if method.upper() == "OPTIONS":
        return preflight(path, request, test=test)
    return dispatch(resolve(method, path, test=test), request, runner=runner)


def preflight(path: str, request: WebhookRequest, *, test: bool = False) -> WebhookResponse:
    """The answer to a CORS preflight (``OPTIONS``) for a webhook path."""
    want = request.headers.get("access-control-request-method", "POST").upper()
    try:
        target = resolve(want, path, test=test)
    except WebhookMethodNotAllowed as exc:
        return WebhookResponse(204, headers={"Allow": ", ".join(exc.details["allowed"])})
    origin = request.headers.get("origin")
    cors = _cors(target, origin)
    if origin and not cors:
        return WebhookResponse.error(
            403,
            "origin_not_allowed",
            f"Origin {origin} may not call this webhook; add it to 'Allowed origins'.",
        )
    p = target.params
    methods = ", ".join(ANY_METHODS if p.http_method == "ANY" else (p.http_method,))
    cors.update(
        {
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Max-Age": "600",
            "Access-Control-Allow-Headers": request.headers.get(
                "access-control-request-headers", "*"
            ),
        }
    )
    return WebhookResponse(204, headers=cors)


def _hook(target: Target, name: str) -> Any:
    """The webhook node's hook ``name``, as its spec declares it (:mod:`engine.sdk.hooks`)."""
    from engine.sdk import get_catalog

    cat = get_catalog()
    return cat.hook(cat.get(target.node.type, target.node.type_version), name)


def _cors(target: Target, origin: str | None) -> dict[str, str]:
    cors: dict[str, str] = _hook(target, "cors_headers")(target.params, origin)
    return cors


def _credentials(target: Target) -> dict[str, dict[str, Any]]:
    from engine.services.principals import RunAs
    from engine.services.runs import credential_resolver

    # the webhook's own credentials, as its runs use them: as the workflow's project
    resolve_cred = credential_resolver(RunAs.trigger(target.project_id))
    return {
        slot: resolve_cred(target.node, slot, ref) for slot, ref in target.node.credentials.items()
    }


def _trigger_principal(target: Target) -> Any:
    from engine.services.principals import RunAs

    return RunAs.trigger(target.project_id)


def dispatch(target: Target, request: WebhookRequest, *, runner: Runner) -> WebhookResponse:
    """Checks the request against the node's options, starts the execution and answers
    according to the response mode."""
    with stamps.pinned(get_store().db, target.stamp):
        return _dispatch(target, request, runner)


def _dispatch(target: Target, request: WebhookRequest, runner: Runner) -> WebhookResponse:
    from engine.triggers._replay import hmac_options, replayed

    check_request = _hook(target, "check_request")
    replay_token = _hook(target, "replay_token")
    p = target.params
    origin = request.headers.get("origin")
    cors = _cors(target, origin)
    if origin and not cors:
        return WebhookResponse.error(
            403,
            "origin_not_allowed",
            f"Origin {origin} may not call this webhook; add it to 'Allowed origins'.",
        )
    creds = _credentials(target) if p.authentication != "none" else {}
    rejected = check_request(
        p,
        creds,
        method=request.method,
        headers=request.headers,
        body=request.body,
        client_ip=request.client_ip,
        **hmac_options(),
    ) or replayed(target.workflow_id, target.node.name, replay_token(p, request.headers))
    if rejected is not None:
        code = {
            401: "unauthenticated",
            403: "forbidden",
            405: "method_not_allowed",
            413: "payload_too_large",
        }.get(rejected.status, "rejected")
        return WebhookResponse.error(
            rejected.status, code, rejected.message, headers={**rejected.headers, **cors}
        )
    item = request_item(p, request, target.path_params)
    if target.test:
        disarm_test(target.workflow_id)
    extra = {**{h.name: h.value for h in p.response_headers}, **cors}
    job: dict[str, Any] = {
        "workflow_id": target.workflow_id,
        "workflow": target.workflow,
        "mode": "manual" if target.test else "webhook",
        "input_items": [item],
        "trigger_node": target.node.name,
        "published": not target.test,
        "trigger": {
            "kind": "webhook",
            "node": target.node.name,
            "test": target.test,
            "method": request.method.upper(),
            "path": request.path,
        },
        "principal": _trigger_principal(target),
    }
    if target.version_id:
        job.update(project_id=target.project_id, version_id=target.version_id)
    if p.response_mode == "immediately":
        eid = runner.submit(**job)
        status = p.response_code if "response_code" in target.node.parameters else 202
        if p.response_data == "no_body":
            return WebhookResponse(status, b"", extra, eid)
        return WebhookResponse.json(status, {"execution_id": eid}, extra, eid)
    job["trigger"]["answer"] = True  # a worker keeps the answer for this request
    outcome = runner.run(**job)
    if outcome.status == "waiting":
        return WebhookResponse.json(
            202,
            {"execution_id": outcome.execution_id, "status": "waiting"},
            extra,
            outcome.execution_id,
        )
    if outcome.status != "succeeded":
        err = outcome.error or {}
        return WebhookResponse.error(
            500,
            "workflow_failed",
            f"The workflow did not finish ({outcome.status}): {err.get('message', 'no details')}",
            {"execution_id": outcome.execution_id, "node": err.get("node")},
            extra,
        )
    if p.response_mode == "respond_node":
        resp = respond_node_response(outcome, extra)
        if resp is not None:
            return resp
    items = output_items(outcome)
    status = p.response_code
    if p.response_data == "no_body" or request.method.upper() == "HEAD":
        return WebhookResponse(status, b"", extra, outcome.execution_id)
    body = (
        [i.json for i in items]
        if p.response_data == "all_items"
        else (items[0].json if items else {})
    )
    return WebhookResponse.json(status, body, extra, outcome.execution_id)
