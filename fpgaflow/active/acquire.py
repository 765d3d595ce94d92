"""Which unlabelled hit maps to label next: random (the control), entropy and margin uncertainty, and core-set
(k-center greedy) diversity.

The scoring comes from scikit-activeml (``skactiveml``, the ``active`` extra): ``uncertainty_scores`` for
entropy and margin, ``CoreSet`` for the k-center greedy selection; it is imported on first use.  fpgaflow
keeps the selection rule around them: take the ``k`` most uncertain maps (ties: the lower pool index first),
draw the random control from a passed-in ``numpy.random.Generator``.

For a one-sigmoid binary classifier the class probabilities are ``(1 − p, p)``: entropy
``−p ln p − (1 − p) ln(1 − p)`` and margin uncertainty ``1 − |2p − 1|`` are both largest at ``p = ½`` and fall
monotonically with ``|p − ½|``, so on fpgaflow's particle/noise task they pick the same maps (they differ for
three or more classes).  Core-set picks, one at a time, the unlabelled map farthest (Euclidean, in the
embedding given — fpgaflow passes the penultimate layer) from every labelled or already-picked map: a greedy
2-approximation of the k-center cover (Sener & Savarese 2018).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import IndexArray
from fpgaflow.errors import DataError, require

AcquisitionName = Literal["random", "entropy", "margin", "coreset"]
ACQUISITIONS: tuple[str, ...] = ("random", "entropy", "margin", "coreset")
#: Acquisitions that rank maps by the model's particle score (the others need no scores).
UNCERTAINTY: tuple[str, ...] = ("entropy", "margin")

FloatArray = npt.NDArray[np.float64]


def class_probabilities(scores: npt.ArrayLike) -> FloatArray:
    """``(n, 2)`` probabilities (noise, particle) from ``(n,)`` particle scores in [0, 1] (or ``(n, C)`` as is)."""
    p = np.asarray(scores, dtype=np.float64)
    if p.ndim == 1:
        if p.size and (p.min() < 0.0 or p.max() > 1.0):
            raise DataError(f"particle scores must lie in [0, 1], got {p.min():.4g} .. {p.max():.4g}")
        return np.column_stack([1.0 - p, p])
    if p.ndim != 2:
        raise DataError(f"scores must be (n,) particle scores or (n, classes) probabilities, got shape {p.shape}")
    return p


def uncertainty(scores: npt.ArrayLike, method: Literal["entropy", "margin"]) -> FloatArray:
    """Entropy (nats) or margin uncertainty (1 − (top − second probability)) of every map; higher = less sure."""
    require("skactiveml", "entropy / margin acquisition")
    from skactiveml.pool import uncertainty_scores

    probas = class_probabilities(scores)
    name = "entropy" if method == "entropy" else "margin_sampling"
    return np.asarray(uncertainty_scores(probas, method=name), dtype=np.float64)


def most_uncertain(values: npt.ArrayLike, k: int) -> IndexArray:
    """Positions of the ``k`` largest ``values`` (ties: lower position first)."""
    v = np.asarray(values, dtype=np.float64)
    _check_k(k, v.size)
    return np.argsort(-v, kind="stable")[:k].astype(np.int64)


def random_pick(n: int, k: int, rng: np.random.Generator) -> IndexArray:
    """``k`` distinct positions of ``0..n-1`` drawn uniformly by ``rng``."""
    _check_k(k, n)
    return np.asarray(rng.choice(n, size=k, replace=False), dtype=np.int64)


def kcenter_greedy(embeddings: npt.ArrayLike, labelled: npt.NDArray[np.bool_], k: int, seed: int = 0) -> IndexArray:
    """``k`` pool positions (among ``~labelled``) chosen by k-center greedy on ``embeddings`` ``(n_pool, d)``."""
    require("skactiveml", "core-set acquisition")
    from skactiveml.pool import CoreSet

    x = np.asarray(embeddings, dtype=np.float64).reshape(len(labelled), -1)
    if not np.all(np.isfinite(x)):
        raise DataError("core-set: the embeddings hold non-finite values")
    _check_k(k, int((~labelled).sum()))
    y = np.where(labelled, 0.0, np.nan)  # skactiveml marks unlabelled maps with NaN; the label value is unused
    picked = CoreSet(random_state=seed).query(x, y, batch_size=k)
    return np.asarray(picked, dtype=np.int64)


def _check_k(k: int, n: int) -> None:
    if not 1 <= k <= n:
        raise DataError(f"cannot acquire {k} maps from {n} candidates")


def acquire(
    method: str,
    k: int,
    labelled: npt.NDArray[np.bool_],
    rng: np.random.Generator,
    *,
    scores: npt.NDArray[Any] | None = None,
    embeddings: npt.NDArray[Any] | None = None,
) -> IndexArray:
    """``k`` pool positions to label next, never a labelled one.

    ``labelled``: boolean mask over the pool; ``scores``: particle scores of the whole pool (entropy, margin);
    ``embeddings``: ``(n_pool, d)`` features (coreset); ``rng``: the random control's draws and core-set's seed.
    """
    unlabelled = np.flatnonzero(~labelled)
    if method == "random":
        return unlabelled[random_pick(unlabelled.size, k, rng)]
    if method in UNCERTAINTY:
        if scores is None:
            raise DataError(f"{method} acquisition needs the model's scores of the pool")
        values = uncertainty(np.asarray(scores)[unlabelled], method)  # type: ignore[arg-type]
        return unlabelled[most_uncertain(values, k)]
    if method == "coreset":
        if embeddings is None:
            raise DataError("coreset acquisition needs the pool's embeddings")
        return kcenter_greedy(embeddings, labelled, k, seed=int(rng.integers(2**31)))
    raise DataError(f"unknown acquisition {method!r}; known: {', '.join(ACQUISITIONS)}")
