"""The three published QKeras architectures of tests/published_models.py through convert, C-sim, emulator, estimate.

Usage: PYTHONPATH=.:tests python bench/bench_published_models.py [--maps 1000] [--workdir DIR]

For each model (random seeded weights, the architectures of the hls4ml tutorial's SVHN CNN, LeNet-5 with hard
tanh, the jet-tagging MLP in io_parallel at reuse factor 64): ``fpgaflow.convert.hls.convert`` with the
identity-test settings, compile, run the C simulation and the emulator on ``--maps`` inputs near the precision
limits and in saturation (tests/emulate_inputs.py), count the maps whose outputs differ in any bit, the class
agreement of QKeras with the C simulation on as many typical inputs (ADC counts on the 2^-8 grid, standardised jet
features), fed the values the design sees (the softmax is hls4ml's table approximation, and the SVHN CNN's output
Dense is unquantised: the agreement is below 100 % by design), and the estimate
(resources, interval, verdict) on the default board and on a second target.  Prints Markdown;
bench/results_published_models.md records a run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: a second target per model: the tutorial's Alveo part for the SVHN CNN, a larger Zynq board for the others
SECOND_TARGET = {"svhn_cnn": "xcu250-figd2104-2L-e", "lenet5": "zcu104", "jet_tagging_mlp": "pynq-z1"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from emulate_inputs import edge_maps
    from published_models import PUBLISHED

    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.convert.hls import convert
    from fpgaflow.emulate import Emulator
    from fpgaflow.emulate.compare import compare_to_csim
    from fpgaflow.estimate.budget import check_budget
    from fpgaflow.estimate.estimator import estimate_model
    from fpgaflow_board.boards import DEFAULT_BOARD, get_board
    from fpgaflow_board.fixed_point import to_float

    work = args.workdir or Path(tempfile.mkdtemp(prefix="published-"))
    print(f"{args.maps} maps per model, C-sim vs emulator vs QKeras; estimate = fpgaflow.estimate (Vivado synthesis)\n")
    columns = ("model", "params", "C-sim build s", "maps bit-exact", "QKeras = C-sim class", "LUT", "FF", "DSP")
    columns += ("BRAM18", "interval cycles", f"on {DEFAULT_BOARD}", "second target")
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, case in PUBLISHED.items():
        model = case.build(7)
        shape = tuple(int(d) for d in model.input_shape[1:])
        rng = np.random.default_rng(17)
        calibration = rng.uniform(*case.span, (300, *shape)).astype(np.float32)
        conversion = convert(
            model, ConvertConfig(**case.config, layers=case.layers), work / name, case.input_scale, calibration
        )
        t0 = time.perf_counter()
        conversion.hls_model.compile()
        build_s = time.perf_counter() - t0
        x = edge_maps(np.random.default_rng(23), args.maps, shape, case.span, case.lsb)
        emu = Emulator.from_hls_model(conversion.hls_model)
        result = compare_to_csim(emu, conversion.hls_model, x)
        # QKeras against the C simulation on typical inputs (ADC counts on the 2^-8 grid; standardised jet features),
        # fed the values the design sees (after the cast to input_t)
        typical = (
            rng.integers(0, 256, x.shape) / 256.0 if case.input_scale is not None else rng.normal(0.0, 1.0, x.shape)
        )
        seen = to_float(emu.quantise_input(typical.astype(np.float32)), emu.layers[0].out_type).astype(np.float32)
        csim = np.asarray(conversion.hls_model.predict(np.ascontiguousarray(seen))).reshape(len(x), -1)
        keras = model.predict(seen, verbose=0).reshape(len(x), -1)
        agree = float(np.mean(np.argmax(csim, axis=1) == np.argmax(keras, axis=1)))
        board = get_board(conversion.config.board)
        table = estimate_model(conversion.hls_model, board)
        t = table.total
        here = check_budget(table, board).verdict()
        other = get_board(SECOND_TARGET[name])
        there = check_budget(estimate_model(conversion.hls_model, other), other).verdict()
        exact = f"{result.n_maps - result.n_output_mismatch}/{result.n_maps}"
        cells = (name, f"{model.count_params():,}", f"{build_s:.0f}", exact, f"{100 * agree:.1f} %", f"{t.lut:,.0f}")
        cells += (f"{t.ff:,.0f}", f"{t.dsp:,.0f}", f"{t.bram18:,.1f}", f"{t.interval_cycles:,.0f}", here, there)
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
