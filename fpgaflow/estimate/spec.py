"""A plain description of an hls4ml design: what the resource rules need, nothing from hls4ml itself.

The estimator reads a converted hls4ml ``ModelGraph`` into these records (:mod:`fpgaflow.estimate.describe`);
the rules (:mod:`fpgaflow.estimate.rules`) and the design model (:mod:`fpgaflow.estimate.model`) read only
these.  Bit widths are the ``ap_fixed<W, I>`` total widths ``W``; shapes are channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.config.strict import check
from fpgaflow.estimate.weights import WeightProfile

#: What a layer does in hardware, one rule each (:data:`fpgaflow.estimate.rules.RULES`).
#: ``mult``: Dense / Conv1D / Conv2D / pointwise convolution (a matrix of multipliers); ``depthwise``:
#: depthwise convolution (one kernel per channel); ``batchnorm``: one scale and shift per channel;
#: ``elementwise``: ReLU, linear, LeakyReLU, PReLU, clipping (one small operator per element); ``table``: an
#: activation looked up in a ROM (sigmoid, tanh, ELU); ``softmax``; ``pool``: max/average pooling over a
#: window; ``global_pool``: pooling over the whole map; ``pad``: zero padding of a stream; ``reshape``:
#: Flatten/Reshape (wiring only); ``recurrent``: a GRU or LSTM cell iterated over time steps.
LayerKind = Literal[
    "mult",
    "depthwise",
    "batchnorm",
    "elementwise",
    "table",
    "softmax",
    "pool",
    "global_pool",
    "pad",
    "reshape",
    "recurrent",
]
IOType = Literal["io_stream", "io_parallel"]
Strategy = Literal["latency", "resource"]


@dataclass(frozen=True)
class HlsLayerSpec:
    """One hls4ml layer as the resource rules see it.

    ``pixels_in``/``pixels_out``: stream words per sample (``height*width`` of a 2-D map, the length of a 1-D
    one, 1 for a flat vector); ``width_in``/``width_out``: elements per word (channels, or the vector
    length).  ``n_weights``: weights of a multiplying layer (all gates of a recurrent one); ``weights``: their
    value profile (zeros, powers of two, CSD digits; ``None``: unknown values).  ``terms``: products summed
    into one output (the fan-in: kernel area x channels, or the input length).  ``kernel``/``stride``: (height,
    width) of a convolution or pooling window (1-D layers use the width); ``row_in``: length of an input row
    (line buffer of an ``io_stream`` window).  ``table_size``/``table_bits``: entries and width of each
    lookup table; ``timesteps``/``gates``: a recurrent layer's sequence length and gate count (GRU 3, LSTM
    4); ``fifo_depth``: depth of the output stream FIFOs.
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
    weights: WeightProfile | None = None
    terms: int = 1
    reuse: int = 1
    strategy: Strategy = "latency"
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    row_in: int = 1
    table_size: int = 0
    table_bits: int = 18
    timesteps: int = 1
    gates: int = 0
    fifo_depth: int = 0

    def __post_init__(self) -> None:
        check(self.reuse >= 1, f"layer {self.name!r}: reuse factor must be >= 1, got {self.reuse}")
        check(self.terms >= 1, f"layer {self.name!r}: terms per output must be >= 1, got {self.terms}")
        for attr in ("input_bits", "output_bits", "weight_bits", "accum_bits"):
            check(getattr(self, attr) >= 1, f"layer {self.name!r}: {attr} must be >= 1")
        if self.weights is not None:
            check(
                self.weights.total == self.n_weights,
                f"layer {self.name!r}: weight profile has {self.weights.total} weights, n_weights is {self.n_weights}",
            )

    @property
    def profile(self) -> WeightProfile:
        """The weight profile, or every weight taken as a full-width nonzero constant when unknown."""
        return self.weights if self.weights is not None else WeightProfile.dense(self.n_weights, self.weight_bits)

    @property
    def n_zeros(self) -> int:
        return self.weights.zeros if self.weights is not None else 0

    @property
    def n_nonzero(self) -> int:
        return self.n_weights - self.n_zeros


@dataclass(frozen=True)
class DesignSpec:
    """A whole hls4ml design: its layers in dataflow order, I/O type, clock and FPGA part.

    ``part``: the Xilinx part it is built for (its family decides carry-chain width and DSP count);
    ``input_elements``: elements of one input sample (pixels x channels), for the DMA bandwidth bound.
    """

    name: str
    layers: tuple[HlsLayerSpec, ...]
    io_type: IOType = "io_stream"
    clock_period_ns: float = 10.0
    part: str = ""
    input_elements: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check(len(self.layers) > 0, f"design {self.name!r} has no layers")
        check(self.clock_period_ns > 0, f"design {self.name!r}: clock period must be > 0 ns")
