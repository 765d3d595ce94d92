"""End-to-end: `fpgaflow run` on a tiny config with real TensorFlow, real hls4ml and real g++."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.cli import main
from fpgaflow.data import load_npz
from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.manifest import read_manifest

REQUIRED_SUMMARY_KEYS = (
    "accuracy_keras",
    "accuracy_csim",
    "csim_agreement",
    "max_abs_diff",
    "sparsity",
    "n_test",
    "input_shape",
    "steps_seconds",
)


def test_summary_numbers(tiny_run: Path) -> None:
    s = json.loads((tiny_run / "summary.json").read_text())
    for key in REQUIRED_SUMMARY_KEYS:
        assert key in s, key
    assert s["complete"] is True
    assert s["input_shape"] == [16, 16, 1]
    assert s["n_test"] == 240  # 15 % of 1600, stratified
    # The FPGA computes the logit with exact fixed-point arithmetic: the C simulation reproduces QKeras
    # bit for bit, so every class decision agrees.
    assert s["csim_agreement"] == 1.0
    assert s["max_abs_diff"] == 0.0
    assert s["csim_bit_exact_fraction"] == 1.0
    assert s["accuracy_csim"] == s["accuracy_keras"]
    # Trained well above chance (balanced classes) on its own data.
    assert s["accuracy_keras"] > 0.7
    # Pruning reached the configured 50 % in every conv/dense layer.
    assert s["sparsity"] == pytest.approx(0.5, abs=0.02)
    assert all(v == pytest.approx(0.5, abs=0.05) for v in s["layer_sparsity"].values())
    assert set(s["steps_seconds"]) == {"data", "train", "convert", "verify", "baselines", "package"}
    assert s["bitstream"] is None
    report = (tiny_run / "report.md").read_text()
    assert "| QKeras ↔ hardware model class agreement | 100.00 % (passed) |" in report


def test_run_writes_one_report_page(tiny_run: Path) -> None:
    """`fpgaflow run` leaves report.md and the self-contained report.html, every section filled."""
    from html.parser import HTMLParser

    from fpgaflow.pipeline.report import SECTION_IDS

    sections: dict[str, str] = {}

    class Sections(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "section":
                sections[str(a["id"])] = str(a["class"])

    Sections().feed((tiny_run / "report.html").read_text(encoding="utf-8"))
    assert sections == dict.fromkeys(SECTION_IDS, "available")
    md = (tiny_run / "report.md").read_text(encoding="utf-8")
    assert "## Verification: QKeras ↔ C simulation ↔ emulator ↔ board" in md
    assert "maps/s" in md and "e+0" not in md


def test_verify_run_dir_reverifies_the_run_in_place(tiny_run: Path, tmp_path: Path) -> None:
    """`fpgaflow verify RUN_DIR` keeps one verification report per run: the run's verify step, rerun with the
    run's own settings overridden by the flags, recorded in the run's config (no RUN_DIR/verification)."""
    from fpgaflow.pipeline.config import recorded_config

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, symlinks=True)
    assert recorded_config(run).verify.min_agreement == 0.99
    assert main(["verify", str(run), "--min-agreement", "0.5", "--trace-maps", "0"]) == 0
    assert not (run / "verification").exists()
    report = json.loads((run / "verify" / "verification.json").read_text())
    assert report["min_agreement"] == 0.5 and report["trace"] is None
    assert recorded_config(run).verify.min_agreement == 0.5
    s = json.loads((run / "summary.json").read_text())
    assert s["steps_status"]["verify"] == "ran" and s["complete"] is True
    assert "required ≥ 50.00 %" in (run / "report.md").read_text()


def test_verify_run_dir_refuses_a_second_report_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path), "--out", str(tmp_path / "elsewhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert "the verification is the run's own (RUN_DIR/verify" in err and len(err.splitlines()) == 1


def test_hls_project_targets_the_pynq_z2(tiny_run: Path) -> None:
    hls = tiny_run / "hls"
    cfg = (hls / "hls4ml_config.yml").read_text()
    assert "xc7z020clg400-1" in cfg
    assert "pynq-z2" in cfg
    assert "io_stream" in cfg
    assert "ClockPeriod: 10" in cfg
    assert (hls / "firmware" / "myproject_axi.cpp").is_file()
    defines = (hls / "firmware" / "defines.h").read_text()
    assert "typedef nnet::array<ap_ufixed<8,0>, 1*1> input_t;" in defines
    assert not list(tiny_run.glob("*.partial")), "staging directories must be renamed or removed"


def test_bundle_is_complete_and_self_contained(tiny_run: Path) -> None:
    bundle = tiny_run / "board"
    m = read_manifest(bundle)  # verifies every file's SHA-256
    assert m.bitstream is None and "no Vivado build" in m.bitstream_note
    assert m.input_shape == (16, 16, 1) and m.n_in == 256 and m.n_out == 1
    assert m.output_activation == "sigmoid"
    assert (bundle / "fpgaflow_board" / "csim.py").is_file()
    # The bundled C-sim library reproduces the expected outputs shipped with it.
    lib = CSimLibrary(bundle / m.csim_library, m.n_in, m.n_out, m.project_name)
    maps = np.load(bundle / "test_maps.npz")["maps"]
    expected = np.load(bundle / "expected_outputs.npz")
    raw = lib.predict(maps * np.float32(m.input_scale)).reshape(-1)
    np.testing.assert_array_equal(raw, expected["csim_raw"])
    np.testing.assert_array_equal(expected["csim_raw"], expected["keras_raw"])


def test_rerun_skips_finished_steps(tiny_run: Path, tiny_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = json.loads((tiny_run / "summary.json").read_text())
    capsys.readouterr()
    assert main(["run", str(tiny_config), "--out", str(tiny_run)]) == 0
    after = json.loads((tiny_run / "summary.json").read_text())
    assert set(after["steps_status"].values()) == {"skipped"}
    assert after["accuracy_csim"] == before["accuracy_csim"]
    # The printed summary says where the deployed model stands against the baselines, in one sentence.
    out = capsys.readouterr().out
    assert f"against the baselines: {after['baselines_headline']}\n" in out
    assert after["baselines_headline"].startswith(f"the deployed CNN ({100 * after['accuracy_csim']:.1f} ± ")


def test_every_run_measures_the_baselines_on_the_same_maps(tiny_run: Path) -> None:
    s = json.loads((tiny_run / "summary.json").read_text())
    b = s["baselines"]
    assert b["n_test"] == s["n_test"] == 240
    assert sorted(b["families"]) == ["any_pixel", "shape_table", "single_cut", "tree", "two_stage"]
    # The deployed model's figures in the comparison are the verify step's, map for map.
    assert b["model_scores"]["csim"]["accuracy"] == s["accuracy_csim"]
    assert b["model_scores"]["keras"]["accuracy"] == s["accuracy_keras"]
    test = load_npz(tiny_run / "data" / "test.npz")
    any_pixel = float(np.mean((test.maps.reshape(len(test), -1).max(axis=1) > 0) == (test.labels == 1)))
    for fam, f in b["families"].items():
        c = f["vs_model"]["csim"]
        assert c["n_maps"] == 240
        assert c["accuracy_a"] == f["accuracy"] and c["accuracy_b"] == s["accuracy_csim"]
        assert c["accuracy_diff"] == pytest.approx(s["accuracy_csim"] - f["accuracy"], abs=1e-12)
        assert c["verdict"] in ("loses", "beats", "level"), fam
        assert f["accuracy_interval"][0] < f["accuracy"] < f["accuracy_interval"][1]
    assert b["families"]["any_pixel"]["accuracy"] == pytest.approx(any_pixel, abs=1e-12)
    assert (tiny_run / "baselines" / "baselines.md").is_file()
    report = (tiny_run / "report.md").read_text()
    assert f"**Against the baselines: {s['baselines_headline']}.**" in report
    assert "| any_pixel: any_pixel | n_pixels > 0 |" in report
    assert "baseline: 'particle if any pixel" not in report  # the verify step's inline figure is gone
    # The bundle carries the numbers (not the models) and every family's decision on each bundled map.
    bundled = json.loads((tiny_run / "board" / "baselines.json").read_text())
    assert read_manifest(tiny_run / "board").files["baselines.json"]
    assert bundled["headline"] == s["baselines_headline"]
    decisions = np.array(bundled["families"]["any_pixel"]["decisions"])
    assert float(np.mean(decisions == test.labels)) == b["families"]["any_pixel"]["accuracy"]


def test_a_simulated_run_reports_its_truth_ceiling_and_trains_the_two_stage_on_truth(
    tiny_run: Path, tiny_config: Path
) -> None:
    """The run keeps the simulator's per-cluster truth beside its maps (the maps are the bytes of a run
    without it), the baselines step measures the truth ceiling and the label ambiguity on the same test maps,
    and the two-stage family gets its member trained on the clusters' own truth."""
    from fpgaflow.baselines.ceiling import label_ambiguity, truth_ceiling
    from fpgaflow.data.truth import ClusterTruth, load_truth
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.datasets import make_splits

    s = json.loads((tiny_run / "summary.json").read_text())
    train, test = load_npz(tiny_run / "data" / "train.npz"), load_npz(tiny_run / "data" / "test.npz")
    train_truth, test_truth = load_truth(tiny_run / "data" / "train.npz"), load_truth(tiny_run / "data" / "test.npz")
    assert len(train_truth) > 0 and int(train_truth.map_index.max()) < len(train)
    assert len(test_truth) > 0 and int(test_truth.map_index.max()) < len(test)
    cfg = load_run_config(tiny_config)
    _, _, plain = make_splits(cfg.data)
    assert plain.truth is None and plain.maps.tobytes() == test.maps.tobytes()
    # The ceiling, recomputed here from the run's files, is what the summary says.
    truth = ClusterTruth.concatenate([train_truth, test_truth], [len(train), len(test)])
    labels = np.concatenate([train.labels, test.labels])
    expected = truth_ceiling(labels, truth, np.arange(len(train)), np.arange(len(train), labels.size))
    got = s["baselines"]["truth"]
    assert got["ceiling"]["accuracy"] == expected.accuracy and got["ceiling"]["n_test"] == 240
    assert got["ceiling"]["roc_auc"] == pytest.approx(expected.roc_auc, abs=1e-12)
    assert got["ambiguity"]["n_one_track"] == label_ambiguity(labels, truth).n_one_track > 0
    assert 0.0 < got["ambiguity"]["one_track"] < 1.0
    report = (tiny_run / "report.md").read_text()
    assert f"{100 * expected.accuracy:.1f} ± {100 * expected.accuracy_error:.1f} % on the 240 test maps" in report
    members = json.loads((tiny_run / "baselines" / "baselines.json").read_text())["members"]
    assert {m["name"] for m in members} >= {"two_stage:truth:max", "two_stage:truth:learned"}
    # The per-map scores a report draws ROC curves from (docs/baselines.md, "What a run's reader finds").
    with np.load(tiny_run / "verify" / "scores.npz") as z:
        assert (
            set(z.files) == {"keras", "csim", "keras_raw", "csim_raw", "labels"}
            and z["labels"].tolist() == test.labels.tolist()
        )
    with np.load(tiny_run / "baselines" / "baseline_scores.npz") as z:
        assert set(z.files) == {"labels"} | {
            f"{f}_{k}" for f in s["baselines"]["families"] for k in ("scores", "cut", "name")
        }


def test_from_step_reruns_only_the_tail(tiny_run: Path, tiny_config: Path) -> None:
    assert main(["run", str(tiny_config), "--out", str(tiny_run), "--from", "verify"]) == 0
    s = json.loads((tiny_run / "summary.json").read_text())
    assert s["steps_status"] == {
        "data": "skipped",
        "train": "skipped",
        "convert": "skipped",
        "verify": "ran",
        "baselines": "ran",
        "package": "ran",
    }
    assert s["csim_agreement"] == 1.0
