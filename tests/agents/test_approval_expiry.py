"""Approval expiry on real processes over a real Redis: an agent run on an ``aura worker``
waits for the approval of a sensitive tool; nobody decides; the ``aura scheduler``
expires the approval at its deadline (nobody opened the inbox) and the run ends
``failed``, saying nobody decided in time — the tool never called, the model not asked
again, the inbox empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from tests.support.env import Env, queue_env, wait_until
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)
from tests.support.llm_server import LLMServer

pytestmark = [pytest.mark.redis, pytest.mark.slow]
OPERATOR = Principal(user_id=None, email=None, role="owner")


@pytest.fixture
def env(tmp_path: Path, redis_url: str) -> Iterator[Env]:  # noqa: F811
    with queue_env("sqlite", tmp_path / "data", redis_url, AURA_HTTP_ALLOW="127.0.0.1/32") as e:
        yield e


def _row(eid: str) -> Any:
    from engine.services.store import get_store

    return get_store().executions.get(eid)


def _approval(eid: str) -> Any:
    from sqlmodel import col, select

    from engine.services.store import get_store
    from engine.store.models_agents import Approval

    with get_store().db.read() as s:
        return s.exec(select(Approval).where(col(Approval.execution_id) == eid)).one()


def test_the_scheduler_expires_an_undecided_approval_and_the_run_stops(env: Env) -> None:
    from engine.services import agents, credentials

    with LLMServer() as llm:
        page = llm.url.removesuffix("/v1") + "/page?name=never"
        llm.play(
            {"tool": "http_request", "args": {"url": page}},
            {"text": "The model must not be asked again."},
        )
        cred = credentials.create_credential(
            OPERATOR, "LLM", "openai_compatible", {"base_url": llm.url, "api_key": "sk-x"}
        )
        agent = agents.create_agent(
            OPERATOR,
            "Careful",
            {
                "model": {"credential_id": cred.id, "model": "gpt-x"},
                "tools": [{"kind": "http", "sensitive": True}],
                "approval_timeout_s": 2,
            },
        ).id
        env.worker("--no-fork")
        handle = agents.start_run(OPERATOR, agent, "Read the page", runtime="rq")
        wait_until(
            lambda: _row(handle.id).status == "waiting", timeout=60, what="the parked run", env=env
        )
        assert _approval(handle.id).status == "pending"
        env.spawn("scheduler", "--tick", "0.2")  # no one opens the inbox from here on
        row = wait_until(
            lambda: (r := _row(handle.id)).status in ("succeeded", "failed", "crashed") and r,
            timeout=60,
            what="the run ended by the expiry",
            env=env,
        )
        assert row.status == "failed", (row.error, env.logs())
        assert row.error["code"] == "approval_expired"
        assert row.error["message"].startswith(
            "Nobody approved or rejected the call of 'http_request' before its approval expired"
        )
        assert _approval(handle.id).status == "expired"
        steps = agents.run_steps(OPERATOR, handle.id)
        assert [(s["kind"], s["output"].get("decision")) for s in steps] == [
            ("model", None),
            ("approval", "expired"),
        ]
        assert llm.pages == [] and len(llm.requests) == 1
        assert agents.inbox(OPERATOR) == []
