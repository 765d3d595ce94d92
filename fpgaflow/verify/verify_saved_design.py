"""Verify a saved model against its converted project on a file of test maps (what ``fpgaflow verify`` does)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.outdir import staged_output_dir
from fpgaflow.verify.config import VerifyConfig


@dataclass(frozen=True)
class VerifiedDesign:
    """The verification ``report`` and the files written (``json``, ``md``, ``scores``) in ``out``."""

    report: Any
    paths: dict[str, Path]

    def brief(self) -> dict[str, Any]:
        """The headline numbers: maps, accuracy per path, QKeras ↔ hardware agreement, bit-exact fraction."""
        data = self.report.to_dict()
        return {
            "n_maps": data["n_maps"],
            "accuracy": data["accuracy"],
            "agreement_qkeras_hw": data["comparisons"]["qkeras_vs_hw"]["agreement"],
            "hw_bit_exact_fraction": data["hw_bit_exact_fraction"],
            "first_departure": data["trace"]["first_departure"] if data["trace"] else None,
            "passed": data["passed"],
        }


def design_input_scale(model_path: Path, project: Path, override: float | None = None) -> float:
    """The model's ADC → network input scale (:func:`fpgaflow.modelio.input_scale_for`, ``override`` for a model
    that stores none); the project must have been converted for the same scale."""
    from fpgaflow.convert.project import project_model_path
    from fpgaflow.errors import ConfigError
    from fpgaflow.modelio import input_scale_for, stored_input_scale
    from fpgaflow_board.scaling import same_input_scale

    scale = input_scale_for(model_path, override)
    converted = stored_input_scale(project_model_path(project))
    if converted is not None and not same_input_scale(converted, scale):
        raise ConfigError(f"{project} was converted for input scale {converted!r}, but {model_path} uses {scale!r}")
    return scale


def verify_saved_design(
    model_path: Path,
    project: Path,
    maps_path: Path,
    cfg: VerifyConfig,
    out: Path,
    input_scale: float | None = None,
) -> VerifiedDesign:
    """Float twin vs QKeras vs the hardware path (C-sim or emulator, ``cfg.backend``) on the labelled maps of
    ``maps_path`` (.npz, ADC counts × the model's input scale, :func:`design_input_scale`; ``input_scale``
    only for a model that stores none); report into ``out`` (staged)."""
    from fpgaflow.data import load_file
    from fpgaflow.modelio import load_model
    from fpgaflow.modelio.input_layout import model_inputs
    from fpgaflow.verify.compare_paths import verify_design
    from fpgaflow.verify.report import write_verify_report

    scale = design_input_scale(model_path, project, input_scale)
    with staged_output_dir(out, "verify") as staging:
        test = load_file(maps_path)
        model = load_model(model_path)
        x = model_inputs(test.maps, scale, tuple(model.input_shape[1:]))  # the model's layout (issue 20)
        report = verify_design(model, project, x, test.labels, cfg)
        written = write_verify_report(report, staging)
    return VerifiedDesign(report, {k: out / p.relative_to(staging) for k, p in written.items()})
