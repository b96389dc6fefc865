"""Every helper function, and the methods of every kind of value."""

from __future__ import annotations

import re
import uuid

import pytest

from engine.errors import ExpressionError
from engine.expressions import DOCS, HELPERS
from engine.expressions._reference import reference
from tests.expressions.support import ev

HELPER_CASES: list[tuple[str, object]] = [
    # text
    ("upper('ab')", "AB"),
    ("lower('AB')", "ab"),
    ("title('ann smith')", "Ann Smith"),
    ("capitalize('hELLO')", "Hello"),
    ("strip('  a ')", "a"),
    ("trim(' a ')", "a"),
    ("strip('xxaxx', 'x')", "a"),
    ("lstrip('  a ')", "a "),
    ("rstrip('  a ')", "  a"),
    ("replace('a-b-c', '-', '+')", "a+b+c"),
    ("replace('a-b-c', '-', '+', 1)", "a+b-c"),
    ("split('a,b', ',')", ["a", "b"]),
    ("split('a b  c')", ["a", "b", "c"]),
    ("split('abc', '')", ["a", "b", "c"]),
    ("join(['a', 1, None], '-')", "a-1-"),
    ("slice('hello', 1, 3)", "el"),
    ("slice([1, 2, 3], -2)", [2, 3]),
    ("pad('7', 3, '0')", "007"),
    ("pad('7', 3, side='right')", "7  "),
    ("pad_start('5', 2, '0')", "05"),
    ("pad_end('5', 2, '0')", "50"),
    ("contains('hello', 'ell')", True),
    ("contains([1, 2], 3)", False),
    ("starts_with('hello', 'he')", True),
    ("ends_with('hello', 'lo')", True),
    ("index_of('hello', 'l')", 2),
    ("index_of([1, 2], 2)", 1),
    ("repeat('ab', 3)", "ababab"),
    ("truncate('abcdef', 4)", "abc…"),
    ("truncate('abc', 4)", "abc"),
    ("url_encode('a b&c')", "a%20b%26c"),
    ("url_decode('a%20b')", "a b"),
    ("regex_test('order-123', '\\\\d+')", True),
    ("regex_match('order-123', '(\\\\w+)-(\\\\d+)')", ["order-123", "order", "123"]),
    ("regex_match('abc', '\\\\d')", None),
    ("regex_find_all('a1b22c333', '\\\\d+')", ["1", "22", "333"]),
    ("regex_find_all('a=1,b=2', '(\\\\w)=(\\\\d)')", [["a=1", "a", "1"], ["b=2", "b", "2"]]),
    ("regex_replace('a1b2', '\\\\d', '#')", "a#b#"),
    ("regex_replace('John Smith', '(\\\\w+) (\\\\w+)', '\\\\2, \\\\1')", "Smith, John"),
    ("regex_split('a1b2c', '\\\\d')", ["a", "b", "c"]),
    ("regex_test('ABC', 'abc', 'i')", True),
    ("str(1.0)", "1"),
    ("str(None)", ""),
    ("str([1, 'a'])", '[1,"a"]'),
    ("string(True)", "true"),
    ("base64_encode('héllo')", "aMOpbGxv"),
    ("base64_decode('aMOpbGxv')", "héllo"),
    ("hash('abc', 'md5')", "900150983cd24fb0d6963f7d28e17f72"),
    ("hash('abc')[:8]", "ba7816bf"),
    # numbers
    ("round(2.5)", 3),
    ("round(-2.5)", -3),
    ("round(1.005, 2)", 1.01),
    ("round(1234, -2)", 1200),
    ("floor(2.7)", 2),
    ("ceil(2.1)", 3),
    ("abs(-3)", 3),
    ("min(3, 1, 2)", 1),
    ("max([3, 1, 2])", 3),
    ("min([None, 2, 1])", 1),
    ("max([])", None),
    ("min('b', 'a')", "a"),
    ("sum([1, 2, 3.5])", 6.5),
    ("avg([1, 2, 3])", 2),
    ("average([])", None),
    ("int('42')", 42),
    ("int(3.9)", 3),
    ("float('2.5')", 2.5),
    ("number(' 12 ')", 12),
    ("to_number('1e3')", 1000.0),
    ("len('abc')", 3),
    ("len([1, 2])", 2),
    ("len({'a': 1})", 1),
    ("format_number(1234567.891)", "1,234,567.89"),
    ("format_number(1234.5, 1, '.', ',')", "1.234,5"),
    ("to_fixed(1.005, 2)", "1.01"),
    ("bool('yes')", True),
    ("bool('off')", False),
    ("bool([])", False),
    ("bool(1)", True),
    # lists
    ("sorted([3, 1, 2])", [1, 2, 3]),
    ("sort([3, 1, 2], reverse=True)", [3, 2, 1]),
    (
        "sorted($json.people, 'age')",
        [{"name": "Al", "age": 25}, {"name": "Bo", "age": 30}, {"name": "Cy", "age": None}],
    ),
    ("reversed([1, 2])", [2, 1]),
    ("reverse('ab'.split(''))", ["b", "a"]),
    ("unique([1, 1, True, '1', [1], [1]])", [1, True, "1", [1]]),
    ("unique($json.people, 'name')[0].name", "Bo"),
    ("first([5, 6])", 5),
    ("last([5, 6])", 6),
    ("first([])", None),
    ("flatten([1, [2, [3]]])", [1, 2, [3]]),
    ("flatten([1, [2, [3]]], 2)", [1, 2, 3]),
    ("chunk([1, 2, 3], 2)", [[1, 2], [3]]),
    ("pluck($json.people, 'name')", ["Bo", "Al", "Cy"]),
    ("compact([1, None, 2])", [1, 2]),
    ("concat([1], [2], [3])", [1, 2, 3]),
    ("range(3)", [0, 1, 2]),
    ("range(1, 7, 2)", [1, 3, 5]),
    ("any([0, 1])", True),
    ("all([1, 0])", False),
    # objects
    ("keys({'a': 1, 'b': 2})", ["a", "b"]),
    ("values({'a': 1})", [1]),
    ("items({'a': 1})", [["a", 1]]),
    ("get($json, 'nested.deep.value')", 42),
    ("get($json, 'people.1.name')", "Al"),
    ("get($json, 'nope.x', 'd')", "d"),
    ("merge({'a': 1}, {'b': 2}, {'a': 3})", {"a": 3, "b": 2}),
    ("merge()", {}),
    ("pick({'a': 1, 'b': 2}, 'a')", {"a": 1}),
    ("omit({'a': 1, 'b': 2}, ['a'])", {"b": 2}),
    # json
    ("to_json({'a': [1, None]})", '{"a":[1,null]}'),
    ("to_json([1], 2)", "[\n  1\n]"),
    ("from_json('{\"a\": [1, 2]}')", {"a": [1, 2]}),
    ("parse_json('3')", 3),
    # dates
    ("date('2024-01-02T03:04:05Z').iso()", "2024-01-02T03:04:05+00:00"),
    ("date('2024-01-02').iso()", "2024-01-02T00:00:00+01:00"),
    ("date('02/01/2024', '%d/%m/%Y').month", 1),
    ("date(0).iso()", "1970-01-01T01:00:00+01:00"),
    ("now().iso()", "2024-03-10T13:30:15+01:00"),
    ("now('UTC').hour", 12),
    ("today().iso()", "2024-03-10T00:00:00+01:00"),
    ("today('Asia/Tokyo').day", 10),
    # types
    ("typeof(None)", "null"),
    ("typeof('a')", "string"),
    ("typeof(1.5)", "number"),
    ("typeof([])", "list"),
    ("typeof({})", "object"),
    ("typeof(True)", "boolean"),
    ("typeof($now)", "date"),
    ("is_empty('')", True),
    ("is_empty(0)", False),
    ("is_number(1)", True),
    ("is_number(True)", False),
    ("is_string('a')", True),
    ("is_text(1)", False),
    ("is_list([])", True),
    ("is_object({})", True),
    ("is_bool(False)", True),
    ("is_null(None)", True),
    ("is_date($now)", True),
]


