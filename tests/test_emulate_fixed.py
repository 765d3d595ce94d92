"""ap_fixed casts of fpgaflow.emulate.fixed against the real Xilinx ap_types headers (compiled with g++)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.emulate.errors import UnsupportedPrecisionError
from fpgaflow.emulate.fixed import OVERFLOW_MODES, ROUNDING_MODES, FixedType, from_float, requantize

hls4ml = pytest.importorskip("hls4ml")
AP_TYPES = Path(hls4ml.__file__).parent / "templates" / "vivado" / "ap_types"

#: destination types: every rounding x overflow mode on a signed and an unsigned narrow type, plus odd shapes
DESTS = (
    [FixedType(6, 2, True, r, o) for r in ROUNDING_MODES for o in OVERFLOW_MODES]
    + [FixedType(5, 3, False, r, o) for r in ROUNDING_MODES for o in OVERFLOW_MODES]
    + [
        FixedType(8, 0, False),
        FixedType(8, 1),
        FixedType(4, 6, True, "RND", "SAT"),
        FixedType(4, -2, True, "RND_CONV"),
        FixedType(16, 6),
        FixedType(18, 8, True, "RND", "SAT_SYM"),
        FixedType(1, 1, True, "RND", "SAT"),
    ]
)
SRC = FixedType(24, 10)  # source of fixed-to-fixed casts: ap_fixed<24,10>, 14 fractional bits


def _ctype(t: FixedType) -> str:
    kind = "ap_fixed" if t.signed else "ap_ufixed"
    return f"{kind}<{t.width},{t.integer},AP_{t.rounding},AP_{t.overflow}>"


@pytest.fixture(scope="module")
def cpp_casts(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[np.ndarray, np.ndarray, list[list[int]], list[list[int]]]:
    """Run one C++ program printing every destination's integer codes for a table of sources."""
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    rng = np.random.default_rng(7)
    # doubles: ties at several LSB scales, huge values, negatives, random
    grid = np.arange(-80, 81) / 8.0
    doubles = np.concatenate([grid, grid + 1 / 64, rng.normal(0, 20, 200), [1e6, -1e6, 255.999, 0.5, -0.5]])
    codes = np.concatenate([np.arange(-600, 601) * 29, rng.integers(-(1 << 23), 1 << 23, 300)]).astype(np.int64)
    lines = ["#include <cstdio>", '#include "ap_fixed.h"', "int main() {"]
    lines.append(f"  static const double d[] = {{{', '.join(repr(float(v)) for v in doubles)}}};")
    lines.append(f"  static const long long c[] = {{{', '.join(str(int(v)) for v in codes)}}};")
    for t in DESTS:
        ct = _ctype(t)
        lines.append(f'  for (double v : d) {{ {ct} y = v; printf("%lld ", (long long) y.range().to_int64()); }}')
        lines.append('  printf("\\n");')
        lines.append(
            f"  for (long long v : c) {{ ap_fixed<{SRC.width},{SRC.integer}> s; s.range() = v; {ct} y = s; "
            'printf("%lld ", (long long) y.range().to_int64()); }'
        )
        lines.append('  printf("\\n");')
    lines.append("  return 0; }")
    work = tmp_path_factory.mktemp("apcast")
    (work / "casts.cpp").write_text("\n".join(lines))
    subprocess.run(["g++", "-O1", "-std=c++14", f"-I{AP_TYPES}", "casts.cpp", "-o", "casts"], cwd=work, check=True)
    out = subprocess.run([str(work / "casts")], capture_output=True, text=True, check=True).stdout.splitlines()
    from_d = [[int(v) for v in out[2 * i].split()] for i in range(len(DESTS))]
    from_c = [[int(v) for v in out[2 * i + 1].split()] for i in range(len(DESTS))]
    return doubles, codes, from_d, from_c


def _raw_bits(q: np.ndarray, t: FixedType) -> np.ndarray:
    """The C++ prints range().to_int64(): the raw bit pattern, unsigned."""
    return q & ((1 << t.width) - 1)


@pytest.mark.parametrize("index", range(len(DESTS)), ids=[str(t) for t in DESTS])
def test_cast_from_double_matches_ap_fixed(cpp_casts: tuple, index: int) -> None:  # type: ignore[type-arg]
    doubles, _, from_d, _ = cpp_casts
    t = DESTS[index]
    np.testing.assert_array_equal(_raw_bits(from_float(doubles, t), t), np.array(from_d[index]))


@pytest.mark.parametrize("index", range(len(DESTS)), ids=[str(t) for t in DESTS])
def test_cast_from_fixed_matches_ap_fixed(cpp_casts: tuple, index: int) -> None:  # type: ignore[type-arg]
    _, codes, _, from_c = cpp_casts
    t = DESTS[index]
    np.testing.assert_array_equal(_raw_bits(requantize(codes, SRC.frac, t), t), np.array(from_c[index]))


def test_unsupported_precisions_raise() -> None:
    with pytest.raises(UnsupportedPrecisionError, match="width 64"):
        FixedType(64, 10)
    with pytest.raises(UnsupportedPrecisionError, match="rounding mode 'RND_FOO'"):
        FixedType(8, 3, True, "RND_FOO")
    with pytest.raises(UnsupportedPrecisionError, match="overflow mode 'WRAP_SM'"):
        FixedType(8, 3, True, "TRN", "WRAP_SM")


def test_known_values() -> None:
    # ap_ufixed<8,0>: 1.0 wraps to 0, 0.999 truncates to 255/256
    np.testing.assert_array_equal(from_float([1.0, 0.999, -1 / 256], FixedType(8, 0, False)), [0, 255, 255])
    # ap_ufixed<8,3,AP_RND_CONV,AP_SAT>: ties to even, saturate at 7.96875
    t = FixedType(8, 3, False, "RND_CONV", "SAT")
    np.testing.assert_array_equal(from_float([1 / 64, 3 / 64, 100.0, -3.0], t), [0, 2, 255, 0])
