"""Mix hls4ml strategies per layer (fit's reuse mode ``mixed``): at a global reuse factor R, each Conv2D/Dense layer
on the strategy and reuse factor that cost least while the design keeps R's interval.

The search starts from the ``balanced`` design on the Latency strategy: every layer at the largest valid reuse factor
whose cycles per map stay within the slowest layer's at R.  Then, layers with the most products first, each layer is
tried on hls4ml's Resource strategy (its multipliers shared, in DSP48s; weights in BRAM/LUTRAM) at the largest valid
reuse factor, no larger than its balanced one, that keeps the design's estimated interval; the move is kept when it
lowers the design's binding utilisation (the top of the estimate's range of its most used resource, as a share of the
board), ties → fewer LUTs.  So a layer goes to Resource where the DSP48s allow it and stays on Latency (products in
LUTs) where they do not.  Every trial is a whole-design estimate (:mod:`fpgaflow.estimate`, through the fit search's
own measurement), not a per-layer guess.  :func:`mixed_candidates` runs the search once per global reuse factor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from fpgaflow.convert.layers import KerasLayerSpec
from fpgaflow.convert.plan_reuse import valid_reuse_factors
from fpgaflow.fit.candidates import Candidate, PrecisionVariant, layer_reuse
from fpgaflow_board.boards import Board

if TYPE_CHECKING:
    from fpgaflow.fit.search import FitPoint

log = logging.getLogger(__name__)


def binding(point: FitPoint, board: Board) -> tuple[float, float]:
    """(top of the estimate's range of the most used resource ÷ the board's total, LUTs): what a move must lower."""
    top = max(point.ranges[r][1] / total for r, total in board.resources.items())
    return top, point.resources["lut"]


def mix_strategies(
    specs: list[KerasLayerSpec],
    variant: PrecisionVariant,
    rf: int,
    sparsity: float,
    measure: Callable[[Candidate], FitPoint],
    board: Board,
) -> Candidate:
    """The ``mixed`` candidate at global reuse factor ``rf`` (module docstring); ``measure`` estimates a candidate
    (its point, without accuracy)."""
    best = Candidate(variant, rf, "mixed", "Latency", layer_reuse(specs, rf, "balanced"), sparsity)
    best_point = measure(best)
    weighted = sorted((s for s in specs if s.weighted), key=lambda s: -s.n_in * s.n_out)
    for spec in weighted:
        ceiling = best.layer_reuse[spec.name]
        for factor in sorted((v for v in valid_reuse_factors(spec.n_in, spec.n_out) if v <= ceiling), reverse=True):
            trial = replace(
                best,
                layer_reuse={**best.layer_reuse, spec.name: factor},
                layer_strategy={**best.layer_strategy, spec.name: "Resource"},
            )
            point = measure(trial)
            if point.interval_cycles > best_point.interval_cycles:
                continue  # slower than the design: a smaller factor
            if binding(point, board) < binding(best_point, board):
                best, best_point = trial, point
            break
    return best


def mixed_candidates(
    specs: list[KerasLayerSpec],
    variants: list[PrecisionVariant],
    sparsity: float,
    reuse_factors: tuple[int, ...],
    measure: Callable[[Candidate], FitPoint],
    board: Board,
    known: list[Candidate],
) -> list[Candidate]:
    """The ``mixed`` mode's designs: one :func:`mix_strategies` search per global reuse factor, on the first
    precision variant (the exact plan by default), whose per-layer reuse factors and strategies every variant then
    takes; designs already in ``known`` (the grid) are not repeated."""

    def key(c: Candidate) -> tuple[object, ...]:
        return (c.precision.key, tuple(c.layer_reuse.items()), tuple(c.strategies.items()))

    trials = 0

    def counted(cand: Candidate) -> FitPoint:
        nonlocal trials
        trials += 1
        return measure(cand)

    seen = {key(c) for c in known}
    out: list[Candidate] = []
    for rf in reuse_factors:
        found = mix_strategies(specs, variants[0], rf, sparsity, counted, board)
        for variant in variants:
            cand = replace(found, precision=variant)
            if key(cand) not in seen:
                seen.add(key(cand))
                out.append(cand)
    log.info("fit: mixed strategies: %d designs from %d estimated trials", len(out), trials)
    return out
