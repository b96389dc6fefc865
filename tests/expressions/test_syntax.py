"""Operators, literals, comprehensions and the JavaScript habits users bring from n8n."""

from __future__ import annotations

import re

import pytest

from engine.errors import ExpressionError
from tests.expressions.support import ev


@pytest.mark.parametrize(("template", "expected"), [
    # arithmetic and text
    ("{{ 1 + 2 * 3 }}", 7), ("{{ 7 // 2 }}", 3), ("{{ 7 % 4 }}", 3), ("{{ 2 ** 10 }}", 1024),
    ("{{ 7 / 2 }}", 3.5), ("{{ -$json.qty }}", -3), ("{{ +$json.qty }}", 3), ("{{ ~5 }}", -6),
    ("{{ 6 & 3 }}", 2), ("{{ 6 | 3 }}", 7), ("{{ 6 ^ 3 }}", 5), ("{{ 1 << 4 }}", 16),
    ("{{ 256 >> 4 }}", 16), ("{{ 'a' + 'b' }}", "ab"), ("{{ 'ab' * 2 }}", "abab"),
    ("{{ 2 * [0] }}", [0, 0]), ("{{ [1] + [2] }}", [1, 2]), ("{{ 'n' + 1 }}", "n1"),
    ("{{ 1.5 + 'x' }}", "1.5x"), ("{{ {'a': 1} | {'b': 2} }}", {"a": 1, "b": 2}),
    # comparisons and logic
    ("{{ 1 < 2 <= 2 }}", True), ("{{ 'a' < 'b' }}", True), ("{{ 3 == 3.0 }}", True),
    ("{{ 'a' in $json.tags }}", True), ("{{ 'z' not in $json.tags }}", True),
    ("{{ 'nn' in $json.name }}", True), ("{{ 'price' in $json }}", True),
    ("{{ $json.none is None }}", True), ("{{ $json.qty is not null }}", True),
    ("{{ 0 or 'x' }}", "x"), ("{{ 1 and 0 }}", 0), ("{{ not $json.empty }}", True),
    ("{{ 'y' if $json.flag else 'n' }}", "y"),
    # literals
    ("{{ [1, 'a', None, True] }}", [1, "a", None, True]), ("{{ (1, 2) }}", [1, 2]),
    ("{{ {'k': [1, {'x': null}]} }}", {"k": [1, {"x": None}]}),
    ("{{ {**$json.nested, 'more': 1} }}", {"deep": {"value": 42}, "more": 1}),
    ("{{ undefined }}", None), ("{{ true && false }}", False), ("{{ 0x10 + 1_000 }}", 1016),
    ("{{ '''triple''' }}", "triple"), ("{{ r'\\d' }}", "\\d"),
    # comprehensions
    ("{{ [t.upper() for t in $json.tags] }}", ["B", "A", "C"]),
    ("{{ [p.name for p in $json.people if p.age and p.age > 26] }}", ["Bo"]),
    ("{{ {p.name: p.age for p in $json.people} }}", {"Bo": 30, "Al": 25, "Cy": None}),
    ("{{ [k for k in $json.nested] }}", ["deep"]),
    ("{{ [c for c in 'abc'] }}", ["a", "b", "c"]),
    ("{{ [x * y for x in [1, 2] for y in [10, 100]] }}", [10, 100, 20, 200]),
    ("{{ [[y for y in range(x)] for x in range(3)] }}", [[], [0], [0, 1]]),
    ("{{ sum(x for x in [1, 2, 3]) }}", 6),
    ("{{ [k + '=' + str(v) for k, v in {'a': 1}.items()] }}", ["a=1"]),
    ("{{ [x for x in [1, 2] if x > 1 if x < 3] }}", [2]),
])
def test_python_syntax(template: str, expected: object) -> None:
    assert ev(template) == expected


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ $json.flag && $json.qty > 2 }}", True),
    ("{{ $json.none || 'fallback' }}", "fallback"),
    ("{{ !$json.flag }}", False),
    ("{{ !!$json.name }}", True),
    ("{{ !$json.tags.includes('a') }}", False),
    ("{{ !($json.qty > 5) && true }}", True),
    ("{{ $json.qty === 3 }}", True),
    ("{{ $json.qty !== 3 }}", False),
    ("{{ $json.qty != 4 }}", True),
    ("{{ $json.qty > 2 ? 'many' : 'few' }}", "many"),
    ("{{ $json.qty > 5 ? 'a' : $json.qty > 2 ? 'b' : 'c' }}", "b"),
    ("{{ $json.flag ? $json.qty > 5 ? 1 : 2 : 3 }}", 2),
    ("{{ [$json.flag ? 'y' : 'n', 2] }}", ["y", 2]),
    ("{{ {'k': $json.flag ? 1 : 0} }}", {"k": 1}),
    ("{{ upper($json.flag ? 'a' : 'b') }}", "A"),
    ("{{ [x > 1 ? x : 0 for x in [1, 2]] }}", [0, 2]),
    ("{{ $json.tags[$json.flag ? 0 : 1] }}", "b"),
    ("{{ $json.none ?? 'default' }}", "default"),
    ("{{ $json.empty ?? 'default' }}", ""),
    ("{{ $json.none ?? $json.missing ?? 3 }}", 3),
    ("{{ $json.none?.x }}", None),
    ("{{ $json.none?.upper() }}", None),
    ("{{ $json.nested?.deep?.value }}", 42),
    ("{{ $json.name.length }}", 12),
    ("{{ $json.tags.length }}", 3),
    ("{{ $json.name.trim().toUpperCase() }}", "ANN SMITH"),
    ("{{ $json.name.toLowerCase().includes('ann') }}", True),
    ("{{ $json.email.startsWith('ann') && $json.email.endsWith('.com') }}", True),
    ("{{ $json.email.split('@')[1] }}", "example.com"),
    ("{{ $json.tags.join(', ') }}", "b, a, c"),
    ("{{ $json.qty.toString() + '!' }}", "3!"),
    ("{{ $json.nested.keys() }}", ["deep"]),
    ("{{ $json.nested.values() }}", [{"value": 42}]),
    ("{{ $json.email.indexOf('@') }}", 3),
    ("{{ $json.email.substring(0, 3) }}", "ann"),
    ("{{ $json.tags.slice(0, 2) }}", ["b", "a"]),
    ("{{ 'x'.padStart(3, '0') }}", "00x"),
    ("{{ 2.345.toFixed(2) }}", "2.35"),
])
def test_javascript_habits(template: str, expected: object) -> None:
    assert ev(template) == expected


