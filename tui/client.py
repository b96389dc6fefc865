"""The console's HTTP client for the AURA API (``/api/v1``), built on ``httpx``.

One :class:`ApiClient` per server. It adds the credentials (``Authorization: Bearer`` or
``X-API-Key``), retries requests that never reached the server with exponential backoff,
refreshes an expired access token once with the refresh token, and turns every answer
into a typed result (:mod:`tui.models`) or an error of :mod:`tui.errors`.

Routes other engineers may not have shipped yet (events, services, queues, workers) are
requested with ``feature=...``: a 404 there raises :class:`~tui.errors.NotAvailable`
so screens can say "not available on this server" instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import httpx

from tui.config import Credentials, normalize_url
from tui.errors import ApiError, AuthRequired, NotAvailable, TwoFactorRequired, Unreachable
from tui.models import (
    Event,
    Execution,
    ExecutionSummary,
    Health,
    Job,
    Me,
    Page,
    QueueInfo,
    Quotas,
    Service,
    WorkerInfo,
    Workflow,
    WorkflowSummary,
    items_of,
)
from tui.sse import SseParser

__all__ = ["API", "ApiClient"]

API = "/api/v1"
_RETRY_ALWAYS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRY_IDEMPOTENT = (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError)


def _reason(exc: BaseException) -> str:
    """A short cause: the OS error behind httpx's wrapper when there is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno or seen.strerror):
            code = seen.errno
            return (os.strerror(code) if code is not None and code > 0
                    else str(seen.strerror)).lower()
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:120]


