"""The JavaScript Code node through the real executor path (``NodeHarness``), V8 included."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sdk import Binary, Item
from engine.sdk.testing import NodeHarness


@pytest.fixture(scope="module")
def js() -> NodeHarness:
    return NodeHarness("core.code_js")


def test_default_code_marks_every_item_and_keeps_lineage(js: NodeHarness) -> None:
    res = js.run({}, [{"a": 1}, {"a": 2}])
    assert res.error is None, res.error
    assert res.json() == [{"a": 1, "seen": True}, {"a": 2, "seen": True}]
    assert [i.paired_item[0].item for i in res.outputs["main"]] == [0, 1]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("return {single: true}", [{"single": True}]),
        ("return null", []),
        ("return [{json: {wrapped: 1}}, {plain: 2}]", [{"wrapped": 1}, {"plain": 2}]),
        (
            "const r = await Promise.all([1, 2].map(async n => n * 3));\nreturn [{r}]",
            [{"r": [3, 6]}],
        ),
    ],
)
def test_n8n_return_shapes(js: NodeHarness, src: str, expected: list[Any]) -> None:
    res = js.run({"code": src}, [{"a": 1}, {"a": 2}])
    assert res.error is None, res.error
    assert res.json() == expected


def test_n8n_wrong_return_is_explained(js: NodeHarness) -> None:
    res = js.run({"code": "return 'text'"}, [{"a": 1}])
    assert res.error is not None and "return an array of items" in res.error.message


def test_n8n_paired_item_of_another_node(js: NodeHarness) -> None:
    res = js.run(
        {
            "mode": "each_item",
            "code": "return {mine: $json.n, theirs: $('Fetch').item.json.v, "
            "old: $node['Fetch'].json.v}",
        },
        [{"n": 1}, {"n": 2}],
        run_data={"Fetch": [{"v": "x"}, {"v": "y"}]},
    )
    assert res.error is None, res.error
    assert res.json() == [
        {"mine": 1, "theirs": "x", "old": "x"},
        {"mine": 2, "theirs": "y", "old": "y"},
    ]


def test_n8n_unknown_node_is_named(js: NodeHarness) -> None:
    res = js.run({"code": "return $('Nope').all()"}, [{"a": 1}])
    assert res.error is not None and "Node 'Nope' has not run" in res.error.message


def test_each_item_errors_follow_the_error_policy(js: NodeHarness) -> None:
    code = "if ($json.n === 2) throw new RangeError('two');\nreturn {n: $json.n}"
    routed = js.run(
        {"mode": "each_item", "code": code}, [{"n": 1}, {"n": 2}, {"n": 3}], on_error="route"
    )
    assert routed.json() == [{"n": 1}, {"n": 3}]
    assert routed.json("error")[0]["error"]["type"] == "RangeError"
    kept = js.run({"mode": "each_item", "code": code}, [{"n": 1}, {"n": 2}], on_error="continue")
    assert [("error" in x) for x in kept.json()] == [False, True]
    stopped = js.run({"mode": "each_item", "code": code}, [{"n": 1}, {"n": 2}])
    assert (
        stopped.error is not None and "RangeError at line 1 (item 1): two" in stopped.error.message
    )


def test_console_log_goes_to_the_node_log(js: NodeHarness) -> None:
    res = js.run(
        {"code": "console.log('count', $input.all().length, {k: 1});\nreturn []"}, [{"a": 1}]
    )
    assert res.error is None
    assert any('count 1 {"k":1}' in line for line in res.logs), res.logs


def test_binary_is_visible_and_kept(js: NodeHarness) -> None:
    item = Item(json={"k": 1}, binary={"file": Binary.from_bytes(b"hi", "text/plain", "a.txt")})
    res = js.run(
        {"mode": "each_item", "code": "return {name: $binary.file.file_name}"}, [item.to_dict()]
    )
    assert res.error is None, res.error
    assert res.json() == [{"name": "a.txt"}]
    assert res.outputs["main"][0].binary is not None


def test_node_red_messages_outputs_and_send(js: NodeHarness) -> None:
    code = (
        "node.send([null, {payload: 'early ' + msg.payload}]);\n"
        "return [[msg, {payload: msg.payload + '!'}], null];"
    )
    res = js.run(
        {"style": "node_red", "outputs": 2, "code": code}, [{"payload": "a", "topic": "t"}]
    )
    assert res.error is None, res.error
    assert res.json("output_0") == [{"payload": "a", "topic": "t"}, {"payload": "a!"}]
    assert res.json("output_1") == [{"payload": "early a"}]


def test_node_red_context_is_kept_between_runs(js: NodeHarness) -> None:
    stored: dict[str, Any] = {}
    code = (
        "const n = (context.get('count') || 0) + 1;\ncontext.set('count', n);\n"
        "msg.payload = n;\nreturn msg;"
    )
    first = js.run(
        {"style": "node_red", "code": code}, [{"payload": 0}, {"payload": 0}], static_data=stored
    )
    assert first.json() == [{"payload": 1}, {"payload": 2}]
    second = js.run({"style": "node_red", "code": code}, [{"payload": 0}], static_data=stored)
    assert second.json() == [{"payload": 3}]


def test_node_red_node_error_fails_the_item(js: NodeHarness) -> None:
    code = "if (msg.payload < 0) { node.error('negative', msg); return null; }\nreturn msg;"
    res = js.run(
        {"style": "node_red", "code": code}, [{"payload": 1}, {"payload": -1}], on_error="route"
    )
    assert res.json() == [{"payload": 1}]
    assert res.json("error")[0]["error"]["message"].endswith("negative")
    assert any("[error] negative" in line for line in res.logs)


def test_buffer_round_trips_like_node(js: NodeHarness) -> None:
    code = (
        "const tex = 'Grüße \\u{1F600} <b>';\n"
        "const b64 = Buffer.from(tex).toString('base64');\n"
        "const back = Buffer.from(b64, 'base64').toString('utf8');\n"
        "return [{b64, back, hex: Buffer.from('hi').toString('hex'),\n"
        "  len: Buffer.byteLength(tex), url: Buffer.from([251, 255]).toString('base64url'),\n"
        "  isBuf: Buffer.isBuffer(Buffer.alloc(2)), cat: Buffer.concat([Buffer.from('a'),"
        " Buffer.from('b')]).toString()}]"
    )
    res = js.run({"code": code}, [{}])
    assert res.error is None, res.error
    import base64

    tex = "Grüße \U0001f600 <b>"
    assert res.json() == [
        {
            "b64": base64.b64encode(tex.encode()).decode(),
            "back": tex,
            "hex": "6869",
            "len": len(tex.encode()),
            "url": "-_8",
            "isBuf": True,
            "cat": "ab",
        }
    ]


def test_buffer_in_node_red_style(js: NodeHarness) -> None:
    res = js.run(
        {
            "style": "node_red",
            "code": "msg.payload = Buffer.from(msg.payload, 'base64').toString();\nreturn msg;",
        },
        [{"payload": "aGVsbG8="}],
    )
    assert res.json() == [{"payload": "hello"}]


def test_workflow_static_data_is_shared_by_nodes_and_kept_between_runs() -> None:
    """n8n: 'global' static data is the workflow's (both Code nodes see one counter),
    'node' static data is each node's own; both are kept between runs."""
    from engine.executor import Executor, RunRequest
    from engine.graph import Workflow

    code = (
        "const g = $getWorkflowStaticData('global'), n = $getWorkflowStaticData('node');\n"
        "g.runs = (g.runs || 0) + 1; n.mine = (n.mine || 0) + 1;\n"
        "return [{runs: g.runs, mine: n.mine}];"
    )
    wf = Workflow.model_validate(
        {
            "name": "static",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {"name": "A", "type": "core.code_js", "parameters": {"code": code}},
                {"name": "B", "type": "core.code_js", "parameters": {"code": code}},
            ],
            "connections": [
                {"source": "Start", "target": "A"},
                {"source": "A", "target": "B"},
            ],
        }
    )
    static: dict[str, Any] = {}
    for run in (1, 2):
        result = Executor().run(RunRequest(workflow=wf, static_data=static))
        assert result.status == "succeeded", result.error
        a, b = (result.run_for(n).outputs["main"][0].json for n in ("A", "B"))
        assert a == {"runs": 2 * run - 1, "mine": run} and b == {"runs": 2 * run, "mine": run}


