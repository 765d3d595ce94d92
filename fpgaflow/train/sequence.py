"""Scale ADC counts to the network input.  Training batches come from the augmentation strategies
(:mod:`fpgaflow.augment.strategies` through :mod:`fpgaflow.augment.keras_adapter`)."""

from __future__ import annotations

import numpy as np


def scale_inputs(maps: np.ndarray, input_scale: float) -> np.ndarray:
    """ADC counts → network input (training batches after augmentation; validation/test/inference as is)."""
    return (maps * np.float32(input_scale)).astype(np.float32)
