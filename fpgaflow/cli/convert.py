"""``fpgaflow convert MODEL --board pynq-z2 --out DIR``: a saved (Q)Keras model → hls4ml project + C-sim."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpgaflow.convert.config import ConvertConfig

log = logging.getLogger(__name__)


def _reuse(text: str) -> int | str:
    return "auto" if text == "auto" else int(text)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert",
        help="convert a saved (Q)Keras model into an hls4ml project with a relocatable C-sim and a precision report",
        description="Plan per-layer precisions (QKeras quantisers + profiling on calibration maps), valid reuse "
        "factors and FIFO depths; write the hls4ml project, its C-simulation library and conversion.{json,md}.",
    )
    p.add_argument("model", type=Path, help="saved (Q)Keras model (.h5)")
    p.add_argument("--out", required=True, type=Path, help="project directory to create (must not exist or be empty)")
    p.add_argument("--config", type=Path, help="YAML with a ConvertConfig (the 'convert' section of a run config)")
    p.add_argument("--board", help="target board (default: pynq-z2)")
    p.add_argument("--backend", choices=("VivadoAccelerator", "Vivado"), help="hls4ml backend")
    p.add_argument("--reuse-factor", type=_reuse, help="global reuse factor, or 'auto' for the board's DSP budget")
    p.add_argument("--strategy", choices=("Latency", "Resource"), help="hls4ml strategy for every layer")
    p.add_argument("--calibration", type=Path, help="hit maps (.npz) profiled to size result types")
    p.add_argument("--input-scale", type=float, default=1.0 / 256.0, help="ADC counts → network input (1/256)")
    p.add_argument("--no-csim", action="store_true", help="do not compile the C-simulation library")
    p.set_defaults(func=handle)


def _config(args: argparse.Namespace) -> ConvertConfig:
    from fpgaflow.config.strict import from_mapping, load_yaml, to_mapping
    from fpgaflow.convert.config import ConvertConfig

    cfg = load_yaml(ConvertConfig, args.config) if args.config else ConvertConfig()
    values = to_mapping(cfg)
    for key in ("board", "backend", "reuse_factor", "strategy"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    return from_mapping(ConvertConfig, values, "convert")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.convert.precision import input_type_for_adc
    from fpgaflow.convert.report import write_conversion_report
    from fpgaflow.data import load_npz
    from fpgaflow.errors import OutputDirError, StepError
    from fpgaflow.train.models import load_model
    from fpgaflow.train.sequence import scale_inputs
    from fpgaflow_board.atomic import atomic_directory

    cfg = _config(args)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputDirError(f"{out} exists and is not an empty directory; choose a new --out")
    if not args.model.is_file():
        raise StepError(f"{args.model}: model file not found")
    model, activation = split_output_activation(load_model(str(args.model)))
    calibration = None
    if args.calibration is not None:
        calibration = scale_inputs(load_npz(args.calibration).maps, args.input_scale)
    with atomic_directory(out) as staging:
        conversion = convert(model, cfg, staging, input_type_for_adc(args.input_scale), calibration)
        extra = {"input_scale": args.input_scale, "output_activation": activation, "model": str(args.model.resolve())}
        write_conversion_report(conversion, staging, extra)
        name = conversion.config.project_name
        if not args.no_csim:
            build_csim_library(staging, staging / "firmware" / f"{name}_csim.so", name)
    print(f"hls4ml project: {out}\nprecision report: {out / 'conversion.md'}")  # noqa: T201
    if not args.no_csim:
        print(f"C-sim library: {out / 'firmware' / f'{name}_csim.so'}")  # noqa: T201
    for change in conversion.hls4ml_changes:
        log.warning("hls4ml changed the plan: %s", change)
    return 0
