"""Compare classifier outputs: QKeras (TensorFlow) vs the C simulation (vs the board)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ScoreComparison:
    """Agreement between two score vectors on the same maps.

    ``agreement``: fraction of maps whose class decision (score ≥ threshold) is identical;
    ``max_abs_diff``/``mean_abs_diff``: of the scores; ``accuracy_a``/``accuracy_b`` against ``labels``;
    ``first_disagreements``: indices of the first maps whose decisions differ.
    """

    n: int
    agreement: float
    max_abs_diff: float
    mean_abs_diff: float
    accuracy_a: float
    accuracy_b: float
    bit_exact_fraction: float
    first_disagreements: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def compare_scores(
    scores_a: np.ndarray, scores_b: np.ndarray, labels: np.ndarray, threshold: float = 0.5, show: int = 10
) -> ScoreComparison:
    a = np.asarray(scores_a, dtype=np.float64).reshape(-1)
    b = np.asarray(scores_b, dtype=np.float64).reshape(-1)
    y = np.asarray(labels).reshape(-1)
    if not (a.shape == b.shape == y.shape):
        raise ValueError(f"shape mismatch: {a.shape}, {b.shape}, labels {y.shape}")
    ca, cb = a >= threshold, b >= threshold
    diff = np.abs(a - b)
    dis = np.flatnonzero(ca != cb)
    return ScoreComparison(
        n=int(a.size),
        agreement=float(np.mean(ca == cb)),
        max_abs_diff=float(diff.max()) if a.size else 0.0,
        mean_abs_diff=float(diff.mean()) if a.size else 0.0,
        accuracy_a=float(np.mean(ca == (y == 1))),
        accuracy_b=float(np.mean(cb == (y == 1))),
        bit_exact_fraction=float(np.mean(a.astype(np.float32) == b.astype(np.float32))),
        first_disagreements=tuple(int(i) for i in dis[:show]),
    )
