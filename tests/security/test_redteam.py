"""Red-team corpus: escape attempts against the sandbox, each refused or contained.

Every attempt names the error class it must end with (checked exactly, not as a
subclass) or, for attempts that are contained rather than refused, what the run must
return. For every attempt the host must be unchanged (``host_unchanged``): no canary
file, no environment change, no stray process; and no secret from the host (an
environment variable, a file) may appear in the result, the printed output or the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine.errors import SandboxMemoryError, SandboxTimeout, SandboxViolation
from engine.sandbox import (
    RunResult,
    SandboxOutputTooLarge,
    UserCodeError,
    run_code_ex,
)
from tests.security.conftest import CANARY_FILE, CANARY_VALUE, SECRET_FILE, SECRET_VALUE

SV, ST, SM = SandboxViolation, SandboxTimeout, SandboxMemoryError
UCE, TOO_LARGE = UserCodeError, SandboxOutputTooLarge


@dataclass(frozen=True)
class Attempt:
    id: str
    code: str
    expect: type[Exception] | None
    says: str = ""
    check: Callable[[RunResult], bool] | None = None
    timeout: float = 2.0
    inputs: dict[str, Any] = field(default_factory=dict)


def A(id: str, code: str, expect: type[Exception] | None, says: str = "",
      **kw: Any) -> Attempt:
    return Attempt(id, code, expect, says, **kw)


ATTEMPTS = [
    # -- imports and modules ------------------------------------------------------------
    A("import_os", "import os\nreturn os.environ['AURA_REDTEAM_CANARY']", SV, 'import of "os"'),
    A("import_sys", "import sys\nreturn sys.modules", SV, 'import of "sys"'),
    A("import_subprocess", f"import subprocess\nsubprocess.run(['touch', '{CANARY_FILE}'])",
      SV),
    A("import_ctypes", "import ctypes\nctypes.CDLL(None).system(b'id')", SV),
    A("import_builtins", "import builtins\nreturn builtins.open('/etc/passwd').read()", SV),
    A("import_importlib", "import importlib\nreturn importlib.import_module('os')", SV),
    A("import_posix", "import posix\nreturn posix.environ", SV),
    A("import_socket", "import socket\nsocket.create_connection(('127.0.0.1', 22))", SV),
    A("import_os_path_dotted", "import os.path\nreturn os.path.exists('/')", SV),
    A("from_os_import", "from os import environ\nreturn dict(environ)", SV),
    A("relative_import", "from . import secrets\nreturn 1", SV, "relative imports"),
    A("urllib_request", "from urllib import request\nreturn request.urlopen('http://x')", SV),
    A("dunder_import", "m = __import__('os')\nreturn m.getcwd()", SV, "__import__"),
    A("datetime_sys_leak", "import datetime\nreturn datetime.sys.modules['os'].environ", SV,
      "datetime.sys"),
    A("json_codecs_leak", "import json\nf = json.codecs.open('/etc/passwd')", SV,
      "json.codecs"),
    A("collections_sys_leak", "import collections\nreturn collections.sys.path", SV),
    A("random_private_os", "import random\nreturn getattr(random, '_os').environ", SV),
    A("string_formatter", "import string\n"
      "return string.Formatter().format('{0.__class__.__mro__}', 1)", SV, "Formatter"),
    A("time_sleep", "import time\ntime.sleep(60)", SV, "time.sleep"),
    A("uuid1_mac_leak", "import uuid\nreturn str(uuid.uuid1())", SV),
    A("proxy_dunder_class", "import json\nreturn json.__class__", SV),
    A("proxy_dict_getattr", "import json\nreturn getattr(json, '__dict__')", SV),
    A("proxy_overwrite", "import json\njson.dumps = None\nreturn 1", SV, "modifying a module"),
    A("builtin_self", "return getattr(len, '__self__')", SV),
    # -- builtins -------------------------------------------------------------------------
    A("open_secret", f"return open('{SECRET_FILE}').read()", SV, "'open' is not available"),
    A("open_write_canary", f"open('{CANARY_FILE}', 'w').write('pwned')", SV),
    A("eval_call", "return eval('1 + 1')", SV),
    A("exec_call", "exec('import os')", SV),
    A("compile_builtin", "return compile('1', 'x', 'eval')", SV),
    A("globals_call", "return list(globals())", SV),
    A("vars_call", "return vars()", SV),
    A("type_three_args", "T = type('T', (), {})\nreturn 1", SV),
    A("builtins_name", "return __builtins__['open']", SV),
    A("setattr_builtin", "setattr(len, 'x', 1)", SV),
    A("raise_system_exit", "raise SystemExit(0)", SV, "SystemExit"),
    A("raise_keyboard_interrupt", "raise KeyboardInterrupt()", SV),
    A("except_base_exception", "try:\n  import os\nexcept BaseException:\n  return 'caught'",
      SV),
    # -- introspection --------------------------------------------------------------------
    A("subclasses_walk", "return ().__class__.__base__.__subclasses__()", SV),
    A("subclasses_getattr_concat", "n = '__cla' + 'ss__'\nreturn str(getattr((), n))", SV),
    A("mro_method", "return str(int.mro())", SV, '"mro"'),
    A("function_globals", "def f():\n  pass\nreturn f.__globals__", SV),
    A("lambda_code", "return (lambda: 0).__code__.co_consts", SV),
    A("generator_frame", "g = (i for i in [1])\nreturn g.gi_frame.f_back.f_globals", SV),
    A("generator_frame_getattr", "g = (i for i in [1])\n"
      "return str(getattr(g, 'gi_' + 'frame'))", SV, "gi_frame"),
    A("generator_code_getattr", "def gen():\n  yield 1\nreturn str(getattr(gen(), 'gi_code'))",
      SV),
    A("traceback_frame", "try:\n  1 / 0\nexcept Exception as e:\n"
      "  return e.__traceback__.tb_frame.f_globals", SV),
    A("traceback_getattr", "try:\n  1 / 0\nexcept Exception as e:\n"
      "  t = getattr(e, '__traceback__')\n  return str(t)", SV),
    A("attributeerror_obj", "try:\n  (1).nope\nexcept AttributeError as e:\n"
      "  return repr(e.obj)", SV, '"obj"'),
    A("with_traceback", "return str(ValueError().with_traceback(None))", SV),
    A("format_attr_chain", "return '{0.__class__.__mro__}'.format(1)", SV, "__class__"),
    A("format_unbound", "return str.format('{0.__class__}', 1)", SV),
    A("format_item_then_attr", "return '{0[a].__class__}'.format({'a': 1})", SV),
    A("format_map", "return '{x.__class__}'.format_map({'x': 1})", SV),
    A("format_via_getattr", "f = getattr('{0.__class__}', 'format')\nreturn f(1)", SV),
    A("format_via_map", "return list(map(str.format, ['{0.__class__}'], [1]))", SV),
    A("format_nested_spec", "return '{0:{1.__class__}}'.format(1, 2)", SV, "__class__"),
    A("nfkc_dunder_attr", "return ().__\uff43lass__", SV, "__class__"),
    A("nfkc_guard_name", "_\uff47etattr_ = 1\nreturn 1", SV, "_getattr_"),
    A("star_args_getattr", "args = [(), '__class__']\nreturn str(getattr(*args))", SV),
    A("augassign_dunder_attr", "class A:\n  pass\na = A()\na.__dict__ += 1", SV),
    A("augassign_into_proxy", "import math\nmath.pi += 1\nreturn 1", SV, "modifying"),
    # -- guard-hook shadowing -------------------------------------------------------------
    A("shadow_getattr", "_getattr_ = lambda o, n: 1\nreturn 1", SV),
    A("shadow_write_global", "global _write_\n_write_ = lambda o: o\nreturn 1", SV),
    A("shadow_param", "def f(_getitem_=None):\n  return 1\nreturn f()", SV),
    A("shadow_import_as", "import json as _getiter_\nreturn 1", SV),
    A("shadow_except_as", "try:\n  1 / 0\nexcept Exception as _getattr_:\n  pass", SV),
    A("shadow_class", "class _write_:\n  pass\nreturn 1", SV),
    A("shadow_walrus", "if (_getattr_ := 1):\n  return 1", SV),
    A("shadow_comprehension", "return [_getattr_ for _getattr_ in [1]]", SV),
    A("shadow_print", "print = lambda *a: None\nreturn 1", SV),
    # -- control flow tricks ----------------------------------------------------------------
    A("bare_except", "try:\n  import os\nexcept:\n  pass", SV, "bare 'except:'"),
    A("except_exception_cannot_catch", "try:\n  import os\nexcept Exception:\n"
      "  return 'caught'", SV),
    A("finally_return_swallows", "def f():\n  try:\n    import os\n  finally:\n"
      "    return 'swallowed'\nreturn f()", SV, 'import of "os"'),
    A("try_star", "try:\n  pass\nexcept* ValueError:\n  pass", SV),
    A("async_def", "async def f():\n  pass\nreturn 1", SV),
    A("match_statement", "match 1:\n  case 1:\n    return 1", SV),
    A("metaclass_keyword", "class A(metaclass=len):\n  pass", SV),
    A("subclass_stdlib_type", "import datetime\nclass D(datetime.datetime):\n  pass", SV,
      "subclassing"),
    A("write_function_attr", "def f():\n  pass\nf.x = 1\nreturn 1", SV, "modifying"),
    A("write_exception_attr", "e = ValueError()\ne.args = ()\nreturn 1", SV),
    A("write_builtin_type", "int.real = 1\nreturn 1", SV),
    # -- results that are not JSON ------------------------------------------------------
    A("result_object_with_dunders", "class Evil:\n  def __init__(self):\n    self.x = 1\n"
      "  def __eq__(self, other):\n    return True\nreturn {'a': Evil()}", UCE, "Evil"),
    A("result_dict_subclass", "class D(dict):\n  def __eq__(self, o):\n    return True\n"
      "  def items(self):\n    return [('pwn', 1)]\nreturn D(a=1)", UCE, "result is of type D"),
    A("result_str_subclass", "class S(str):\n  def upper(self):\n    return 'x'\n"
      "return [S('a')]", UCE, "result[0] is of type S"),
    A("result_object_key", "class K:\n  pass\nreturn {K(): 1}", UCE, "key"),
    A("result_generator", "return (i for i in range(3))", UCE, "generator"),
    A("result_module_proxy", "import json\nreturn json", UCE),
    A("result_builtin_function", "return len", UCE),
    A("result_cycle", "a = []\na.append(a)\nreturn a", UCE, "cycle"),
    A("result_nan", "return {'x': float('nan')}", UCE, "nan"),
    A("result_huge_int", "return 10 ** 5000", UCE, "too large"),
    # -- CPU, memory, recursion, output -------------------------------------------------
    A("cpu_loop", "while True:\n  pass", ST, timeout=0.5),
    A("cpu_loop_catching", "while True:\n  try:\n    x = 1 / 0\n  except Exception:\n"
      "    pass", ST, timeout=0.5),
    A("redos_backtracking", "import re\nreturn bool(re.match(r'(a+)+$', 'a' * 40 + 'b'))", ST,
      timeout=0.5),
    A("cpu_in_c_bigint", "x = 7 ** (10 ** 9)\nreturn 1", ST, timeout=0.5),
    A("memory_string", "s = 'a' * 10 ** 10\nreturn len(s)", SM, "line 1"),
    A("memory_tuple", "t = (1,) * 10 ** 10\nreturn 1", SM),
    A("memory_growth", "l = []\nwhile True:\n  l.append('x' * 10 ** 6)", SM, timeout=10),
    A("memory_itertools_count", "import itertools\nreturn len(list(itertools.count()))", SM,
      timeout=10),
    A("memory_format_width", "return '{:>2000000000}'.format(1)", SM),
    A("memory_fstring_width", "return f'{1:>2000000000}'", SM),
    A("memory_caught_contained", "try:\n  b = bytearray(10 ** 10)\nexcept Exception:\n"
      "  return 'contained'\nreturn 'allocated'", None,
      check=lambda r: r.result == "contained"),
    A("recursion", "def f(n):\n  return f(n + 1)\nreturn f(0)", UCE, "RecursionError"),
    A("deep_nesting_repr", "l = []\nfor i in range(300000):\n  l = [l]\nreturn len(repr(l))",
      UCE, "RecursionError"),
    A("deep_nesting_json", "import json\nl = []\nfor i in range(300000):\n  l = [l]\n"
      "return len(json.dumps(l))", UCE, "RecursionError"),
    A("deep_nesting_result", "l = []\nfor i in range(300000):\n  l = [l]\nreturn l", UCE,
      "nested"),
    A("output_flood", "for i in range(100000):\n  print('x' * 100)\nreturn 'done'", None,
      check=lambda r: r.result == "done" and r.stdout_truncated
      and sum(len(x) + 1 for x in r.stdout) <= 256 * 1024 + 1),
    A("output_flood_forever", "while True:\n  print('y' * 1000)", ST, timeout=0.5),
    A("result_too_large_string", "return 'x' * (40 * 2 ** 20)", TOO_LARGE),
    A("result_too_many_items", "return [{'k': 'v' * 100} for _ in range(300000)]", TOO_LARGE),
    # -- compile-time bombs ---------------------------------------------------------------
    A("fold_string_multiply", "return len('a' * 10 ** 10)", SM),
    A("fold_power_tower", "return 10 ** 10 ** 10", ST, timeout=1.0),
    A("nested_list_literal", "x = " + "[" * 40_000 + "]" * 40_000, UCE, "SyntaxError"),
    A("deep_unary_chain", "x = " + "-" * 90_000 + "1", SV, "nested too deeply"),
    A("long_binop_chain", "x = " + "1+" * 30_000 + "1", SV, "nested too deeply"),
    A("huge_code", "x = 1\n" * 50_000, SV, "characters"),
    # -- host files through allowed modules --------------------------------------------
    A("zoneinfo_traversal",
      f"import zoneinfo\nreturn str(zoneinfo.ZoneInfo('../../..{SECRET_FILE}'))",
      UCE, "ZoneInfoNotFoundError"),
    A("zoneinfo_no_cache_path", "import zoneinfo\ntz = zoneinfo.ZoneInfo('UTC')\n"
      f"return str(tz.no_cache('{SECRET_FILE}'))", UCE),
]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.id for a in ATTEMPTS])
def test_attempt_is_refused_or_contained(attempt: Attempt, host_unchanged: Any) -> None:
    seen: list[str] = []
    if attempt.expect is None:
        res = run_code_ex(attempt.code, attempt.inputs, attempt.timeout)
        assert attempt.check is not None and attempt.check(res), res
        seen += [repr(res.result)[:100_000], *res.stdout[:100]]
    else:
        with pytest.raises(attempt.expect) as info:
            run_code_ex(attempt.code, attempt.inputs, attempt.timeout)
        err = info.value
        assert type(err) is attempt.expect, f"{type(err).__name__}: {err}"
        assert attempt.says.lower() in str(err).lower(), str(err)
        seen.append(str(err))
    for text in seen:
        assert CANARY_VALUE not in text and SECRET_VALUE not in text


def test_corpus_is_large_enough() -> None:
    assert len(ATTEMPTS) >= 40
    assert len({a.id for a in ATTEMPTS}) == len(ATTEMPTS)
