"""Seeded train/validation/test splits (stratified by label)."""

from __future__ import annotations

import numpy as np

from fpgaflow.data.hitmaps import HitMapSet, IndexArray, LabelArray
from fpgaflow.errors import ConfigError


def split_indices(
    labels: LabelArray, val_fraction: float, test_fraction: float, rng: np.random.Generator
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Stratified index split; each class is shuffled and cut by the same fractions."""
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ConfigError(f"split fractions must be in (0, 1) with sum < 1, got {val_fraction}, {test_fraction}")
    parts: list[list[IndexArray]] = [[], [], []]
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_val = round(val_fraction * idx.size)
        n_test = round(test_fraction * idx.size)
        parts[1].append(idx[:n_val])
        parts[2].append(idx[n_val : n_val + n_test])
        parts[0].append(idx[n_val + n_test :])
    train, val, test = (rng.permutation(np.concatenate(p)) for p in parts)
    return train, val, test


def split(
    data: HitMapSet, val_fraction: float, test_fraction: float, rng: np.random.Generator
) -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    """Split ``data`` into train/val/test :class:`HitMapSet` objects."""
    tr, va, te = split_indices(data.labels, val_fraction, test_fraction, rng)
    return data.subset(tr), data.subset(va), data.subset(te)
