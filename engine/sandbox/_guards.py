"""Runtime guards called by restricted code, and the curated builtins.

The policy (:mod:`engine.sandbox._policy`) rewrites user code so that every attribute
read goes through :func:`guarded_getattr`, every item read through ``_getitem_``, every
loop through ``_getiter_``, every assignment into an object through :func:`guard_write`
and every ``import`` through :func:`guarded_import`. A refusal raises :class:`Violation`,
a ``BaseException`` that user code cannot name and ``except Exception`` cannot catch;
the refusal is also latched in :data:`STATE` so that a ``finally: return`` that swallows
it still ends the run as a violation.
"""

from __future__ import annotations

import _string
import builtins
import operator
import string
import types
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.sandbox._modules import MODULES, WRITABLE_TYPES, SandboxModule, module_names
from engine.sandbox._state import STATE, Violation, refuse

__all__ = ["STATE", "Violation", "make_globals", "refuse"]

USER_MODULE = "aura_user_code"


# -- attribute access ------------------------------------------------------------------
_DENIED_NAMES = frozenset(INSPECT_ATTRIBUTES) | frozenset(
    {
        "mro",
        "format_map",
        "with_traceback",
        "tb_lasti",
        "tb_lineno",
        "f_lasti",
        "f_lineno",
        "gi_running",
        "gi_suspended",
        "cr_running",
        "ag_running",
        "co_consts",
        "co_names",
        "co_varnames",
        "co_filename",
        "func_globals",
        "func_code",
        "im_func",
        "im_self",
        "cell_contents",
        "load_module",
        "exec_module",
    }
)
_OPAQUE_TYPES: tuple[type, ...] = (
    types.ModuleType,
    types.FrameType,
    types.TracebackType,
    types.CodeType,
    types.CellType,
    types.MappingProxyType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    types.WrapperDescriptorType,
    types.MethodWrapperType,
    types.CoroutineType,
    types.AsyncGeneratorType,
)
_GENERATOR_OK = frozenset({"send", "throw", "close"})


class _SafeFormatter(string.Formatter):
    """``str.format`` whose ``{0.attr}`` and ``{0[key]}`` go through the guards."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = guarded_getattr(obj, key) if is_attr else guarded_getitem(obj, key)
        return obj, first


_FORMATTER = _SafeFormatter()


def _safe_format(template: str) -> Callable[..., str]:
    def format(*args: Any, **kwargs: Any) -> str:
        return _FORMATTER.vformat(template, args, kwargs)

    return format


def _unbound_format(template: str, *args: Any, **kwargs: Any) -> str:
    if not isinstance(template, str):
        raise TypeError("str.format needs a string")
    return _FORMATTER.vformat(template, args, kwargs)


def _attr_refusal(obj: Any, name: str) -> str | None:
    if name.startswith("_") or name in _DENIED_NAMES:
        return f'access to attribute "{name}" is not allowed'
    if isinstance(obj, SandboxModule):
        # a module proxy answers only from its own table (and refuses the rest); the
        # checks below would each ask it for ``__class__`` and raise, which made every
        # ``re.sub`` or ``unicodedata.combining`` in a loop cost tens of microseconds
        return None
    if isinstance(obj, _OPAQUE_TYPES):
        return f'access to "{name}" of a {type(obj).__name__} object is not allowed'
    if isinstance(obj, types.GeneratorType) and name not in _GENERATOR_OK:
        return f'access to attribute "{name}" of a generator is not allowed'
    if isinstance(obj, AttributeError) and name == "obj":
        return 'access to attribute "obj" of an AttributeError is not allowed'
    return None


def guarded_getattr(obj: Any, name: Any, *default: Any) -> Any:
    """``getattr`` for user code: no ``_names``, no frames/code/modules, safe ``format``."""
    if type(name) is not str:
        raise TypeError("attribute name must be a string")
    reason = _attr_refusal(obj, name)
    if reason is not None:
        raise refuse(reason)
    if name == "format" and isinstance(obj, str):
        return _safe_format(str(obj))
    if name == "format" and isinstance(obj, type) and issubclass(obj, str):
        return _unbound_format
    return getattr(obj, name, *default)


def guarded_hasattr(obj: Any, name: Any) -> bool:
    """``hasattr`` for user code; names the guard refuses are reported as absent."""
    if type(name) is not str or _attr_refusal(obj, name) is not None:
        return False
    if isinstance(obj, SandboxModule):
        return name in type(obj).__dir__(obj)
    return hasattr(obj, name)


def guarded_getitem(obj: Any, key: Any) -> Any:
    """``obj[key]`` for user code."""
    if isinstance(obj, _OPAQUE_TYPES):
        raise refuse(f"indexing a {type(obj).__name__} object is not allowed")
    return obj[key]


def guard_write(obj: Any) -> Any:
    """Allows ``obj[k] = v`` / ``obj.a = v`` only on plain containers and user classes."""
    cls = type(obj)
    if (
        isinstance(obj, WRITABLE_TYPES)
        or cls in STATE.user_classes
        or (isinstance(obj, type) and obj in STATE.user_classes)
    ):
        return obj
    raise refuse(f"modifying a {cls.__name__} object is not allowed")


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}


def inplace_var(op: str, x: Any, y: Any) -> Any:
    """``x op= y`` for a plain name."""
    return _INPLACE[op](x, y)


def inplace_item(obj: Any, key: Any, op: str, value: Any) -> None:
    """``obj[key] op= value`` (``d[k] += 1``), guarded like a read and a write."""
    target = guard_write(obj)
    target[key] = _INPLACE[op](guarded_getitem(obj, key), value)


def inplace_attr(obj: Any, name: str, op: str, value: Any) -> None:
    """``obj.name op= value``, guarded like a read and a write."""
    target = guard_write(obj)
    setattr(target, name, _INPLACE[op](guarded_getattr(obj, name), value))


def apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls with ``*args``/``**kwargs`` (the policy routes such calls here)."""
    return func(*args, **kwargs)