@pytest.mark.parametrize(("expr", "expected"), HELPER_CASES)
def test_helper(expr: str, expected: object) -> None:
    assert ev("{{ " + expr + " }}") == expected


def test_every_helper_is_tested_and_described() -> None:
    called = {
        m.group(1) for expr, _ in HELPER_CASES for m in re.finditer(r"\b([a-z_0-9]+)\(", expr)
    }
    untested = set(HELPERS) - called - {"uuid", "uuid4", "random"}
    assert not untested, f"helpers without a test case: {sorted(untested)}"
    for h in HELPERS.values():
        assert h.description, h.name
        assert h.signature.startswith(h.name + "(")


def test_uuid() -> None:
    assert uuid.UUID(ev("{{ uuid() }}")).version == 4
    assert ev("{{ uuid4() }}") != ev("{{ uuid4() }}")


def test_random_is_a_fraction_that_changes() -> None:
    values = {ev("{{ random() }}") for _ in range(20)}
    assert len(values) > 1 and all(isinstance(v, float) and 0 <= v < 1 for v in values)
    assert ev("{{ floor(random() * 60) }}") in range(60)


def test_reference_lists_helpers_and_methods() -> None:
    ref = reference()
    assert "`regex_replace(text, pattern, replacement, count=0, flags='')`" in ref
    assert "toUpperCase" in ref and "start_of" in ref
    assert all(d.description for d in DOCS)


