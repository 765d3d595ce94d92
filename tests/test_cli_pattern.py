"""Every subcommand follows the one pattern of ``fpgaflow.cli.handler``; checked by walking the real parsers,
so a new subcommand or a new flag cannot escape the checks."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fpgaflow.cli import COMMAND_MODULES, build_parser
from fpgaflow.cli.handler import COMMAND_SECTIONS, Options, config_default, load_section, render_default
from fpgaflow.config.strict import to_mapping
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.errors import ConfigError
from fpgaflow.fit.config import FitConfig
from fpgaflow.pipeline.config import RunConfig, load_run_config
from fpgaflow.shipped import shipped_dir
from fpgaflow.verify.config import VerifyConfig

#: A real config file for commands whose config argument is required (study: the positional config).
CONFIG_FILES = {
    "study": shipped_dir("models") / "study_augmentation.yaml",
    "data simulate": shipped_dir("models") / "data_simulated_32.yaml",
    "augment search": shipped_dir("models") / "search_policy_32.yaml",
    "active": shipped_dir("models") / "active_32.yaml",
}


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaves(sub, (*path, name))


LEAVES = dict(_leaves(build_parser()))


def _options(name: str) -> Options:
    opts = LEAVES[name].get_default("options")
    assert isinstance(opts, Options), f"fpgaflow {name}: not declared with fpgaflow.cli.handler.Options"
    return opts


def _field_names(cls: type) -> set[str]:
    """Every field name of ``cls`` and of the dataclasses nested in it (by default value)."""
    names = set()
    for f in dataclasses.fields(cls):
        names.add(f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default):
            names |= _field_names(type(default))
    return names


def _minimal_argv(name: str) -> list[str]:
    """The subcommand with every positional and required option filled in (placeholders or a real config)."""
    parser, opts = LEAVES[name], _options(name)
    argv = name.split()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or not (action.required or not action.option_strings):
            continue
        if action.nargs == "?":
            continue
        value = str(CONFIG_FILES[name]) if action.dest == "config" else "placeholder"
        argv += [value] if not action.option_strings else [action.option_strings[0], value]
    assert opts is not None
    return argv


COMMANDS = set(LEAVES)


def test_every_subcommand_is_found() -> None:
    assert {name.split(maxsplit=1)[0] for name in COMMANDS} == set(COMMAND_MODULES)
    nested = {name for name in COMMANDS if " " in name}
    assert nested == {"data simulate", "data convert", "data show", "augment show", "augment search"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_declared_as_config_field_or_plain(name: str) -> None:
    parser, opts = LEAVES[name], _options(name)
    assert callable(parser.get_default("func"))
    assert isinstance(parser.get_default("needs"), tuple)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.dest in opts.config_fields or action.dest in opts.plain, (
            f"fpgaflow {name} {action.option_strings or action.dest}: add it with opts.config_flag() or opts.option()"
        )


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if _options(n).config_cls is not None))
def test_config_flags_are_unset_by_default_and_show_the_library_default(name: str) -> None:
    parser, opts = LEAVES[name], _options(name)
    assert opts.config_cls is not None
    actions = {a.dest: a for a in parser._actions}
    for dest, field in opts.config_fields.items():
        action = actions[dest]
        assert action.default is None, f"fpgaflow {name} {action.option_strings}: default must be unset (None)"
        key = f"[{opts.section}.{field}"
        assert action.help is not None and key in action.help
        if isinstance(action, argparse._StoreConstAction):
            assert action.const != config_default(opts.config_cls, field)  # the switch changes the default
        else:
            shown = render_default(config_default(opts.config_cls, field))
            assert f"{key}; default {shown}]" in action.help


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if _options(n).config_cls is not None))
def test_no_plain_option_shadows_a_config_field(name: str) -> None:
    opts = _options(name)
    assert opts.config_cls is not None
    shadowing = (opts.plain - {"config"}) & _field_names(opts.config_cls)
    assert not shadowing, f"fpgaflow {name}: {shadowing} set config fields; declare them with opts.config_flag()"


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if _options(n).config_cls is not None))
def test_cli_defaults_equal_library_defaults(name: str) -> None:
    """No flag given: the typed config is exactly the library's (or the given config file's)."""
    opts = _options(name)
    assert opts.config_cls is not None
    args = build_parser().parse_args(_minimal_argv(name))
    built = opts.config(args)
    expected = load_section(opts.config_cls, CONFIG_FILES[name], opts.section) if name in CONFIG_FILES else None
    assert built == (expected if expected is not None else opts.config_cls())
    for field in opts.config_fields.values():
        if expected is None:
            value: Any = built
            for part in field.split("."):
                value = getattr(value, part)
            assert value == config_default(opts.config_cls, field)


def test_every_config_section_is_known_to_the_section_loader() -> None:
    run_sections = {f.name for f in dataclasses.fields(RunConfig)}
    for name in COMMANDS:
        opts = _options(name)
        positional = any(a.dest == "config" and not a.option_strings for a in LEAVES[name]._actions)
        if opts.config_cls is not None and not positional:
            assert opts.section in run_sections | set(COMMAND_SECTIONS), name


def test_verify_defaults_are_the_run_defaults() -> None:
    """The drift the pattern removes: `fpgaflow verify` used 0.999/csim while a run used 0.99/auto."""
    args = build_parser().parse_args(["verify", "run_dir"])
    assert args.options.config(args) == RunConfig().verify == VerifyConfig()
    args = build_parser().parse_args(["verify", "run_dir", "--min-agreement", "0.5", "--backend", "csim"])
    assert args.options.config(args) == VerifyConfig(min_agreement=0.5, backend="csim")


def test_a_flag_can_imply_another_field() -> None:
    args = build_parser().parse_args(
        ["study", str(CONFIG_FILES["study"]), "--out", "o", "--executor", "process", "--scheduler", "tcp://h:8786"]
    )
    cfg = args.options.config(args)
    assert (cfg.executor.kind, cfg.executor.scheduler_address) == ("dask", "tcp://h:8786")


# --config: a whole run config (its section is used) or the section alone ------------------------------------


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def test_section_alone_and_whole_config_give_the_same_config(tmp_path: Path) -> None:
    section = {"reuse_factor": 4, "strategy": "Resource"}
    bare = load_section(ConvertConfig, _write(tmp_path / "bare.yaml", section), "convert")
    whole = load_section(
        ConvertConfig, _write(tmp_path / "run.yaml", {"convert": section, "train": {"epochs": 3}}), "convert"
    )
    assert bare == whole == ConvertConfig(reuse_factor=4, strategy="Resource")


def test_fit_yaml_is_a_config_for_convert(tmp_path: Path) -> None:
    """`fpgaflow fit` writes fit.yaml as a `convert:` section (fit/report.py); `fpgaflow convert --config`
    takes it.  The real file from a fit run is checked in tests/test_fit_cli.py."""
    chosen = ConvertConfig(reuse_factor=2, strategy="Resource")
    fit_yaml = tmp_path / "fit.yaml"
    fit_yaml.write_text("# fpgaflow fit: chosen ...\n" + yaml.safe_dump({"convert": to_mapping(chosen)}))
    args = build_parser().parse_args(["convert", "m.h5", "--out", "p", "--config", str(fit_yaml)])
    assert args.options.config(args) == chosen
    args = build_parser().parse_args(
        ["convert", "m.h5", "--out", "p", "--config", str(fit_yaml), "--reuse-factor", "1"]
    )
    assert args.options.config(args) == ConvertConfig(reuse_factor=1, strategy="Resource")


def test_run_config_without_the_section_gives_the_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path / "run.yaml", {"train": {"epochs": 3}, "convert": {"reuse_factor": 2}})
    assert load_section(VerifyConfig, path, "verify") == VerifyConfig()
    assert load_section(FitConfig, path, "fit") == FitConfig()
    assert load_section(VerifyConfig, shipped_dir("models") / "quick.yaml", "verify") == RunConfig().verify
    assert load_section(VerifyConfig, shipped_dir("models") / "default.yaml", "verify") == load_run_config().verify


def test_section_errors_name_the_file_and_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "run.yaml", {"verify": {"min_agrement": 0.5}})
    with pytest.raises(
        ConfigError, match=r"run\.yaml: unknown key 'verify\.min_agrement' \(did you mean 'min_agreement'"
    ):
        load_section(VerifyConfig, path, "verify")
    path = _write(tmp_path / "bare.yaml", {"min_agrement": 0.5})
    with pytest.raises(ConfigError, match=r"bare\.yaml: unknown key 'verify\.min_agrement' \(did you mean"):
        load_section(VerifyConfig, path, "verify")
    path = _write(tmp_path / "typo.yaml", {"verify": {}, "convrt": {}})
    with pytest.raises(ConfigError, match=r"typo\.yaml: unknown section 'convrt' \(did you mean 'convert'\?\)"):
        load_section(VerifyConfig, path, "verify")
    path = _write(tmp_path / "list.yaml", {"verify": [1, 2]})
    with pytest.raises(ConfigError, match=r"list\.yaml: section 'verify' must be a mapping, got list"):
        load_section(VerifyConfig, path, "verify")


def test_flag_values_are_checked_like_config_values() -> None:
    args = build_parser().parse_args(["fit", "m.h5", "--out", "o", "--strategies", "Latncy"])
    with pytest.raises(ConfigError, match=r"fit\.strategies\[0\]: 'Latncy' is not one of .*did you mean 'Latency'"):
        args.options.config(args)
    args = build_parser().parse_args(["estimate", "p", "--out", "o", "--budget", "1.5"])
    with pytest.raises(ConfigError, match=r"estimate\.budget must be in \(0, 1\], got 1\.5"):
        args.options.config(args)
