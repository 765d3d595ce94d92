"""fpgaflow_board.fixed_point: packing floats into ap_fixed/ap_int stream words, checked against ap_types C++."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.fixed_point import FixedPointType, count_out_of_range, pack, quantize, unpack

TYPES = (
    "ap_fixed<8,3>",
    "ap_fixed<8,3,AP_RND,AP_SAT>",
    "ap_fixed<8,3,AP_RND_CONV,AP_SAT_SYM>",
    "ap_fixed<8,3,AP_TRN_ZERO,AP_SAT_ZERO>",
    "ap_fixed<8,3,AP_RND_ZERO,AP_WRAP>",
    "ap_fixed<8,3,AP_RND_MIN_INF,AP_SAT>",
    "ap_fixed<8,3,AP_RND_INF,AP_SAT>",
    "ap_ufixed<8,0>",
    "ap_ufixed<8,0,AP_RND,AP_SAT>",
    "ap_fixed<16,6>",
    "ap_fixed<25,13>",
    "ap_ufixed<12,4,AP_RND_CONV,AP_SAT_SYM>",
    "ap_fixed<4,-2>",
    "ap_int<6>",
    "ap_uint<4>",
)

CPP = """#include <cstdio>
#include "ap_fixed.h"
#include "ap_int.h"
template <class T> void emit(double x) { T v = x; printf(" %llu", (unsigned long long)v.range().to_uint64()); }
int main() {
    double x;
    while (scanf("%lf", &x) == 1) {
EMITS
        printf("\\n");
    }
}
"""


def test_parse_and_ranges() -> None:
    t = FixedPointType.parse("ap_fixed<16,6,AP_RND,AP_SAT>")
    assert (t.width, t.integer, t.signed, t.quantization, t.overflow) == (16, 6, True, "AP_RND", "AP_SAT")
    assert (t.fractional, t.lsb, t.min_value, t.max_value) == (10, 2**-10, -32.0, 32 - 2**-10)
    assert t.lane_bits == 16
    assert t.lane_dtype == np.uint16
    u = FixedPointType.parse("ap_ufixed<8,0>")
    assert (u.min_value, u.max_value, u.lane_bits, str(u)) == (0.0, 255 / 256, 8, "ap_ufixed<8,0>")
    assert FixedPointType.parse("ap_fixed<25,13>").lane_bits == 32
    assert FixedPointType.parse("ap_uint<4>") == FixedPointType(4, 4, False, "AP_TRN_ZERO")
    with pytest.raises(ValueError, match="not an ap_fixed"):
        FixedPointType.parse("float")
    with pytest.raises(ValueError, match="unknown quantisation mode 'AP_RNDX'"):
        FixedPointType.parse("ap_fixed<8,3,AP_RNDX>")
    with pytest.raises(ValueError, match=r"1\.\.32 bits"):
        FixedPointType.parse("ap_fixed<40,8>")


def test_round_trip_is_exact_on_the_grid() -> None:
    rng = np.random.default_rng(3)
    for text in ("ap_fixed<16,6>", "ap_ufixed<8,0>", "ap_fixed<25,13>", "ap_int<6>", "ap_fixed<4,-2>"):
        t = FixedPointType.parse(text)
        codes = rng.integers(t.int_min, t.int_max + 1, size=1000)
        values = codes * t.lsb
        packed = pack(values, t)
        assert packed.n_overflow == 0
        assert packed.words.dtype == t.lane_dtype
        np.testing.assert_array_equal(unpack(packed.words, t), values)


def test_signed_words_are_twos_complement_in_the_lane() -> None:
    t = FixedPointType.parse("ap_fixed<12,4>")  # lane 16 bits, LSB 1/256
    words = pack(np.array([-1 / 256, -8.0, 7.99609375]), t).words
    np.testing.assert_array_equal(words, np.array([0x0FFF, 0x0800, 0x07FF], np.uint16))
    # Padding bits above W (here bits 12..15) are ignored when reading.
    np.testing.assert_array_equal(unpack(np.array([0xFFFF, 0xF800], np.uint16), t), [-1 / 256, -8.0])


def test_saturation_and_wrap_are_counted() -> None:
    sat = FixedPointType.parse("ap_ufixed<8,0,AP_TRN,AP_SAT>")
    x = np.array([-0.5, 0.0, 0.5, 0.999, 1.0, 3.0])
    p = pack(x, sat)
    assert p.n_overflow == 3
    assert p.n_values == 6
    np.testing.assert_array_equal(p.words, [0, 0, 128, 255, 255, 255])
    wrap = FixedPointType.parse("ap_ufixed<8,0>")
    codes, n = quantize(x, wrap)
    assert n == 3
    np.testing.assert_array_equal(codes, [128, 0, 128, 255, 0, 0])  # 1.0 and 3.0 wrap to 0
    assert count_out_of_range(np.array([0.9999, 1.0]), wrap) == 1
    with pytest.raises(ValueError, match="non-finite value at flat index 1"):
        pack(np.array([0.0, np.nan]), wrap)


def test_float_codec_counts_inputs_the_ip_would_wrap() -> None:
    codec = StreamCodec(
        "float32", FixedPointType.parse("ap_ufixed<8,0>"), FixedPointType.parse("ap_fixed<16,6>"), input_scale=1 / 256
    )
    adc = np.array([[0.0, 255.0, 255.9, 256.0, 600.0]], np.float32)
    out = np.empty_like(adc)
    assert codec.encode_into(adc, out) == 2
    np.testing.assert_array_equal(out, adc / 256)
    fixed = StreamCodec("fixed", codec.input_type, codec.output_type, 1 / 256)
    words = np.empty(adc.shape, fixed.in_word)
    assert fixed.encode_into(adc, words) == 2
    np.testing.assert_array_equal(words, [[0, 255, 255, 0, 88]])  # AP_TRN, AP_WRAP as in the IP


def _ap_types_dir(run: Path) -> Path | None:
    hits = sorted(run.glob("hls/firmware/ap_types/ap_fixed.h"))
    return hits[0].parent if hits else None


def test_pack_matches_ap_types_cpp(tiny_run: Path, tmp_path: Path) -> None:
    """Every type and mode: the words equal what the hls4ml project's ap_types headers produce."""
    gxx = shutil.which("g++")
    inc = _ap_types_dir(tiny_run)
    if gxx is None or inc is None:
        pytest.skip("needs g++ and the hls4ml project's firmware/ap_types headers")
    src = tmp_path / "ap.cpp"
    src.write_text(CPP.replace("EMITS", "\n".join(f"        emit<{t} >(x);" for t in TYPES)))
    exe = tmp_path / "ap"
    subprocess.run([gxx, "-O0", "-std=c++14", f"-I{inc}", str(src), "-o", str(exe)], check=True)
    rng = np.random.default_rng(7)
    grid = np.arange(-300, 301) / 64.0  # exact ties for every LSB ≥ 1/64 (rounding-mode corners)
    xs = np.concatenate([grid, rng.uniform(-40, 40, 400), [0.999999, -0.0234375, 255.9, -17.3, 4095.5]])
    out = subprocess.run(
        [str(exe)], input="\n".join(repr(float(v)) for v in xs), capture_output=True, text=True, check=True
    ).stdout.split("\n")
    cpp = np.array([[int(w) for w in line.split()] for line in out if line.strip()], dtype=np.uint64)
    assert cpp.shape == (xs.size, len(TYPES))
    for j, text in enumerate(TYPES):
        words = pack(xs, FixedPointType.parse(text)).words.astype(np.uint64)
        if text.startswith(("ap_int<", "ap_uint<")):
            # Quirk of ap_types' ap_int/ap_uint(double): -0.5 < x < 0 gives 1, not 0.  Not modelled: stream words
            # of ap_int designs carry integers.  Pinned here so a change in the headers shows up.
            quirk = (xs > -0.5) & (xs < 0)
            assert quirk.sum() >= 30
            assert np.all(cpp[quirk, j] == 1)
            words[quirk] = 1
        bad = np.flatnonzero(words != cpp[:, j])
        assert bad.size == 0, f"{text}: x={xs[bad[:5]]} numpy {words[bad[:5]]} vs C++ {cpp[bad[:5], j]}"
