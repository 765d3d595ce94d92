"""The adc8 top's unpack logic as an estimate row (issue 20): counted from its structure, not calibrated.

fpgaflow's AXI-Stream top (:mod:`fpgaflow.convert.write_axis_wrapper`) reads one word per clock and writes its
``lanes`` 8-bit ADC counts into the ``input_t`` beat being filled (``channels`` elements of ``w`` bits), at a
position held in a counter, so the beat may straddle words.  Per beat element that is a register of ``w``
flip-flops fed by a (lanes + 1):1 multiplexer (any lane, or hold), ``ceil((lanes + 1) / 4)`` LUT6 per bit
(a LUT6 is a 4:1 multiplexer; the slice's F7/F8 muxes join them), and a lane-select decode of about one LUT
per element and lane; plus the fill counter and the TLAST flag.  When the count is not the ``input_t`` code
itself (an input scale other than 1/256 into ``ap_ufixed<8,0>``), each lane reads its own 256-entry ROM of
``w``-bit codes: a 256-deep distributed ROM is 4 LUT6 per output bit.

hls4ml's float32 wrapper (and the top's float32 wire) is the measured ``axi_wrapper`` row
(:data:`fpgaflow.estimate.estimator.AXI_WRAPPER`); this row is what the adc8 lanes add on top of it.  No
Vitis HLS synthesis of the adc8 top has been run here: the counts are the logic's structure, an upper bound
where HLS would find the fill position constant (a beat of exactly ``lanes`` elements needs no multiplexer).
"""

from __future__ import annotations

import math

from fpgaflow.convert.axis_wrapper import AxisWrapper
from fpgaflow.estimate.table import LayerResources
from fpgaflow_board.packing import ADC_LEVELS, adc_table

#: LUT6 per output bit of a 256-entry distributed ROM (4 × 64-deep LUT6, joined by MUXF7/MUXF8)
ROM_LUT_PER_BIT = ADC_LEVELS // 64
#: inputs of a LUT6 used as a multiplexer: 4 data + 2 select
MUX_INPUTS_PER_LUT = 4


def unpack_row(top: AxisWrapper, beat_channels: int) -> LayerResources | None:
    """LUT and FF of the adc8 top's lane unpacking into ``beat_channels``-element ``input_t`` beats; ``None`` for
    a wire that carries ``input_t`` elements (float32, fixed lanes: the measured wrapper row covers them)."""
    if top.wire.element != "adc8":
        return None
    lanes, w = top.wire.inputs_per_word, top.input_type.width
    beat_bits = beat_channels * w
    counter_bits = max(1, math.ceil(math.log2(beat_channels + 1)))
    lut = beat_bits * math.ceil((lanes + 1) / MUX_INPUTS_PER_LUT) + beat_channels * lanes + counter_bits
    ff = beat_bits + counter_bits + 1  # the beat register, the fill counter, the TLAST flag
    if not adc_table(top.input_scale, top.input_type).is_identity:
        lut += lanes * w * ROM_LUT_PER_BIT
    return LayerResources(name=f"adc8_unpack (x{lanes}, modelled)", lut=float(lut), ff=float(ff), dsp=0.0, bram18=0.0)
