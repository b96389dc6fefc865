"""Red-team corpus: nothing an expression writes may reach Python objects or run forever.

Every attempt must raise ExpressionError (or a subclass) quickly, and no value that
leaves an expression may be anything but plain JSON.
"""

from __future__ import annotations

import json
import time

import pytest

from engine.errors import ExpressionError
from engine.expressions import Limits, compile_template
from tests.expressions.support import ev, make_ctx

ATTEMPTS: list[str] = [
    # attribute walks to Python internals
    "().__class__.__bases__",
    "$json.__class__",
    "$json.__class__.__mro__[1].__subclasses__()",
    "[].__class__",
    "''.__class__.__base__",
    "$json.tags.__len__()",
    "'a'.__add__('b')",
    "$json.get.__globals__",
    "$now._dt",
    "$now['_dt']",
    "$input._ctx.run_data",
    '$node("Fetch")._ctx',
    '$node("Fetch")["_ctx"]',
    "$json.tags.sort.__self__",
    "$json._K___class__",
    "$json._Q___class__",
    "().\uff3f\uff3fclass\uff3f\uff3f",           # fullwidth '_' (NFKC-folds to '_')
    "$__builtins__",
    "_DOLLAR___import__('os')",
    # builtins and imports
    "getattr($json, '__class__')",
    "__import__('os').system('id')",
    "eval('1')",
    "exec('1')",
    "open('/etc/passwd').read()",
    "compile('1', 'x', 'eval')",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "type(1)",
    "breakpoint()",
    "help()",
    "print(1)",
    "object()",
    "__builtins__",
    # functions, generators, assignment, unpacking
    "lambda: 1",
    "(lambda: 1)()",
    "(x for x in [1]).gi_frame.f_back.f_globals",
    "[x for x in [1]].__class__",
    "(x := 1)",
    "[*$json.tags]",
    "upper(**{'value': 'a'})",
    "upper(*['a'])",
    "$json.name.upper(_f=1)",
    "{1, 2}",
    # format-string tricks
    "'{0.__class__}'.format($json)",
    "'{0.__class__}'.format_map({})",
    "'%s' % 'x'",
    "f'{().__class__}'",
    "$now.format('%s' * 500)",
    "$json.name.__mod__('x')",
    # resource exhaustion: numbers
    "2 ** 100000",
    "10 ** 10 ** 10",
    "(2 ** 9999) * (2 ** 9999)",
    "1 << 100000",
    "9 ** 9 ** 9",
    "2.0 ** 100000",
    # resource exhaustion: strings and lists
    "'a' * 10 ** 9",
    "[0] * 10 ** 9",
    "'a' * 999999 + 'b' * 999999",
    "str(['a' * 999999] * 999999)",
    "['a' * 999999] * 999999",
    "('x' * 1000).replace('', 'y' * 1000)",
    "'x'.repeat(10 ** 9)",
    "pad('a', 10 ** 9)",
    "range(10 ** 9)",
    "join(['a' * 999999, 'b' * 999999])",
    "from_json('[' * 100000 + ']' * 100000)",
    "flatten([[0] * 999999, [0] * 999999])",
    # loops
    "[1 for a in range(10 ** 6) for b in range(10 ** 6)]",
    "[[[1 for c in range(1000)] for b in range(1000)] for a in range(1000)]",
    "sum([len(sorted(range(100000))) for i in range(100)])",
    "[x for x in 'a' * 999999 for y in 'b' * 999999]",
    # regexes RE2 cannot run, or output too large
    "regex_test('aaaa', '(a*)\\\\1')",
    "regex_test('ab', 'a(?=b)')",
    "regex_replace('a' * 10, '', 'b' * 999999)",
    "regex_test('a', 'a' * 1000)",
    # environment
    "$env.PATH",
    "$env['HOME']",
]


def test_corpus_is_large_enough() -> None:
    assert len(ATTEMPTS) >= 25


@pytest.mark.parametrize("expr", ATTEMPTS)
def test_attempt_is_refused(expr: str) -> None:
    started = time.monotonic()
    with pytest.raises(ExpressionError) as err:
        ev("{{ " + expr + " }}")
    assert time.monotonic() - started < 2.0, "refusal must be quick"
    # the message is plain text and never a repr of a Python object
    assert "<class" not in str(err.value) and "object at 0x" not in str(err.value)


