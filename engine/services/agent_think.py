"""One agent run's thinking on the worker: what :func:`think` builds for the claimed run
and lets a :class:`~engine.agents.thinking.Thinker` work with.

The model from the agent's vault credential (checked as the run's principal), its tools
(workflows the principal may run, HTTP through the outbound guard, knowledge search,
nodes, code, the project's MCP servers connected for this run), its session memory, and
the approval requests of its sensitive tools. Each finished step is a row of the
:class:`~engine.services.agent_journal.StoreJournal`, so a run resumed on another worker
starts from its last step. The run's lifecycle (claim, end, park, resume) is
:mod:`engine.services.agent_runs`.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from typing import Any

from engine.agents import registry
from engine.agents.definition import load_definition
from engine.agents.thinking import Thinker
from engine.agents.types import Message, ToolCall
from engine.errors import CredentialError
from engine.services.agent_journal import StoreJournal
from engine.services.mcp import for_execution as mcp_for_execution
from engine.services.principals import RunAs

__all__ = ["think"]


def think(store: Any, row: Any, cancel: threading.Event) -> tuple[str, dict[str, Any]]:
    """Builds the run's model, tools and memory and thinks until the final answer:
    returns it with a summary (steps, tokens, cost). Raises
    :class:`~engine.agents.thinking.Parked` when a sensitive tool call waits for an
    approval, an :class:`~engine.errors.AuraError` when the run fails."""
    from engine.net import safe_client
    from engine.sdk.ai import chat_model
    from engine.services import approvals, credentials
    from engine.services.agent_memory import StoredMemory
    from engine.services.agent_tools import tool_for
    from engine.services.ledger import price_table
    from engine.services.principals import check_credential

    ver = registry.version(store, str((row.trigger or {}).get("agent_version_id")))
    d = load_definition(ver.definition, what=f"agent '{row.workflow_name}'")
    run_as = RunAs.from_row(row)
    cid = d.model.credential_id
    if not cid:
        raise CredentialError(
            f"Agent '{row.workflow_name}' has no model credential; choose one in its Model "
            "settings."
        )
    where = f"agent '{row.workflow_name}'"
    check_credential(run_as, cid, node=where, slot="model")
    secrets: set[str] = set()
    cred = credentials.resolve(cid, secrets)
    prompt, session = str(row.input["prompt"]), row.input.get("session")
    memory = StoredMemory(row.project_id) if session and d.memory.kind == "window" else None
    history: list[Message] = memory.load(session) if memory is not None and session else []

    def decide(call: ToolCall) -> tuple[str | None, str]:
        from engine.vault.redact import redact

        return approvals.request_for_call(
            row.id,
            call.id,
            title=f"Agent '{row.workflow_name}' wants to call '{call.name}'",
            subject={
                "tool": call.name,
                "arguments": redact(call.arguments, secrets),
                "agent_id": row.agent_id,
                "prompt": redact(prompt[:500], secrets),
            },
            project_id=row.project_id,
            requested_by=row.principal_user_id,
            timeout_s=d.approval_timeout_s,
        )

    journal = StoreJournal(
        store,
        row.id,
        secrets=secrets,
        cancel=cancel,
        decide=decide,
        attribution={"agent_id": row.agent_id, "workflow_id": None, "project_id": row.project_id},
    )
    table = price_table()
    with ExitStack() as stack:
        http = stack.enter_context(safe_client(timeout=d.model.timeout_s))
        tools = [tool_for(t, row, run_as, cancel, secrets) for t in d.tools if t.kind != "mcp"]
        sensitive = {t.name for t in d.tools if t.sensitive and t.kind != "mcp"}
        for spec in (t for t in d.tools if t.kind == "mcp"):  # connected for this run
            offered = stack.enter_context(mcp_for_execution(row.id).toolbox(spec.servers))
            tools += offered
            sensitive |= {t.definition.name for t in offered} if spec.sensitive else set()
        model = chat_model(
            d.model.provider,
            cred,
            http=http,
            model=d.model.model,
            timeout_s=d.model.timeout_s,
            max_retries=d.model.max_retries,
            temperature=d.model.temperature,
            stream=d.model.stream,
        )
        thinker = Thinker(
            model,
            d.instructions,
            prompt,
            journal,
            tools=tools,
            sensitive=frozenset(sensitive),
            history=history,
            limits=d.limits,
            price=table.cost,
            strategy=d.strategy,
        )
        answer = thinker.run()
    if memory is not None and session:
        memory.append(
            session, [Message("user", prompt), Message("assistant", answer)], d.memory.window
        )
    steps = thinker.steps
    return answer, {
        "steps": len(steps),
        "tokens_in": sum(s.tokens_in for s in steps),
        "tokens_out": sum(s.tokens_out for s in steps),
        "cost": round(sum(s.cost for s in steps), 6),
    }
