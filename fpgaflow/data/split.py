"""Seeded train/validation/test splits (stratified by label, or by group when maps share a source)."""

from __future__ import annotations

import numpy as np

from fpgaflow.data.hitmaps import HitMapSet, IndexArray, LabelArray
from fpgaflow.errors import ConfigError


def split_indices(
    labels: LabelArray,
    val_fraction: float,
    test_fraction: float,
    rng: np.random.Generator,
    groups: IndexArray | None = None,
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Index split into (train, validation, test).

    Without ``groups``: each class is shuffled and cut by the same fractions (stratified).  With
    ``groups`` (one id per map, e.g. the simulated module event a cluster stamp was cut from): whole groups
    are assigned, in a random order, to validation until it holds ``val_fraction`` of the maps, then to
    test, the rest to training — so no group has maps in two splits (classes stay balanced on average).
    """
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ConfigError(f"split fractions must be in (0, 1) with sum < 1, got {val_fraction}, {test_fraction}")
    if groups is not None:
        return _split_groups(groups, val_fraction, test_fraction, rng)
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


def _split_groups(
    groups: IndexArray, val_fraction: float, test_fraction: float, rng: np.random.Generator
) -> tuple[IndexArray, IndexArray, IndexArray]:
    ids, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    order = rng.permutation(ids.size)
    filled = np.cumsum(counts[order]) - counts[order]  # maps already assigned before each group
    n = groups.size
    which = np.where(
        filled < round(val_fraction * n), 1, np.where(filled < round((val_fraction + test_fraction) * n), 2, 0)
    )
    split_of_group = np.empty(ids.size, np.int64)
    split_of_group[order] = which
    split_of_map = split_of_group[inverse]
    train, val, test = (rng.permutation(np.flatnonzero(split_of_map == k)) for k in (0, 1, 2))
    return train, val, test


def split(
    data: HitMapSet, val_fraction: float, test_fraction: float, rng: np.random.Generator
) -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    """Split ``data`` into train/val/test :class:`HitMapSet` objects (by its ``groups`` when it has them)."""
    tr, va, te = split_indices(data.labels, val_fraction, test_fraction, rng, groups=data.groups)
    return data.subset(tr), data.subset(va), data.subset(te)
