"""A run directory made in a second, without TensorFlow: the files `fpgaflow run` writes that the run report
reads (summary, config, data splits, history, scores, conversion and verification reports, baselines), with
known numbers, so the report's tests are fast and can assert exact values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.config.strict import from_mapping
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.pipeline.config import RunConfig

N_TEST = 200  # 100 particle, 100 background


def _maps(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    maps = np.zeros((labels.size, 16, 16, 1), dtype=np.float32)
    for i, y in enumerate(labels):
        if y == 1 or i % 5 == 0:  # particles, and a fifth of the background, hold a small cluster
            r, c = rng.integers(1, 14, size=2)
            maps[i, r : r + 2, c, 0] = rng.integers(20, 200, size=2)
    return maps


def make_run(run_dir: Path, *, baselines: bool = True, estimate_range: bool = False) -> dict[str, Any]:
    """Write the fake run into ``run_dir``; returns its summary."""
    rng = np.random.default_rng(7)
    cfg = from_mapping(
        RunConfig,
        {
            "data": {
                "source": "simulate",
                "n_maps": 2 * N_TEST + 200,
                "seed": 5,
                "simulate": {
                    "tracks": {"pileup": 20.0},
                    "window": {"region": "crop", "crop_rows": 16, "crop_cols": 16},
                },
            },
            "augment": {"strategy": "exclusive", "seed": 9},
            "train": {"epochs": 4, "seed": 3},
        },
    )
    marker = run_dir / ".fpgaflow"
    marker.mkdir(parents=True)
    (marker / "run.json").write_text(json.dumps({"fpgaflow": "0.1.0", "kind": "run", "config": cfg.to_dict()}))
    files: dict[str, str] = {}
    for split, n in (("train", 200), ("val", 100), ("test", N_TEST)):
        labels = np.repeat([1, 0], n // 2).astype(np.int64)
        HitMapSet(_maps(rng, labels), labels).save_npz(run_dir / "data" / f"{split}.npz")
        files[f"{split}_maps"] = f"data/{split}.npz"
    (run_dir / "model").mkdir()
    history = {
        "loss": [0.6, 0.45, 0.4, 0.38],
        "val_loss": [0.55, 0.44, 0.41, 0.40],
        "accuracy": [0.7, 0.85, 0.88, 0.89],
        "val_accuracy": [0.8, 0.86, 0.87, 0.875],
        "lr": [0.003, 0.002, 0.001, 0.0005],
    }
    (run_dir / "model" / "history.json").write_text(json.dumps(history))
    files["history"] = "model/history.json"
    labels = np.repeat([1, 0], N_TEST // 2).astype(np.int64)
    # Scores: 180 of 200 right at 0.5 (90 %): particles 0.55..0.95 except 10 at 0.3, background 0.05..0.45
    # except 10 at 0.7.
    scores = np.where(labels == 1, np.linspace(0.55, 0.95, N_TEST), np.linspace(0.05, 0.45, N_TEST))
    scores[:10] = 0.3
    scores[100:110] = 0.7
    (run_dir / "verify").mkdir()
    np.savez(run_dir / "verify" / "scores.npz", keras=scores, csim=scores, labels=labels)
    files["scores"] = "verify/scores.npz"
    comparison = {
        "n": N_TEST,
        "agreement": 1.0,
        "max_abs_diff": 0.0,
        "mean_abs_diff": 0.0,
        "accuracy_a": 0.9,
        "accuracy_b": 0.9,
        "bit_exact_fraction": 1.0,
        "first_disagreements": [],
    }
    verification = {
        "n_maps": N_TEST,
        "output_activation": "sigmoid",
        "paths": {"qkeras": "TensorFlow (QKeras model)", "hw": "C simulation (myproject_csim.so, 1 process)"},
        "accuracy": {"qkeras": 0.9, "hw": 0.9},
        "comparisons": {"qkeras_vs_hw": comparison},
        "hw_bit_exact_fraction": 1.0,
        "hw_maps_per_second": 1234.5,
        "min_agreement": 0.99,
        "passed": True,
        "trace": {"n_maps": 100, "exact_layers": ["conv1", "output_dense"], "first_departure": None, "layers": []},
        "ranges": [],
    }
    (run_dir / "verify" / "verification.json").write_text(json.dumps(verification))
    files["verification"] = "verify/verification.json"
    (run_dir / "hls").mkdir()
    conversion = {
        "board": "pynq-z2",
        "part": "xc7z020clg400-1",
        "backend": "VivadoAccelerator",
        "io_type": "io_stream",
        "clock_period_ns": 10.0,
        "interval_cycles": 256,
        "interval_us": 2.56,
        "precision": {
            "layers": [
                {"layer": "hit_map", "kind": "input", "result": {"type": "ap_ufixed<8,0>"}},
                {
                    "layer": "conv1",
                    "kind": "conv2d",
                    "weight": {"type": "ap_fixed<8,1>"},
                    "accum": {"type": "ap_fixed<19,4>"},
                    "result": {"type": "ap_fixed<19,4>"},
                },
                {"layer": "relu1", "kind": "activation", "result": {"type": "ap_ufixed<8,3,AP_RND_CONV,AP_SAT>"}},
            ]
        },
        "reuse": {
            "layers": [{"layer": "conv1", "reuse_factor": 3, "strategy": "Latency", "multipliers": 12}],
        },
    }
    (run_dir / "hls" / "conversion.json").write_text(json.dumps(conversion))
    files["conversion_report"] = "hls/conversion.json"
    summary: dict[str, Any] = {
        "n_train": 200,
        "n_val": 100,
        "n_test": N_TEST,
        "accuracy_keras": 0.9,
        "accuracy_csim": 0.9,
        "csim_agreement": 1.0,
        "verify_passed": True,
        "verify_hw_path": "C simulation (myproject_csim.so, 1 process)",
        "val_accuracy": 0.875,
        "train_accuracy": 0.89,
        "epochs_run": 4,
        "n_parameters": 237,
        "sparsity": 0.5,
        "layer_sparsity": {"conv1": 0.5},
        "board": "pynq-z2",
        "clock_period_ns": 10.0,
        "estimate": {"lut": 21480.0, "ff": 13000.0, "dsp": 0.0, "bram18": 46.0},
        "estimate_verdict": "fits the pynq-z2 within the 70 % budget",
        "modelled_maps_per_second": 97656.25,
        "modelled_bound": "compute",
        "modelled_latency_us": 2.76,
        "csim_maps_per_second": 1234.5,
        "bitstream": None,
        "steps_status": {"data": "ran", "train": "ran", "convert": "ran", "verify": "ran", "package": "ran"},
        "steps_seconds": {"data": 0.3, "train": 19.5, "convert": 24.5, "verify": 24.8, "package": 0.1},
        "complete": True,
        "fpgaflow_version": "0.1.0",
        "files": files,
    }
    if estimate_range:
        summary["estimate_range"] = {
            "lut": [17000.0, 26000.0],
            "ff": [9000.0, 16000.0],
            "dsp": [0.0, 0.0],
            "bram18": [44.0, 48.0],
        }
    if baselines:
        (run_dir / "baselines").mkdir()
        any_pixel = (np.arange(N_TEST) < 120).astype(np.float64)  # 100 particles + 20 background called
        total_adc = np.where(labels == 1, np.linspace(0.5, 1.0, N_TEST), np.linspace(0.0, 0.6, N_TEST))
        np.savez(
            run_dir / "baselines" / "baseline_scores.npz",
            labels=labels,
            any_pixel_scores=any_pixel,
            any_pixel_cut=np.array(0.5),
            any_pixel_name=np.array("any pixel read out"),
            single_cut_scores=total_adc,
            single_cut_cut=np.array(0.55),
            single_cut_name=np.array("total_adc"),
        )
        summary["baselines_headline"] = "the deployed CNN (90.0 ± 2.1 %) is LEVEL with the single cut"
        summary["baselines"] = {
            "deployed": "csim",
            "significance": 0.05,
            "families": {
                "single_cut": {
                    "working_point": "total_adc > 108",
                    "vs_model": {
                        "csim": {"accuracy_diff": -0.012, "accuracy_error": 0.02, "accuracy_p": 0.4, "verdict": "level"}
                    },
                }
            },
        }
    (run_dir / "summary.json").write_text(json.dumps(summary))
    return summary
