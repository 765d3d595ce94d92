"""``fpgaflow fit``: the command's files, its one-line error when nothing fits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from baseline_inputs import write_baselines_json

from fpgaflow.cli import main
from fpgaflow.config.strict import from_mapping
from fpgaflow.convert.config import ConvertConfig


@pytest.fixture(autouse=True)
def _only_this_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register only ``fit`` and ``convert`` (the test needs no other stage's modules)."""
    import fpgaflow.cli

    monkeypatch.setattr(fpgaflow.cli, "COMMAND_MODULES", ("fit", "convert"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import tensorflow as tf

    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    tmp = tmp_path_factory.mktemp("fitcli")
    tf.keras.utils.set_random_seed(4)
    model = build_model(ModelConfig(conv_filters=(2,)), (16, 16, 1))
    model.save(tmp / "model.h5")
    rng = np.random.default_rng(8)
    adc = (rng.integers(0, 256, (120, 16, 16, 1)) * (rng.random((120, 16, 16, 1)) < 0.3)).astype(np.float32)
    np.savez(
        tmp / "maps.npz",
        maps=adc,
        labels=(adc.sum(axis=(1, 2, 3)) > np.median(adc.sum(axis=(1, 2, 3)))).astype(np.int8),
    )
    return tmp / "model.h5", tmp / "maps.npz"


SPACE = ["--reuse-factors", "1,4", "--reuse-modes", "balanced", "--strategies", "Latency", "--trim-bits", "0"]


def test_cli_fit_writes_config_table_plot_and_confirms_with_csim(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, maps = inputs
    out = tmp_path / "fit"
    rc = main(["-q", "fit", str(model), "--maps", str(maps), "--out", str(out), "--csim-maps", "30", *SPACE])
    stdout = capsys.readouterr().out
    assert rc == 0
    assert "C-sim check: 30/30 maps bit-identical to the emulator" in stdout
    assert f"configured: no configured point: {model} is a model file, not a run directory with a convert: " in stdout
    data = json.loads((out / "fit.json").read_text())
    assert data["n_points"] == 2 and data["n_maps_scored"] == 120
    assert data["csim_confirmation"]["identical"] is True
    chosen = data["chosen"]
    assert chosen["fits"] and chosen["accuracy"] == max(p["accuracy"] for p in data["points"] if p["fits"])
    cfg = from_mapping(ConvertConfig, yaml.safe_load((out / "fit.yaml").read_text())["convert"], "convert")
    assert {n: o.reuse_factor for n, o in cfg.layers.items()} == chosen["layer_reuse"]
    assert (out / "fit_pareto.png").stat().st_size > 10_000
    assert (out / "project" / "firmware" / "myproject_csim.so").is_file()
    assert not (out / ".work").exists()
    # fit.yaml is what `fpgaflow convert --config` takes: the same reuse factors per layer.
    project = tmp_path / "converted"
    assert (
        main(["-q", "convert", str(model), "--config", str(out / "fit.yaml"), "--out", str(project), "--no-csim"]) == 0
    )
    pinned = json.loads((project / "conversion.json").read_text())["pinned_config"]
    reuse = {n: o["reuse_factor"] for n, o in pinned["layers"].items() if o["reuse_factor"] is not None}
    assert reuse == chosen["layer_reuse"]


def test_cli_fit_nothing_fits_is_one_line_naming_resources(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, _ = inputs
    out = tmp_path / "fit"
    rc = main(["-q", "fit", str(model), "--no-accuracy", "--budget", "0.001", "--out", str(out), *SPACE])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert err[-1].startswith("fpgaflow fit: error: no configuration fits the pynq-z2 within the 0 % budget")
    assert "over budget: lut, ff, bram18" in err[-1]
    assert len(json.loads((out / "fit.json").read_text())["points"]) == 2


def test_cli_fit_rejects_a_bad_option(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["fit", str(inputs[0]), "--out", str(tmp_path / "o"), "--strategies", "Latncy"])
    assert rc == 2
    assert "did you mean 'Latency'" in capsys.readouterr().err


def test_a_packed_runs_directory_gives_fit_its_wire(tmp_path: Path) -> None:
    """``fpgaflow fit RUN_DIR`` searches the route the run was converted for: a Vitis run with
    ``convert.wire: adc8 x 4`` reads back as that wire; a VivadoAccelerator run as one float32 per word."""
    from fpgaflow.cli.fit import _wire
    from fpgaflow.pipeline.artefacts import FinishedRun
    from fpgaflow_board.wire_format import WireFormat

    for backend, wire, expected in (
        ("Vitis", {"element": "adc8", "inputs_per_word": 4}, WireFormat("adc8", 4)),
        ("VivadoAccelerator", {"element": "float32", "inputs_per_word": 1}, WireFormat()),
    ):
        run = tmp_path / backend
        (run / ".fpgaflow").mkdir(parents=True)
        (run / "summary.json").write_text(json.dumps({"files": {"model": "model/model.h5"}}))
        config = {"model": {"input_scale": 0.00390625}, "convert": {"backend": backend, "wire": wire}}
        (run / ".fpgaflow" / "run.json").write_text(json.dumps({"config": config}))
        assert FinishedRun.read(run).wire == expected
    assert _wire("adc8x8") == {"element": "adc8", "inputs_per_word": 8}
    assert _wire("float32") == {"element": "float32", "inputs_per_word": 1}


def test_fit_with_a_runs_baselines_writes_accuracy_against_luts(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """Given the run's model_vs_baselines.json (as `fpgaflow fit RUN` passes it), fit draws accuracy against LUTs
    with the baselines as lines and lists them in fit.json and fit.md."""
    from fpgaflow.fit import FitConfig
    from fpgaflow.fit.fit_saved_model import fit_saved_model

    model, maps = inputs
    cfg = FitConfig(
        reuse_factors=(1, 4), reuse_modes=("balanced",), strategies=("Latency",), trim_bits=(0,), csim_maps=0
    )
    baselines = write_baselines_json(tmp_path / "model_vs_baselines.json")
    done = fit_saved_model(model, cfg, tmp_path / "fit", maps, baselines=baselines)
    assert done.accuracy_plot == tmp_path / "fit" / "fit_accuracy_lut.png"
    assert done.accuracy_plot.read_bytes()[:4] == b"\x89PNG"
    data = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert [(b["label"], b["accuracy"]) for b in data["baselines"]] == [
        ("best single cut", 0.694),
        ("boosted trees", 0.725),
        ("two-stage", 0.739),
        ("truth ceiling", 0.729),
    ]
    assert "## Against the baselines (fit_accuracy_lut.png)" in (tmp_path / "fit" / "fit.md").read_text()
    assert any("accuracy vs LUT with the baselines" in line for line in done.lines())
    # without accuracy there is nothing to draw against the baselines
    bare = fit_saved_model(model, cfg, tmp_path / "bare", None, baselines=baselines)
    assert bare.accuracy_plot is None and not (tmp_path / "bare" / "fit_accuracy_lut.png").exists()


def test_fit_of_a_run_directory_scores_and_chooses_the_runs_configured_design(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run directory's `convert:` section (conv1 Resource at reuse 3, the dense layer Latency) is the point
    `configured`: most accurate (the grid trims 12 bits), it is chosen, written to fit.yaml, ringed on the plots and
    its C-sim agrees with the emulator bit for bit."""
    import shutil

    model, maps = inputs
    run = tmp_path / "run"
    for rel, src in (("model/model.h5", model), ("data/test.npz", maps), ("data/train.npz", maps)):
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, run / rel)
    files = {"model": "model/model.h5", "test_maps": "data/test.npz", "train_maps": "data/train.npz"}
    (run / "summary.json").write_text(json.dumps({"files": files}))
    layers = {"conv1": {"reuse_factor": 3, "strategy": "Resource"}, "output_dense": {"strategy": "Latency"}}
    convert = {"backend": "VivadoAccelerator", "reuse_factor": 1, "layers": layers}
    config = {"model": {"input_scale": 1 / 256}, "convert": convert}
    (run / ".fpgaflow").mkdir()
    (run / ".fpgaflow" / "run.json").write_text(json.dumps({"config": config}))
    out = tmp_path / "fit"
    space = ["--reuse-factors", "1", "--reuse-modes", "uniform", "--strategies", "Latency", "--trim-bits", "12"]
    assert main(["-q", "fit", str(run), "--out", str(out), "--csim-maps", "20", *space]) == 0
    stdout = capsys.readouterr().out
    data = json.loads((out / "fit.json").read_text())
    assert [p["label"] for p in data["points"]] == ["configured", "R1-uniform/Latency/trim12/margin1"]
    chosen = data["chosen"]
    assert chosen["label"] == data["configured"] == "configured"
    assert chosen["layer_reuse"] == {"conv1": 3, "output_dense": 1}
    assert chosen["layer_strategy"] == {"conv1": "Resource", "output_dense": "Latency"}
    assert chosen["accuracy"] > data["points"][1]["accuracy"]
    assert data["configured_sentence"].endswith("is the chosen point")
    assert "configured: the configured design (the run's convert: section; " in stdout
    assert data["csim_confirmation"]["identical"] is True and data["csim_confirmation"]["n_maps"] == 20
    cfg = from_mapping(ConvertConfig, yaml.safe_load((out / "fit.yaml").read_text())["convert"], "convert")
    assert (cfg.layers["conv1"].reuse_factor, cfg.layers["conv1"].strategy) == (3, "Resource")
    assert "| 0 | configured | conv1=3 Resource, output_dense=1 Latency |" in (out / "fit.md").read_text()


def test_a_bare_model_with_configured_scores_that_configs_design(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """``--configured`` gives a bare model file the point `configured`: a run config's convert: section, or that
    section alone, with its per-layer reuse factors and strategies."""
    model, maps = inputs
    section = {"layers": {"conv1": {"reuse_factor": 9, "strategy": "Resource"}}, "strategy": "Latency"}
    for name, text in (("run.yaml", {"model": {"conv_filters": [2]}, "convert": section}), ("convert.yaml", section)):
        config = tmp_path / name
        config.write_text(yaml.safe_dump(text))
        out = tmp_path / f"fit-{name}"
        args = ["-q", "fit", str(model), "--maps", str(maps), "--configured", str(config), "--out", str(out)]
        assert main([*args, "--csim-maps", "0", *SPACE]) == 0
        data = json.loads((out / "fit.json").read_text())
        p = data["points"][0]
        assert (p["label"], data["configured"], data["n_points"]) == ("configured", "configured", 3)
        assert p["layer_reuse"] == {"conv1": 9, "output_dense": 1}
        assert p["layer_strategy"] == {"conv1": "Resource", "output_dense": "Latency"}
        assert "no configured point" not in (out / "fit.md").read_text()
