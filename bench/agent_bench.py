"""AI agents: the tool-calling loop's own cost per step, and a model call's cost through
the real SDKs and AURA's SSRF-guarded client (to a local server, so no model time).

Run: ``.venv/bin/python bench/agent_bench.py [RUNS] [--concurrency N]`` (default 200
and 50). Prints:

* loop overhead per step, model and tools excluded: ``run_agent`` with an in-process
  model that answers at once (a tool call, then the answer) and a tool that returns at
  once — what AURA adds around each model and tool call;
* a model call through each SDK to the local LLM server (``tests/support/llm_server``):
  the SDK, the guarded transport and loopback HTTP, p50 and p95, beside a plain httpx
  POST to the same server (most of a call's time here is the test server's own);
* a durable agent run's overhead per step (model excluded): runs of kind ``agent``
  (``engine.services.agents.start_run``, inline) against the local server, every step
  recorded in SQLite and published: (run wall time - time inside model calls) / steps;
* concurrency (issue 14, item 3): N agent runs started at once on 2 ``aura worker
  --no-fork`` processes (real Redis, SQLite), each a tool call and an answer from a model
  that takes 2 s per call: the time until all have finished, against the 4 s one run
  needs alone (and the 100 s it would take if each run held a worker), and the same on
  2 forking workers (which host agent jobs in the worker process too).
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


def _operator_agent(llm: Any, name: str, **definition: Any) -> str:
    from engine.auth.types import Principal
    from engine.services import agents, credentials

    op = Principal(user_id=None, email=None, role="owner")
    cred = credentials.create_credential(
        op, "LLM", "openai_compatible", {"base_url": llm.url, "api_key": "k", "model": "m"}
    )
    return agents.create_agent(op, name, {"model": {"credential_id": cred.id}, **definition}).id


def durable_overhead(runs: int) -> None:
    import os
    import tempfile

    from engine.auth.types import Principal
    from engine.config import reset_settings
    from engine.services import agents
    from engine.services.store import get_store, reset_store
    from tests.support.llm_server import LLMServer

    op = Principal(user_id=None, email=None, role="owner")
    with tempfile.TemporaryDirectory(prefix="aura-agent-bench-") as tmp, LLMServer() as llm:
        os.environ.update({"AURA_DATA_DIR": tmp, "AURA_HTTP_ALLOW": "127.0.0.1/32"})
        os.environ.pop("AURA_REDIS_URL", None)
        reset_settings()
        reset_store()
        page = llm.url.removesuffix("/v1") + "/page"
        agent = _operator_agent(llm, "bench", tools=[{"kind": "http"}])
        overhead = []
        steps = 0
        for _ in range(runs):
            llm.play({"tool": "http_request", "args": {"url": page}}, {"text": "done"})
            h = agents.start_run(op, agent, "go", runtime="inline")
            row = get_store().executions.get(h.id)
            rec = agents.run_steps(op, h.id)
            model_ms = sum(s["duration_ms"] for s in rec if s["kind"] == "model")
            tool_ms = sum(s["duration_ms"] for s in rec if s["kind"] == "tool")
            assert row.started_at and row.finished_at, row
            wall = (row.finished_at - row.started_at).total_seconds() * 1000
            overhead.append((wall - model_ms - tool_ms) / len(rec))
            steps += len(rec)
        reset_store()
    print(
        f"durable run overhead: {statistics.median(overhead):.2f} ms per step, p50 "
        f"(model and tool time excluded; {steps} steps recorded in SQLite and published, "
        f"{runs} runs of 4 steps)"
    )


def concurrency(n: int, model_s: float = 2.0) -> None:
    import os
    import subprocess
    import tempfile

    from engine.auth.types import Principal
    from engine.config import reset_settings
    from engine.runtimes.embedded import start_embedded_redis
    from engine.services import agents
    from engine.services.store import get_store, reset_store
    from tests.support.llm_server import LLMServer, last_tool_result

    op = Principal(user_id=None, email=None, role="owner")
    with tempfile.TemporaryDirectory(prefix="aura-agent-bench-") as tmp, LLMServer() as llm:
        url, server = start_embedded_redis(None, persist=False)
        env = {
            "AURA_DATA_DIR": tmp,
            "AURA_HTTP_ALLOW": "127.0.0.1/32",
            "AURA_REDIS_URL": url,
            "AURA_QUEUE_NAME": "agentbench",
            "AURA_LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        reset_settings()
        reset_store()
        try:
            page = llm.url.removesuffix("/v1") + "/page"
            agent = _operator_agent(llm, "bench", tools=[{"kind": "http"}])

            def reply(body: dict[str, Any]) -> dict[str, Any]:
                try:
                    last_tool_result(body)
                except AssertionError:  # no tool result yet: ask for the tool
                    return {"tool": "http_request", "args": {"url": page}, "delay": model_s}
                return {"text": "done", "delay": model_s}

            llm.play(reply)
            for fork in (False, True):
                workers = [
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "engine",
                            "worker",
                            "--queues",
                            "agentbench",
                            "--processes",
                            "1",
                            "--fork" if fork else "--no-fork",
                        ],
                        env={**os.environ, **env},
                        start_new_session=True,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for _ in range(2)
                ]
                try:
                    from rq import Worker

                    from engine.runtimes import redis_connection

                    deadline = time.monotonic() + 120
                    while len(Worker.all(connection=redis_connection())) < 2:
                        if time.monotonic() > deadline:
                            raise RuntimeError("the workers did not start")
                        time.sleep(0.2)  # warm-up done: they registered with Redis
                    count = n
                    t = time.perf_counter()
                    ids = [agents.start_run(op, agent, "go", runtime="rq").id for _ in range(count)]
                    store = get_store()
                    while True:
                        rows = [store.executions.get(i) for i in ids]
                        if all(r.status in ("succeeded", "failed", "crashed") for r in rows):
                            break
                        time.sleep(0.1)
                    elapsed = time.perf_counter() - t
                    ok = sum(r.status == "succeeded" for r in rows)
                    waits = [
                        (r.started_at - r.created_at).total_seconds() for r in rows if r.started_at
                    ]
                    walls = [
                        (r.finished_at - r.started_at).total_seconds()
                        for r in rows
                        if r.started_at and r.finished_at
                    ]
                    what = "forking workers" if fork else "--no-fork workers"
                    print(
                        f"concurrency, 2 {what}: {count} runs of 2 model calls x "
                        f"{model_s:g} s: all finished in {elapsed:.1f} s ({ok} succeeded; one "
                        f"run alone needs {2 * model_s:g} s; {count / elapsed:.1f} runs/s)\n"
                        f"    queue wait p50 {statistics.median(waits):.1f} s, max "
                        f"{max(waits):.1f} s; a run from claim to end p50 "
                        f"{statistics.median(walls):.1f} s, max {max(walls):.1f} s"
                    )
                finally:
                    for w in workers:
                        os.killpg(w.pid, 9)
                        w.wait()
        finally:
            server.stop()
            reset_store()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 200
    n = 50
    if "--concurrency" in sys.argv:
        n = int(sys.argv[sys.argv.index("--concurrency") + 1])
        args = [a for a in args if a != str(n)]
    loop_overhead(runs * 10)
    sdk_calls(runs)
    durable_overhead(max(10, runs // 10))
    concurrency(n)


if __name__ == "__main__":
    main()
