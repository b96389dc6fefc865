"""The model credentials' Test action against the local server: a good key lists the
models, a wrong one is refused (OpenAI-compatible and Anthropic)."""

from __future__ import annotations

import pytest

from engine.credentials.registry import get_kind
from tests.support.llm_server import LLMServer


@pytest.mark.parametrize("kind", ["openai_compatible", "anthropic"])
def test_the_test_action_tells_a_good_key_from_a_bad_one(llm: LLMServer, kind: str) -> None:
    llm.keys = {"sk-good"}
    base = llm.url if kind == "openai_compatible" else llm.url.removesuffix("/v1")
    cls = get_kind(kind)
    good = cls.model_validate({"base_url": base, "api_key": "sk-good"}).test()
    bad = cls.model_validate({"base_url": base, "api_key": "sk-bad"}).test()
    assert good.ok, good.message
    assert not bad.ok and "sk-bad" not in bad.message
    assert "api_key" in cls.secret_fields()
