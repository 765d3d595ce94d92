"""The fit search space and budget, as one typed config (the ``fit:`` section / ``fpgaflow fit`` options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.config.strict import check, known_board
from fpgaflow.convert.config import Strategy
from fpgaflow_board.boards import DEFAULT_BOARD, DEFAULT_BUDGET
from fpgaflow_board.wire_format import WireFormat

ReuseMode = Literal["uniform", "balanced", "mixed"]

#: The CMS Level-1 trigger accept rate (Run 2/3: 100 kHz), in maps per second for one map per accepted event.
DEFAULT_TARGET_MAPS_PER_S = 100_000.0


@dataclass(frozen=True)
class FitConfig:
    """What ``fpgaflow fit`` searches, and the budget a design must stay under.

    ``budget``: fraction of every resource (LUT, FF, DSP48, BRAM18) of ``board`` the *estimated* design may
    use (default 70 %, leaving 30 % for routing and timing closure).  ``reuse_factors``: global reuse factors R
    (each multiplier used R times per output pixel); each layer gets the valid factor nearest to R.
    ``reuse_modes``: ``uniform`` keeps that factor; ``balanced`` then raises every layer's factor to the
    largest valid one that does not make the layer slower than the slowest layer of the design (fewer
    multipliers, same interval); ``mixed`` starts from ``balanced`` on the Latency strategy and moves each layer
    to the Resource strategy where that lowers the estimate's binding resource without slowing the design
    (:mod:`fpgaflow.fit.mix_strategies`; one point per factor and precision, whatever ``strategies`` says).
    ``strategies``: hls4ml ``Latency`` (weights in registers) or ``Resource`` (weights in BRAM/LUTRAM).
    ``trim_bits``: fractional bits removed from every Conv2D/Dense accumulator and result type (0 = the exact plan;
    k > 0 truncates each product to 2^-(f-k)).
    ``result_margin_bits``: integer bits above the calibration maximum of profiled result types.
    ``min_maps_per_s``: throughput floor (modelled, at the board clock, DMA included; 0 = none).
    ``target_maps_per_s``: the rate the design should sustain, used to break ties: of the points as accurate as
    the best, the cheapest (fewest LUTs) that reaches the target is chosen, or the fastest when none does.
    Default :data:`DEFAULT_TARGET_MAPS_PER_S`, the CMS Level-1 trigger accept rate (100 kHz: one map per
    triggered event).
    ``accuracy_maps``: at most this many maps are scored by the emulator per precision choice.
    ``prune_levels``: kernel sparsities to also search (each a copy of the model fine-tuned for
    ``prune_epochs`` epochs on training maps with magnitude pruning, seeded by ``prune_seed``; empty = the model
    as given only).  ``csim_maps``: maps run through the real C simulation of the chosen design to confirm the emulator
    (0 = skip).  The input scale is the model's own (stored in the model file, :mod:`fpgaflow.modelio`).
    ``wire``: what the input AXI-Stream words carry (:class:`~fpgaflow_board.wire_format.WireFormat`): the
    default, one float32 per word, searches hls4ml's VivadoAccelerator route; ``{element: adc8, inputs_per_word:
    4}`` (issue 20's packed 8-bit counts) searches the Vitis route with fpgaflow's AXI-Stream top, whose words per
    map set every point's DMA bound and whose lane unpacking is in its estimate.
    """

    board: str = DEFAULT_BOARD
    budget: float = DEFAULT_BUDGET
    reuse_factors: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    reuse_modes: tuple[ReuseMode, ...] = ("uniform", "balanced")
    strategies: tuple[Strategy, ...] = ("Latency", "Resource")
    trim_bits: tuple[int, ...] = (0, 3, 6)
    result_margin_bits: tuple[int, ...] = (1,)
    min_maps_per_s: float = 0.0
    target_maps_per_s: float = DEFAULT_TARGET_MAPS_PER_S
    accuracy_maps: int = 5000
    prune_levels: tuple[float, ...] = ()
    prune_epochs: int = 2
    prune_seed: int = 0
    csim_maps: int = 200
    wire: WireFormat = field(default_factory=WireFormat)

    def __post_init__(self) -> None:
        known_board(self.board)
        check(0.0 < self.budget <= 1.0, f"fit.budget must be in (0, 1], got {self.budget}")
        check(len(self.reuse_factors) >= 1, "fit.reuse_factors needs at least one factor")
        check(all(r >= 1 for r in self.reuse_factors), f"fit.reuse_factors must be >= 1, got {self.reuse_factors}")
        check(len(self.reuse_modes) >= 1, "fit.reuse_modes needs at least one mode")
        check(len(self.strategies) >= 1, "fit.strategies needs at least one strategy")
        check(len(self.trim_bits) >= 1, "fit.trim_bits needs at least one value")
        check(all(0 <= k <= 16 for k in self.trim_bits), f"fit.trim_bits must be in [0, 16], got {self.trim_bits}")
        check(
            len(self.result_margin_bits) >= 1 and all(0 <= m <= 8 for m in self.result_margin_bits),
            f"fit.result_margin_bits must be a non-empty list of values in [0, 8], got {self.result_margin_bits}",
        )
        check(self.min_maps_per_s >= 0, f"fit.min_maps_per_s must be >= 0, got {self.min_maps_per_s}")
        check(self.target_maps_per_s >= 0, f"fit.target_maps_per_s must be >= 0, got {self.target_maps_per_s}")
        check(self.accuracy_maps >= 1, f"fit.accuracy_maps must be >= 1, got {self.accuracy_maps}")
        check(
            all(0.0 < p < 1.0 for p in self.prune_levels),
            f"fit.prune_levels must be in (0, 1), got {self.prune_levels}",
        )
        check(self.prune_epochs >= 1, f"fit.prune_epochs must be >= 1, got {self.prune_epochs}")
        check(self.csim_maps >= 0, f"fit.csim_maps must be >= 0, got {self.csim_maps}")