class ApiClient:
    """An async client of one AURA server.

    Args:
        url: the server, e.g. ``http://127.0.0.1:5678``.
        credentials: how to sign in (None: not signed in yet).
        on_credentials: called with new credentials after a token refresh (to save them).
        transport: an ``httpx`` transport (tests can swap one in).
        timeout: seconds per request.
        retries: extra attempts for requests that did not reach the server.
        retry_base_s: first backoff delay; it doubles each attempt.
    """

    def __init__(self, url: str, credentials: Credentials | None = None, *,
                 on_credentials: Callable[[Credentials], None] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 10.0,
                 retries: int = 2, retry_base_s: float = 0.25) -> None:
        self.url = normalize_url(url)
        self.credentials = credentials or Credentials()
        self.on_credentials = on_credentials
        self.retries = retries
        self.retry_base_s = retry_base_s
        self._http = httpx.AsyncClient(base_url=self.url, transport=transport,
                                       timeout=timeout, headers={"Accept": "application/json",
                                                                 "User-Agent": "aura-tui"})
        self._version: str | None = None

    async def close(self) -> None:
        """Closes the connection pool."""
        await self._http.aclose()

    # -- transport --------------------------------------------------------------------
    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      body: Any = None, feature: str | None = None, auth: bool = True,
                      retry: bool = True, refresh: bool = True) -> httpx.Response:
        """Sends one request and returns the successful response.

        Raises:
            Unreachable: the server did not answer (after the retries).
            AuthRequired: 401 that a token refresh could not fix.
            NotAvailable: 404 on a ``feature`` route.
            ApiError: any other error status.
        """
        headers = self.credentials.headers() if auth else {}
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            try:
                resp = await self._http.request(method, path, params=clean, json=body,
                                                headers=headers)
            except httpx.HTTPError as exc:
                retryable = isinstance(exc, _RETRY_ALWAYS) or (
                    method == "GET" and isinstance(exc, _RETRY_IDEMPOTENT))
                if retryable and attempt + 1 < attempts:
                    await asyncio.sleep(self.retry_base_s * 2 ** attempt)
                    continue
                raise Unreachable(f"Cannot reach {self.url}: {_reason(exc)}.") from None
            if resp.status_code in (502, 504) and method == "GET" and attempt + 1 < attempts:
                await asyncio.sleep(self.retry_base_s * 2 ** attempt)
                continue
            break
        if resp.status_code == 401 and auth and refresh and await self._refresh():
            return await self.request(method, path, params=params, body=body,
                                      feature=feature, retry=retry, refresh=False)
        if resp.status_code == 404 and feature is not None:
            raise NotAvailable(feature, path)
        if resp.status_code >= 400:
            raise self._error(resp)
        return resp

    @staticmethod
    def _error(resp: httpx.Response) -> ApiError:
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        code = str(data.get("error") or resp.reason_phrase or "error")
        message = str(data.get("message") or f"The server answered {resp.status_code}.")
        cls = AuthRequired if resp.status_code == 401 else ApiError
        return cls(resp.status_code, code, message, data.get("details"))

    async def get(self, path: str, **kw: Any) -> Any:
        """GET ``path`` and return its JSON."""
        return (await self.request("GET", path, **kw)).json()

    async def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        """POST ``body`` to ``path``; the JSON answer (None for 204)."""
        resp = await self.request("POST", path, body=body, **kw)
        return resp.json() if resp.content else None

    # -- sign-in ----------------------------------------------------------------------
    def _tokens(self, data: dict[str, Any], email: str) -> Credentials:
        creds = Credentials("token", email, str(data.get("access_token") or ""),
                            str(data.get("refresh_token") or ""))
        self.credentials = creds
        return creds

    async def login(self, email: str, password: str, totp: str | None = None) -> Credentials:
        """Signs in with e-mail and password (and a 2FA code when the account has 2FA).

        Raises:
            TwoFactorRequired: 2FA is on and no code was given; call :meth:`verify_2fa`.
            AuthRequired: wrong e-mail, password or code.
        """
        data = await self.post(f"{API}/auth/login", {"email": email, "password": password,
                                                    "totp_code": totp or None},
                               auth=False, refresh=False)
        if data.get("needs_2fa"):
            raise TwoFactorRequired(str(data.get("challenge_token") or ""))
        return self._tokens(data, email)

    async def verify_2fa(self, challenge_token: str, code: str, email: str) -> Credentials:
        """Finishes a sign-in that needed a 2FA code."""
        data = await self.post(f"{API}/auth/2fa", {"challenge_token": challenge_token,
                                                  "code": code}, auth=False, refresh=False)
        return self._tokens(data, email)

    def use_api_key(self, key: str) -> Credentials:
        """Signs in with an API key from now on (check it with :meth:`me`)."""
        self.credentials = Credentials("api_key", api_key=key.strip())
        return self.credentials

    async def _refresh(self) -> bool:
        creds = self.credentials
        if creds.kind != "token" or not creds.refresh_token:
            return False
        try:
            data = await self.post(f"{API}/auth/refresh",
                                   {"refresh_token": creds.refresh_token}, auth=False,
                                   refresh=False)
        except ApiError:
            return False
        new = self._tokens(data, creds.email)
        if self.on_credentials is not None:
            self.on_credentials(new)
        return bool(new.access_token)

    async def logout(self) -> None:
        """Ends the session on the server (best effort) and forgets the credentials."""
        if self.credentials.kind == "token" and self.credentials.refresh_token:
            with contextlib.suppress(ApiError, Unreachable):
                await self.request("POST", f"{API}/auth/logout", auth=False, refresh=False,
                                   body={"refresh_token": self.credentials.refresh_token})
        self.credentials = Credentials()

    async def me(self) -> Me:
        """The signed-in account (an AuthRequired error when the credentials are bad)."""
        return Me.from_json(await self.get(f"{API}/auth/me"))

    # -- server -----------------------------------------------------------------------
    async def health(self) -> Health:
        """``/healthz`` and ``/readyz`` (no retries: the caller measures reachability)."""
        live = await self.get("/healthz", auth=False, retry=False)
        try:
            ready = (await self.request("GET", "/readyz", auth=False, retry=False)).json()
            ok = ready.get("status") == "ready"
        except ApiError as exc:
            ready, ok = (exc.details if isinstance(exc.details, dict) else {}), False
        return Health(live.get("status") == "ok", live.get("uptime_s"), ok,
                      dict(ready.get("checks") or {}))

    async def version(self) -> str:
        """The API version from its OpenAPI document (cached)."""
        if self._version is None:
            doc = await self.get(f"{API}/openapi.json")
            self._version = str(doc.get("info", {}).get("version", "?"))
        return self._version

    # -- workflows --------------------------------------------------------------------
    async def workflows(self, *, search: str | None = None, active: bool | None = None,
                        limit: int = 200, offset: int = 0) -> Page[WorkflowSummary]:
        """Workflows, most recently updated first."""
        params = {"search": search or None, "limit": limit, "offset": offset,
                  "active": None if active is None else str(active).lower()}
        data = await self.get(f"{API}/workflows", params=params)
        return Page([WorkflowSummary.from_json(d) for d in data["items"]], data["total"],
                    data["limit"], data["offset"])

    async def workflow(self, workflow_id: str) -> Workflow:
        """One workflow with its draft definition."""
        return Workflow.from_json(await self.get(f"{API}/workflows/{workflow_id}"))

    async def set_active(self, workflow_id: str, active: bool) -> dict[str, Any]:
        """Activates or deactivates a workflow's triggers."""
        verb = "activate" if active else "deactivate"
        return dict(await self.post(f"{API}/workflows/{workflow_id}/{verb}"))

    async def run(self, workflow_id: str, input_items: list[dict[str, Any]] | None = None
                  ) -> str:
        """Starts a manual run; returns the new execution's id."""
        data = await self.post(f"{API}/workflows/{workflow_id}/run",
                               {"input_items": input_items}, retry=False)
        return str(data["execution_id"])

    # -- executions -------------------------------------------------------------------
    async def executions(self, *, status: str | None = None, workflow_id: str | None = None,
                         since: datetime | None = None, limit: int = 100, offset: int = 0
                         ) -> Page[ExecutionSummary]:
        """Executions, newest first."""
        params = {"status": status, "workflow_id": workflow_id, "limit": limit,
                  "offset": offset, "since": since.isoformat() if since else None}
        data = await self.get(f"{API}/executions", params=params)
        return Page([ExecutionSummary.from_json(d) for d in data["items"]], data["total"],
                    data["limit"], data["offset"])

    async def execution(self, execution_id: str) -> Execution:
        """One execution with its node runs."""
        return Execution.from_json(await self.get(f"{API}/executions/{execution_id}"))

    async def retry_execution(self, execution_id: str) -> str:
        """Runs an execution again; returns the new execution's id."""
        data = await self.post(f"{API}/executions/{execution_id}/retry", retry=False)
        return str(data["execution_id"])

    async def cancel_execution(self, execution_id: str) -> None:
        """Stops a queued, waiting or running execution."""
        await self.post(f"{API}/executions/{execution_id}/cancel", retry=False)

    async def delete_execution(self, execution_id: str) -> None:
        """Deletes a finished execution."""
        await self.request("DELETE", f"{API}/executions/{execution_id}", retry=False)

    async def analytics(self, *, since: datetime, bucket: str = "minute") -> dict[str, Any]:
        """Execution figures since ``since``, computed by the server (NotAvailable when it
        has no analytics API; ApiError 403 for users who may not read them)."""
        params = {"since": since.isoformat(), "bucket": bucket}
        data: dict[str, Any] = await self.get(
            f"{API}/analytics", params=params, feature="analytics API"
        )
        return data

    # -- fleet (routes that may not exist yet) -----------------------------------------
    async def services(self) -> list[Service]:
        """The service registry (NotAvailable when the server has none)."""
        data = await self.get(f"{API}/services", feature="service registry")
        return [Service.from_json(d) for d in items_of(data)]

    async def queues(self) -> list[QueueInfo]:
        """Queue depths (NotAvailable when the server has no queue API)."""
        data = await self.get(f"{API}/queues", feature="queue API")
        return [QueueInfo.from_json(d) for d in items_of(data)]

    async def workers(self) -> list[WorkerInfo]:
        """Queue workers (NotAvailable when the server has no worker API)."""
        data = await self.get(f"{API}/workers", feature="worker API")
        return [WorkerInfo.from_json(d) for d in items_of(data)]

    async def quotas(self) -> Quotas:
        """Per-project quotas and running/waiting/held counts (NotAvailable when the
        server has no quota API)."""
        data = await self.get(f"{API}/quotas", feature="quota API")
        return Quotas.from_json(data)

    async def jobs(self, queue: str, state: str) -> list[Job]:
        """Jobs of a queue in a state (queued, started, scheduled, failed)."""
        data = await self.get(f"{API}/queues/{queue}/jobs", params={"state": state},
                              feature="queue job API")
        return [Job.from_json(d, queue) for d in items_of(data)]

    async def requeue(self, queue: str, job_id: str) -> None:
        """Puts a failed job back on its queue."""
        await self.post(f"{API}/queues/{queue}/jobs/{job_id}/requeue", retry=False,
                        feature="queue job API")

    async def events(self, last_id: str = "", on_open: Callable[[], None] | None = None
                     ) -> AsyncIterator[Event]:
        """The live event stream (SSE); NotAvailable when the server has none.

        Yields events until the server closes the stream; raises Unreachable when the
        connection drops. ``on_open`` is called once the server accepted the stream.
        """
        headers = {**self.credentials.headers(), "Accept": "text/event-stream"}
        if last_id:
            headers["Last-Event-ID"] = last_id
        parser = SseParser()
        try:
            async with self._http.stream("GET", f"{API}/events", headers=headers,
                                         timeout=httpx.Timeout(10.0, read=None)) as resp:
                if resp.status_code == 404:
                    raise NotAvailable("live event stream", f"{API}/events")
                if resp.status_code >= 400:
                    await resp.aread()
                    raise self._error(resp)
                if on_open is not None:
                    on_open()
                async for line in resp.aiter_lines():
                    msg = parser.feed(line)
                    if msg is None or not msg.data:
                        continue
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        payload = {"message": msg.data}
                    if isinstance(payload, dict):
                        yield Event.from_json(msg.event, payload)
        except httpx.HTTPError as exc:
            raise Unreachable(f"The event stream from {self.url} broke: {_reason(exc)}."
                              ) from None