def guarded_import(
    name: str,
    globals: Any = None,
    locals: Any = None,
    fromlist: Iterable[str] | None = (),
    level: int = 0,
) -> object:
    """``import`` for user code: only the proxies of :mod:`engine.sandbox._modules`."""
    if level != 0:
        raise refuse("relative imports are not allowed")
    if type(name) is not str or name not in MODULES:
        raise refuse(
            f'import of "{name}" is not allowed; available modules: {", ".join(module_names())}'
        )
    if fromlist:
        return MODULES[name]
    return MODULES[name.split(".")[0]]


# -- classes -----------------------------------------------------------------------------
_EXCEPTIONS = (
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "Exception",
    "IndexError",
    "KeyError",
    "LookupError",
    "NameError",
    "NotImplementedError",
    "OverflowError",
    "RecursionError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
)
_SAFE_BASES = frozenset(
    {object, dict, list, tuple, set, str, int, float} | {getattr(builtins, n) for n in _EXCEPTIONS}
)


def make_class(
    name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
) -> type:
    """The metaclass of every ``class`` statement: checks bases, records the class."""
    if kwargs:
        raise refuse("class keyword arguments are not allowed")
    for base in bases:
        if not isinstance(base, type) or (
            base not in _SAFE_BASES and base not in STATE.user_classes
        ):
            raise refuse(f"subclassing {getattr(base, '__name__', base)!r} is not allowed")
    cls = type(name, bases, namespace)
    STATE.user_classes.add(cls)
    return cls


# -- print -------------------------------------------------------------------------------
def _emit(text: str) -> None:
    if STATE.stdout_truncated:
        return
    room = STATE.max_stdout - STATE.stdout_size
    if len(text) > room:
        text = text[: max(room, 0)]
        STATE.stdout_truncated = True
    STATE.stdout.append(text)
    STATE.stdout_size += len(text)


class PrintCollector:
    """Target of ``print`` in user code: all output goes to the run's captured stdout."""

    def __init__(self, _getattr_: Any = None) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)
        _emit(text)

    def __call__(self) -> str:
        return "".join(self.parts)

    def _call_print(
        self,
        *objects: Any,
        sep: str | None = " ",
        end: str | None = "\n",
        file: Any = None,
        flush: bool = False,
    ) -> None:
        if STATE.stdout_truncated:
            return
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        if type(sep) is not str or type(end) is not str:
            raise TypeError("sep and end must be strings")
        self.write(sep.join(str(o) for o in objects) + end)


# -- builtins ----------------------------------------------------------------------------
_BUILTIN_NAMES = (
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "bool",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "complex",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "format",
    "frozenset",
    "hash",
    "hex",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "object",
    "oct",
    "ord",
    "pow",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "tuple",
    "zip",
)


def _builtins() -> dict[str, Any]:
    b: dict[str, Any] = {n: getattr(builtins, n) for n in (*_BUILTIN_NAMES, *_EXCEPTIONS)}
    b.update(
        {
            "None": None,
            "True": True,
            "False": False,
            "NotImplemented": NotImplemented,
            "Ellipsis": Ellipsis,
            "getattr": guarded_getattr,
            "hasattr": guarded_hasattr,
            "__import__": guarded_import,
            "__build_class__": builtins.__build_class__,
        }
    )
    return b


def make_globals() -> dict[str, Any]:
    """A fresh globals dict for one run of restricted code."""
    return {
        "__builtins__": _builtins(),
        "__name__": USER_MODULE,
        "__metaclass__": make_class,
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": _iter_unpack_sequence,
        "_unpack_sequence_": _unpack_sequence,
        "_write_": guard_write,
        "_inplacevar_": inplace_var,
        "_inplaceitem_": inplace_item,
        "_inplaceattr_": inplace_attr,
        "_apply_": apply,
        "_print_": PrintCollector,
    }


def _unpack_sequence(it: Any, spec: dict[str, Any], getiter: Any) -> list[Any]:
    ret = list(iter(it))
    if len(ret) < spec["min_len"]:
        return ret
    for idx, child in spec["childs"]:
        ret[idx] = _unpack_sequence(ret[idx], child, getiter)
    return ret


def _iter_unpack_sequence(it: Any, spec: dict[str, Any], getiter: Any) -> Any:
    for ob in iter(it):
        yield _unpack_sequence(ob, spec, getiter)
