"""In a base install (numpy + pyyaml, no extras) every subcommand ends in one line that says which extra to
install, exit status 2, never a traceback.  The base install is simulated in a subprocess whose import system
refuses every optional module of ``fpgaflow.errors.EXTRA_OF_MODULE``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fpgaflow.errors import EXTRA_OF_MODULE, MissingExtraError, install_hint, missing_extra

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cli_pattern import LEAVES, _minimal_argv

#: Runs every subcommand with the optional modules blocked; prints [name, rc, stderr] per command as JSON.
#: Mode "declared": as shipped (the handler's `needs` are checked first).  Mode "undeclared": that check is
#: switched off, so the handler runs until it imports a blocked module (the fallback translation in main()).
SCRIPT = r"""
import contextlib, importlib.abc, io, json, sys, traceback

blocked = set(json.loads(sys.argv[1]))

class BaseInstall(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, BaseInstall())
import fpgaflow.cli

if sys.argv[2] == "undeclared":
    fpgaflow.cli.missing_modules = lambda names: []
results = []
for name, argv in json.loads(sys.argv[3]):
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = fpgaflow.cli.main(argv)
    except BaseException:
        rc, err = -1, io.StringIO(traceback.format_exc())
    results.append([name, rc, err.getvalue()])
assert not [m for m in sys.modules if m.split(".")[0] in blocked], "a blocked module was imported"
print(json.dumps(results))
"""


def _run(mode: str) -> dict[str, tuple[int, str]]:
    commands = [[name, _minimal_argv(name)] for name in sorted(LEAVES)]
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(sorted(EXTRA_OF_MODULE)), mode, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {name: (rc, err) for name, rc, err in json.loads(proc.stdout.strip().splitlines()[-1])}


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and " INFO " not in line and " WARNING " not in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def declared() -> dict[str, tuple[int, str]]:
    return _run("declared")


#: Commands that need no input and nothing optional: they run to the end in a base install.
RUNS_IN_BASE_INSTALL = {"layers"}


def test_commands_without_inputs_run_in_a_base_install(declared: dict[str, tuple[int, str]]) -> None:
    for name in RUNS_IN_BASE_INSTALL:
        assert declared[name] == (0, ""), name
        assert not LEAVES[name].get_default("needs")


@pytest.mark.parametrize("name", sorted(set(LEAVES) - RUNS_IN_BASE_INSTALL))
def test_each_subcommand_names_the_extra_to_install(name: str, declared: dict[str, tuple[int, str]]) -> None:
    rc, err = declared[name]
    line = _one_line(err)
    assert rc == 2, err
    needs: Any = LEAVES[name].get_default("needs")
    if needs:
        extras = sorted({EXTRA_OF_MODULE[m] for m in needs})
        command = name.split(maxsplit=1)[0]
        assert line.startswith(f"fpgaflow {command}: error: this command needs {', '.join(needs)} (not installed)")
        assert line.endswith("pip install " + " ".join(f"'fpgaflow[{e}]'" for e in extras))
    else:  # needs nothing optional: it runs and reports its (placeholder) input instead
        assert "pip install" not in line
        assert "placeholder" in line


def test_an_undeclared_import_still_ends_in_the_hint() -> None:
    """With the up-front check off, each handler runs into the blocked import itself: main() turns the
    ImportError of an optional module into the same one-line hint (or the command stops earlier, on its
    placeholder input, with its own one-line error)."""
    results = _run("undeclared")
    hinted = []
    for name, (rc, err) in results.items():
        if name in RUNS_IN_BASE_INSTALL:
            assert (rc, err) == (0, ""), name
            continue
        line = _one_line(err)
        assert rc == 2, (name, err)
        if "pip install 'fpgaflow[" in line:
            hinted.append(name)
            assert "(not installed)" in line
    # The commands that import their extras before reading their (placeholder) input.
    assert set(hinted) == {"active", "augment search", "augment show", "data simulate", "estimate", "run", "study"}


def test_hint_helpers() -> None:
    err = install_hint(["tensorflow", "dask"], "this command")
    assert isinstance(err, MissingExtraError)
    assert (
        str(err)
        == "this command needs tensorflow, dask (not installed): pip install 'fpgaflow[host]' 'fpgaflow[study]'"
    )
    translated = missing_extra(ModuleNotFoundError("No module named 'scipy.special'", name="scipy.special"))
    assert translated is not None and str(translated).endswith("pip install 'fpgaflow[host]'")
    assert missing_extra(ModuleNotFoundError("No module named 'fpgaflow.nope'", name="fpgaflow.nope")) is None
