"""``pip install .`` makes a working fpgaflow: every package, the run configs (``models/``), the Vivado TCL
(``vivado_scripts/``) and the board notebook ship in the wheel and are found through ``fpgaflow.shipped``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml

from fpgaflow.pipeline.config import load_run_config
from fpgaflow.shipped import CHECKOUT_FOLDERS, shipped_dir

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: What the wheel is built from (everything pyproject.toml refers to).
SOURCES = ("pyproject.toml", "README.md", "fpgaflow", "board", "models", "vivado_scripts")


def _package_dirs() -> dict[str, Path]:
    """Every package of the source tree, by its import name."""
    found = {"fpgaflow_board": REPO / "board" / "fpgaflow_board"}
    for init in sorted((REPO / "fpgaflow").rglob("__init__.py")):
        found[".".join(init.parent.relative_to(REPO).parts)] = init.parent
    return found


def _shipped_files() -> dict[str, list[str]]:
    """Wheel path → source files, for the three shipped folders (the models' task presets included: the default
    run names one)."""
    patterns = {"models": ("*.yaml", "tasks/*.yaml"), "vivado_scripts": ("*.tcl",), "notebooks": ("*.ipynb",)}
    return {
        f"fpgaflow/_shipped/{name}/{p.relative_to(REPO / folder).as_posix()}": [str(p)]
        for name, folder in CHECKOUT_FOLDERS.items()
        for pattern in patterns[name]
        for p in sorted((REPO / folder).glob(pattern))
    }


def test_every_package_of_the_tree_is_listed_in_pyproject() -> None:
    listed = set(SETUPTOOLS["packages"])
    assert set(_package_dirs()) <= listed, f"add to [tool.setuptools] packages: {set(_package_dirs()) - listed}"
    shipped = {f"fpgaflow._shipped.{name}": folder for name, folder in CHECKOUT_FOLDERS.items()}
    assert listed == set(_package_dirs()) | set(shipped)
    for package, folder in shipped.items():
        assert SETUPTOOLS["package-dir"][package] == folder


def test_shipped_folders_are_found_in_the_checkout() -> None:
    assert (shipped_dir("models") / "default.yaml").is_file()
    assert (shipped_dir("vivado_scripts") / "hls_synth.tcl").is_file()
    assert (shipped_dir("notebooks") / "classify_hitmaps.ipynb").is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline (no build isolation, no index) from a copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "*.so")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q"]
    proc = subprocess.run([*pip, "-w", str(tmp / "dist"), str(src)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = (tmp / "dist").glob("fpgaflow-*.whl")
    return built


def test_the_wheel_holds_every_module_and_the_shipped_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        f"{package.replace('.', '/')}/{py.name}" for package, d in _package_dirs().items() for py in d.glob("*.py")
    }
    assert modules <= names, sorted(modules - names)
    assert set(_shipped_files()) <= names, sorted(set(_shipped_files()) - names)
    for data in ("fpgaflow/py.typed", "fpgaflow_board/py.typed", "fpgaflow/estimate/coefficients.yaml"):
        assert data in names
    assert not [n for n in names if n.split("/")[0] in ("models", "vivado_scripts", "board", "tests")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "fpgaflow = fpgaflow.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_runs_and_finds_its_default_config(wheel: Path, tmp_path: Path) -> None:
    """Installed into a fresh venv (no checkout on sys.path; the dependencies come from this environment
    through a .pth line, so nothing is downloaded), `fpgaflow run` finds the shipped default config."""
    # the installed wheel, not a checkout that PYTHONPATH (e.g. PYTHONPATH=$PWD pytest) would put first
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q"]
    proc = subprocess.run([*install, str(wheel)], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    def fpgaflow(*args: str) -> str:
        proc = subprocess.run(
            [str(venv / "bin" / "fpgaflow"), *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    assert "--print-config" in fpgaflow("run", "--help")
    printed = fpgaflow("run", "--print-config")
    assert printed.splitlines()[0] == f"# {site / 'fpgaflow' / '_shipped' / 'models' / 'default.yaml'}"
    assert yaml.safe_load(printed) == load_run_config().to_dict()
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import json, fpgaflow, fpgaflow_board; from fpgaflow.shipped import shipped_dir; "
            "print(json.dumps([fpgaflow.__file__, fpgaflow_board.__file__, "
            "*[str(shipped_dir(n)) for n in ('models', 'vivado_scripts', 'notebooks')]]))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    paths = [Path(p) for p in json.loads(where.stdout)]
    assert all(p.is_relative_to(site) for p in paths), paths
    assert (paths[3] / "hls_synth.tcl").is_file()
    assert (paths[4] / "classify_hitmaps.ipynb").is_file()
