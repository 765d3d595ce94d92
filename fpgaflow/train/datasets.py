"""The train/validation/test maps of a data config, made exactly as ``fpgaflow run``'s data step makes them
(for the study runner and the benchmarks, which train outside the pipeline)."""

from __future__ import annotations

import numpy as np

from fpgaflow.data import HitMapSet, generate_toy, load_npz, split
from fpgaflow.data.config import DataConfig


def make_splits(cfg: DataConfig) -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    """(train, validation, test) for ``cfg``: generated/simulated/loaded maps, stratified seeded split."""
    try:
        # The data stage's loader (toy, simulate, file) with the split on its own stream ``[seed, 1]``.
        from fpgaflow.data.source import load_dataset  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        # Walking-skeleton data step (toy or file; one stream for maps and split).
        rng = np.random.default_rng(cfg.seed)
        maps = generate_toy(cfg.toy, cfg.n_maps, cfg.particle_fraction, rng) if cfg.source == "toy" else None
        if maps is None:
            maps = load_npz(cfg.path)  # type: ignore[arg-type]
        return split(maps, cfg.val_fraction, cfg.test_fraction, rng)  # type: ignore[return-value, unused-ignore]
    data = load_dataset(cfg)
    return split(data, cfg.val_fraction, cfg.test_fraction, np.random.default_rng([cfg.seed, 1]))  # type: ignore[return-value, unused-ignore]
