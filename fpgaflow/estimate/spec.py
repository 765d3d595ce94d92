"""A plain description of an hls4ml design: what the resource model needs, nothing from hls4ml itself.

The estimator reads a converted hls4ml ``ModelGraph`` into these records (:mod:`fpgaflow.estimate.describe`),
and the calibration designs, whose Keras models are not available, are written directly as these records.
Bit widths are the ``ap_fixed<W, I>`` total widths ``W``; shapes are channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.config.strict import check

#: What a layer does in hardware.  ``mult``: Dense / Conv1D / Conv2D (a matrix of multipliers);
#: ``depthwise``: depthwise convolution; ``elementwise``: ReLU, linear, LeakyReLU, PReLU, BatchNorm
#: (one small operator per element); ``table``: an activation looked up in a ROM (sigmoid, tanh, ELU);
#: ``softmax``; ``pool``: max/average pooling; ``reshape``: Flatten/Reshape (wiring only).
LayerKind = Literal["mult", "depthwise", "elementwise", "table", "softmax", "pool", "reshape"]
IOType = Literal["io_stream", "io_parallel"]
Strategy = Literal["latency", "resource"]


@dataclass(frozen=True)
class HlsLayerSpec:
    """One hls4ml layer as the resource model sees it.

    ``pixels_in``/``pixels_out``: stream words per image (``height*width`` for a 2-D feature map, 1 for a
    flat vector); ``width_in``/``width_out``: elements per word (channels, or the vector length).
    ``n_weights``: weights of a ``mult``/``depthwise`` layer; ``n_zeros``: those that are exactly zero after
    quantisation (hls4ml's ``n_zeros``; removed from the multiplier count in the Latency strategy only).
    ``kernel``: (height, width) of a convolution or pooling window (1, 1 otherwise); ``row_in``: width
    of the input rows (line-buffer length of an ``io_stream`` convolution or pooling).
    ``table_size``: entries of each lookup table; ``fifo_depth``: depth of the output stream FIFOs.
    """

    name: str
    kind: LayerKind
    pixels_in: int = 1
    width_in: int = 1
    pixels_out: int = 1
    width_out: int = 1
    input_bits: int = 16
    output_bits: int = 16
    weight_bits: int = 16
    accum_bits: int = 16
    n_weights: int = 0
    n_zeros: int = 0
    reuse: int = 1
    strategy: Strategy = "latency"
    kernel: tuple[int, int] = (1, 1)
    row_in: int = 1
    table_size: int = 0
    fifo_depth: int = 0

    def __post_init__(self) -> None:
        check(self.reuse >= 1, f"layer {self.name!r}: reuse factor must be >= 1, got {self.reuse}")
        check(
            0 <= self.n_zeros <= self.n_weights,
            f"layer {self.name!r}: n_zeros {self.n_zeros} must lie in [0, n_weights={self.n_weights}]",
        )
        for attr in ("input_bits", "output_bits", "weight_bits", "accum_bits"):
            check(getattr(self, attr) >= 1, f"layer {self.name!r}: {attr} must be >= 1")

    @property
    def n_nonzero(self) -> int:
        return self.n_weights - self.n_zeros


@dataclass(frozen=True)
class DesignSpec:
    """A whole hls4ml design: its layers in dataflow order, I/O type and clock."""

    name: str
    layers: tuple[HlsLayerSpec, ...]
    io_type: IOType = "io_stream"
    clock_period_ns: float = 10.0
    #: Elements of one input sample (pixels * channels), for the DMA bandwidth bound.
    input_elements: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check(len(self.layers) > 0, f"design {self.name!r} has no layers")
        check(self.clock_period_ns > 0, f"design {self.name!r}: clock period must be > 0 ns")
