"""The host side of a package run's ``ctx``: answers its call frames under the manifest.

Each sandboxed package run gets a :class:`Broker` bound to its node context and its
package's permissions. ``http`` calls go through AURA's SSRF-safe client (the outbound
allow-list still applies), and only to the hosts the manifest declares plus any host an
admin granted to the installed package; redirects are followed here, hop by hop, each
hop checked the same way. ``credentials`` calls return a slot's data only when the node
declares the slot and the stored credential's kind is one the package declares. A
refusal is answered ``refused`` (the run ends as a sandbox violation); a network failure
as an ordinary error the package code may catch. The broker never raises.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from engine.errors import AuraError, SSRFBlocked
from engine.marketplace.manifest import Manifest, NodeDecl

__all__ = ["Broker", "host_allowed"]

log = logging.getLogger(__name__)
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5


def host_allowed(url: httpx.URL, hosts: list[str]) -> bool:
    """Whether ``url``'s host (and port) is one of ``hosts`` (``*.domain`` matches
    subdomains; an entry without a port matches the scheme's default port only)."""
    host = (url.host or "").lower().rstrip(".")
    port = url.port
    for entry in hosts:
        name, _, want_port = entry.partition(":")
        if want_port and (port is None or int(want_port) != port):
            continue
        if not want_port and port is not None:
            continue
        if name.startswith("*."):
            if host.endswith(name[1:]) and host != name[2:]:
                return True
        elif host == name:
            return True
    return False


class Broker:
    """Answers one run's calls (see :mod:`engine.sandbox._package`)."""

    def __init__(
        self,
        manifest: Manifest,
        node: NodeDecl,
        ctx: Any,
        *,
        deadline: float,
        extra_hosts: list[str] | None = None,
    ) -> None:
        self.manifest = manifest
        self.node = node
        self.ctx = ctx
        self.deadline = deadline
        self.hosts = list(manifest.permissions.hosts) + list(extra_hosts or [])
        self.calls: list[dict[str, Any]] = []

    def __call__(self, msg: dict[str, Any]) -> dict[str, Any]:
        op = msg.get("op")
        raw = msg.get("args")
        args: dict[str, Any] = raw if isinstance(raw, dict) else {}
        try:
            if op == "http":
                return self._http(args)
            if op == "credentials":
                return self._credentials(str(args.get("slot") or ""))
            return _refused(f"ctx has no operation '{op}'")
        except AuraError as exc:
            return {"ok": False, "error": exc.message}
        except Exception as exc:  # the broker must answer; a bug here is not the package's
            log.exception("package broker failed")
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    # -- http ---------------------------------------------------------------------
    def _check_url(self, url: httpx.URL) -> dict[str, Any] | None:
        if url.scheme not in ("http", "https"):
            return _refused(f"ctx.http may only use http or https, not '{url.scheme}'")
        if not host_allowed(url, self.hosts):
            shown = url.host + (f":{url.port}" if url.port else "")
            allowed = ", ".join(self.hosts) or "none"
            return _refused(
                f"package {self.manifest.name} may not reach '{shown}': it is not "
                f"among the hosts its manifest declares ({allowed})"
            )
        return None

    def _http(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            url = httpx.URL(str(args.get("url") or ""))
        except (httpx.InvalidURL, ValueError) as exc:
            return {"ok": False, "error": f"invalid URL: {exc}"}
        refusal = self._check_url(url)
        if refusal:
            return refusal
        method = str(args.get("method") or "GET")
        kwargs: dict[str, Any] = {
            "headers": {str(k): str(v) for k, v in dict(args.get("headers") or {}).items()},
        }
        if args.get("params"):  # an empty dict would drop the URL's own query string
            kwargs["params"] = dict(args["params"])
        if args.get("json") is not None:
            kwargs["json"] = args["json"]
        elif args.get("data") is not None:
            data = args["data"]
            kwargs["content" if isinstance(data, str) else "data"] = data
        left = self.deadline - time.monotonic()
        if left <= 0.05:
            return {"ok": False, "error": "no time left for the HTTP call"}
        wanted = args.get("timeout")
        timeout = min(left, float(wanted)) if isinstance(wanted, int | float) else left
        self.calls.append({"method": method, "host": url.host})
        try:
            with self.ctx.http(timeout=timeout, follow_redirects=False) as client:
                resp = client.request(method, str(url), **kwargs)
                for _ in range(MAX_REDIRECTS):
                    if not resp.is_redirect or resp.next_request is None:
                        break
                    refusal = self._check_url(resp.next_request.url)
                    if refusal:
                        return refusal
                    resp = client.send(resp.next_request)
                body = resp.content[:MAX_RESPONSE_BYTES]
        except SSRFBlocked as exc:
            return _refused(exc.message)
        except httpx.HTTPError as exc:
            from engine.net.client import is_ssrf_error

            if is_ssrf_error(exc):
                return _refused(str(exc))
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {
            "ok": True,
            "value": {
                "status_code": resp.status_code,
                "headers": {k.lower(): v for k, v in resp.headers.items()},
                "text": body.decode(resp.encoding or "utf-8", errors="replace"),
                "url": str(resp.url),
            },
        }

    # -- credentials --------------------------------------------------------------
    def _credentials(self, slot: str) -> dict[str, Any]:
        declared = {s.name: s for s in self.node.credentials}
        decl = declared.get(slot)
        if decl is None:
            return _refused(
                f"node {self.node.type} declares no credential slot '{slot}' "
                f"(declared: {', '.join(declared) or 'none'})"
            )
        kind = _stored_kind(self.ctx, slot)
        allowed = set(decl.kinds) & set(self.manifest.permissions.credentials)
        if kind is not None and kind not in allowed:
            return _refused(
                f"the credential in slot '{slot}' is of kind '{kind}', which "
                f"package {self.manifest.name} does not declare "
                f"({', '.join(sorted(allowed))})"
            )
        data = self.ctx.credentials(slot)
        return {"ok": True, "value": dict(data)}


def _refused(message: str) -> dict[str, Any]:
    return {"ok": False, "refused": True, "error": message}


def _stored_kind(ctx: Any, slot: str) -> str | None:
    """The kind of the stored credential a node's slot points at (None without a store,
    e.g. a test harness given credential data directly)."""
    from engine.store.current import opened_store

    node = getattr(ctx, "_node", None)  # the executor's node definition
    ref = getattr(node, "credentials", {}).get(slot) if node is not None else None
    store = opened_store()
    if ref is None or store is None:
        return None
    try:
        return str(store.credentials.get(ref.id).kind)
    except AuraError:
        return None
