"""``fpgaflow fit`` on the default architecture: does it fit the PYNQ-Z2 at 128×128, and how long does a search take?

    PYTHONPATH=$PWD:$PWD/board .venv/bin/python bench/bench_fit.py [--run RUN_DIR]

Rows 1–2: the default ``ModelConfig`` (QConv2D 4 → QConv2D 8 → QDense 1) built at 128×128×1 with random weights
(seed 0), once unpruned and once with the 50 % smallest weights of every layer zeroed (the default flow prunes to
50 % sparsity); resources only (``--no-accuracy``), default search space.  Row 3 (``--run``): the trained model of
a ``fpgaflow run`` directory at its own map size, scored on its test maps with the emulator, chosen design
confirmed with the C simulation on 200 maps.  Prints Markdown (bench/results_fit.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _prune(model: Any, fraction: float) -> None:
    """Zero the ``fraction`` smallest-magnitude kernel weights of every Conv2D/Dense layer (biases kept)."""
    for layer in model.layers:
        weights = layer.get_weights()
        if len(weights) != 2:
            continue
        kernel, bias = weights
        cut = np.quantile(np.abs(kernel), fraction)
        layer.set_weights([np.where(np.abs(kernel) <= cut, 0.0, kernel).astype(kernel.dtype), bias])


def _row(name: str, result: Any, seconds: float, extra: str = "") -> str:
    c = result.chosen
    u = c.utilisation
    acc = "–" if c.accuracy is None else f"{100 * c.accuracy:.2f} %"
    reuse = ", ".join(f"{k}={v}" for k, v in c.candidate.layer_reuse.items())
    return (
        f"| {name} | {len(result.points)} ({sum(p.fits for p in result.points)} fit) | {c.label} | {reuse} | "
        f"{100 * u['lut']:.1f} / {100 * u['ff']:.1f} / {100 * u['dsp']:.1f} / {100 * u['bram18']:.1f} | "
        f"{c.interval_cycles:.0f} | {c.maps_per_s:.0f} | {acc} | {seconds:.1f} |{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, help="a `fpgaflow run` directory to fit with accuracy")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import tensorflow as tf

    from fpgaflow.fit import FitConfig, fit_model
    from fpgaflow.modelio import DEFAULT_INPUT_SCALE
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    print(
        "| model | points | chosen | reuse per layer | LUT / FF / DSP / BRAM18 % | interval (cycles) | maps/s | "
        "accuracy | search s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-fit-") as tmp:
        for pruned in (0.0, 0.5):
            tf.keras.utils.set_random_seed(0)
            model = build_model(ModelConfig(), (128, 128, 1))
            if pruned:
                _prune(model, pruned)
            t0 = time.perf_counter()
            result = fit_model(model, FitConfig(csim_maps=0), Path(tmp) / f"p{pruned}", input_scale=DEFAULT_INPUT_SCALE)
            name = f"default arch. 128×128×1, random weights{', 50 % pruned' if pruned else ''}"
            print(_row(name, result, time.perf_counter() - t0))
        if args.run is not None:
            from fpgaflow.convert.hls import split_output_activation
            from fpgaflow.data import load_npz
            from fpgaflow.fit.confirm import confirm_with_csim
            from fpgaflow.fit.search import convert_chosen
            from fpgaflow.modelio import input_scale_for, load_model
            from fpgaflow_board.scaling import scale_inputs

            model_path = args.run / "model" / "model.h5"
            model, scale = load_model(model_path), input_scale_for(model_path)
            test = load_npz(args.run / "data" / "test.npz")
            cal = scale_inputs(load_npz(args.run / "data" / "train.npz").maps[:2000], scale)
            x = scale_inputs(test.maps, scale)
            t0 = time.perf_counter()
            cfg = FitConfig()
            result = fit_model(model, cfg, Path(tmp) / "run", x, test.labels, cal, input_scale=scale)
            seconds = time.perf_counter() - t0
            conv = convert_chosen(model, result, Path(tmp) / "chosen")
            logit, _ = split_output_activation(model)
            check = confirm_with_csim(logit, conv, result.chosen.candidate, x[:200], Path(tmp) / "twin")
            shape = "×".join(str(s) for s in x.shape[1:])
            print(_row(f"trained `fpgaflow run` model, {shape}", result, seconds))
            ref = result.reference_accuracy or 0.0
            print(
                f"\nQKeras accuracy on the same {result.n_maps} maps: {100 * ref:.2f} %; C-sim of the chosen "
                f"design vs emulator: {check.n_identical}/{check.n_maps} bit-identical ({check.emulated})."
            )
            by_trim: dict[int, float] = {}
            for p in result.points:
                by_trim[p.candidate.precision.trim_bits] = p.accuracy or 0.0
            print(
                "Accuracy per precision variant: "
                + ", ".join(f"trim {k}: {100 * v:.2f} %" for k, v in sorted(by_trim.items()))
            )


if __name__ == "__main__":
    main()
