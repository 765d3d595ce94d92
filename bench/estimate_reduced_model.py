"""Estimate the study's reduced CNN on the PYNQ-Z2, and cross-check the synth target on PYNQ_IA designs.

    PYTHONPATH=$PWD .venv/bin/python bench/estimate_reduced_model.py

Reduced model: Conv2D(16, 3x3, ReLU) -> MaxPool(8) -> Flatten -> Dense(32, ReLU) -> Dense(1, sigmoid) at
128x128x3, ap_fixed<16,6> everywhere, reuse 1, Latency, io_stream, VivadoAccelerator pynq-z2, 10 ns.
Prints Markdown tables (used in bench/results_estimate.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace

from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.calibration_cases import jet_mlp, mnist_cnn
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.estimate.estimator import estimate_design_on_board
from fpgaflow.estimate.model import Target
from fpgaflow.estimate.report import render_markdown
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.throughput import throughput
from fpgaflow_board.boards import Board, get_board


def reduced_design() -> DesignSpec:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import hls4ml
    from tensorflow import keras

    init = keras.initializers.GlorotUniform(seed=0)  # fixed weights: the zero count after quantisation is fixed
    model = keras.Sequential(
        [
            keras.layers.Input((128, 128, 3)),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv", kernel_initializer=init),
            keras.layers.MaxPooling2D(8, name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(32, activation="relu", name="fc", kernel_initializer=init),
            keras.layers.Dense(1, activation="sigmoid", name="out", kernel_initializer=init),
        ]
    )
    prec = "ap_fixed<16,6>"
    config = hls4ml.utils.config_from_keras_model(
        model, granularity="name", backend="VivadoAccelerator", default_precision=prec, default_reuse_factor=1
    )
    for layer in config["LayerName"].values():
        p = layer.get("Precision")
        layer["Precision"] = dict.fromkeys(p, prec) if isinstance(p, dict) else prec
    hls_model = hls4ml.converters.convert_from_keras_model(
        model,
        backend="VivadoAccelerator",
        board="pynq-z2",
        io_type="io_stream",
        clock_period=10,
        part="xc7z020clg400-1",
        hls_config=config,
        output_dir=tempfile.mkdtemp(),
    )
    return describe_hls_model(hls_model, "reduced")


def row(label: str, design: DesignSpec, board: Board, shell: bool, target: Target) -> str:
    table = estimate_design_on_board(design, board if shell else None, target=target)
    use = {r.resource: f"{r.used:,.0f} ({100 * r.utilisation:.0f} %)" for r in check_budget(table, board).rows}
    rate = throughput(table, board, design.input_elements)
    return (
        f"| {label} | {target} | {use['lut']} | {use['ff']} | {use['dsp']} | {use['bram18']} | "
        f"{table.total.interval_cycles:,.0f} | {rate.maps_per_s:,.0f} |"
    )


def main() -> int:
    board = get_board("pynq-z2")
    design = reduced_design()
    resource_fc = replace(
        design,
        layers=tuple(
            replace(lay, strategy="resource", reuse=3600) if lay.name == "fc" else lay for lay in design.layers
        ),
    )
    print("| variant | target | LUT | FF | DSP | BRAM18 | interval (cycles) | maps/s |")
    print("|---|---|---|---|---|---|---|---|")
    print(row("Latency RF 1, NN core", design, board, False, "hls"))
    print(row("Latency RF 1, + PYNQ-Z2 shell", design, board, True, "synth"))
    print(row("Dense 32 as Resource, RF 3600, + shell", resource_fc, board, True, "synth"))
    print()
    print(render_markdown(estimate_design_on_board(design, board, target="hls"), title="Reduced model, HLS target"))
    jet = jet_mlp("jet_qkeras_pruned", "resource", (8, 32, 16, 16), wbits=6, abits=6, zeros=(773, 1572, 780, 120))
    print("| design | LUT | FF | DSP | BRAM18 |")
    print("|---|---|---|---|---|")
    for label, case, shell in (
        ("MNIST CNN, synth target + PYNQ-Z2 shell", mnist_cnn(), True),
        ("jet QKeras pruned (held out), synth target, core only", jet, False),
    ):
        table = estimate_design_on_board(case, board if shell else None, target="synth")
        cells = [f"{r.used:,.0f} ({100 * r.utilisation:.0f} %)" for r in check_budget(table, board).rows]
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