METHOD_CASES: list[tuple[str, object]] = [
    ("'Ab'.upper()", "AB"),
    ("'Ab'.lower()", "ab"),
    ("'ab'.swapcase()", "AB"),
    ("'  a'.lstrip()", "a"),
    ("'a  '.trimEnd()", "a"),
    ("'a-a'.replaceAll('a', 'b')", "b-b"),
    ("'abc'.count('b')", 1),
    ("'abc'.charAt(1)", "b"),
    ("'abc'.at(-1)", "c"),
    ("'abc'.char_at(5)", None),
    ("'abca'.lastIndexOf('a')", 3),
    ("'ab'.repeat(2)", "abab"),
    ("'12'.toNumber() + 1", 13),
    ("'3.7'.toInt()", 3),
    ("'2'.toFloat()", 2.0),
    ("'12a'.is_numeric()", False),
    ("''.isEmpty()", True),
    ("'a'.isNotEmpty()", True),
    ("'2024-05-01'.toDate().month", 5),
    ("'a b'.url_encode()", "a%20b"),
    ("'x1y2'.regex_replace('\\\\d', '')", "xy"),
    ("'ab'.to_json()", '"ab"'),
    ("'abc'.substring(2, 0)", "ab"),
    ("'abc'.slice(-2)", "bc"),
    ("'Ann'.index_of('n')", 1),
    ("'a,b'.split(',', 0)", ["a,b"]),
    ("'hello'.title()", "Hello"),
    ("(2.5).round()", 3),
    ("(2.567).round(1)", 2.6),
    ("(2.5).floor()", 2),
    ("(2.1).ceil()", 3),
    ("(-2).abs()", 2),
    ("(4).is_even()", True),
    ("(3).isOdd()", True),
    ("(3.0).is_integer()", True),
    ("(3).toString()", "3"),
    ("(1.5).to_int()", 1),
    ("True.toString()", "true"),
    ("None.toString()", ""),
    ("None.is_empty()", True),
    ("[1, 2, 3].sum()", 6),
    ("[1, 2].avg()", 1.5),
    ("[2, 1].min()", 1),
    ("[2, 1].max()", 2),
    ("[1, 2].includes(2)", True),
    ("[1, 2].contains(3)", False),
    ("[3, 1].sort()", [1, 3]),
    ("[1, 2].reverse()", [2, 1]),
    ("[1, [2]].flatten()", [1, 2]),
    ("[1, 1].unique()", [1]),
    ("[1, None].compact()", [1]),
    ("[1, 2, 3].chunk(2)", [[1, 2], [3]]),
    ("[{'a': 1}].pluck('a')", [1]),
    ("[1].concat([2])", [1, 2]),
    ("[1, 2, 1].count(1)", 2),
    ("[1, 2].first()", 1),
    ("[1, 2].last()", 2),
    ("[1, 2].indexOf(2)", 1),
    ("[1, 2].join()", "1,2"),
    ("[].isEmpty()", True),
    ("[1].toString()", "[1]"),
    ("{'a': 1}.items()", [["a", 1]]),
    ("{'a': 1}.entries()", [["a", 1]]),
    ("{'a': {'b': 2}}.get('a.b')", 2),
    ("{'a': 1}.get('x', 0)", 0),
    ("{'a': 1}.has('a')", True),
    ("{'a': 1}.merge({'b': 2})", {"a": 1, "b": 2}),
    ("{'a': 1, 'b': 2}.pick('b')", {"b": 2}),
    ("{'a': 1, 'b': 2}.omit('b')", {"a": 1}),
    ("{}.isEmpty()", True),
    ("{'a': 1}.toJSON()", '{"a":1}'),
]


@pytest.mark.parametrize(("expr", "expected"), METHOD_CASES)
def test_method(expr: str, expected: object) -> None:
    assert ev("{{ " + expr + " }}") == expected


def test_methods_never_mutate_the_data() -> None:
    ctx_tags = ev("{{ [$json.tags.sort(), $json.tags.reverse(), $json.tags] }}")
    assert ctx_tags == [["a", "b", "c"], ["c", "a", "b"], ["b", "a", "c"]]


@pytest.mark.parametrize(
    "expr",
    [
        "upper(1)",
        "sum(['a'])",
        "sum(5)",
        "len(5)",
        "round('x')",
        "floor(None)",
        "int('abc')",
        "number([])",
        "from_json('{bad')",
        "base64_decode(5)",
        "hash('a', 'crc')",
        "range(0, 10, 0)",
        "chunk([1], 0)",
        "sorted([1, 'a'])",
        "sorted([{'a': 1}, {'a': 2}])",
        "merge(1)",
        "date('not a date')",
        "date([])",
        "now('Mars/Olympus')",
        "now('../etc')",
        "pad('a', 3, side='middle')",
        "get({}, 5)",
        "join([1], 5)",
        "to_json(1, 99)",
        "regex_test('a', '(')",
        "regex_test('a', 'a', 'q')",
        "[1].concat(2)",
        "{}.merge(1)",
    ],
)
def test_helper_errors_are_friendly(expr: str) -> None:
    with pytest.raises(ExpressionError):
        ev("{{ " + expr + " }}")
