"""``fpgaflow fit MODEL --board pynq-z2 --out DIR``: the most accurate configuration within the board budget."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given, overlay
from fpgaflow.fit.config import FitConfig
from fpgaflow.modelio import OVERRIDE_HELP


def _ints(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t.strip()]


def _floats(text: str) -> list[float]:
    return [float(t) for t in text.split(",") if t.strip()]


def _words(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _wire(text: str) -> dict[str, object]:
    """``float32`` or ``adc8xN`` (N ADC counts per word) → the ``wire`` config mapping."""
    element, _, lanes = text.strip().partition("x")
    return {"element": element, "inputs_per_word": int(lanes) if lanes.isdigit() else 1}


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "fit",
        handle,
        help="search reuse factors, strategies and precisions for the most accurate design within the board budget",
        description="Convert every candidate (hls4ml, no C++ compile), estimate its resources, score its accuracy "
        "with the bit-exact emulator, and write the chosen ConvertConfig, a Pareto plot (accuracy vs LUT) and a "
        "table of every point. Resources are estimates, not synthesis results.",
        needs=("tensorflow", "qkeras", "hls4ml", "matplotlib"),
    )
    opts = Options(p, FitConfig, "fit")
    opts.option("model", type=Path, help="saved (Q)Keras model (.h5), or a run directory of `fpgaflow run`")
    opts.option("--out", required=True, type=Path, help="output directory (new, empty, or an earlier fit output)")
    opts.option(
        "--maps", type=Path, help="labelled hit maps (ADC counts; .npz, .h5/.hdf5, shards, .root) to score accuracy on"
    )
    opts.option(
        "--calibration",
        type=Path,
        help="hit maps (.npz, .h5/.hdf5, shard directory or .root) profiled to size result types",
    )
    opts.option(
        "--train", type=Path, help="training maps (any hit-map file) for the pruning levels (a run dir: data/train.npz)"
    )
    opts.option(
        "--baselines",
        type=Path,
        help="model_vs_baselines.json (a run's baselines step) or baselines.json (`fpgaflow baselines`) measured on "
        "the same test maps: drawn as lines on accuracy vs LUT (a run directory supplies its own)",
    )
    opts.option(
        "--configured",
        type=Path,
        help="a run config or its convert: section alone (e.g. models/default.yaml): its design is scored as the point "
        "'configured' beside the grid (a run directory: its own recorded convert: section)",
    )
    opts.option("--no-accuracy", action="store_true", help="resources only: choose the fastest design in budget")
    opts.config_flag("--board", field="board", help="target board")
    opts.config_flag(
        "--part",
        field="board",
        help="bare FPGA part, synthesis-only study (e.g. xczu7ev-ffvc1156-2-e: device totals, no shell)",
    )
    opts.config_flag("--budget", type=float, field="budget", help="fraction of every resource allowed")
    opts.config_flag("--reuse-factors", type=_ints, field="reuse_factors", help="global reuse factors, comma-separated")
    opts.config_flag(
        "--reuse-modes", type=_words, field="reuse_modes", help="uniform, balanced and/or mixed (per-layer strategies)"
    )
    opts.config_flag("--strategies", type=_words, field="strategies", help="Latency and/or Resource")
    opts.config_flag("--trim-bits", type=_ints, field="trim_bits", help="accumulator/result fractional bits to drop")
    opts.config_flag("--prune-levels", type=_floats, field="prune_levels", help="kernel sparsities to also search")
    opts.config_flag("--prune-epochs", type=int, field="prune_epochs", help="fine-tuning epochs per pruning level")
    opts.config_flag("--min-maps-per-s", type=float, field="min_maps_per_s", help="modelled throughput floor")
    opts.config_flag(
        "--target-maps-per-s",
        type=float,
        field="target_maps_per_s",
        help="rate that breaks ties: of equally accurate points, the cheapest reaching it (else the fastest)",
    )
    opts.config_flag(
        "--csim-maps", type=int, field="csim_maps", help="maps run through the chosen design's C-sim (0 = skip)"
    )
    opts.config_flag(
        "--wire",
        type=_wire,
        field="wire",
        help="input words: float32 (hls4ml's route) or adc8x4 / adc8x8 (packed 8-bit counts, the Vitis route); "
        "a run directory's own convert.wire by default",
    )
    opts.option("--input-scale", type=float, help=OVERRIDE_HELP)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.cli.handler import load_section
    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.errors import ConfigError
    from fpgaflow.fit.fit_saved_model import fit_saved_model
    from fpgaflow.pipeline.artefacts import FinishedRun
    from fpgaflow.pipeline.config import recorded_config

    cfg: FitConfig = args.options.config(args)
    model, maps, calibration, train = args.model, args.maps, args.calibration, args.train
    scale = given(args, "input_scale")
    baselines = args.baselines
    # the design a config asks for (a run directory: its own convert: section) is scored as the point `configured`
    configured, absent = None, f"{model} is a model file, not a run directory with a convert: section (--configured)"
    if args.configured is not None:
        configured = load_section(ConvertConfig, args.configured, "convert")
    if model.is_dir():  # a run directory supplies the model, test maps and training maps (and its config's scale)
        run = FinishedRun.read(model)
        try:
            configured = configured or recorded_config(model).convert
        except ConfigError as exc:
            absent = str(exc)
        model = run.path("model")
        scale = scale or {"input_scale": run.input_scale}
        maps = maps or run.optional("test_maps")
        calibration = calibration or run.optional("train_maps")
        train = train or run.optional("train_maps")
        if args.wire is None and run.wire != cfg.wire:  # search the route the run was converted for (issue 20)
            cfg = overlay(cfg, {"wire": run.wire.to_dict()}, "fit")
        baselines = baselines or run.optional("model_vs_baselines")  # the plot's horizontal lines
    if args.no_accuracy:
        cfg, maps = overlay(cfg, {"csim_maps": 0}, "fit"), None
    done = fit_saved_model(
        model,
        cfg,
        args.out,
        maps,
        calibration,
        train,
        baselines=baselines,
        configured=configured,
        configured_absent=absent,
        **scale,
    )
    print("\n".join(done.lines()))  # noqa: T201
    return 0