def test_node_red_link_call_says_what_to_use_instead(js: NodeHarness) -> None:
    res = js.run(
        {"style": "node_red", "code": "const m = await node.linkcall('sub', msg);\nreturn m;"},
        [{"payload": 1}],
    )
    assert res.error is not None and "Execute Workflow" in res.error.message


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256", "sha384", "sha512"])
def test_require_crypto_hashes_like_node(js: NodeHarness, algorithm: str) -> None:
    """createHash/createHmac over text, UTF-8 and longer than one block, as Node.js does."""
    import base64
    import hashlib
    import hmac

    text = "héllo wörld, " * 40
    code = (
        "const crypto = require('node:crypto');\n"
        f"const a = '{algorithm}';\n"
        "return {\n"
        "  hash: crypto.createHash(a).update(msg.payload).digest('hex'),\n"
        "  mac: crypto.createHmac(a, 'k'.repeat(150)).update(msg.payload).digest('base64'),\n"
        "};"
    )
    res = js.run({"style": "node_red", "code": code}, [{"payload": text}])
    assert res.error is None, res.error
    mac = hmac.new(b"k" * 150, text.encode(), algorithm).digest()
    assert res.json() == [
        {
            "hash": hashlib.new(algorithm, text.encode()).hexdigest(),
            "mac": base64.b64encode(mac).decode(),
        }
    ]


def test_random_uuids_are_version_4_and_differ_between_runs(js: NodeHarness) -> None:
    import re

    code = (
        "const {randomUUID, randomBytes} = require('crypto');\n"
        "return [{ids: [randomUUID(), randomUUID()], bytes: randomBytes(8).toString('hex')}];"
    )
    runs = [js.run({"code": code}, [{}]).json()[0] for _ in range(2)]
    ids = runs[0]["ids"] + runs[1]["ids"]
    v4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(v4.match(i) for i in ids) and len(set(ids)) == 4
    assert runs[0]["bytes"] != runs[1]["bytes"] and len(runs[0]["bytes"]) == 16
