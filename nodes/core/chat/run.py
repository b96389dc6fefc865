"""LLM: Message a Model — for each item, one call with its prompt; outputs the answer
(as text, or parsed JSON, optionally following a JSON Schema)."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.ai import Message, chat_model
from nodes.core.chat.spec import ChatParams

JSON_HINT = "Answer with one JSON object only, no other text."


def _parsed(text: str, p: ChatParams) -> dict[str, Any]:
    """The answer as a JSON object (fences allowed); its schema's required fields set."""
    body = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    try:
        data = json.loads(body.strip())
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise NodeExecutionError(
            f"The model did not answer with a JSON object: {text[:200]!r}. Say in the "
            "prompt which fields you want, or turn off 'JSON output'."
        )
    missing = [k for k in (p.json_schema or {}).get("required", []) if k not in data]
    if missing:
        raise NodeExecutionError(
            f"The model's answer lacks the required field(s) {', '.join(missing)} of the "
            f"JSON schema: {text[:200]!r}. Describe those fields in the prompt or the "
            "schema's descriptions.",
            details={"missing": missing},
        )
    return data


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Outputs each item with ``text`` (and ``data`` for JSON), ``usage`` and ``model``."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, ChatParams)
        as_json = p.json_output or p.json_schema is not None
        system = "\n\n".join(s for s in (p.system_prompt, JSON_HINT if as_json else "") if s)
        with ctx.http(timeout=p.timeout_s) as http:
            model = chat_model(
                p.provider,
                ctx.credentials("model"),
                http=http,
                **p.chat_options(),
                usage_for=ctx.execution.id,
            )
            reply = model.complete(system, [Message("user", p.prompt)], schema=p.json_schema)
        out = {
            **item.json,
            "text": reply.text,
            "usage": reply.usage.to_dict(),
            "model": reply.model,
        }
        if as_json:
            out["data"] = _parsed(reply.text, p)
        return item.derive(out, index=i)

    return ctx.map(one)