@pytest.mark.parametrize(("expr", "expected"), [
    ("regex_test('a' * 64 + '!', '^(a+)+$')", False),
    ("regex_test('a' * 64, '^(a+)+$')", True),
    ("regex_test('a' * 30 + '!', '(a|aa)*$')", True),
    ("regex_test('a' * 30 + '!', '(a*)*b')", False),
    ("regex_test('a' * 100000 + '!', '\\\\s+$')", False),
    ("regex_test('a' * 5000, '\\\\w*\\\\w*\\\\w*@')", False),
])
def test_regex_bombs_answer(expr: str, expected: bool) -> None:
    """Backtracking bombs run on RE2 (linear time): they answer instead of hanging."""
    assert ev("{{ " + expr + " }}") is expected


@pytest.mark.parametrize("source", [
    "(" * 500 + "1" + ")" * 500,
    "[" * 500 + "]" * 500,
    "-" * 5000 + "1",
    "not " * 3000 + "1",
    "1" + " + 1" * 3000,
    "$json" + ".a" * 3000,
    "1" * 5000,                      # a 5,000-digit literal
    "'x' + " * 2000 + "'x'",
    "$json.a ? " * 300 + "1" + " : 2" * 300,
    "!" * 3000 + "1",
    "x" * 20000,                     # longer than the source limit
])
def test_deep_or_huge_sources_are_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        ev("{{ " + source + " }}")


@pytest.mark.parametrize("expr", [
    "$json['__class__']",
    "$json.get('__class__')",
    "sorted($json.people, '__class__')",
    "pluck($json.people, '__dict__')",
    "$json._K_from",   # a field named 'from' written with its escape: still just a key
])
def test_dunder_text_is_only_ever_a_dict_key(expr: str) -> None:
    value = ev("{{ " + expr + " }}")
    json.dumps(value)  # plain JSON (None, a list of dicts, ...)


def _assert_plain_json(value: object) -> None:
    assert value is None or type(value) in (bool, int, float, str, list, dict), type(value)
    if isinstance(value, list):
        for v in value:
            _assert_plain_json(v)
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str
            _assert_plain_json(v)


@pytest.mark.parametrize("expr", [
    "$now", "$input", '$node("Fetch")', "$item", "[$now, $input.first()]",
    "{'a': $today, 'b': [$node('Fetch'), $input]}", "date('2024-01-01')",
])
def test_only_plain_json_leaves_an_expression(expr: str) -> None:
    _assert_plain_json(ev("{{ " + expr + " }}"))


def test_deadline_stops_a_long_loop() -> None:
    t = compile_template("{{ [x for x in range(900000) for y in [1, 2, 3]] }}")
    started = time.monotonic()
    with pytest.raises(ExpressionError, match=r"took longer than 0\.05 s"):
        t.evaluate(make_ctx(), Limits(timeout_s=0.05, max_steps=10**9, max_size=10**7))
    assert time.monotonic() - started < 1.0


def test_step_limit() -> None:
    t = compile_template("{{ len([x for x in range(1000)]) }}")
    assert t.evaluate(make_ctx()) == 1000
    with pytest.raises(ExpressionError, match="too much work"):
        t.evaluate(make_ctx(), Limits(max_steps=500))


def test_result_depth_limit() -> None:
    deep: dict = {}
    cur = deep
    for _ in range(300):
        cur["a"] = {}
        cur = cur["a"]
    with pytest.raises(ExpressionError, match="nested too deeply"):
        ev("{{ $json }}", json=deep)
    assert ev("{{ $json.a.a.a.a is not None }}", json=deep) is True


def test_data_that_is_not_json_stays_opaque() -> None:
    class Secret:
        password = "hunter2"

        def __add__(self, other: object) -> str:
            return self.password

    ctx_json = {"obj": Secret()}
    for expr in ["$json.obj.password", "$json.obj.__class__", "$json.obj + 1",
                 "$json.obj.password()", "str($json.obj)", "$json.obj[0]"]:
        with pytest.raises(ExpressionError):
            ev("{{ " + expr + " }}", json=ctx_json)
