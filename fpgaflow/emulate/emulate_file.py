"""Emulate a converted design on the hit maps of a file (what ``fpgaflow emulate`` does)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.errors import ConfigError
from fpgaflow_board.atomic import write_npz

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmulatedFile:
    """What :func:`emulate_file` wrote: ``out`` holds ``outputs`` of shape ``shape`` (type ``output_type``);
    ``csim_checked``: maps the C simulation confirmed bit for bit (0 = not checked)."""

    out: Path
    shape: tuple[int, ...]
    output_type: str
    csim_checked: int


def emulate_file(
    project: Path,
    maps_path: Path,
    out: Path,
    scale: float | None = None,
    batch_size: int | None = None,
    check_csim: int = 0,
) -> EmulatedFile:
    """Run the hit maps of ``maps_path`` (ADC counts; ``.npz``, ``.h5``/``.hdf5``, shards or ROOT, read by
    :func:`fpgaflow.data.load_maps`: an npz needs no labels) through the bit-exact emulator of the
    hls4ml project ``project`` and write ``outputs`` to npz ``out``.

    The counts are scaled (float32, :func:`fpgaflow_board.scaling.scale_inputs`) by the input scale stored in
    the project's ``keras_model.h5``, and hit maps laid out as the network's input (their space-to-depth for a
    model trained on it, :mod:`fpgaflow.modelio.input_layout`); ``scale`` only for a project whose model stores
    none (a different value is refused: :func:`fpgaflow.modelio.input_scale_for`).

    ``batch_size``: maps per batch (default: by memory).  ``check_csim``: also compile the C simulation and
    require bit identity on the first that many maps.
    """
    from fpgaflow.convert.project import load_hls_project, project_model_path
    from fpgaflow.data import load_maps
    from fpgaflow.emulate.compare import compare_to_csim
    from fpgaflow.emulate.emulator import Emulator
    from fpgaflow.modelio import input_scale_for
    from fpgaflow.modelio.input_layout import model_inputs
    from fpgaflow_board.scaling import scale_inputs

    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"batch size must be >= 1, got {batch_size}")
    adc = load_maps(maps_path)
    input_scale = input_scale_for(project_model_path(project), scale, "--scale")
    hls_model = load_hls_project(project)
    emu = Emulator.from_hls_model(hls_model)
    shape = tuple(emu.input_shape)
    if adc.ndim >= 3 and len(shape) == 3:  # hit maps: in the model's layout (space-to-depth, issue 20)
        maps = model_inputs(adc, input_scale, shape)
    else:
        maps = scale_inputs(adc, input_scale)
    outputs = emu.predict(maps, batch_size=batch_size)
    if check_csim:
        hls_model.compile()
        result = compare_to_csim(emu, hls_model, maps[:check_csim])
        result.raise_if_different()
        log.info("C simulation agrees bit for bit on %d maps", result.n_maps)
    write_npz(out, outputs=outputs)
    return EmulatedFile(out, tuple(outputs.shape), str(emu.output_type), min(check_csim, len(maps)))