def test_strings_that_look_like_javascript_are_left_alone() -> None:
    assert ev("{{ 'a && b || !c ? d : e ?? f' }}") == "a && b || !c ? d : e ?? f"
    assert ev("{{ '$json' }}") == "$json"


@pytest.mark.parametrize(("template", "message"), [
    ("{{ $json.tags.map(x => x) }}", "Arrow functions"),
    ("{{ `template ${x}` }}", "template literals"),
    ("{{ f'{1}' }}", "f-strings"),
    ("{{ b'x' }}", "Bytes"),
    ("{{ 1 ? 2 }}", "matching ':'"),
    ("{{ 1 ?? }}", "'??'"),
    ("{{ ! }}", "'!'"),
    ("{{ (1 }}", "no matching"),
    ("{{ 1) }}", "Unbalanced"),
    ("{{ 1 + }}", "syntax"),
    ("{{ $json.a?.[0] }}", "'?.'"),
    ("{{ 'x' % 3 }}", "Cannot use '%'"),
    ("{{ 'x' - 1 }}", "Cannot use '-'"),
    ("{{ None + 1 }}", "Cannot use '+' on null"),
    ("{{ 'a' < 1 }}", "Cannot compare"),
    ("{{ 1 in 5 }}", "'in' needs"),
    ("{{ {1: 2} }}", "keys must be text"),
    ("{{ $json.tags['a'] }}", "whole number"),
    ("{{ $json.tags[::0] }}", "zero"),
    ("{{ $json.qty.nope }}", "Cannot read field 'nope' of a number"),
    ("{{ $json.name.nope() }}", "Text has no method 'nope'"),
    ("{{ $json.name.upper }}", "is a method"),
    ("{{ len }}", "is a function"),
    ("{{ json.price }}", "Did you mean $json"),
    ("{{ [x for (x).y in [1]] }}", "loop variable"),
    ("{{ [a for a, b in [[1]]] }}", "Cannot unpack"),
    ("{{ [x for x in 5] }}", "Cannot loop over a number"),
    ("{{ upper(1, 2, 3) }}", "Wrong arguments"),
    ("{{ $json.name.split(1) }}", "must be text"),
    ("{{ $json.name.split('a', 'b', 'c') }}", "Wrong arguments"),
    ("{{ {1, 2} }}", "Sets"),
    ("{{ 1 @ 2 }}", "'@'"),
])
def test_friendly_errors(template: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        ev(template)
