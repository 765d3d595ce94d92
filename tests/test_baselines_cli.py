"""``fpgaflow baselines MAPS --out DIR`` end to end: a run's data directory, a single file, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow import cli
from fpgaflow.data import HitMapSet, split
from fpgaflow.data.config import DataConfig
from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig
from fpgaflow.data.source import load_dataset

DATA = DataConfig(
    source="simulate",
    n_maps=600,
    select_particle_fraction=True,
    seed=4,
    simulate=SimulatorConfig(tracks=TrackConfig(pileup=20.0), window=WindowConfig(crop_rows=16, crop_cols=16)),
)
FAST = ["--n-bootstrap", "50", "--families", "any_pixel,single_cut,shape_table"]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("baselines",))
    return cli.main


@pytest.fixture(scope="module")
def maps() -> HitMapSet:
    return load_dataset(DATA)


def test_run_data_directory(tmp_path: Path, maps: HitMapSet, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "run"
    for name, part in zip(("train", "val", "test"), split(maps, 0.15, 0.15, np.random.default_rng(0)), strict=True):
        part.save_npz(run / "data" / f"{name}.npz")
    out = tmp_path / "out"
    assert run_cli(["baselines", str(run), "--out", str(out), *FAST]) == 0
    table = json.loads((out / "baselines.json").read_text())
    assert table["validation"] == "given"
    assert table["n_test"] == 90 and table["n_val"] == 90 and table["n_train"] == 420
    assert set(table["best"]) == {"any_pixel", "single_cut", "shape_table"}
    assert str(run / "data") in table["maps"]
    md = (out / "baselines.md").read_text()
    assert md in capsys.readouterr().out
    assert "| single_cut |" in md
    marker = json.loads((out / ".fpgaflow" / "baselines.json").read_text())
    assert marker["config"]["families"] == ["any_pixel", "single_cut", "shape_table"]
    assert marker["config"]["n_bootstrap"] == 50
    with np.load(out / "baseline_scores.npz") as z:
        assert z["labels"].size == 90
        assert z["single_cut_scores"].shape == (90,)
        best = next(m for m in table["members"] if m["name"] == table["best"]["single_cut"])
        assert float(z["single_cut_cut"]) == best["cut"]
        called = z["single_cut_scores"] > z["single_cut_cut"]
        assert np.mean(called == z["labels"].astype(bool)) == pytest.approx(best["accuracy"])
    # Rerun into the same directory: replaced.  A file fpgaflow did not write there: refused, left alone.
    assert run_cli(["baselines", str(run), "--out", str(out), *FAST]) == 0
    md = (out / "baselines.md").read_text()
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert run_cli(["baselines", str(run), "--out", str(out), *FAST]) == 2
    assert "notes.txt, which fpgaflow did not write" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "baselines.md").read_text() == md


def test_single_file_is_split_like_a_run(tmp_path: Path, maps: HitMapSet, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = maps.save_npz(tmp_path / "maps.npz")
    out = tmp_path / "out"
    assert run_cli(["baselines", str(path), "--out", str(out), *FAST, "--split-seed", "4"]) == 0
    table = json.loads((out / "baselines.json").read_text())
    _, _, test = split(maps, 0.15, 0.15, np.random.default_rng([4, 1]))
    with np.load(out / "baseline_scores.npz") as z:
        assert np.array_equal(z["labels"], test.labels)
    assert "split 0.70/0.15/0.15 with seed 4" in table["maps"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope", "not found"),
        (lambda p: p, "a directory without train.npz + test.npz"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str], make, message: str) -> None:  # type: ignore[no-untyped-def]
    assert run_cli(["baselines", str(make(tmp_path)), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unknown_family_is_a_config_error(
    tmp_path: Path, maps: HitMapSet, run_cli, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = maps.save_npz(tmp_path / "maps.npz")
    assert run_cli(["baselines", str(path), "--out", str(tmp_path / "o"), "--families", "tree,cnn"]) == 2
    assert "unknown ['cnn']" in capsys.readouterr().err


def test_a_run_directory_and_its_deployed_model(tiny_run: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # The maps of a real `fpgaflow run`; the any-pixel rule reproduces the run's own figure exactly, and the
    # deployed model's test scores are compared map by map with one call.
    from fpgaflow.baselines import BaselineConfig, evaluate_baselines
    from fpgaflow.data import load_npz

    out = tmp_path / "bl"
    assert run_cli(["baselines", str(tiny_run), "--out", str(out), *FAST]) == 0
    summary = json.loads((tiny_run / "summary.json").read_text())
    table = json.loads((out / "baselines.json").read_text())
    any_pixel = next(m for m in table["members"] if m["name"] == "any_pixel")
    assert table["n_test"] == summary["n_test"]
    assert any_pixel["accuracy"] == pytest.approx(summary["baselines"]["families"]["any_pixel"]["accuracy"], abs=1e-12)
    # The command reproduces what the run's own baselines step measured on the same maps.
    run_table = json.loads((tiny_run / "baselines" / "baselines.json").read_text())
    assert table["best"] == {fam: run_table["best"][fam] for fam in table["best"]}

    data = {k: load_npz(tiny_run / "data" / f"{k}.npz") for k in ("train", "val", "test")}
    with np.load(tiny_run / "verify" / "scores.npz") as z:
        keras, labels = z["keras"], z["labels"]
    assert np.array_equal(labels, data["test"].labels)
    result = evaluate_baselines(
        data["train"].maps,
        data["train"].labels,
        data["test"].maps,
        data["test"].labels,
        data["val"].maps,
        data["val"].labels,
        cfg=BaselineConfig(families=("any_pixel", "single_cut"), n_bootstrap=50),
    )
    comparison = result.compare(keras)
    assert comparison["any_pixel"].accuracy_b == pytest.approx(summary["accuracy_keras"], abs=1e-12)
    assert comparison["any_pixel"].accuracy_a == any_pixel["accuracy"]
