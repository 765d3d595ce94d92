"""Seeded train/validation/test splits (stratified by label, or by group when maps share a source).

A split that would leave a class out of one of the three parts is refused (:class:`DataError`): a set with no
maps or one class only, or a class too rare for the fractions, trains a classifier whose accuracy means
nothing.
"""

from __future__ import annotations

import numpy as np

from fpgaflow.data.hitmaps import CLASS_NAMES, HitMapSet, IndexArray, LabelArray
from fpgaflow.errors import ConfigError, DataError

_PARTS = ("train", "val", "test")


def split_indices(
    labels: LabelArray,
    val_fraction: float,
    test_fraction: float,
    rng: np.random.Generator,
    groups: IndexArray | None = None,
    source: str = "data",
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Index split into (train, validation, test).

    Without ``groups``: each class is shuffled and cut by the same fractions (stratified).  With
    ``groups`` (one id per map, e.g. the simulated module event a cluster stamp was cut from): whole groups
    are assigned, in a random order, to validation until it holds ``val_fraction`` of the maps, then to
    test, the rest to training — so no group has maps in two splits (classes stay balanced on average).

    Raises :class:`DataError` (naming ``source``) for an empty set, a missing class, or a class with too
    few maps (or groups) to put at least one map of it in each of train, validation and test.
    """
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ConfigError(f"split fractions must be in (0, 1) with sum < 1, got {val_fraction}, {test_fraction}")
    if labels.size == 0:
        raise DataError(f"{source}: 0 hit maps; training needs maps of both classes")
    counts = [int(np.count_nonzero(labels == cls)) for cls in range(len(CLASS_NAMES))]
    for cls, name in enumerate(CLASS_NAMES):
        if counts[cls] == 0:
            raise DataError(
                f"{source}: all {labels.size} maps are {CLASS_NAMES[1 - cls]} (label {1 - cls}), none {name} "
                f"(label {cls}); a classifier needs both classes"
            )
    if groups is not None:
        parts = _split_groups(groups, val_fraction, test_fraction, rng)
        for part, idx in zip(_PARTS, parts, strict=True):
            for cls, name in enumerate(CLASS_NAMES):
                if not np.any(labels[idx] == cls):
                    raise DataError(
                        f"{source}: the {part} maps of the split by group hold no {name} map (label {cls}); "
                        f"{counts[cls]} {name} maps in {np.unique(groups).size} groups are too few for the "
                        f"fractions val {val_fraction:g} / test {test_fraction:g}"
                    )
        return parts
    stratified: list[list[IndexArray]] = [[], [], []]
    for cls, name in enumerate(CLASS_NAMES):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_val = round(val_fraction * idx.size)
        n_test = round(test_fraction * idx.size)
        if min(n_val, n_test, idx.size - n_val - n_test) < 1:
            raise DataError(
                f"{source}: only {idx.size} {name} maps (label {cls}) of {labels.size}: too few to put at least "
                f"one in each of train / val ({val_fraction:g}) / test ({test_fraction:g})"
            )
        stratified[1].append(idx[:n_val])
        stratified[2].append(idx[n_val : n_val + n_test])
        stratified[0].append(idx[n_val + n_test :])
    train, val, test = (rng.permutation(np.concatenate(p)) for p in stratified)
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
    data: HitMapSet, val_fraction: float, test_fraction: float, rng: np.random.Generator, source: str = "data"
) -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    """Split ``data`` into train/val/test :class:`HitMapSet` objects (by its ``groups`` when it has them;
    ``source`` names the data in errors)."""
    tr, va, te = split_indices(data.labels, val_fraction, test_fraction, rng, groups=data.groups, source=source)
    return data.subset(tr), data.subset(va), data.subset(te)
