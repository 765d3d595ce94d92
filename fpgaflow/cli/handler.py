"""The one pattern every subcommand follows, and the pieces it is made of.

A subcommand module has ``register(subparsers)`` and a thin handler.  ``register`` declares the command with
:func:`add_command` (its help, its handler and the optional modules it needs) and its options on the
:class:`Options` that returns:

* ``opts.config_flag(...)``: an option that sets a field of the command's typed config.  Its default is unset
  (``None``), so the config's own default applies and the CLI cannot disagree with the library; the help shows
  that default and the config key (``[convert.board; default pynq-z2]``).
* ``opts.option(...)``: everything else (inputs, the output path, switches that are not config fields).

The handler builds the typed config with ``opts.config(args)``: ``--config`` (a whole run config, whose
matching section is used, or that section alone) overlaid with the flags given.  It then calls one library
function and prints the result lines.  Outputs written as a directory follow :mod:`fpgaflow.outdir`.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import logging
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fpgaflow.config.strict import from_mapping, read_yaml_mapping, suggest, to_mapping
from fpgaflow.errors import ConfigError

log = logging.getLogger(__name__)

#: Sections of commands that are not run steps; a config file may hold them beside the run config's sections.
COMMAND_SECTIONS: tuple[str, ...] = ("fit", "estimate", "build", "check", "deploy", "search", "active")


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: typing.Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str | None = None,
    needs: Sequence[str] = (),
) -> argparse.ArgumentParser:
    """Add subcommand ``name``; ``needs``: optional third-party modules it cannot run without (checked before
    the handler runs, so a base install gets a one-line install hint instead of a traceback)."""
    parser = subparsers.add_parser(name, help=help, description=description or help)
    parser.set_defaults(func=handler, needs=tuple(needs))
    return parser


def missing_modules(names: Sequence[str]) -> list[str]:
    """The modules of ``names`` that cannot be imported (found without importing them)."""
    missing = []
    for name in names:
        if name in sys.modules:
            if sys.modules[name] is None:
                missing.append(name)
            continue
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def given(args: argparse.Namespace, *dests: str) -> dict[str, Any]:
    """The options among ``dests`` that were given, as keyword arguments: an unset option is left out, so the
    library function's own default applies."""
    return {d: getattr(args, d) for d in dests if getattr(args, d) is not None}


def _field(cls: type, dotted: str) -> tuple[Any, Any]:
    """(default, type) of the (possibly nested, ``a.b``) field ``dotted`` of dataclass ``cls``."""
    owner: Any = cls
    default: Any = None
    tp: Any = None
    for i, name in enumerate(dotted.split(".")):
        fields = {f.name: f for f in dataclasses.fields(owner)}
        if name not in fields:
            raise KeyError(f"{cls.__name__} has no field {dotted!r}")
        f = fields[name]
        tp = typing.get_type_hints(owner if isinstance(owner, type) else type(owner))[name]
        if i == 0:
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        else:
            default = getattr(default, name)
        owner = default if dataclasses.is_dataclass(default) else tp
    return default, tp


def config_default(cls: type, dotted: str) -> Any:
    """The library's default of field ``dotted`` of ``cls`` (what an unset flag means)."""
    return _field(cls, dotted)[0]


