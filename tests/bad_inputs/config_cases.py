"""Run configs (YAML) and config flags: typos, types, non-finite numbers, duplicate keys, binary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bad_inputs.case import Case, Prepare, Prepared, fpgaflow


def _yaml(text: str | bytes) -> Prepare:
    """A case preparing ``run.yaml`` with ``text`` and checking it with ``fpgaflow run --print-config``."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        path = tmp / "run.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return Prepared(fpgaflow("run", path, "--print-config"))

    return prepare


def _flag(*argv: str) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        return Prepared(fpgaflow(*[a.replace("TMP", str(tmp)) for a in argv]))

    return prepare


def _missing(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
    return Prepared(fpgaflow("run", tmp / "nope.yaml", "--print-config"))


CASES = [
    Case(
        "config-default",
        "config",
        "the shipped default config",
        0,
        "learning_rate: 0.003",
        _flag("run", "--print-config"),
    ),
    Case(
        "config-exponent",
        "config",
        "`learning_rate: 2e-3` (no decimal point)",
        0,
        "learning_rate: 0.002",
        _yaml("train:\n  learning_rate: 2e-3\n"),
    ),
    Case(
        "config-duplicate-key",
        "config",
        "`epochs:` given twice in `train:`",
        2,
        "key 'epochs' is given twice in one mapping (first on line 2)",
        _yaml("train:\n  epochs: 3\n  epochs: 4\n"),
    ),
    Case(
        "config-binary",
        "config",
        "a binary file as the config",
        2,
        "not a YAML text file (byte 3 is 0xd0",
        _yaml(b"ab:\xd0\x00\x01\x02"),
    ),
    Case(
        "config-inf",
        "config",
        "`learning_rate: .inf`",
        2,
        "train.learning_rate: expected a finite number, got inf",
        _yaml("train:\n  learning_rate: .inf\n"),
    ),
    Case(
        "config-nan",
        "config",
        "`data.particle_fraction: .nan`",
        2,
        "data.particle_fraction: expected a finite number, got nan",
        _yaml("data:\n  particle_fraction: .nan\n"),
    ),
    Case(
        "config-minus-inf",
        "config",
        "`convert.clock_period_ns: -.inf`",
        2,
        "convert.clock_period_ns: expected a finite number, got -inf",
        _yaml("convert:\n  clock_period_ns: -.inf\n"),
    ),
    Case(
        "config-typo",
        "config",
        "misspelt key `trian:`",
        2,
        "unknown key 'trian' (did you mean 'train'?)",
        _yaml("trian:\n  epochs: 3\n"),
    ),
    Case(
        "config-type",
        "config",
        "`epochs: three`",
        2,
        "train.epochs: expected an integer, got 'three'",
        _yaml("train:\n  epochs: three\n"),
    ),
    Case(
        "config-python-tag",
        "config",
        "a `!!python/object` tag",
        2,
        "not valid YAML",
        _yaml("train: !!python/object:os.system {}\n"),
    ),
    Case(
        "config-not-mapping",
        "config",
        "a YAML list at the top level",
        2,
        "top level must be a mapping, got list",
        _yaml("- 1\n- 2\n"),
    ),
    Case(
        "config-range",
        "config",
        "`data.val_fraction: 0.9` with `test_fraction: 0.2`",
        2,
        "data.val_fraction + data.test_fraction must be < 1",
        _yaml("data:\n  val_fraction: 0.9\n  test_fraction: 0.2\n"),
    ),
    Case("config-missing-file", "config", "a config path that does not exist", 2, "config file not found", _missing),
    Case(
        "flag-tolerance-nan",
        "config",
        "`fpgaflow check B R --tolerance nan`",
        2,
        "check.tolerance: expected a finite number, got nan",
        _flag("check", "TMP/b", "TMP/r.npz", "--tolerance", "nan"),
    ),
    Case(
        "flag-tolerance-inf",
        "config",
        "`fpgaflow check B R --tolerance inf`",
        2,
        "check.tolerance: expected a finite number, got inf",
        _flag("check", "TMP/b", "TMP/r.npz", "--tolerance", "inf"),
    ),
]
