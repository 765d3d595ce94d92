"""Activation lookup tables built as hls4ml's ``nnet_activation.h`` builds them in C simulation.

The C++ fills the tables in single precision (``std::exp`` on a ``float``, ``1 + float``), divides in
double, returns a ``float`` and assigns it to ``table_t``.  Here ``expf`` is taken as the correctly
rounded float32 of the double-precision exponential (glibc's ``expf`` is within 0.502 ulp; the tests
compare every table entry against the compiled header).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.fixed_point import FixedType, IntArray, from_float


def _expf(x: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
    return np.exp(x.astype(np.float64)).astype(np.float32)


def sigmoid_table(table_size: int, table_t: FixedType) -> IntArray:
    """``init_sigmoid_table``: entry i is sigmoid(16 * (i - N/2) / N) (inputs -8..+8), as table_t codes."""
    ii = np.arange(table_size, dtype=np.float64)
    n = float(np.float32(table_size))
    in_val = (2 * 8.0 * (ii - n / 2.0) / n).astype(np.float32)
    denom = np.float32(1) + _expf(-in_val)  # float + float
    real = (1.0 / denom.astype(np.float64)).astype(np.float32)  # double division, float return value
    return from_float(real.astype(np.float64), table_t)


def sigmoid_index(q: IntArray, frac: int, table_size: int) -> IntArray:
    """``data_round = x * table_size / 16; index = data_round + 8 * table_size / 16``, clamped to the table.

    ap_fixed division by an int keeps the dividend's fractional bits, truncating toward zero, and the
    conversion to ``int`` truncates toward zero again; the composition is one truncation toward zero of
    the exact quotient ``x * table_size / 16``.
    """
    num = q * table_size  # value num * 2**-frac / 16
    den = 16 << frac if frac >= 0 else 16
    if frac < 0:
        num = num << (-frac)
    data_round = np.where(num >= 0, num // den, -((-num) // den))
    index = data_round + (8 * table_size) // 16
    return np.clip(index, 0, table_size - 1)
