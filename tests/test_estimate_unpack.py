"""The adc8 top's lane unpacking in the estimate (issue 20): LUT/FF counted from its logic, added to the block
design's fixed rows only for an adc8 wire."""

from __future__ import annotations

import pytest

from fpgaflow.convert.axis_wrapper import AxisWrapper
from fpgaflow.estimate.estimator import estimate_design_on_board
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec
from fpgaflow.estimate.unpack import unpack_row
from fpgaflow_board.boards import get_board
from fpgaflow_board.fixed_point import parse_fixed
from fpgaflow_board.wire_format import WireFormat

U8 = parse_fixed("ap_ufixed<8,0>")


def top(lanes: int, scale: float = 1 / 256, element: str = "adc8", n_in: int = 16384) -> AxisWrapper:
    return AxisWrapper("myproject", n_in, 1, U8, parse_fixed("ap_fixed<16,6>"), WireFormat(element, lanes), scale)


@pytest.mark.parametrize(
    ("lanes", "channels", "scale", "lut", "ff"),
    [
        # 2x2 blocks, 4 counts per 32-bit word, copy: 32 beat bits x ceil(5/4) = 2 LUT + 4x4 decode + 3-bit counter
        (4, 4, 1 / 256, 32 * 2 + 16 + 3, 32 + 3 + 1),
        # 2x4 blocks, 4 counts per word into 8-channel beats (a beat every two words)
        (4, 8, 1 / 256, 64 * 2 + 32 + 4, 64 + 4 + 1),
        # 2x4 blocks, 8 counts per 64-bit word through per-lane ROMs: + 8 lanes x 8 bits x 4 LUT
        (8, 8, 0.01, 64 * 3 + 64 + 4 + 8 * 8 * 4, 64 + 4 + 1),
    ],
)
def test_unpack_logic_counts(lanes: int, channels: int, scale: float, lut: int, ff: int) -> None:
    row = unpack_row(top(lanes, scale), channels)
    assert row is not None
    assert (row.lut, row.ff, row.dsp, row.bram18) == (lut, ff, 0.0, 0.0)


def test_only_the_adc8_wire_adds_a_row() -> None:
    assert unpack_row(top(1, element="float32"), 1) is None
    spec = HlsLayerSpec(name="conv1", kind="mult", pixels_in=4096, width_in=4, pixels_out=1024, width_out=8, terms=16)
    design = DesignSpec(name="d", layers=(spec,), part="xc7z020clg400-1", input_elements=16384)
    board = get_board("pynq-z2")
    plain = estimate_design_on_board(design, board)
    packed = estimate_design_on_board(design, board, top=top(4))
    assert [r.name for r in packed.layers[-3:]] == ["axi_wrapper", plain.layers[-1].name, "adc8_unpack (x4, modelled)"]
    assert packed.total.lut - plain.total.lut == pytest.approx(83.0)
    assert packed.total.ff - plain.total.ff == pytest.approx(36.0)
    assert any("adc8_unpack" in note for note in packed.notes)
    assert estimate_design_on_board(design, board, top=top(1, element="float32")).total == plain.total
