"""Turn the IP's raw outputs into particle scores and class decisions (numpy only).

The FPGA computes the classifier's logit; the monotonic sigmoid is applied here, so the class decision
``score >= threshold`` is identical to ``logit >= logit(threshold)`` and bit-exact with training.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def apply_output_activation(raw: npt.ArrayLike, activation: str) -> npt.NDArray[np.float64]:
    """Scores (float64) from raw outputs for ``activation`` ``sigmoid`` or ``linear``."""
    x = np.asarray(raw, dtype=np.float64)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if activation == "linear":
        return x
    raise ValueError(f"unsupported output activation {activation!r} (expected 'sigmoid' or 'linear')")


def classify(scores: npt.ArrayLike, threshold: float = 0.5) -> npt.NDArray[np.int8]:
    """Class index per map: 1 = particle where ``score >= threshold``, else 0 = background."""
    return (np.asarray(scores) >= threshold).astype(np.int8)
