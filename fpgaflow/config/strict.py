"""Strict construction of frozen dataclass configs from YAML mappings.

hls4ml-style nested dicts read with ``.get()`` let a misspelt key pass silently.  Here every config is
a frozen dataclass; :func:`from_mapping` builds it from a plain mapping, rejects unknown keys with the
closest valid key suggested, checks types (``int``, ``float``, ``bool``, ``str``, ``Literal``, ``Enum``,
``tuple[...]``, ``Optional``, nested dataclasses) and reports the full key path of any error.  A ``float``
field takes finite numbers only (``.inf``/``.nan`` are refused for every key).  Range checks live in each
dataclass's ``__post_init__`` and raise :class:`ConfigError`.

:func:`read_yaml_mapping` is the one YAML reader of user configs: ``yaml.safe_load`` rules, plus a key given
twice in one mapping is an error (PyYAML lets the last one win silently) and ``3e-3`` is a float (YAML 1.1,
which PyYAML follows, wants ``3.0e-3``; YAML 1.2 and every other tool read both).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import math
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from fpgaflow.errors import ConfigError, FpgaflowError
from fpgaflow_board.boards import Board, get_board
from fpgaflow_board.errors import UnknownBoardError

T = TypeVar("T")


def suggest(key: str, valid: typing.Iterable[str]) -> str:
    """Return a ``" (did you mean 'x'?)"`` suffix for ``key`` or an empty string."""
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _convert(value: Any, tp: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin is typing.Union or (types.UnionType is not None and isinstance(tp, types.UnionType)):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if len(errors) == 1 else f"{path}: {value!r} matches none of {tp}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(
                f"{path}: {value!r} is not one of {list(args)}{suggest(str(value), [str(a) for a in args])}"
            )
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            names = [m.value for m in tp]
            raise ConfigError(
                f"{path}: {value!r} is not one of {names}{suggest(str(value), [str(n) for n in names])}"
            ) from None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}: expected a mapping for {tp.__name__}, got {type(value).__name__}")
        return from_mapping(tp, value, path)
    if origin in (tuple, list) or tp in (tuple, list):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(f"{path}: expected a list, got {type(value).__name__} {value!r}")
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise ConfigError(f"{path}: expected {len(args)} items, got {len(value)}")
            return tuple(_convert(v, a, f"{path}[{i}]") for i, (v, a) in enumerate(zip(value, args, strict=False)))
        item_tp = args[0] if args else Any
        items = [_convert(v, item_tp, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if (origin is tuple or tp is tuple) else items
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}: expected a mapping, got {type(value).__name__}")
        kt, vt = args if args else (Any, Any)
        return {_convert(k, kt, f"{path}.<key>"): _convert(v, vt, f"{path}.{k}") for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{path}: expected a finite number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a string, got {value!r}")
        return value
    if tp is Path:
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"{path}: expected a path, got {value!r}")
        return Path(value)
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise ConfigError(f"{path}: expected {_type_name(tp)}, got {value!r}")


def from_mapping(cls: type[T], mapping: Mapping[str, Any], path: str = "") -> T:
    """Build dataclass ``cls`` from ``mapping``, rejecting unknown keys (with a did-you-mean hint)."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    expand = getattr(cls, "expand_mapping", None)
    if callable(expand):  # a config that names a preset (e.g. ``data.task``) expands it before checking
        mapping = expand(mapping, path)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    kwargs: dict[str, Any] = {}
    for key, value in mapping.items():
        key_path = f"{path}.{key}" if path else str(key)
        if key not in fields:
            raise ConfigError(
                f"unknown key {key_path!r}{suggest(str(key), fields)}; valid keys: {', '.join(sorted(fields))}"
            )
        kwargs[key] = _convert(value, hints[key], key_path)
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        if path and not str(exc).startswith(path.rsplit(".", 1)[-1]):
            raise ConfigError(f"{path}: {exc}") from None
        raise
    except ValueError as exc:  # a value type's own check (e.g. a fixed-point type's width): a config error
        if isinstance(exc, FpgaflowError):
            raise
        raise ConfigError(f"{path or cls.__name__}: {exc}") from None
    except TypeError as exc:  # missing required field
        raise ConfigError(f"{path or cls.__name__}: {exc}") from None


def to_mapping(obj: Any) -> Any:
    """Turn a (nested) dataclass config into plain YAML/JSON-safe data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_mapping(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_mapping(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_mapping(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    return obj


class _ConfigLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping and reads ``3e-3`` as a float."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` may be overridden on purpose
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node.start_mark)
                except TypeError:  # an unhashable key: SafeLoader's own error follows
                    continue
                if earlier is not key_node.start_mark:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} is given twice in one mapping (first on line {earlier.line + 1}); "
                        "keep one (PyYAML would silently use the last)",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep)


# Exponent without a decimal point (``3e-3``, ``1E6``): a float in YAML 1.2; YAML 1.1 resolvers miss it.
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def _yaml_error_line(exc: yaml.YAMLError) -> str:
    """A YAML error as one line: what is wrong and where (line, column)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` with the config loader; :class:`ConfigError` names ``source`` and the line."""
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # a SafeLoader subclass: no Python tags
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {_yaml_error_line(exc)}") from None


def read_yaml_mapping(path: Path | str) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty file = ``{}``); errors name the file.

    Safe-load rules (no Python tags), duplicate keys refused, ``3e-3`` read as a float (see the module doc).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a YAML text file (byte {exc.start} is 0x{exc.object[exc.start]:02x}, not UTF-8 text)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror or exc})") from None
    data = parse_yaml(text, str(path))
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return dict(data)


def load_yaml(cls: type[T], path: Path | str) -> T:
    """Load ``cls`` from a YAML file with ``yaml.safe_load``; errors name the file."""
    data = read_yaml_mapping(path)
    try:
        return from_mapping(cls, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def check(condition: bool, message: str) -> None:
    """Raise :class:`ConfigError` with ``message`` unless ``condition`` holds (for ``__post_init__``)."""
    if not condition:
        raise ConfigError(message)


def known_board(name: str) -> Board:
    """The board-table entry ``name``; an unknown name is a :class:`ConfigError` with a did-you-mean hint."""
    try:
        return get_board(name)
    except UnknownBoardError as exc:
        raise ConfigError(str(exc)) from None
