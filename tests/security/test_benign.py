"""Ordinary programs that must keep working inside the sandbox, with the right values."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sandbox import run_code, run_code_ex

PEOPLE = [{"name": "Ada", "age": 36, "city": "London"},
          {"name": "Linus", "age": 28, "city": "Helsinki"},
          {"name": "Grace", "age": 45, "city": "New York"}]

BENIGN: list[tuple[str, str, dict[str, Any], Any]] = [
    ("list_comprehension", "return [x * x for x in items if x % 2]", {"items": [1, 2, 3, 4, 5]},
     [1, 9, 25]),
    ("nested_comprehension", "return [[i * j for j in range(3)] for i in range(3)]", {},
     [[0, 0, 0], [0, 1, 2], [0, 2, 4]]),
    ("dict_and_set_comprehension",
     "d = {p['name']: p['age'] for p in people}\ns = {p['city'][0] for p in people}\n"
     "return [d, sorted(s)]", {"people": PEOPLE},
     [{"Ada": 36, "Linus": 28, "Grace": 45}, ["H", "L", "N"]]),
    ("generator_expression", "return sum(p['age'] for p in people)", {"people": PEOPLE}, 109),
    ("sort_with_key_lambda",
     "return [p['name'] for p in sorted(people, key=lambda p: p['age'], reverse=True)]",
     {"people": PEOPLE}, ["Grace", "Ada", "Linus"]),
    ("sort_with_itemgetter",
     "import operator\nreturn [p['city'] for p in sorted(people, key=operator.itemgetter('city'))]",
     {"people": PEOPLE}, ["Helsinki", "London", "New York"]),
    ("sort_with_cmp_to_key",
     "import functools\ndef cmp(a, b):\n  return len(a) - len(b)\n"
     "return sorted(words, key=functools.cmp_to_key(cmp))", {"words": ["ccc", "a", "bb"]},
     ["a", "bb", "ccc"]),
    ("dict_augmented_item",
     "counts = {}\nfor w in text.split():\n  counts.setdefault(w, 0)\n  counts[w] += 1\n"
     "return counts", {"text": "a b a c a b"}, {"a": 3, "b": 2, "c": 1}),
    ("nested_augmented_item",
     "d = {'x': {'n': 1}, 'l': [1, 2]}\nd['x']['n'] *= 10\nd['l'][0] -= 5\nd['s'] = 'a'\n"
     "d['s'] += 'b'\nreturn d", {}, {"x": {"n": 10}, "l": [-4, 2], "s": "ab"}),
    ("dict_update_and_merge",
     "a = {'x': 1}\na.update({'y': 2})\nb = a | {'z': 3}\nb.pop('x')\nreturn b", {},
     {"y": 2, "z": 3}),
    ("counter_and_defaultdict",
     "from collections import Counter, defaultdict\nc = Counter('abracadabra')\n"
     "g = defaultdict(list)\nfor p in people:\n  g[p['city'][0]].append(p['name'])\n"
     "return [c.most_common(2), dict(g)]", {"people": PEOPLE},
     [[["a", 5], ["b", 2]], {"L": ["Ada"], "H": ["Linus"], "N": ["Grace"]}]),
    ("deque_namedtuple",
     "from collections import deque, namedtuple\nP = namedtuple('P', 'x y')\n"
     "q = deque([1, 2, 3], maxlen=2)\np = P(1, 2)\nreturn [list(q), p.x + p.y, list(p)]", {},
     [[2, 3], 3, [1, 2]]),
    ("datetime_formatting",
     "from datetime import datetime, timedelta, timezone\n"
     "d = datetime(2024, 2, 28, 13, 5, tzinfo=timezone.utc) + timedelta(days=1)\n"
     "return [d.strftime('%Y-%m-%d %H:%M %A'), d.isoformat(), f'{d:%b %d}']", {},
     ["2024-02-29 13:05 Thursday", "2024-02-29T13:05:00+00:00", "Feb 29"]),
    ("datetime_parse_and_zone",
     "import datetime, zoneinfo\n"
     "d = datetime.datetime.strptime('2024-07-01 12:00 +0000', '%Y-%m-%d %H:%M %z')\n"
     "return d.astimezone(zoneinfo.ZoneInfo('Europe/Paris')).isoformat()", {},
     "2024-07-01T14:00:00+02:00"),
    ("datetime_returned_as_iso",
     "import datetime\nreturn {'d': datetime.date(2024, 1, 2)}", {}, {"d": "2024-01-02"}),
    ("json_roundtrip",
     "import json\ns = json.dumps({'b': 1, 'a': [1, 2]}, sort_keys=True)\n"
     "return [s, json.loads(s)['a'], json.dumps({'x': 1}, indent=2)]", {},
     ['{"a": [1, 2], "b": 1}', [1, 2], '{\n  "x": 1\n}']),
    ("json_decode_error_caught",
     "import json\ntry:\n  json.loads('{bad')\nexcept json.JSONDecodeError as e:\n"
     "  return ['bad json', e.pos]", {}, ["bad json", 1]),
    ("math_and_statistics",
     "import math, statistics\nreturn [math.sqrt(16), math.floor(2.7), round(math.pi, 3), "
     "statistics.mean(xs), statistics.median(xs), math.isclose(0.1 + 0.2, 0.3)]",
     {"xs": [1, 2, 3, 4]}, [4.0, 2, 3.142, 2.5, 2.5, True]),
    ("decimal_and_fraction",
     "from decimal import Decimal, getcontext\nfrom fractions import Fraction\n"
     "getcontext().prec = 6\nreturn [str(Decimal(1) / Decimal(7)), str(Fraction(1, 3) + "
     "Fraction(1, 6))]", {}, ["0.142857", "1/2"]),
    ("regex_findall_sub",
     "import re\nemails = re.findall(r'[\\w.]+@([\\w.]+)', text)\n"
     "masked = re.sub(r'(\\w)[\\w.]*@', r'\\1***@', text)\nreturn [emails, masked]",
     {"text": "ada@math.org, linus@kernel.org"},
     [["math.org", "kernel.org"], "a***@math.org, l***@kernel.org"]),
    ("regex_named_groups",
     "import re\np = re.compile(r'(?P<y>\\d{4})-(?P<m>\\d\\d)', re.IGNORECASE)\n"
     "m = p.search('on 2024-05 ok')\nreturn [m.group('y'), m['m'], m.groupdict(), m.span()]",
     {}, ["2024", "05", {"y": "2024", "m": "05"}, [3, 10]]),
    ("generator_function",
     "def fib():\n  a, b = 0, 1\n  while True:\n    yield a\n    a, b = b, a + b\n"
     "g = fib()\nfirst = [next(g) for _ in range(10)]\nreturn first", {},
     [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]),
    ("yield_from_and_send",
     "def inner():\n  x = yield 1\n  yield x * 2\ndef outer():\n  yield from inner()\n"
     "g = outer()\na = next(g)\nb = g.send(21)\ng.close()\nreturn [a, b]", {}, [1, 42]),
    ("itertools",
     "import itertools\nreturn [list(itertools.islice(itertools.count(5), 3)), "
     "[list(g) for k, g in itertools.groupby('aabbb')], list(itertools.chain([1], [2]))]", {},
     [[5, 6, 7], [["a", "a"], ["b", "b", "b"]], [1, 2]]),
    ("classes_and_methods",
     "class Acc:\n  def __init__(self, start):\n    self.total = start\n  def add(self, n):\n"
     "    self.total += n\n    return self\n"
     "class Twice(Acc):\n  def add(self, n):\n    return Acc.add(self, 2 * n)\n"
     "a = Twice(1).add(2).add(3)\nreturn a.total", {}, 11),
    ("class_eq_and_sorting",
     "class V:\n  def __init__(self, n):\n    self.n = n\n  def __lt__(self, o):\n"
     "    return self.n < o.n\n  def __eq__(self, o):\n    return self.n == o.n\n"
     "return [v.n for v in sorted([V(3), V(1), V(2)])] + [V(1) == V(1)]", {}, [1, 2, 3, True]),
    ("custom_exception",
     "class Bad(ValueError):\n  pass\ntry:\n  raise Bad('no')\nexcept ValueError as e:\n"
     "  return ['caught', str(e), e.args[0]]", {}, ["caught", "no", "no"]),
    ("try_finally_and_else",
     "out = []\nfor x in [1, 0]:\n  try:\n    v = 1 / x\n  except ZeroDivisionError:\n"
     "    out.append('zero')\n  else:\n    out.append(v)\n  finally:\n    out.append('f')\n"
     "return out", {}, [1.0, "f", "zero", "f"]),
    ("closures_lambdas_reduce",
     "import functools\ndef make(k):\n  return lambda x: x * k\ntriple = make(3)\n"
     "return [triple(4), functools.reduce(lambda a, b: a + b, [1, 2, 3]), "
     "list(map(triple, [1, 2])), list(filter(None, [0, 1, 2]))]", {},
     [12, 6, [3, 6], [1, 2]]),
    ("lru_cache_decorator",
     "import functools\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n"
     "  return n if n < 2 else fib(n - 1) + fib(n - 2)\nreturn fib(80)", {}, 23416728348467685),
    ("tuple_unpacking",
     "pairs = [(1, ('a', 'b')), (2, ('c', 'd'))]\nout = []\nfor i, (x, y) in pairs:\n"
     "  out.append(f'{i}{x}{y}')\nfirst, *rest = [1, 2, 3]\nreturn [out, first, rest]", {},
     [["1ab", "2cd"], 1, [2, 3]]),
    ("string_methods_and_format",
     "s = '  Hello, World  '.strip()\nreturn [s.upper(), s.split(', '), '-'.join(['a', 'b']), "
     "s[::-1], '{name:>6}|{0:.2f}'.format(3.14159, name='ab'), '{0[k]}'.format({'k': 7}), "
     "'%s=%d' % ('x', 5), format(1234567, ',')]", {},
     ["HELLO, WORLD", ["Hello", "World"], "a-b", "dlroW ,olleH", "    ab|3.14", "7", "x=5",
      "1,234,567"]),
    ("walrus_and_conditional",
     "return [y for x in xs if (y := x * 2) > 2]", {"xs": [1, 2, 3]}, [4, 6]),
    ("hash_encode_uuid_urls",
     "import hashlib, base64, uuid, urllib.parse, hmac\n"
     "return [hashlib.sha256(b'abc').hexdigest()[:8], base64.b64encode(b'hi').decode(), "
     "str(uuid.uuid5(uuid.NAMESPACE_DNS, 'aura.dev'))[:8], "
     "urllib.parse.urlencode({'q': 'a b'}), urllib.parse.urlparse('https://x.io/p?a=1').netloc,"
     " hmac.new(b'k', b'm', 'sha256').hexdigest()[:6]]", {},
     ["ba7816bf", "aGk=", "74b67f5d", "q=a+b", "x.io", "b60090"]),
    ("random_seeded",
     "import random\nr = random.Random(42)\nreturn [r.randint(1, 100), len(random.sample(range(10),"
     " 3))]", {}, [82, 3]),
    ("heapq_bisect",
     "import heapq, bisect\nh = []\nfor x in [5, 1, 3]:\n  heapq.heappush(h, x)\n"
     "return [heapq.heappop(h), heapq.nlargest(2, [4, 9, 2]), bisect.bisect([1, 3, 5], 4)]", {},
     [1, [9, 4], 2]),
    ("return_none_and_tuple", "if flag:\n  return (1, 'a')", {"flag": True}, [1, "a"]),
    ("no_return_is_none", "x = 1", {}, None),
    ("unicode_text", "import unicodedata\nreturn [unicodedata.normalize('NFKD', 'é')[0], "
     "'naïve'.upper(), len('日本')]", {}, ["e", "NAÏVE", 2]),
    ("hasattr_getattr_on_data",
     "return [hasattr(item, 'keys'), getattr(item, 'nope', 'default'), hasattr(item, '__len__')]",
     {"item": {"a": 1}}, [True, "default", False]),
    ("isinstance_checks",
     "import json\nreturn [isinstance(x, dict), isinstance(json, dict), callable(len)]",
     {"x": {}}, [True, False, True]),
    ("type_annotations",
     "def area(w: float, h: float) -> float:\n  return w * h\ntotal: float = area(2, 3)\n"
     "class P:\n  name: str\n  def __init__(self, n: str):\n    self.name: str = n\n"
     "return [total, P('x').name]", {}, [6, "x"]),
    ("keys_with_underscores_are_data",
     "return {'_id': doc['_id'], 'n': doc['__n__'] + 1}", {"doc": {"_id": "x1", "__n__": 1}},
     {"_id": "x1", "n": 2}),
]


@pytest.mark.parametrize(("code", "inputs", "expected"), [b[1:] for b in BENIGN],
                         ids=[b[0] for b in BENIGN])
def test_benign_program_runs(code: str, inputs: dict[str, Any], expected: Any) -> None:
    assert run_code(code, inputs, 5.0) == expected


def test_print_output_is_captured() -> None:
    res = run_code_ex("print('hello', name)\nprint(1, 2, sep='-', end='!')\nprint()\n"
                      "return printed", {"name": "Ada"}, 5.0)
    assert res.stdout == ["hello Ada", "1-2!"]
    assert res.result == "hello Ada\n1-2!\n"
    assert not res.stdout_truncated


def test_each_run_starts_from_a_clean_process() -> None:
    run_code("import decimal, random\ndecimal.getcontext().prec = 2\nrandom.seed(1)", {}, 5.0)
    again = run_code("import decimal\nreturn decimal.getcontext().prec", {}, 5.0)
    assert again == 28
