"""The parameter form: descriptors from specs, edits by path, inline validation, previews,
item views and version diffs."""

from __future__ import annotations

from studio.logic import diff, form, form_rules, items, preview


def test_every_catalog_node_gets_a_form() -> None:
    from engine.sdk import get_catalog

    kinds = set()
    for spec in get_catalog().latest():
        for f in form.describe(spec.type, spec.version):
            kinds.add(f["kind"])
            assert f["label"] and f["key"]
    assert {
        "text",
        "number",
        "boolean",
        "options",
        "json",
        "code",
        "collection",
        "key_value",
    } <= kinds


def test_nested_collections_are_described() -> None:
    rules = next(f for f in form.describe("core.switch") if f["key"] == "rules")
    conditions = next(f for f in rules["fields"] if f["key"] == "conditions")
    assert conditions["kind"] == "collection"
    assert [f["key"] for f in conditions["fields"]] == ["left", "type", "operation", "right"]
    code = next(f for f in form.describe("core.code") if f["key"] == "code")
    assert code["kind"] == "code" and code["language"] == "python" and not code["expression"]


def test_paths_set_and_remove() -> None:
    d: dict = {}
    form.set_path(d, "rules.0.conditions.1.left", "x")
    assert d == {"rules": [{"conditions": [{}, {"left": "x"}]}]}
    form.remove_path(d, "rules.0.conditions.0")
    assert d["rules"][0]["conditions"] == [{"left": "x"}]
    d["a"] = [1, 2, 3]
    form.move_item(d, "a.0", 1)
    assert d["a"] == [2, 1, 3]


def test_coerce_keeps_expressions_and_parses_numbers() -> None:
    assert form.coerce("number", "12") == 12
    assert form.coerce("number", "1.5") == 1.5
    assert form.coerce("number", "{{ $json.n }}") == "{{ $json.n }}"
    assert form.coerce("any", "100") == 100 and form.coerce("any", "abc") == "abc"
    assert form.coerce("json", '{"a": 1}') == {"a": 1}
    assert form.coerce("list", "a\nb, c") == ["a", "b", "c"]


def test_inline_validation_by_path() -> None:
    errs = form_rules.validation_errors("core.http_request", None, {})
    assert errs == {"url": "Required: enter a value."}
    errs = form_rules.validation_errors("core.if", None, {"conditions": [{"type": "nope"}]})
    assert "conditions.0.type" in errs
    # expressions are checked at run time, not here
    assert form_rules.validation_errors("core.http_request", None, {"url": "{{ $json.u }}"}) == {}


def test_default_item_of_a_collection() -> None:
    f = next(f for f in form.describe("core.set") if f["key"] == "assignments")
    assert form.default_item(f["fields"]) == {"name": "", "value": "", "type": "auto"}


def test_expression_preview_uses_last_run_data() -> None:
    wf = {
        "name": "w",
        "nodes": [],
        "settings": {},
        "connections": [{"source": "A", "output": "main", "target": "B", "input": "main"}],
    }
    data = {"A": {"status": "succeeded", "outputs": {"main": [{"json": {"price": 21}}]}}}
    out = preview.preview_all(
        wf,
        "B",
        {"x": "{{ $json.price * 2 }}", "y": "plain", "z": ["{{ $json.nope.deeper }}"]},
        data,
    )
    assert out["x"] == {"ok": True, "text": "42"}
    assert "y" not in out
    assert out["z.0"]["ok"] is False and out["z.0"]["text"]


def test_item_views() -> None:
    data = [{"json": {"a": 1, "b": {"c": "x"}}}, {"json": {"a": 2, "d": [1]}}]
    cols, rows = items.table(data)
    assert cols == ["a", "b", "d"] and rows[0] == ["1", '{"c": "x"}', ""]
    paths = {f["path"]: f for f in items.schema(data)}
    assert paths["b.c"]["expression"] == "{{ $json.b.c }}" and paths["a"]["type"] == "number"
    assert '"a": 1' in items.as_json(data)


def test_diff_in_words() -> None:
    old = {
        "name": "w",
        "nodes": [
            {
                "id": "1",
                "name": "A",
                "type": "core.noop",
                "parameters": {"x": 1},
                "position": [0, 0],
            }
        ],
        "connections": [],
    }
    new = {
        "name": "w2",
        "nodes": [
            {
                "id": "1",
                "name": "A2",
                "type": "core.noop",
                "parameters": {"x": 2},
                "position": [0, 0],
            },
            {"id": "2", "name": "B", "type": "core.set", "parameters": {}, "position": [1, 1]},
        ],
        "connections": [{"source": "A2", "target": "B"}],
    }
    changes = diff.diff(old, new)
    kinds = {(c["kind"], c["what"]) for c in changes}
    assert ("changed", "Name") in kinds and ("added", "Node 'B'") in kinds
    node = next(c for c in changes if c["what"] == "Node 'A2'")
    assert "renamed from 'A'" in node["detail"] and "parameters.x: 1 → 2" in node["detail"]
    assert ("added", "Connection") in kinds
