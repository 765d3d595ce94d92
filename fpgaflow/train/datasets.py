"""The train/validation/test maps of a data config, made exactly as ``fpgaflow run``'s data step makes them
(the study runner and the benchmarks train outside the pipeline and must see the same splits)."""

from __future__ import annotations

import numpy as np

from fpgaflow.data import HitMapSet, split
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import load_dataset, source_name


def make_splits(cfg: DataConfig, *, truth: bool = False) -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    """(train, validation, test) for ``cfg``: generated/simulated/loaded maps, stratified seeded split
    (``truth``: simulated maps carry their per-cluster truth; the maps are the same bytes either way).

    The split draws from its own stream ``[seed, 1]``, so changing the split fractions never changes the
    maps generated.  A set with one class, no maps, or a class too rare for the fractions is refused
    (:class:`~fpgaflow.errors.DataError` naming the file).
    """
    rng = np.random.default_rng([cfg.seed, 1])
    return split(load_dataset(cfg, truth=truth), cfg.val_fraction, cfg.test_fraction, rng, source_name(cfg))
