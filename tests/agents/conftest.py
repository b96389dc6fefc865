"""Fixtures of the agent tests: the scripted local LLM server (OpenAI and Anthropic wire
protocols), started once per module and allowed through the outbound HTTP guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.llm_server import LLMServer


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.fixture
def llm(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> LLMServer:
    """The server with an empty script; loopback allowed for this test."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    llm_server.play()
    return llm_server
