"""Class imbalance: artificial balancing by resampling, and class weights INS, ISNS, ENS.

Artificial balancing with threshold ``T``: class ``c`` with ``n_c`` training maps gets the sampling rate
``r_c = T / n_c``.  A class with ``r_c < 1`` is *down-sampled* to ``T`` maps drawn without replacement
(fresh each epoch); a class with ``r_c > 1`` keeps all ``n_c`` originals and is *up-sampled* with
``T - n_c`` extra draws (with replacement) that are **always augmented**, so the network never sees
the same map twice unchanged.  Every epoch then holds ``T`` maps per class.

Class weights (for Keras ``class_weight``), normalised so that they sum to the number of classes ``C``:

* INS  — inverse number of samples:          ``w_c ∝ 1 / n_c``
* ISNS — inverse square root number of samples: ``w_c ∝ 1 / sqrt(n_c)``
* ENS  — effective number of samples (Cui et al. 2019): ``E_c = (1 − β^{n_c}) / (1 − β)``,
  ``w_c ∝ 1 / E_c = (1 − β) / (1 − β^{n_c})``, with ``β ∈ [0, 1)``; β → 0 gives equal weights,
  β → 1 approaches INS.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import IndexArray, TargetArray
from fpgaflow.errors import ConfigError, DataError

WeightMethod = Literal["ins", "isns", "ens"]


def class_counts(labels: TargetArray) -> dict[int, int]:
    """Number of maps per class present in ``labels``."""
    classes, counts = np.unique(labels, return_counts=True)
    return {int(c): int(k) for c, k in zip(classes, counts, strict=False)}


def balancing_rates(labels: TargetArray, threshold: int) -> dict[int, float]:
    """Per-class sampling rate ``threshold / n_c`` (> 1: up-sampled with augmentation; < 1: down-sampled)."""
    if threshold < 1:
        raise ConfigError(f"balancing threshold must be >= 1 maps per class, got {threshold}")
    return {c: threshold / n for c, n in class_counts(labels).items()}


def balanced_indices(
    labels: TargetArray, threshold: int, rng: np.random.Generator
) -> tuple[IndexArray, npt.NDArray[np.bool_]]:
    """Indices of one balanced epoch (``threshold`` per class) and which of them must be augmented."""
    balancing_rates(labels, threshold)
    if labels.size == 0:
        raise DataError("cannot balance an empty training set")
    idx_parts: list[IndexArray] = []
    aug_parts: list[npt.NDArray[np.bool_]] = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if members.size >= threshold:
            idx_parts.append(rng.choice(members, size=threshold, replace=False))
            aug_parts.append(np.zeros(threshold, dtype=bool))
        else:
            extra = rng.choice(members, size=threshold - members.size, replace=True)
            idx_parts.append(np.concatenate([members, extra]))
            aug_parts.append(np.concatenate([np.zeros(members.size, bool), np.ones(extra.size, bool)]))
    return np.concatenate(idx_parts).astype(np.int64), np.concatenate(aug_parts)


def class_weights(labels: TargetArray, method: WeightMethod, beta: float = 0.999) -> dict[int, float]:
    """Class weights by ``method`` (formulas in the module docstring), summing to the number of classes."""
    counts = class_counts(labels)
    if not counts:
        raise DataError("cannot compute class weights of an empty training set")
    n = np.array(list(counts.values()), dtype=np.float64)
    if method == "ins":
        raw = 1.0 / n
    elif method == "isns":
        raw = 1.0 / np.sqrt(n)
    elif method == "ens":
        if not 0.0 <= beta < 1.0:
            raise ConfigError(f"ENS class weights need beta in [0, 1), got {beta}")
        raw = (1.0 - beta) / (1.0 - np.power(beta, n))
    else:
        raise ConfigError(f"unknown class weighting {method!r}; valid: ins, isns, ens")
    w = raw * len(n) / raw.sum()
    return {c: float(x) for c, x in zip(counts, w, strict=False)}
