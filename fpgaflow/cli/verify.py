"""``fpgaflow verify RUN_DIR`` or ``fpgaflow verify --model M --project P --maps MAPS``: verification report."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.modelio import OVERRIDE_HELP
from fpgaflow.verify.config import VerifyConfig

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "verify",
        handle,
        help="compare float twin, QKeras and the C simulation on test maps, with a per-layer trace",
        description="Verify a converted design: class agreement, score differences and accuracy of each path, "
        "a per-layer C-sim trace against QKeras and saturation counts. Give a run directory (re-verified in "
        "place with the run's own verify settings, flags overriding them: the run keeps one verification "
        "report), or --model, --project and --maps.",
        needs=("tensorflow", "qkeras", "hls4ml"),
    )
    opts = Options(p, VerifyConfig, "verify")
    opts.option("run_dir", nargs="?", type=Path, help="an `fpgaflow run` output directory")
    opts.option("--model", type=Path, help="saved (Q)Keras model (.h5)")
    opts.option("--project", type=Path, help="hls4ml project written by `fpgaflow convert`")
    opts.option("--maps", type=Path, help="test hit maps with labels (.npz, .h5/.hdf5, shard directory or .root)")
    opts.option("--input-scale", type=float, help=OVERRIDE_HELP)
    opts.option(
        "--out",
        type=Path,
        help="report directory for --model/--project/--maps (default: PROJECT/verification); a RUN_DIR is "
        "re-verified in place (RUN_DIR/verify, with the run's verify settings and these flags)",
    )
    opts.config_flag("--max-maps", type=int, field="max_csim_maps", help="maps through the hardware path (0 = all)")
    opts.config_flag("--trace-maps", type=int, field="trace_maps", help="maps traced layer by layer (0 = no trace)")
    opts.config_flag("--workers", type=int, field="workers", help="C-simulation processes")
    opts.config_flag("--backend", field="backend", help="bit-accurate path for the set")
    opts.config_flag("--min-agreement", type=float, field="min_agreement", help="required QKeras ↔ hw class agreement")
    opts.config_flag(
        "--no-float-twin",
        field="float_twin",
        action="store_const",
        const=False,
        help="skip the float (quantisers removed) model",
    )


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.errors import ConfigError
    from fpgaflow.verify.verify_saved_design import verify_saved_design

    if args.run_dir is not None:
        if args.model or args.project or args.maps:
            raise ConfigError("give either RUN_DIR or --model/--project/--maps, not both")
        return _reverify_run(args)
    if not (args.model and args.project and args.maps):
        raise ConfigError("give RUN_DIR, or all of --model, --project and --maps")
    cfg: VerifyConfig = args.options.config(args)
    out = args.out or args.project / "verification"
    done = verify_saved_design(args.model, args.project, args.maps, cfg, out, args.input_scale)
    print(json.dumps(done.brief(), indent=2))  # noqa: T201
    print(f"report: {done.paths['md']}\njson:   {done.paths['json']}")  # noqa: T201
    if not done.report.passed:
        log.error("verification failed: agreement below %.4f", cfg.min_agreement)
        return 1
    return 0


def _reverify_run(args: argparse.Namespace) -> int:
    """Re-run a run's verify step (and the steps after it) with the run's own ``verify:`` settings, overridden by
    ``--config``/flags: the run keeps one verification report, ``RUN_DIR/verify``, whose thresholds its config
    records, and its summary and report follow."""
    import dataclasses

    from fpgaflow.errors import ConfigError
    from fpgaflow.pipeline.artefacts import FinishedRun
    from fpgaflow.pipeline.config import recorded_config
    from fpgaflow.pipeline.runner import run_pipeline

    if args.out is not None or args.input_scale is not None:
        raise ConfigError(
            "with RUN_DIR the verification is the run's own (RUN_DIR/verify, the model's stored input scale); "
            "--out and --input-scale are for --model/--project/--maps"
        )
    FinishedRun.read(args.run_dir)
    run_cfg = recorded_config(args.run_dir)
    cfg = dataclasses.replace(run_cfg, verify=args.options.config(args, base=run_cfg.verify))
    result = run_pipeline(cfg, args.run_dir, from_step="verify")
    s = result.summary
    brief = {k: s.get(k) for k in ("n_test", "accuracy_keras", "accuracy_csim", "csim_agreement", "verify_passed")}
    print(json.dumps(brief, indent=2))  # noqa: T201
    print(f"report: {args.run_dir / 'verify' / 'verification.md'}\npage:   {args.run_dir / 'report.html'}")  # noqa: T201
    if s.get("verify_passed") is False:
        log.error("verification failed: agreement below %.4f", cfg.verify.min_agreement)
        return 1
    return 0
