"""Red-team corpus for JavaScript: escape attempts and resource bombs, each refused or contained.

The JavaScript counterpart of ``test_redteam.py``: the same categories (reaching the
host, tampering with the sandbox's own machinery, results that are not JSON, CPU,
memory, recursion, output, compile-time bombs), each with the exact error class it
must end with or what the run must return. ``host_unchanged`` checks after every
attempt that no file, environment variable or process changed on the host, and no
secret of the host appears in what comes back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from engine.errors import SandboxMemoryError, SandboxTimeout, SandboxViolation, ValidationError
from engine.sandbox import RunResult, SandboxOutputTooLarge, UserCodeError, get_js_pool
from engine.sandbox.js import run_js
from tests.security.conftest import CANARY_FILE, CANARY_VALUE, SECRET_FILE, SECRET_VALUE

SV, ST, SM = SandboxViolation, SandboxTimeout, SandboxMemoryError
UCE, TOO_LARGE = UserCodeError, SandboxOutputTooLarge
DRIVER = "function (input, user, api) { return user(input); }"


@dataclass(frozen=True)
class Attempt:
    id: str
    code: str
    expect: type[Exception] | tuple[type[Exception], ...] | None
    says: str = ""
    check: Callable[[RunResult], bool] | None = None
    timeout: float = 3.0


def A(
    id: str,
    code: str,
    expect: type[Exception] | tuple[type[Exception], ...] | None,
    says: str = "",
    **kw: Any,
) -> Attempt:
    return Attempt(id, code, expect, says, **kw)


ATTEMPTS = [
    # -- reaching the host ------------------------------------------------------------------
    A(
        "require_fs",
        f"return require('fs').readFileSync('{SECRET_FILE}', 'utf8')",
        SV,
        "'require' is not available",
    ),
    A("require_child_process", f"require('child_process').execSync('touch {CANARY_FILE}')", SV),
    A("process_env", "return process.env.AURA_REDTEAM_CANARY", SV, "'process'"),
    A("process_binding", "return process.binding('fs')", SV),
    A("fetch_network", "return await fetch('http://127.0.0.1:22/')", SV, "'fetch'"),
    A("xhr", "return new XMLHttpRequest()", SV),
    A("websocket", "return new WebSocket('ws://127.0.0.1:1')", SV),
    A("deno_bun", "return [Deno.env.get('HOME'), Bun.env]", SV),
    A("buffer", "return Buffer.from('x')", SV, "'Buffer'"),
    A("module_exports", "module.exports = 1; return 1", SV),
    A("dirname", "return __dirname", SV),
    A(
        "caught_refusal_still_refused",
        "try { require('fs'); } catch (e) { return 'caught'; }",
        SV,
        "'require'",
    ),
    A("finally_hides_refusal", "try { process.exit(1); } finally { return 'swallowed'; }", SV),
    A("typeof_probe_is_refused", "return typeof require", SV),
    A("function_ctor_global", "const g = Function('return this')(); return g.process.env", SV),
    A("constructor_chain", "return this.constructor.constructor('return process')().env", SV),
    A("eval_require", "return eval('require')('os').hostname()", SV),
    A("reflect_get_global", "return Reflect.get(globalThis, 'require')", SV),
    A(
        "getter_descriptor",
        "const d = Object.getOwnPropertyDescriptor(globalThis, 'process');\nreturn d.get()",
        SV,
    ),
    A(
        "redefine_refused_name",
        "Object.defineProperty(globalThis, 'require', {value: 1});\nreturn 1",
        UCE,
        "Cannot redefine property",
    ),
    A("dynamic_import", "return await import('fs')", UCE),
    A("static_import", "import fs from 'fs';\nreturn fs", UCE, "SyntaxError"),
    A("import_meta", "return import.meta.url", UCE, "SyntaxError"),
    A("webassembly", "return WebAssembly.compile(new Uint8Array([0, 97, 115, 109]))", SV),
    A("shared_memory_timer", "return new SharedArrayBuffer(8)", SV),
    A("atomics_wait", "return Atomics.wait(new Int32Array(4), 0, 0, 1000)", SV),
    A("set_timeout", "setTimeout(() => 1, 10); return 1", SV, "'setTimeout'"),
    A("set_interval", "setInterval(() => 1, 10); return 1", SV),
    A("queue_microtask", "queueMicrotask(() => 1); return 1", SV),
    A(
        "global_names_hold_nothing",
        "return Object.getOwnPropertyNames(globalThis)"
        ".filter(n => !/^(Object|Function|Array|Number|parseFloat|parseInt|Infinity|NaN|"
        "undefined|Boolean|String|Symbol|Date|Promise|RegExp|Error|AggregateError|EvalError|"
        "RangeError|ReferenceError|SyntaxError|TypeError|URIError|globalThis|JSON|Math|Intl|"
        "ArrayBuffer|Atomics|Uint8Array|Int8Array|Uint16Array|Int16Array|Uint32Array|"
        "Int32Array|Float16Array|Float32Array|Float64Array|Uint8ClampedArray|BigUint64Array|"
        "BigInt64Array|DataView|Map|BigInt|Set|WeakMap|WeakSet|Proxy|Reflect|FinalizationRegistry|"
        "WeakRef|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|eval|"
        "isFinite|isNaN|console|SharedArrayBuffer|WebAssembly|Iterator|SuppressedError|"
        "DisposableStack|AsyncDisposableStack|Temporal|require|process|fetch|module|exports|Buffer|"
        "XMLHttpRequest|WebSocket|importScripts|Deno|Bun|__dirname|__filename|setTimeout|"
        "setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask|__aura|"
        "__aura_driver|__aura_user)$/.test(n))",
        None,
        check=lambda r: r.result == [],
    ),
    # -- tampering with the sandbox's own machinery ----------------------------------------
    A(
        "replace_json_stringify",
        "JSON.stringify = () => '{\"pwn\": 1}';\nreturn {real: 1}",
        None,
        check=lambda r: r.result == {"real": 1},
    ),
    A(
        "replace_promise_then",
        "Promise.prototype.then = function () { return 1; };\nreturn {real: 2}",
        None,
        check=lambda r: r.result == {"real": 2},
    ),
    A(
        "object_prototype_then",
        "Object.prototype.then = function (ok) { ok('pwn'); };\nreturn {real: 3}",
        None,
        check=lambda r: r.result in ({"real": 3}, "pwn"),
    ),
    A(
        "array_prototype_tamper",
        "Array.prototype.push = null; Array.prototype.join = null;\n"
        "console.log('still', 'logged'); return [1, 2]",
        None,
        check=lambda r: r.result == [1, 2] and r.stdout == ["still logged"],
    ),
    A(
        "to_json_on_prototype",
        "Object.prototype.toJSON = function () { return 'same'; };\nreturn {a: 1}",
        None,
        check=lambda r: r.result == "same",
    ),
    A(
        "aura_is_frozen",
        "__aura.limits(1e12, 1e12); globalThis.__aura = null;\nreturn 'x'.repeat(20 * 2 ** 20)",
        TOO_LARGE,
        timeout=15,
    ),
    A(
        "aura_output_cap_kept",
        "__aura.limits(1e12, 1e12);\n"
        "for (let i = 0; i < 100000; i++) console.log('y'.repeat(100));\nreturn 'done'",
        None,
        check=lambda r: (
            r.result == "done"
            and r.stdout_truncated
            and sum(len(x) + 1 for x in r.stdout) <= 256 * 1024
        ),
        timeout=15,
    ),
    A(
        "proto_pollution_is_local",
        "Object.prototype.polluted = 'yes';\nreturn {}",
        None,
        check=lambda r: r.result == {},
    ),
    A("break_out_of_wrapper", "return 1});\nrequire('fs');\n(async function(){", SV),
    # -- results that are not JSON --------------------------------------------------------
    A("result_bigint", "return 10n ** 100n", UCE, "BigInt"),
    A("result_cycle", "const a = []; a.push(a); return a", UCE, "circular"),
    A(
        "result_throwing_getter",
        "return {get x() { throw new Error('getter ran'); }}",
        UCE,
        "getter ran",
    ),
    A(
        "result_proxy_trap",
        "return new Proxy({}, {ownKeys() { throw new TypeError('trap'); }})",
        UCE,
        "trap",
    ),
    A(
        "result_function_dropped",
        "return {f: () => 1, u: undefined, n: NaN, d: new Date(0)}",
        None,
        check=lambda r: r.result == {"n": None, "d": "1970-01-01T00:00:00.000Z"},
    ),
    A(
        "result_symbol_keys_dropped",
        "return {[Symbol('s')]: 1, k: Symbol('v')}",
        None,
        check=lambda r: r.result == {},
    ),
    A("promise_never_settles", "return new Promise(() => {})", UCE, "never settled"),
    A("throw_non_error", "throw {name: {toString() { throw 1; }}}", UCE, "could not be read"),
    # -- CPU, memory, recursion, output ---------------------------------------------------
    A("cpu_loop", "while (true) {}", ST, timeout=0.5),
    A("cpu_loop_catching", "while (true) { try { null.x; } catch (e) {} }", ST, timeout=0.5),
    A(
        "cpu_microtask_loop",
        "const f = async () => { await null; return f(); };\nawait f()",
        ST,
        timeout=0.5,
    ),
    A(
        "cpu_promise_chain",
        "let p = Promise.resolve();\nfor (;;) { p = p.then(() => 1); }",
        (ST, SM),
        timeout=1.0,
    ),
    A("redos_backtracking", "return /^(a+)+$/.test('a'.repeat(40) + 'b')", ST, timeout=0.5),
    A(
        "memory_growth",
        "const l = [];\nfor (let i = 0; ; i++) l.push('x'.repeat(1e6) + i)",
        SM,
        timeout=20,
    ),
    A(
        "memory_typed_arrays",
        "const l = [];\nfor (;;) { const u = new Uint8Array(2 ** 26); u.fill(1); l.push(u); }",
        SM,
        timeout=20,
    ),
    A(
        "memory_huge_typed_array",
        "const u = new Uint8Array(2 ** 33); u.fill(1); return 1",
        (SM, UCE),
        timeout=20,
    ),
    A(
        "memory_map_growth",
        "const m = new Map();\nfor (let i = 0; ; i++) m.set(i, new Array(1e4).fill(i))",
        SM,
        timeout=20,
    ),
    A("memory_array_fill", "return new Array(1e9).fill(0).length", (SM, UCE), timeout=20),
    A("string_too_long", "return 'a'.repeat(2 ** 30).length", UCE, "Invalid string length"),
    A("array_too_long", "return new Array(2 ** 32)", UCE, "Invalid array length"),
    A(
        "memory_caught_contained",
        "try { new ArrayBuffer(2 ** 40); } catch (e) {\n"
        "  return 'contained';\n}\nreturn 'allocated'",
        None,
        check=lambda r: r.result == "contained",
    ),
    A("recursion", "function f(n) { return f(n + 1); }\nreturn f(0)", UCE, "Maximum call stack"),
    A(
        "deep_nesting_result",
        "let l = [];\nfor (let i = 0; i < 100000; i++) l = [l];\nreturn l",
        UCE,
        timeout=15,
    ),
    A(
        "deep_nesting_parse",
        "return JSON.parse('['.repeat(2e5) + ']'.repeat(2e5))",
        UCE,
        timeout=10,
    ),
    A(
        "output_flood",
        "for (let i = 0; i < 100000; i++) console.log('x'.repeat(100));\nreturn 'done'",
        None,
        check=lambda r: (
            r.result == "done"
            and r.stdout_truncated
            and sum(len(x) + 1 for x in r.stdout) <= 256 * 1024
        ),
        timeout=15,
    ),
    A("output_flood_forever", "for (;;) console.log('y'.repeat(1000))", ST, timeout=0.5),
    A("result_too_large_string", "return 'x'.repeat(40 * 2 ** 20)", TOO_LARGE, timeout=15),
    A(
        "result_too_many_items",
        "return Array.from({length: 300000}, () => ({k: 'v'.repeat(100)}))",
        TOO_LARGE,
        timeout=15,
    ),
    # -- compile-time bombs ---------------------------------------------------------------
    A("nested_array_literal", "return " + "[" * 45_000 + "]" * 45_000, (UCE, SM), timeout=15),
    A(
        "long_binop_chain",
        "return " + "1+" * 40_000 + "1",
        None,
        check=lambda r: r.result == 40_001,
        timeout=15,
    ),
    A("huge_code", "let x = 1;\n" * 20_000, SV, "characters"),
    A("syntax_error_line", "let a = 1;\nlet = = 2;", UCE, "line 2"),
]


def _run(attempt: Attempt) -> RunResult:
    return run_js(attempt.code, {}, DRIVER, params=[], timeout_s=attempt.timeout)


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.id for a in ATTEMPTS])
def test_js_attempt_is_refused_or_contained(attempt: Attempt, host_unchanged: Any) -> None:
    seen: list[str] = []
    if attempt.expect is None:
        res = _run(attempt)
        assert attempt.check is not None and attempt.check(res), res
        seen += [repr(res.result)[:100_000], *res.stdout[:100]]
    else:
        expected = attempt.expect if isinstance(attempt.expect, tuple) else (attempt.expect,)
        with pytest.raises(expected) as info:
            _run(attempt)
        err = info.value
        assert type(err) in expected, f"{type(err).__name__}: {err}"
        assert attempt.says.lower() in str(err).lower(), str(err)
        seen.append(str(err))
    for text in seen:
        assert CANARY_VALUE not in text and SECRET_VALUE not in text


def test_js_corpus_covers_the_python_categories() -> None:
    assert len(ATTEMPTS) >= 60
    assert len({a.id for a in ATTEMPTS}) == len(ATTEMPTS)


def test_js_runs_in_a_limited_process_and_each_run_starts_clean() -> None:
    first = run_js("globalThis.leftover = 1; return typeof leftover", {}, DRIVER, params=[])
    second = run_js("return typeof leftover", {}, DRIVER, params=[])
    assert (first.result, second.result) == ("number", "undefined")


def test_js_parameter_names_are_checked_on_the_host() -> None:
    with pytest.raises(ValidationError):
        run_js("return 1", {}, DRIVER, params=["a) { return 1 }; (function ("])


def _limits(pid: int) -> dict[str, list[str]]:
    out = {}
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]:
        name = line[:26].strip()
        out[name] = line[26:].split()
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_running_js_is_limited_unprivileged_and_has_no_environment() -> None:
    done: dict[str, Any] = {}

    def busy() -> None:
        try:
            run_js("while (true) {}", {}, DRIVER, params=[], timeout_s=2.0)
        except SandboxTimeout as exc:
            done["error"] = exc

    pool = get_js_pool()
    t = threading.Thread(target=busy)
    t.start()
    running: list[int] = []
    end = time.monotonic() + 1.5
    while not running and time.monotonic() < end:
        time.sleep(0.05)
        for z in pool.pids():
            for child in psutil.Process(z).children():
                with contextlib.suppress(OSError, StopIteration):
                    if _limits(child.pid)["Max processes"][:2] == ["0", "0"]:
                        running.append(child.pid)
    assert running, "no running JavaScript sandbox child found"
    pid = running[0]
    limits = _limits(pid)
    tasks = [
        Path(f"/proc/{pid}/task/{tid}/status").read_text()
        for tid in os.listdir(f"/proc/{pid}/task")
    ]
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    t.join()
    assert isinstance(done.get("error"), SandboxTimeout)
    assert limits["Max cpu time"][:2] == ["3", "4"]
    assert limits["Max file size"][:2] == ["0", "0"]
    assert limits["Max open files"][:2] == ["32", "32"]
    assert limits["Max core file size"][:2] == ["0", "0"]
    assert limits["Max data size"][0] != "unlimited"
    assert limits["Max address space"][0] != "unlimited"
    assert len(tasks) >= 2 and all("NoNewPrivs:\t1" in s for s in tasks), "every thread"
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody").pw_uid
        assert all(f"Uid:\t{nobody}\t" in s for s in tasks), "root's sandbox must run as nobody"
    assert not environ.replace(b"LC_CTYPE=C.UTF-8\x00", b""), environ


def test_js_pool_survives_killed_sandbox_processes() -> None:
    pool = get_js_pool()
    assert run_js("return 1", {}, DRIVER, params=[]).result == 1
    for pid in pool.pids():
        os.killpg(pid, signal.SIGKILL)
    time.sleep(0.1)
    assert run_js("return 2", {}, DRIVER, params=[]).result == 2


def test_js_calls_from_many_threads() -> None:
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(3):
                results[n * 10 + k] = run_js(
                    "return input.a * input.b",
                    {"a": n, "b": k},
                    "function (i, u, a) { return u(i); }",
                    params=["input"],
                ).result
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert results == {n * 10 + k: n * k for n in range(4) for k in range(3)}


BENIGN = [
    (
        "intl",
        "return new Intl.NumberFormat('de-DE', {style: 'currency', currency: 'EUR'})"
        ".format(1234.5)",
        "1.234,50\u00a0€",
    ),
    (
        "dates",
        "const d = new Date(Date.UTC(2026, 0, 31));\nd.setUTCMonth(1);\n"
        "return d.toISOString().slice(0, 10)",
        "2026-03-03",
    ),
    (
        "regex_named_groups",
        "return '2026-12-06'.match(/(?<y>\\d+)-(?<m>\\d+)/).groups",
        {"y": "2026", "m": "12"},
    ),
    (
        "modern_syntax",
        "const {a, ...rest} = {a: 1, b: 2, c: 3};\n"
        "return [a, rest, rest?.x ?? 'none', [1, 2, 3].at(-1), Object.groupBy([1, 2, 3], "
        "n => n % 2 ? 'odd' : 'even')]",
        [1, {"b": 2, "c": 3}, "none", 3, {"odd": [1, 3], "even": [2]}],
    ),
    ("async_await", "const f = async x => x * 2;\nreturn await Promise.all([f(1), f(2)])", [2, 4]),
    (
        "classes_maps_sets",
        "class P { #n = 1; inc() { return ++this.#n; } }\n"
        "const p = new P(); p.inc();\nreturn [p.inc(), [...new Set([1, 1, 2])], "
        "Object.fromEntries(new Map([['k', 'v']]))]",
        [3, [1, 2], {"k": "v"}],
    ),
    (
        "json_and_strings",
        "return JSON.parse(JSON.stringify({s: 'é'.normalize('NFD').length,"
        " p: 'a-b'.replaceAll('-', '+'), u: 'x'.padStart(3, '.')}))",
        {"s": 2, "p": "a+b", "u": "..x"},
    ),
]


@pytest.mark.parametrize(
    ("code", "expected"), [(c, e) for _, c, e in BENIGN], ids=[n for n, _, _ in BENIGN]
)
def test_benign_js_runs(code: str, expected: Any) -> None:
    assert run_js(code, {}, DRIVER, params=[]).result == expected
