"""Activation lookup tables built as hls4ml's ``nnet_activation.h`` builds them in C simulation.

The C++ fills the tables in single precision (``std::exp`` on a ``float``, ``1 + float``), divides in
double, returns a ``float`` and assigns it to ``table_t``.  Here ``expf`` is taken as the correctly
rounded float32 of the double-precision exponential (glibc's ``expf`` is within 0.502 ulp; the tests
compare every table entry against the compiled header).  ``tanhf`` is not correctly rounded in glibc (about
one table entry in seven differs from the rounded double): the host's own C library ``tanhf`` is called, the
one the C simulation links.  Vivado HLS fills a synthesised table with its own math library at compile time;
that the two agree is to be confirmed on a real install.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.fixed_point import FixedType, IntArray, from_float

log = logging.getLogger(__name__)


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


def sigmoid_index(q: IntArray, frac: int, table_size: int, span: int = 16) -> IntArray:
    """``data_round = x * table_size / span; index = data_round + (span/2) * table_size / span``, clamped to the
    table (``span`` 16 for sigmoid, inputs −8..8; 8 for tanh, inputs −4..4).

    ap_fixed division by an int keeps the dividend's fractional bits, truncating toward zero, and the
    conversion to ``int`` truncates toward zero again; the composition is one truncation toward zero of
    the exact quotient ``x * table_size / span``.
    """
    num = q * table_size  # value num * 2**-frac / span
    den = span << frac if frac >= 0 else span
    if frac < 0:
        num = num << (-frac)
    data_round = np.where(num >= 0, num // den, -((-num) // den))
    index = data_round + (span // 2 * table_size) // span
    return np.clip(index, 0, table_size - 1)


def _tanhf(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The C library's single-precision ``tanhf`` on each value (what the C simulation calls); the correctly
    rounded float32 of the double ``tanh`` where no C library can be loaded."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("m")
    if name is None:  # pragma: no cover - every Linux/macOS host has a libm
        log.warning("no C math library found: tanh table entries may differ from the C simulation's")
        return np.tanh(x.astype(np.float64)).astype(np.float32)
    libm = ctypes.CDLL(name)
    libm.tanhf.restype = ctypes.c_float
    libm.tanhf.argtypes = [ctypes.c_float]
    return np.array([libm.tanhf(float(v)) for v in x], dtype=np.float32)


def tanh_table(table_size: int, table_t: FixedType) -> IntArray:
    """``init_tanh_table``: entry i is tanhf(8 * (i - N/2) / N) (inputs -4..+4, the argument a float), as
    table_t codes."""
    ii = np.arange(table_size, dtype=np.float64)
    in_val = (2 * 4.0 * (ii - float(np.float32(table_size)) / 2.0) / float(np.float32(table_size))).astype(np.float32)
    return from_float(_tanhf(in_val).astype(np.float64), table_t)
