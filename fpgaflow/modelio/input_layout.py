"""Hit maps → the layout a model was trained on: the map itself, or its space-to-depth (issue 20).

A model trained on the space-to-depth layout (``model.space_to_depth: [by, bx]``) takes
``(rows / by, cols / bx, by · bx · channels)`` inputs: each ``by × bx`` block of the detector map is one input
pixel, so under hls4ml ``io_stream`` its first layer consumes ``by · bx`` detector pixels per clock.  The block
follows from the two shapes, so every stage that feeds hit maps to a model (training, evaluation,
calibration, verification) calls :func:`model_inputs` and needs no other setting; the board driver lays the
ADC counts out in the same order on the wire (:func:`fpgaflow_board.packing.space_to_depth`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.errors import DataError
from fpgaflow_board.packing import space_to_depth
from fpgaflow_board.scaling import scale_inputs


def layout_block(map_shape: tuple[int, ...], input_shape: tuple[int, ...]) -> tuple[int, int]:
    """The space-to-depth block (rows, cols) that turns maps of ``map_shape`` into ``input_shape`` ((1, 1) when
    they are the same); :class:`~fpgaflow.errors.DataError` when no block does."""
    shape = tuple(int(v) for v in map_shape)
    rows, cols, channels = shape if len(shape) == 3 else (*shape, 1)
    r, c, d = (int(v) for v in input_shape)
    if rows % r == 0 and cols % c == 0:
        by, bx = rows // r, cols // c
        if by * bx * channels == d:
            return by, bx
    raise DataError(
        f"hit maps of shape {tuple(map_shape)} are neither the model input {tuple(input_shape)} nor its "
        "space-to-depth source (rows/by, cols/bx, by*bx*channels)"
    )


def input_shape_for(map_shape: tuple[int, ...], block: tuple[int, int]) -> tuple[int, int, int]:
    """The model input for maps of ``map_shape`` (rows, cols, channels) in the space-to-depth ``block``."""
    rows, cols, channels = (int(v) for v in map_shape)
    by, bx = block
    if rows % by or cols % bx:
        raise DataError(f"a {rows}x{cols} map does not split into whole {by}x{bx} space-to-depth blocks")
    return rows // by, cols // bx, by * bx * channels


def to_model_layout(maps: npt.NDArray[Any], input_shape: tuple[int, ...]) -> npt.NDArray[Any]:
    """``maps`` (n, rows, cols, channels) in the layout of a model input ``input_shape`` (no copy when equal)."""
    if tuple(maps.shape[1:]) == tuple(input_shape):
        return maps
    return space_to_depth(maps, layout_block(tuple(maps.shape[1:]), tuple(input_shape)))


def model_inputs(maps: npt.NDArray[Any], input_scale: float, input_shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    """ADC maps → what the model takes: scaled (:func:`fpgaflow_board.scaling.scale_inputs`), in its layout."""
    return scale_inputs(to_model_layout(maps, input_shape), input_scale)
