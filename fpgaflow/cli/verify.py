"""``fpgaflow verify RUN_DIR`` or ``fpgaflow verify --model M --project P --maps MAPS``: verification report."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="compare float twin, QKeras and the C simulation on test maps, with a per-layer trace",
        description="Verify a converted design: class agreement, score differences and accuracy of each path, "
        "a per-layer C-sim trace against QKeras and saturation counts. Give a run directory, or --model, "
        "--project and --maps.",
    )
    p.add_argument("run_dir", nargs="?", type=Path, help="an `fpgaflow run` output directory")
    p.add_argument("--model", type=Path, help="saved (Q)Keras model (.h5)")
    p.add_argument("--project", type=Path, help="hls4ml project written by `fpgaflow convert`")
    p.add_argument("--maps", type=Path, help="test hit maps with labels (.npz)")
    p.add_argument("--input-scale", type=float, help="ADC counts → network input (default: from the project/run)")
    p.add_argument("--out", type=Path, help="report directory (default: RUN_DIR/verification or PROJECT/verification)")
    p.add_argument("--max-maps", type=int, default=0, help="maps through the C simulation (0 = all)")
    p.add_argument("--trace-maps", type=int, default=200, help="maps traced layer by layer (0 = no trace)")
    p.add_argument("--workers", type=int, default=2, help="C-simulation processes")
    p.add_argument("--backend", choices=("csim", "emulator"), default="csim", help="bit-accurate path for the set")
    p.add_argument("--min-agreement", type=float, default=0.999, help="required QKeras ↔ hw class agreement")
    p.add_argument("--no-float-twin", action="store_true", help="skip the float (quantisers removed) model")
    p.set_defaults(func=handle)


def _from_run(run_dir: Path) -> tuple[Path, Path, Path, float]:
    from fpgaflow.errors import StepError

    summary = run_dir / "summary.json"
    marker = run_dir / ".fpgaflow" / "run.json"
    if not summary.is_file() or not marker.is_file():
        raise StepError(f"{run_dir} is not a finished fpgaflow run (no summary.json / .fpgaflow/run.json)")
    files = json.loads(summary.read_text())["files"]
    for key in ("model", "hls_project", "test_maps"):
        if key not in files:
            raise StepError(f"{run_dir}: the run has no {key!r} artefact; run `fpgaflow run` up to convert first")
    scale = float(json.loads(marker.read_text())["config"]["model"]["input_scale"])
    return run_dir / files["model"], run_dir / files["hls_project"], run_dir / files["test_maps"], scale


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.data import load_npz
    from fpgaflow.errors import ConfigError
    from fpgaflow.train.models import load_model
    from fpgaflow.train.sequence import scale_inputs
    from fpgaflow.verify.compare_paths import verify_design
    from fpgaflow.verify.config import VerifyConfig
    from fpgaflow.verify.report import write_verify_report

    if args.run_dir is not None:
        if args.model or args.project or args.maps:
            raise ConfigError("give either RUN_DIR or --model/--project/--maps, not both")
        model_path, project, maps_path, scale = _from_run(args.run_dir)
        out = args.out or args.run_dir / "verification"
    else:
        if not (args.model and args.project and args.maps):
            raise ConfigError("give RUN_DIR, or all of --model, --project and --maps")
        model_path, project, maps_path = args.model, args.project, args.maps
        stored = project / "conversion.json"
        scale = json.loads(stored.read_text()).get("input_scale", 1.0 / 256.0) if stored.is_file() else 1.0 / 256.0
        out = args.out or project / "verification"
    if args.input_scale is not None:
        scale = args.input_scale
    cfg = VerifyConfig(
        max_csim_maps=args.max_maps,
        min_agreement=args.min_agreement,
        backend=args.backend,
        trace_maps=args.trace_maps,
        workers=args.workers,
        float_twin=not args.no_float_twin,
    )
    test = load_npz(maps_path)
    model = load_model(str(model_path))
    report = verify_design(model, project, scale_inputs(test.maps, scale), test.labels, cfg)
    paths = write_verify_report(report, out)
    data = report.to_dict()
    brief = {
        "n_maps": data["n_maps"],
        "accuracy": data["accuracy"],
        "agreement_qkeras_hw": data["comparisons"]["qkeras_vs_hw"]["agreement"],
        "hw_bit_exact_fraction": data["hw_bit_exact_fraction"],
        "first_departure": data["trace"]["first_departure"] if data["trace"] else None,
        "passed": data["passed"],
    }
    print(json.dumps(brief, indent=2))  # noqa: T201
    print(f"report: {paths['md']}\njson:   {paths['json']}")  # noqa: T201
    if not report.passed:
        log.error("verification failed: agreement below %.4f", cfg.min_agreement)
        return 1
    return 0
