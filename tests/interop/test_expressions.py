"""n8n expressions → AURA expressions: each family translates to something AURA evaluates
to the value n8n would give, and what cannot be translated is kept with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.expressions import ExpressionContext, evaluate
from engine.interop.expressions import translate_value

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def run(n8n: str, json: dict[str, Any] | None = None) -> Any:
    notes: list[Any] = []
    out = translate_value(n8n, "p", notes)
    assert notes and notes[0].ok, notes[0].note if notes else "no expression found"
    return evaluate(out, ExpressionContext(json=json or {}, now=NOW))


@pytest.mark.parametrize(
    ("n8n", "data", "expected"),
    [
        ("={{ $json.name }}", {"name": "Ada"}, "Ada"),
        ("=Hello {{ $json.name.toUpperCase() }}!", {"name": "ada"}, "Hello ADA!"),
        ("={{ $json.a && $json.b || 'none' }}", {"a": 1, "b": 0}, "none"),
        ("={{ $json.n === 3 ? 'three' : 'other' }}", {"n": 3}, "three"),
        (
            "={{ $json.items.map(i => i.price * 2) }}",
            {"items": [{"price": 1}, {"price": 5}]},
            [2, 10],
        ),
        (
            "={{ $json.items.filter(i => i.ok).length }}",
            {"items": [{"ok": True}, {"ok": False}]},
            1,
        ),
        (
            "={{ $json.items.find(i => i.id === 2).name }}",
            {"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]},
            "b",
        ),
        (
            "={{ `Dear ${$json.name}, you owe ${$json.total}` }}",
            {"name": "Bo", "total": 3},
            "Dear Bo, you owe 3",
        ),
        ("={{ JSON.stringify($json.data) }}", {"data": {"a": 1}}, '{"a":1}'),
        ("={{ JSON.parse($json.text).x }}", {"text": '{"x": 7}'}, 7),
        ("={{ Object.keys($json) }}", {"a": 1, "b": 2}, ["a", "b"]),
        ("={{ Math.round($json.v * 10) / 10 }}", {"v": 1.26}, 1.3),
        ("={{ parseInt($json.s) + 1 }}", {"s": "41"}, 42),
        ("={{ $json.s.replace(/a/g, 'o') }}", {"s": "banana"}, "bonono"),
        ("={{ $json.s.replace('a', 'o') }}", {"s": "banana"}, "bonana"),
        ("={{ /^\\d+$/.test($json.s) }}", {"s": "123"}, True),
        ("={{ $json.text.split(/\\s+/).length }}", {"text": "a  b c"}, 3),
        ("={{ $now.toFormat('yyyy-MM-dd') }}", {}, "2024-05-01"),
        # an agent's tool reads the model's arguments in its item, as $json.<key>
        ("={{ $fromAI('email', 'who to write to', 'string') }}", {"email": "a@b.c"}, "a@b.c"),
        ("={{ $fromAI('n', '', 'number', 5) }}", {}, 5),
        ("={{ Math.floor(Math.random() * 0) }}", {}, 0),
        # the common folds
        ("={{ $json.n.reduce((a, b) => a + b, 0) }}", {"n": [1, 2, 3]}, 6),
        ("={{ $json.n.reduce((acc, x) => acc && x, true) }}", {"n": [1, 0]}, False),
        ("={{ $json.n.reduce((acc, x) => acc || x, false) }}", {"n": [0, 2]}, True),
        (
            "={{ $json.o.reduce((acc, x) => ({...acc, ...x}), {}) }}",
            {"o": [{"a": 1}, {"a": 2, "b": 3}]},
            {"a": 2, "b": 3},
        ),
        ("={{ $json.l.reduce((a, b) => a.concat(b), []) }}", {"l": [[1], [2, 3]]}, [1, 2, 3]),
        ("={{ $now.minus({days: 1}).toISODate() }}", {}, "2024-04-30"),
        ("={{ DateTime.now().toFormat('dd/MM/yyyy HH:mm') }}", {}, "01/05/2024 09:30"),
        ("={{ new Date().toISOString() }}", {}, "2024-05-01T09:30:00+00:00"),
        ("={{ $json.user?.name ?? 'anon' }}", {"user": None}, "anon"),
        ("={{ { ok: true, id: $json.id } }}", {"id": 5}, {"ok": True, "id": 5}),
        ("={{ [...$json.a, 3] }}", {"a": [1, 2]}, [1, 2, 3]),
        ("={{ encodeURIComponent($json.q) }}", {"q": "a b"}, "a%20b"),
        ("=plain {{ 1 + 1 }} text", {}, "plain 2 text"),
        (
            "={{ (() => { const t = $json.s.trim(); return t.toUpperCase() + t; })() }}",
            {"s": " ab "},
            "ABab",
        ),
        (
            "={{ $json.rows.map(r => { const n = r.a * 2; return n + 1; }) }}",
            {"rows": [{"a": 1}, {"a": 2}]},
            [3, 5],
        ),
        ("={{ Math.max(...$json.v.map(x => x.n)) }}", {"v": [{"n": 3}, {"n": 9}]}, 9),
        ("={{ $json.s.hash('sha256').slice(0, 8) }}", {"s": "a"}, "ca978112"),
        (
            "={{ $json.from.match(/[^<]+/)[0].trim().replaceAll(/\"/g, '') }}",
            {"from": '"Ada" <ada@x.test>'},
            "Ada",
        ),
    ],
)
def test_translated_expressions_evaluate_like_n8n(
    n8n: str, data: dict[str, Any], expected: Any
) -> None:
    assert run(n8n, data) == expected


def test_other_nodes_and_input_references_keep_their_meaning() -> None:
    for text, want in [
        ("={{ $('Fetch').item.json.id }}", '$("Fetch").item.json.id'),
        ('={{ $node["Fetch"].json.id }}', '$node["Fetch"].json.id'),
        ("={{ $input.first().json.id }}", "$input.first().json.id"),
        ("={{ $items('Fetch').length }}", '$node("Fetch").all().length'),
    ]:
        notes: list[Any] = []
        out = translate_value(text, "p", notes)
        assert notes[0].ok and out == "{{ " + want + " }}"


@pytest.mark.parametrize(
    ("n8n", "reason"),
    [
        ("={{ $fromAI('my email') }}", "needs a key of letters"),
        ("={{ (() => { const a = $json.a; if (!a) return 0; return a; })() }}", "statement bodies"),
        ("={{ $json.items.reduce((a, b) => a * b, 1) }}", "reduce"),
        ("={{ Math.random().toString(36) }}", "toString() with a radix"),
    ],
)
def test_untranslatable_expressions_are_kept_verbatim_with_the_reason(
    n8n: str, reason: str
) -> None:
    notes: list[Any] = []
    out = translate_value(n8n, "p", notes)
    assert out == n8n[1:], "the original text stays on the node"
    assert not notes[0].ok and reason in notes[0].note


def test_literal_text_with_braces_is_not_evaluated_by_aura() -> None:
    notes: list[Any] = []
    out = translate_value("Use {{name}} here", "p", notes)
    assert notes == []
    assert evaluate(out, ExpressionContext(json={})) == "Use {{name}} here"
