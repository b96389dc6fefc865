"""The Code node through the real executor path (``NodeHarness``), sandbox included."""

from __future__ import annotations

from typing import Any

import pytest

import engine.sandbox
from engine.sdk import Binary, Item
from engine.sdk.testing import NodeHarness


@pytest.fixture(scope="module")
def code() -> NodeHarness:
    return NodeHarness("core.code")


def test_default_code_marks_every_item(code: NodeHarness) -> None:
    res = code.run({}, [{"a": 1}, {"a": 2}])
    assert res.error is None, res.error
    assert res.json() == [{"a": 1, "seen": True}, {"a": 2, "seen": True}]


def test_all_items_sees_the_list_and_keeps_lineage(code: NodeHarness) -> None:
    res = code.run({"code": "return [{'n': len(items), 'i': i} for i in range(len(items))]"},
                   [{"x": 1}, {"x": 2}, {"x": 3}])
    assert res.json() == [{"n": 3, "i": 0}, {"n": 3, "i": 1}, {"n": 3, "i": 2}]
    assert [i.paired_item[0].item for i in res.outputs["main"]] == [0, 1, 2]


def test_all_items_accepts_item_form_with_binary(code: NodeHarness) -> None:
    src = "return [{'json': {'name': items[0]['binary']['file']['file_name']}, " \
          "'binary': items[0]['binary']}]"
    item = Item(json={"k": 1}, binary={"file": Binary.from_bytes(b"hi", "text/plain", "a.txt")})
    res = code.run({"code": src}, [item.to_dict()])
    assert res.error is None, res.error
    out = res.outputs["main"][0]
    assert out.json == {"name": "a.txt"}
    assert out.binary is not None and out.binary["file"].content() == b"hi"


@pytest.mark.parametrize(("src", "expected"), [
    ("return {'single': True}", [{"single": True}]),
    ("return None", []),
    ("return []", []),
])
def test_all_items_single_object_or_nothing(code: NodeHarness, src: str,
                                            expected: list[Any]) -> None:
    assert code.run({"code": src}, [{"a": 1}, {"a": 2}]).json() == expected


def test_all_items_wrong_return_type_is_explained(code: NodeHarness) -> None:
    res = code.run({"code": "return [1, 2]"}, [{"a": 1}])
    assert res.error is not None
    assert "return an object" in res.error.message


def test_each_item_json_is_the_item_data(code: NodeHarness) -> None:
    res = code.run({"mode": "each_item", "code": "json['double'] = json['n'] * 2\nreturn item"},
                   [{"n": 1}, {"n": 5}])
    assert res.json() == [{"n": 1, "double": 2}, {"n": 5, "double": 10}]


def test_each_item_can_split_and_drop(code: NodeHarness) -> None:
    res = code.run({"mode": "each_item",
                    "code": "return [{'tag': t} for t in json['tags']] or None"},
                   [{"tags": ["a", "b"]}, {"tags": []}, {"tags": ["c"]}])
    assert res.json() == [{"tag": "a"}, {"tag": "b"}, {"tag": "c"}]
    assert [i.paired_item[0].item for i in res.outputs["main"]] == [0, 0, 2]


def test_each_item_plain_object_keeps_binary(code: NodeHarness) -> None:
    item = Item(json={"k": 1}, binary={"f": Binary.from_bytes(b"x")})
    res = code.run({"mode": "each_item", "code": "return {'k2': json['k'] + 1}"},
                   [item.to_dict()])
    out = res.outputs["main"][0]
    assert out.json == {"k2": 2} and out.binary is not None


def test_each_item_uses_a_single_sandbox_call(code: NodeHarness,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = engine.sandbox.run_code_each

    def counting(src: str, inputs_list: list[Any], *a: Any, **kw: Any) -> Any:
        calls.append(len(inputs_list))
        return real(src, inputs_list, *a, **kw)

    monkeypatch.setattr(engine.sandbox, "run_code_each", counting)
    res = code.run({"mode": "each_item", "code": "return {'v': json['v'] + 1}"},
                   [{"v": i} for i in range(50)])
    assert res.json() == [{"v": i + 1} for i in range(50)]
    assert calls == [50]


@pytest.mark.parametrize("policy", ["stop", "continue", "route"])
def test_each_item_errors_follow_the_error_policy(code: NodeHarness, policy: str) -> None:
    res = code.run({"mode": "each_item", "code": "return {'r': 10 / json['d']}"},
                   [{"d": 2}, {"d": 0}, {"d": 5}], on_error=policy)
    if policy == "stop":
        assert res.error is not None
        assert res.error.error_type == "ZeroDivisionError"
        assert "line 1 (item 1)" in res.error.message
        return
    assert res.error is None
    failed = {"d": 0, "error": {"message": "ZeroDivisionError at line 1 (item 1): division by "
                                "zero", "type": "ZeroDivisionError", "item_index": 1}}
    if policy == "continue":
        assert res.json() == [{"r": 5.0}, failed, {"r": 2.0}]
    else:
        assert res.json() == [{"r": 5.0}, {"r": 2.0}]
        assert res.json("error") == [failed]


def test_prints_go_to_the_node_log(code: NodeHarness) -> None:
    res = code.run({"code": "print('processing', len(items), 'items')\nreturn items"},
                   [{"a": 1}])
    assert "info: processing 1 items" in res.logs


def test_prints_before_a_failure_are_logged(code: NodeHarness) -> None:
    res = code.run({"code": "print('about to fail')\nreturn 1 / 0"}, [{"a": 1}])
    assert res.error is not None and res.error.error_type == "ZeroDivisionError"
    assert "info: about to fail" in res.logs


def test_refused_code_is_a_sandbox_violation(code: NodeHarness) -> None:
    res = code.run({"code": "return [{'c': ().__class__}]"}, [{"a": 1}])
    assert res.error is not None
    assert res.error.code == "sandbox_violation"
    assert "line 1" in res.error.message and "__class__" in res.error.message


def test_time_limit_stops_the_code(code: NodeHarness) -> None:
    res = code.run({"code": "while True:\n    pass", "timeout_s": 0.3}, [{"a": 1}])
    assert res.error is not None and res.error.code == "sandbox_timeout"


def test_code_is_not_evaluated_as_an_expression(code: NodeHarness) -> None:
    res = code.run({"code": "return [{'t': '{{ 1 + 1 }}'}]"}, [{"a": 1}])
    assert res.json() == [{"t": "{{ 1 + 1 }}"}]
