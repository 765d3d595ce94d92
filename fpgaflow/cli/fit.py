"""``fpgaflow fit MODEL --board pynq-z2 --out DIR``: the most accurate configuration within the board budget."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpgaflow.fit.config import FitConfig

log = logging.getLogger(__name__)


def _ints(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t.strip()]


def _floats(text: str) -> list[float]:
    return [float(t) for t in text.split(",") if t.strip()]


def _words(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fit",
        help="search reuse factors, strategies and precisions for the most accurate design within the board budget",
        description="Convert every candidate (hls4ml, no C++ compile), estimate its resources, score its accuracy "
        "with the bit-exact emulator, and write the chosen ConvertConfig, a Pareto plot (accuracy vs LUT) and a "
        "table of every point. Resources are estimates, not synthesis results.",
    )
    p.add_argument("model", type=Path, help="saved (Q)Keras model (.h5), or a run directory of `fpgaflow run`")
    p.add_argument("--out", required=True, type=Path, help="output directory (must not exist or be empty)")
    p.add_argument("--board", help="target board (default: pynq-z2)")
    p.add_argument("--maps", type=Path, help="labelled hit maps (.npz, ADC counts) to score accuracy on")
    p.add_argument("--calibration", type=Path, help="hit maps (.npz) profiled to size result types")
    p.add_argument("--config", type=Path, help="YAML with a FitConfig (search space and budget)")
    p.add_argument("--budget", type=float, help="fraction of every resource allowed (default 0.7)")
    p.add_argument("--reuse-factors", type=_ints, help="global reuse factors, comma-separated (default 1,2,4,8,16,32)")
    p.add_argument("--reuse-modes", type=_words, help="uniform,balanced (default both)")
    p.add_argument("--strategies", type=_words, help="Latency,Resource (default both)")
    p.add_argument("--trim-bits", type=_ints, help="accumulator/result fractional bits to drop (default 0,3,6)")
    p.add_argument("--prune-levels", type=_floats, help="kernel sparsities to also search, e.g. 0.6,0.8 (none)")
    p.add_argument("--prune-epochs", type=int, help="fine-tuning epochs per pruning level (default 2)")
    p.add_argument("--train", type=Path, help="training maps (.npz) for the pruning levels (a run dir: data/train.npz)")
    p.add_argument("--min-maps-per-s", type=float, help="modelled throughput floor (default 0)")
    p.add_argument("--csim-maps", type=int, help="maps run through the chosen design's C-sim (default 200; 0 = skip)")
    p.add_argument("--input-scale", type=float, help="ADC counts → network input (default 1/256)")
    p.add_argument("--no-accuracy", action="store_true", help="resources only: choose the fastest design in budget")
    p.set_defaults(func=handle)


_OVERRIDES = {
    "board": "board",
    "budget": "budget",
    "reuse_factors": "reuse_factors",
    "reuse_modes": "reuse_modes",
    "strategies": "strategies",
    "trim_bits": "trim_bits",
    "min_maps_per_s": "min_maps_per_s",
    "prune_levels": "prune_levels",
    "prune_epochs": "prune_epochs",
    "csim_maps": "csim_maps",
    "input_scale": "input_scale",
}


def _config(args: argparse.Namespace) -> FitConfig:
    from fpgaflow.config.strict import from_mapping, load_yaml, to_mapping
    from fpgaflow.fit.config import FitConfig

    cfg = load_yaml(FitConfig, args.config) if args.config else FitConfig()
    values = to_mapping(cfg)
    for arg, key in _OVERRIDES.items():
        if getattr(args, arg) is not None:
            values[key] = getattr(args, arg)
    if args.no_accuracy:
        values["csim_maps"] = 0
    return from_mapping(FitConfig, values, "fit")


def _inputs(args: argparse.Namespace) -> tuple[Path, Path | None, Path | None, Path | None]:
    """(model, maps, calibration, train): a run directory supplies model/model.h5, data/test.npz and
    data/train.npz (calibration, and training maps for pruning levels)."""
    from fpgaflow.errors import StepError

    model, maps, cal, train = args.model, args.maps, args.calibration, args.train
    if model.is_dir():
        run = model
        model = run / "model" / "model.h5"
        maps = maps or (run / "data" / "test.npz")
        cal = cal or (run / "data" / "train.npz")
        train = train or (run / "data" / "train.npz")
    if not model.is_file():
        raise StepError(f"{model}: model file not found (expected an .h5 or a run directory with model/model.h5)")
    return model, (None if args.no_accuracy else maps), cal, train


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.data import load_npz
    from fpgaflow.errors import OutputDirError
    from fpgaflow.fit.confirm import confirm_with_csim
    from fpgaflow.fit.errors import FitError
    from fpgaflow.fit.pareto import plot_pareto
    from fpgaflow.fit.report import JSON_NAME, PLOT_NAME, write_fit_report
    from fpgaflow.fit.search import chosen_model, convert_chosen, fit_model
    from fpgaflow.train.models import load_model
    from fpgaflow.train.sequence import scale_inputs
    from fpgaflow_board.atomic import atomic_file, write_text

    cfg = _config(args)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputDirError(f"{out} exists and is not an empty directory; choose a new --out")
    model_path, maps_path, cal_path, train_path = _inputs(args)
    model = load_model(str(model_path))
    maps = labels = calibration = None
    if maps_path is not None:
        test = load_npz(maps_path)
        maps, labels = scale_inputs(test.maps[: cfg.accuracy_maps], cfg.input_scale), test.labels[: cfg.accuracy_maps]
    if cal_path is not None:
        calibration = scale_inputs(load_npz(cal_path).maps[:2000], cfg.input_scale)
    train = None
    if cfg.prune_levels and train_path is not None:
        train_set = load_npz(train_path)
        train = (scale_inputs(train_set.maps, cfg.input_scale), train_set.labels)
    out.mkdir(parents=True, exist_ok=True)
    work = out / ".work"
    try:
        try:
            result = fit_model(model, cfg, work, maps, labels, calibration, train)
        except FitError as exc:
            if exc.points:
                table = [p.to_dict() for p in exc.points]
                write_text(out / JSON_NAME, json.dumps({"error": str(exc), "points": table}, indent=2) + "\n")
                log.warning("every evaluated point is listed in %s", out / JSON_NAME)
            raise
        conversion = convert_chosen(model, result, out / "project")
        confirmation = None
        if maps is not None and cfg.csim_maps > 0:
            from fpgaflow.convert.hls import split_output_activation
            from fpgaflow.convert.precision import input_type_for_adc

            logit, _ = split_output_activation(chosen_model(result))
            confirmation = confirm_with_csim(
                logit,
                conversion,
                result.chosen.candidate,
                input_type_for_adc(cfg.input_scale),
                maps[: cfg.csim_maps],
                work / "twin",
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    extra: dict[str, object] = {"model": str(model_path), "maps": str(maps_path) if maps_path else None}
    if result.chosen.candidate.sparsity:
        pruned = out / "model_pruned.h5"
        with atomic_file(pruned) as tmp:
            chosen_model(result).save(tmp)
        extra["pruned_model"] = str(pruned)
    paths = write_fit_report(result, out, confirmation, extra)
    plot = plot_pareto(result, out / PLOT_NAME)
    c = result.chosen
    acc = "not scored" if c.accuracy is None else f"accuracy {100 * c.accuracy:.2f} % ({result.n_maps} maps)"
    util = ", ".join(f"{r} {100 * c.utilisation[r]:.0f} %" for r in ("lut", "ff", "dsp", "bram18"))
    n_fit = sum(p.fits for p in result.points)
    lines = [
        f"chosen: {c.label}: {acc}; estimate {util}; {c.maps_per_s:.0f} maps/s",
        f"{n_fit}/{len(result.points)} points within the {100 * cfg.budget:.0f} % budget "
        "(resources are estimates, not synthesis)",
    ]
    if confirmation is not None:
        lines.append(
            f"C-sim check: {confirmation.n_identical}/{confirmation.n_maps} maps bit-identical to the emulator"
        )
    lines += [
        f"config: {paths['run_section']} (convert: section), {paths['convert_config']}",
        f"table: {paths['markdown']}, {paths['json']}",
        f"plot: {plot}",
        f"project: {out / 'project'}",
    ]
    if "pruned_model" in extra:
        lines.append(f"pruned model (the chosen design's weights): {extra['pruned_model']}")
    print("\n".join(lines))  # noqa: T201
    return 0
