"""Throughput of the deployed design: the slower of the NN core and the DMA that feeds it.

The core accepts a new map every ``interval`` cycles of the fabric clock.  The AXI DMA moves one word per
clock over the HP port; hls4ml's VivadoAccelerator wrapper takes one input element per word (float32 by
default), so a map costs ``ceil(elements * element_bits / stream_bits)`` words on the way in unless the wire
format says otherwise (``words_per_map``: e.g. ``elements / 4`` for issue 20's four 8-bit ADC lanes per 32-bit
word, :meth:`fpgaflow_board.wire_format.WireFormat.input_words`).  Output words are far fewer and travel on
the other channel of the DMA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check
from fpgaflow.estimate.table import ResourceTable
from fpgaflow_board.boards import Board


@dataclass(frozen=True)
class Throughput:
    """Maps per second of the deployed design and what bounds it.

    ``compute_maps_per_s``: board clock / core interval; ``dma_maps_per_s``: stream words per second / words
    per map; ``latency_us``: one map through the core at the board clock (DMA set-up time not included).
    """

    compute_maps_per_s: float
    dma_maps_per_s: float
    latency_us: float
    words_per_map: int

    @property
    def maps_per_s(self) -> float:
        return min(self.compute_maps_per_s, self.dma_maps_per_s)

    @property
    def bound(self) -> Literal["compute", "dma"]:
        return "compute" if self.compute_maps_per_s <= self.dma_maps_per_s else "dma"


def throughput(
    table: ResourceTable,
    board: Board,
    input_elements: int,
    element_bits: int = 32,
    words_per_map: int | None = None,
) -> Throughput:
    """Throughput of ``table``'s design on ``board`` for maps of ``input_elements`` x ``element_bits``
    (``words_per_map``: the input words one map takes on the wire, one per clock, when the wire format
    fixes them)."""
    check(input_elements >= 1, f"input_elements must be >= 1, got {input_elements}")
    check(element_bits >= 1, f"element_bits must be >= 1, got {element_bits}")
    interval = table.total.interval_cycles
    latency = table.total.latency_cycles
    check(interval is not None and interval > 0, "the table has no interval to derive a throughput from")
    assert interval is not None
    clock_hz = 1e9 / board.clock_period_ns
    words = math.ceil(input_elements * element_bits / board.stream_bits) if words_per_map is None else words_per_map
    check(words >= 1, f"words_per_map must be >= 1, got {words}")
    return Throughput(
        compute_maps_per_s=clock_hz / interval,
        dma_maps_per_s=clock_hz / words,
        latency_us=(latency or interval) * board.clock_period_ns * 1e-3,
        words_per_map=words,
    )
