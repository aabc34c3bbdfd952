"""The builtins and the guard functions RestrictedPython-compiled code calls at run time."""
from __future__ import annotations

import builtins
import operator
from typing import Any, Callable

from RestrictedPython import PrintCollector, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

_EXTRA_BUILTINS = (
    "len", "min", "max", "sum", "sorted", "round", "abs", "any", "all",
    "enumerate", "zip", "range", "list", "dict", "set", "tuple", "str",
    "int", "float", "bool", "isinstance",
)
# BaseException-only classes would escape SpiffWorkflow's ``except Exception`` and stop the worker.
_DROPPED_BUILTINS = (
    "setattr", "delattr", "_getattr_", "__build_class__",
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
)

# C code in datetime imports these through the caller's __builtins__ (strftime, strptime, f"{d:%Y}").
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def internal_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    """Only serves the stdlib's own lazy imports; sandboxed source cannot name ``__import__`` at all."""
    if level != 0 or name not in _INTERNAL_IMPORTS:
        raise ImportError(f"importing {name!r} is not allowed in scripts")
    return builtins.__import__(name, globals, locals, fromlist, level)


SAFE_BUILTINS: dict[str, Any] = {
    name: value for name, value in safe_builtins.items() if name not in _DROPPED_BUILTINS
}
SAFE_BUILTINS.update({name: getattr(builtins, name) for name in _EXTRA_BUILTINS})
SAFE_BUILTINS["__import__"] = internal_import

_MISSING = object()
_STR_FORMATTERS = frozenset({"format", "format_map"})


def guarded_getattr(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """Attribute access for sandboxed code: no private/dunder names, no frame/code introspection."""
    if type(name) is not str:
        raise TypeError("attribute names must be strings")
    if name.startswith("_"):
        raise AttributeError(f"'{name}' is not allowed because it starts with an underscore")
    if name in INSPECT_ATTRIBUTES:
        raise AttributeError(f"'{name}' is not allowed in scripts")
    if name in _STR_FORMATTERS and (
        isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))
    ):
        raise AttributeError(f"str.{name}() is not allowed in scripts; use an f-string instead")
    if default is _MISSING:
        return getattr(obj, name)
    return getattr(obj, name, default)


def guarded_getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def guarded_apply(func: Callable, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "^=": operator.ixor,
    "|=": operator.ior,
    "@=": operator.imatmul,
}


def inplace_var(op: str, target: Any, value: Any) -> Any:
    """RestrictedPython rewrites ``x += y`` into ``x = _inplacevar_('+=', x, y)``."""
    apply = _INPLACE_OPERATORS.get(op)
    if apply is None:
        raise SyntaxError(f"the operator {op} is not supported")
    return apply(target, value)


GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": inplace_var,
    "_apply_": guarded_apply,
    "_print_": PrintCollector,
}
