"""Convert a saved (Q)Keras model file into an hls4ml project directory (what ``fpgaflow convert`` does)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.convert.config import ConvertConfig
from fpgaflow.errors import StepError
from fpgaflow.outdir import staged_output_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConvertedProject:
    """The project written to ``project``: its conversion (plans, hls4ml changes) and the C-simulation
    library (``None`` when not compiled)."""

    project: Path
    conversion: Any
    csim_library: Path | None

    @property
    def report(self) -> Path:
        return self.project / "conversion.md"


def convert_saved_model(
    model_path: Path,
    cfg: ConvertConfig,
    out: Path,
    input_scale: float | None = None,
    calibration: Path | None = None,
    csim: bool = True,
) -> ConvertedProject:
    """Plan precisions, reuse factors and FIFO depths for the model in ``model_path`` (.h5), write the hls4ml
    project, ``conversion.{json,md}`` and (``csim``) its relocatable C-simulation library into ``out``
    (staged, see :mod:`fpgaflow.outdir`).

    ``input_scale``: ADC counts → network input, only for a model that does not store it (a different value
    is refused: :func:`fpgaflow.modelio.input_scale_for`); it sizes the input type.  ``calibration``: hit
    maps (.npz, ADC counts) profiled to size result types.  The output activation is split off (applied by
    the driver).
    """
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.convert.report import write_conversion_report
    from fpgaflow.data import load_maps
    from fpgaflow.modelio import input_scale_for, load_model
    from fpgaflow_board.scaling import scale_inputs

    if not model_path.is_file():
        raise StepError(f"{model_path}: model file not found")
    scale = input_scale_for(model_path, input_scale)
    with staged_output_dir(out, "convert") as staging:
        model, activation = split_output_activation(load_model(model_path))
        maps = None if calibration is None else scale_inputs(load_maps(calibration), scale)
        conversion = convert(model, cfg, staging, scale, maps)
        extra = {"output_activation": activation, "model": str(model_path.resolve())}
        write_conversion_report(conversion, staging, extra)
        library = f"firmware/{conversion.config.project_name}_csim.so"
        if csim:
            build_csim_library(staging, staging / library, conversion.config.project_name)
    for change in conversion.hls4ml_changes:
        log.warning("hls4ml changed the plan: %s", change)
    return ConvertedProject(out, conversion, out / library if csim else None)