def render_default(value: Any) -> str:
    """A default as a user types it: lists comma-separated, booleans/None in YAML spelling."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value == "":
        return "none"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) if value else "none"
    return str(to_mapping(value))


class Options:
    """The options of one subcommand: those that set fields of its typed config ``config`` (read from the
    ``section`` of a run config) and the rest.  Stored on the parser as its ``options`` default, so tests can
    walk every subcommand's options."""

    def __init__(
        self,
        parser: argparse.ArgumentParser,
        config: type | None = None,
        section: str = "",
        *,
        config_positional: bool = False,
        config_required: bool = False,
    ) -> None:
        self.parser = parser
        self.config_cls = config
        self.section = section
        self.config_fields: dict[str, str] = {}
        self.plain: set[str] = set()
        self._implied: dict[str, dict[str, Any]] = {}
        parser.set_defaults(options=self)
        if config is None:
            return
        what = f"YAML: a run config (its '{section}:' section is used) or that section alone"
        if config_positional:
            self.option("config", type=Path, help=f"{section} config {what}")
        else:
            self.option("--config", type=Path, required=config_required, metavar="YAML", help=what)

    def option(self, *names: str, **kwargs: Any) -> argparse.Action:
        """An option that is not a config field (an input, the output, a switch)."""
        action = self.parser.add_argument(*names, **kwargs)
        self.plain.add(action.dest)
        return action

    def config_flag(
        self, *names: str, field: str, help: str, implies: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> argparse.Action:
        """An option that sets config field ``field`` (dotted for nested fields); unset by default.

        ``implies``: other fields this flag also sets when given.  Choices default to the field's ``Literal``.
        """
        if self.config_cls is None:
            raise TypeError("config_flag needs Options(config=...)")
        default, tp = _field(self.config_cls, field)
        if "choices" not in kwargs and "action" not in kwargs and typing.get_origin(tp) is typing.Literal:
            kwargs["choices"] = typing.get_args(tp)
        shown = f"; default {render_default(default)}" if kwargs.get("action") is None else ""
        key = f"{self.section}.{field}" if self.section else field
        action = self.parser.add_argument(*names, default=None, help=f"{help} [{key}{shown}]", **kwargs)
        self.config_fields[action.dest] = field
        if implies:
            self._implied[action.dest] = dict(implies)
        return action

    def executor_flags(self) -> None:
        """``--executor``, ``--workers``, ``--scheduler``: where a grid's jobs run (the config's ``executor:``)."""
        self.config_flag("--executor", field="executor.kind", help="where the jobs run")
        self.config_flag("--workers", type=int, field="executor.workers", help="worker processes (0: one per core)")
        self.config_flag(
            "--scheduler",
            metavar="ADDRESS",
            field="executor.scheduler_address",
            implies={"executor.kind": "dask"},
            help="dask scheduler address (implies --executor dask)",
        )

    def config(self, args: argparse.Namespace, base: Any = None) -> Any:
        """The typed config: ``--config`` (or ``base``, e.g. the section a run recorded, or the config's
        defaults) with every given flag applied."""
        if self.config_cls is None:
            raise TypeError("this command has no typed config")
        path = getattr(args, "config", None)
        if path is not None:
            cfg = load_section(self.config_cls, path, self.section)
        else:
            cfg = base if base is not None else self.config_cls()
        values: dict[str, Any] = {}
        setter: dict[str, str] = {}
        for dest, field in self.config_fields.items():
            value = getattr(args, dest, None)
            if value is not None:
                if field in setter:
                    key = f"{self.section}.{field}" if self.section else field
                    raise ConfigError(
                        f"--{setter[field]} and --{dest.replace('_', '-')} both set {key}; give one of them"
                    )
                setter[field] = dest.replace("_", "-")
                values[field] = value
                values.update(self._implied.get(dest, {}))
        return overlay(cfg, values, self.section) if values else cfg


def load_section(cls: type, path: Path, section: str) -> Any:
    """``cls`` from YAML file ``path``: a whole config whose ``section:`` is used (other known sections are
    left to the commands that read them), or the section alone.  A run config without that section gives
    the defaults.  Errors name the file and the key path."""
    from fpgaflow.pipeline.config import RunConfig

    raw = read_yaml_mapping(path)
    own = {f.name for f in dataclasses.fields(cls)}
    known = {f.name for f in dataclasses.fields(RunConfig)} | set(COMMAND_SECTIONS)
    whole = (section in raw and section not in own) or (bool(raw) and not set(raw) & own and set(raw) & known)
    if whole:
        unknown = sorted(set(raw) - known - {section})
        if unknown:
            raise ConfigError(
                f"{path}: unknown section {unknown[0]!r}{suggest(unknown[0], known)}; "
                f"sections: {', '.join(sorted(known))}"
            )
        body = raw.get(section)
        if body is None:
            log.info("%s has no '%s:' section; using the defaults", path, section)
            body = {}
        if not isinstance(body, Mapping):
            raise ConfigError(f"{path}: section '{section}' must be a mapping, got {type(body).__name__}")
    else:
        body = raw
    try:
        return from_mapping(cls, body, section)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def overlay(cfg: Any, values: Mapping[str, Any], section: str = "") -> Any:
    """``cfg`` with the (dotted) fields of ``values`` replaced, each checked like a config-file value."""
    own: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for dotted, value in values.items():
        head, _, rest = dotted.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            own[head] = value
    fields = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if f.init}
    for head, sub in nested.items():
        fields[head] = overlay(getattr(cfg, head), sub, f"{section}.{head}" if section else head)
    return from_mapping(type(cfg), {**fields, **own}, section)
