"""MCP over HTTP connects to the address it checked: the server's host name is resolved
once per session; later answers of the resolver (a DNS rebinding to a private address)
change nothing — every request of the session, listing and calling tools, reaches the
real MCP server at the pinned address. A name that resolves to a refused address (or to
a public and a private one) is refused before any connection, saying what to allow.

The resolver is the session's swappable ``getaddrinfo``; the server is a real MCP
server process on loopback (allow-listed by address only, not by name)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.mcp_server import McpHttpServer, calls


@pytest.fixture(scope="module")
def mcp_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpHttpServer]:
    with McpHttpServer(tmp_path_factory.mktemp("mcp") / "calls.log") as server:
        yield server


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()


class Resolver:
    """Answers each lookup with the next list of addresses (the last one repeats)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        self.asked.append(host)
        addresses = self.answers[min(len(self.asked), len(self.answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]


def _config(server: McpHttpServer) -> Any:
    from engine.agents.mcp_client import McpServerConfig

    # 'localhost' is a name here: only our resolver answers for it
    url = server.url.replace("127.0.0.1", "localhost")
    return McpServerConfig(name="desk", transport="http", url=url)


def test_the_session_keeps_the_address_it_checked(mcp_http: McpHttpServer) -> None:
    from engine.agents.mcp_client import McpSession

    rebinding = Resolver(["127.0.0.1"], ["10.20.30.40"])  # the second answer is private
    before = len(calls(mcp_http.log))
    with McpSession(_config(mcp_http), resolver=rebinding) as session:
        assert "add" in [t.name for t in session.tools()]
        assert session.call("add", {"a": 2, "b": 3}) == 5
        assert session.call("lookup_ticket", {"ticket": "7"}).startswith("Ticket 7")
    assert rebinding.asked == ["localhost"]  # resolved once for the whole session
    assert [c["tool"] for c in calls(mcp_http.log)[before:]] == ["add", "lookup_ticket"]


@pytest.mark.parametrize(
    "answer",
    [["10.20.30.40"], ["169.254.169.254"], ["93.184.216.34", "192.168.1.5"]],
    ids=["private", "link-local", "public-and-private"],
)
def test_a_refused_address_never_gets_a_connection(
    mcp_http: McpHttpServer, answer: list[str]
) -> None:
    from engine.agents.mcp_client import McpSession
    from engine.errors import SSRFBlocked

    before = len(calls(mcp_http.log))
    resolver = Resolver(answer)
    with pytest.raises(SSRFBlocked) as caught:
        McpSession(_config(mcp_http), resolver=resolver).__enter__()
    refused = next(a for a in answer if not a.startswith("93."))
    assert caught.value.message.startswith(f"Refused to connect to localhost ({refused})")
    assert f"AURA_HTTP_ALLOW={refused}/32" in caught.value.message
    assert resolver.asked == ["localhost"]
    assert len(calls(mcp_http.log)) == before


def test_an_unresolvable_host_says_so(mcp_http: McpHttpServer) -> None:
    from engine.agents.mcp_client import McpError, McpSession

    def nowhere(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(McpError, match="host 'localhost' does not resolve"):
        McpSession(_config(mcp_http), resolver=nowhere).__enter__()
