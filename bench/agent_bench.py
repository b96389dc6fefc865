"""AI agents: the tool-calling loop's own cost per step, and a model call's cost through
the real SDKs and AURA's SSRF-guarded client (to a local server, so no model time).

Run: ``.venv/bin/python bench/agent_bench.py [RUNS]`` (default 200). Prints:

* loop overhead per step, model and tools excluded: ``run_agent`` with an in-process
  model that answers at once (a tool call, then the answer) and a tool that returns at
  once — what AURA adds around each model and tool call;
* a model call through each SDK to the local LLM server (``tests/support/llm_server``):
  the SDK, the guarded transport and loopback HTTP, p50 and p95, beside a plain httpx
  POST to the same server (most of a call's time here is the test server's own).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class InstantModel:
    """Asks for the tool on odd calls, answers on even ones."""

    model = "instant"

    def __init__(self) -> None:
        self.calls = 0

    def complete(
        self,
        system: str,
        messages: Sequence[Any],
        tools: Sequence[Any] = (),
        *,
        schema: dict[str, Any] | None = None,
    ) -> Any:
        from engine.agents import Reply, ToolCall, Usage

        self.calls += 1
        if self.calls % 2:
            return Reply(
                "",
                (ToolCall(f"c{self.calls}", "echo", {"x": 1}, '{"x": 1}'),),
                Usage(10, 5),
                self.model,
            )
        return Reply("done", (), Usage(10, 5), self.model)


def loop_overhead(runs: int) -> None:
    from engine.agents import Tool, ToolDef, run_agent

    tool = Tool(ToolDef("echo", "Echoes."), lambda args: args)
    model = InstantModel()
    steps = 0
    started = time.perf_counter()
    for _ in range(runs):
        run = run_agent(model, system="s", history=[], prompt="p", tools=[tool])
        steps += len(run.steps)
    elapsed = time.perf_counter() - started
    print(
        f"loop overhead: {elapsed / steps * 1e6:.1f} µs per step "
        f"({steps} steps: model calls and tool calls, {runs} runs)"
    )


def sdk_calls(runs: int) -> None:
    import os

    from engine.agents import Message
    from engine.config import reset_settings
    from engine.net import safe_client
    from engine.sdk.ai import chat_model
    from tests.support.llm_server import LLMServer

    os.environ["AURA_HTTP_ALLOW"] = "127.0.0.1/32"
    reset_settings()
    with LLMServer() as llm:
        llm.play({"text": "ok"})
        import httpx

        with httpx.Client() as plain:
            body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
            base_times = []
            for _ in range(runs):
                t = time.perf_counter()
                plain.post(llm.url + "/chat/completions", json=body)
                base_times.append((time.perf_counter() - t) * 1000)
        print(
            f"baseline, plain httpx POST to the same server: p50 "
            f"{statistics.median(base_times):.2f} ms (the server's share)"
        )
        for provider in ("openai", "anthropic"):
            base = llm.url if provider == "openai" else llm.url.removesuffix("/v1")
            model = chat_model(
                provider,
                {"base_url": base, "api_key": "k", "model": "m"},  # type: ignore[arg-type]
                http=safe_client(),
            )
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                model.complete("", [Message("user", "hi")])
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{provider} SDK call to a local server: p50 {statistics.median(times):.2f} ms, "
                f"p95 {p95:.2f} ms ({runs} calls)"
            )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    loop_overhead(runs * 10)
    sdk_calls(runs)


if __name__ == "__main__":
    main()
