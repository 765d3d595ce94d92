"""Verify a saved model against its converted project on a file of test maps (what ``fpgaflow verify`` does)."""

from __future__ import annotations

import json
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


def project_input_scale(project: Path) -> float:
    """The ADC → network input scale the project was converted for (``conversion.json``; 1/256 if absent)."""
    stored = project / "conversion.json"
    scale = json.loads(stored.read_text(encoding="utf-8")).get("input_scale") if stored.is_file() else None
    return float(scale) if scale is not None else 1.0 / 256.0


def verify_saved_design(
    model_path: Path,
    project: Path,
    maps_path: Path,
    cfg: VerifyConfig,
    out: Path,
    input_scale: float | None = None,
) -> VerifiedDesign:
    """Float twin vs QKeras vs the hardware path (C-sim or emulator, ``cfg.backend``) on the labelled maps of
    ``maps_path`` (.npz, ADC counts × ``input_scale``; default: the project's); report into ``out`` (staged)."""
    from fpgaflow.data import load_npz
    from fpgaflow.train.models import load_model
    from fpgaflow.train.sequence import scale_inputs
    from fpgaflow.verify.compare_paths import verify_design
    from fpgaflow.verify.report import write_verify_report

    scale = project_input_scale(project) if input_scale is None else input_scale
    with staged_output_dir(out, "verify") as staging:
        test = load_npz(maps_path)
        model = load_model(str(model_path))
        report = verify_design(model, project, scale_inputs(test.maps, scale), test.labels, cfg)
        written = write_verify_report(report, staging)
    return VerifiedDesign(report, {k: out / p.relative_to(staging) for k, p in written.items()})
