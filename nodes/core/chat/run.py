"""LLM: Message a Model — for each item, one call with its prompt; outputs the answer."""

from __future__ import annotations

import json

from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.ai import Message, chat_model
from nodes.core.chat.spec import ChatParams

JSON_HINT = "Answer with one JSON object only, no other text."


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Outputs each item with ``text`` (or ``data`` for JSON), ``usage`` and ``model``."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, ChatParams)
        system = "\n\n".join(s for s in (p.system_prompt, JSON_HINT if p.json_output else "") if s)
        with ctx.http(timeout=p.timeout_s) as http:
            model = chat_model(
                p.provider,
                ctx.credentials("model"),
                http=http,
                model=p.model,
                timeout_s=p.timeout_s,
                max_retries=p.max_retries,
                temperature=p.temperature,
            )
            reply = model.complete(system, [Message("user", p.prompt)])
        out = {
            **item.json,
            "text": reply.text,
            "usage": reply.usage.to_dict(),
            "model": reply.model,
        }
        if p.json_output:
            text = reply.text.strip().removeprefix("```json").removeprefix("```")
            try:
                data = json.loads(text.removesuffix("```").strip())
            except json.JSONDecodeError:
                data = None
            if not isinstance(data, dict):
                raise NodeExecutionError(
                    f"The model did not answer with a JSON object: {reply.text[:200]!r}. "
                    "Say in the prompt which fields you want, or turn off 'JSON output'."
                )
            out["data"] = data
        return item.derive(out, index=i)

    return ctx.map(one)
