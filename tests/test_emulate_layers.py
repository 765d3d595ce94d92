"""Layer kernels of fpgaflow.emulate: sigmoid tables/indexing against hls4ml's nnet_activation.h compiled
with g++, and the fused conv->max-pool path against the layer-by-layer path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.emulate import layers as L
from fpgaflow.emulate.fuse import run_layers
from fpgaflow.emulate.mac import MacUnit
from fpgaflow.emulate.tables import sigmoid_table, tanh_table
from fpgaflow_board.fixed_point import FixedType, from_float, requantize

hls4ml = pytest.importorskip("hls4ml")
TEMPLATES = Path(hls4ml.__file__).parent / "templates" / "vivado"

#: (table size, table_t, data_t, res_t) combinations checked against the header
SIGMOID_CASES = [
    (1024, FixedType(18, 8), FixedType(12, 5), FixedType(16, 6)),
    (512, FixedType(14, 2), FixedType(10, 3, True, "RND", "SAT"), FixedType(10, 0, False, "RND", "SAT")),
    (1000, FixedType(16, 1, False), FixedType(9, 6), FixedType(8, 1)),
]


@pytest.fixture(scope="module")
def cpp_sigmoid(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[int], list[int]]]:
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    src = ["#include <cstdio>", '#include "ap_fixed.h"', '#include "nnet_utils/nnet_activation.h"']
    body = []
    for k, (size, table_t, data_t, res_t) in enumerate(SIGMOID_CASES):
        src.append(
            f"struct cfg{k} : nnet::activ_config {{ static const unsigned n_in = 1; "
            f"static const unsigned table_size = {size}; typedef {table_t.hls()} table_t; }};"
        )
        body += [
            f"  {{ cfg{k}::table_t t[{size}]; nnet::init_sigmoid_table<cfg{k}, {size}>(t);",
            f"    for (int i = 0; i < {size}; i++)",
            '      printf("%lld ", (long long) t[i].range().to_int64()); printf("\\n");',
            f"    for (long long v = {data_t.code_min}; v <= {data_t.code_max}; v++) {{",
            f"      {data_t.hls()} d[1]; d[0].range() = v;",
            f"      {res_t.hls()} r[1]; nnet::sigmoid<{data_t.hls()}, {res_t.hls()}, cfg{k}>(d, r);",
            '      printf("%lld ", (long long) r[0].range().to_int64()); } printf("\\n"); }',
        ]
    src += ["int main() {", *body, "  return 0; }"]
    work = tmp_path_factory.mktemp("sigmoid")
    (work / "s.cpp").write_text("\n".join(src))
    subprocess.run(
        ["g++", "-std=c++14", "-O1", f"-I{TEMPLATES}", f"-I{TEMPLATES / 'ap_types'}", "s.cpp", "-o", "s"],
        cwd=work,
        check=True,
    )
    lines = subprocess.run([str(work / "s")], capture_output=True, text=True, check=True).stdout.splitlines()
    return [
        ([int(v) for v in lines[2 * k].split()], [int(v) for v in lines[2 * k + 1].split()])
        for k in range(len(SIGMOID_CASES))
    ]


@pytest.mark.parametrize("case", range(len(SIGMOID_CASES)))
def test_sigmoid_table_and_lookup_match_header(cpp_sigmoid: list, case: int) -> None:  # type: ignore[type-arg]
    size, table_t, data_t, res_t = SIGMOID_CASES[case]
    table_ref, out_ref = cpp_sigmoid[case]
    mask_t = (1 << table_t.width) - 1
    np.testing.assert_array_equal(sigmoid_table(size, table_t) & mask_t, table_ref)
    codes = np.arange(data_t.code_min, data_t.code_max + 1, dtype=np.int64)
    layer = L.Sigmoid("sig", data_t, res_t, (1,), table_size=size, table_t=table_t)
    got = layer.run(codes) & ((1 << res_t.width) - 1)
    np.testing.assert_array_equal(got, out_ref)


#: (table size, table_t, data_t, res_t) combinations of nnet::tanh checked against the header
TANH_CASES = [
    (1024, FixedType(18, 8), FixedType(12, 4), FixedType(16, 2)),
    (512, FixedType(20, 2), FixedType(10, 3, True, "RND", "SAT"), FixedType(9, 1, True, "RND_CONV", "SAT")),
]
#: (tanh?, slope, slope_t, shift, shift_t, data_t, res_t) of nnet::hard_sigmoid / hard_tanh
HARD_CASES = [
    (False, 0.2, FixedType(16, 0, False), 0.5, FixedType(2, 0, False), FixedType(12, 5), FixedType(16, 1, False)),
    (
        False,
        0.5,
        FixedType(2, 0, False),
        0.5,
        FixedType(2, 0, False),
        FixedType(9, 3),
        FixedType(6, 0, False, "RND_CONV", "SAT"),
    ),
    (
        True,
        0.5,
        FixedType(2, 0, False),
        0.5,
        FixedType(2, 0, False),
        FixedType(10, 2),
        FixedType(7, 1, True, "RND_CONV", "SAT"),
    ),
    (
        True,
        0.5,
        FixedType(2, 0, False),
        0.5,
        FixedType(2, 0, False),
        FixedType(8, 0, False),
        FixedType(5, 1, True, "RND_CONV", "SAT_SYM"),
    ),
]


def _compile_and_run(work: Path, src: list[str]) -> list[str]:
    (work / "t.cpp").write_text("\n".join(src))
    subprocess.run(
        ["g++", "-std=c++14", "-O1", f"-I{TEMPLATES}", f"-I{TEMPLATES / 'ap_types'}", "t.cpp", "-o", "t"],
        cwd=work,
        check=True,
    )
    return subprocess.run([str(work / "t")], capture_output=True, text=True, check=True).stdout.splitlines()


def _sweep(data_t: FixedType, call: str) -> list[str]:
    """C++ lines running ``call`` (with ``d``/``r`` one-element arrays) on every code of ``data_t``."""
    return [
        f"  for (long long v = {data_t.code_min}; v <= {data_t.code_max}; v++) {{",
        f"    {data_t.hls()} d[1]; d[0].range() = v;",
        f"    {call}",
        '    printf("%lld ", (long long) r[0].range().to_int64()); } printf("\\n");',
    ]


@pytest.fixture(scope="module")
def cpp_tanh_and_hard(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    src = ["#include <cstdio>", '#include "ap_fixed.h"', '#include "nnet_utils/nnet_activation.h"', "int main() {"]
    for k, (size, table_t, data_t, res_t) in enumerate(TANH_CASES):
        src.insert(
            3,
            f"struct tcfg{k} : nnet::activ_config {{ static const unsigned n_in = 1; "
            f"static const unsigned table_size = {size}; typedef {table_t.hls()} table_t; }};",
        )
        src += [
            f"  {{ tcfg{k}::table_t t[{size}]; nnet::init_tanh_table<tcfg{k}, {size}>(t);",
            f"    for (int i = 0; i < {size}; i++)",
            '      printf("%lld ", (long long) t[i].range().to_int64()); printf("\\n"); }',
            f"  {{ {res_t.hls()} r[1];",
            *_sweep(data_t, f"nnet::tanh<{data_t.hls()}, {res_t.hls()}, tcfg{k}>(d, r);"),
            "  }",
        ]
    for k, (tanh, slope, slope_t, shift, shift_t, data_t, res_t) in enumerate(HARD_CASES):
        src.insert(
            3,
            f"struct hcfg{k} : nnet::activ_config {{ static const unsigned n_in = 1; "
            f"typedef {slope_t.hls()} slope_t; typedef {shift_t.hls()} shift_t; "
            "static const slope_t slope; static const shift_t shift; };\n"
            f"const hcfg{k}::slope_t hcfg{k}::slope = {slope}; const hcfg{k}::shift_t hcfg{k}::shift = {shift};",
        )
        fn = "hard_tanh" if tanh else "hard_sigmoid"
        src += [
            f"  {{ {res_t.hls()} r[1];",
            *_sweep(data_t, f"nnet::{fn}<{data_t.hls()}, {res_t.hls()}, hcfg{k}>(d, r);"),
            "  }",
        ]
    src.append("  return 0; }")
    return _compile_and_run(tmp_path_factory.mktemp("tanh"), src)


def _codes(data_t: FixedType) -> np.ndarray:
    return np.arange(data_t.code_min, data_t.code_max + 1, dtype=np.int64)


@pytest.mark.parametrize("case", range(len(TANH_CASES)))
def test_tanh_table_and_lookup_match_header(cpp_tanh_and_hard: list[str], case: int) -> None:
    size, table_t, data_t, res_t = TANH_CASES[case]
    table_ref = [int(v) for v in cpp_tanh_and_hard[2 * case].split()]
    out_ref = [int(v) for v in cpp_tanh_and_hard[2 * case + 1].split()]
    np.testing.assert_array_equal(tanh_table(size, table_t) & ((1 << table_t.width) - 1), table_ref)
    layer = L.Tanh("tanh", data_t, res_t, (1,), table_size=size, table_t=table_t)
    np.testing.assert_array_equal(layer.run(_codes(data_t)) & ((1 << res_t.width) - 1), out_ref)


@pytest.mark.parametrize("case", range(len(HARD_CASES)))
def test_hard_sigmoid_and_tanh_match_header(cpp_tanh_and_hard: list[str], case: int) -> None:
    tanh, slope, slope_t, shift, shift_t, data_t, res_t = HARD_CASES[case]
    out_ref = [int(v) for v in cpp_tanh_and_hard[2 * len(TANH_CASES) + case].split()]
    layer = L.HardActivation(
        "hard",
        data_t,
        res_t,
        (1,),
        slope=int(from_float(np.array([slope]), slope_t)[0]),
        slope_t=slope_t,
        shift=int(from_float(np.array([shift]), shift_t)[0]),
        shift_t=shift_t,
        tanh=tanh,
    )
    got = layer.run(_codes(data_t))
    np.testing.assert_array_equal(got & ((1 << res_t.width) - 1), out_ref)
    assert len(np.unique(got)) > 8  # the sweep crosses the clip points and the slope


def test_float32_input_path_equals_float64_path() -> None:
    """from_float processes float32 in float32; the float64 path is the one checked against C++."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 50, 5000), (np.arange(-600, 600) + 0.5) / 64, [3e38, -3e38]]).astype(np.float32)
    for t in (
        FixedType(8, 0, False),
        FixedType(16, 6),
        FixedType(10, 3, True, "RND_CONV", "SAT"),
        FixedType(12, 4, False, "RND", "SAT_ZERO"),
    ):
        np.testing.assert_array_equal(from_float(x, t), from_float(x.astype(np.float64), t))


def _conv_chain(relu_t: FixedType, rng: np.random.Generator) -> list[L.Layer]:
    in_t = FixedType(8, 0, False)
    wt, acc = FixedType(8, 1), FixedType(20, 8)
    w = rng.integers(-128, 128, (3 * 3 * 2, 5))
    b = rng.integers(-128, 128, 5)
    mac = MacUnit(
        "conv",
        weights=w,
        weight_type=wt,
        bias=b,
        bias_type=wt,
        in_type=in_t,
        accum=acc,
        result=acc,
        sequential_order=True,
    )
    conv = L.Conv2D("conv", in_t, acc, (8, 8, 5), filt=(3, 3), stride=(1, 1), mac=mac)
    relu = L.Relu("relu", acc, relu_t, (8, 8, 5))
    pool_acc = FixedType(relu_t.width, relu_t.integer, relu_t.signed)
    pool = L.Pool2D(
        "pool",
        relu_t,
        FixedType(6, 2, False, "TRN", "SAT"),
        (3, 3, 5),
        op="Max",
        pool=(2, 2),
        stride=(2, 2),
        accum=pool_acc,
    )
    return [conv, relu, pool]


@pytest.mark.parametrize(
    "relu_t",
    [
        FixedType(8, 3, False, "RND_CONV", "SAT"),
        FixedType(6, 1, False, "RND", "WRAP"),
        FixedType(7, 2, True, "TRN", "SAT_ZERO"),
    ],
    ids=["sat-fused", "wrap-falls-back", "sat-zero-falls-back"],
)
def test_fused_conv_pool_equals_layer_by_layer(relu_t: FixedType) -> None:
    rng = np.random.default_rng(17)
    chain = _conv_chain(relu_t, rng)
    q = rng.integers(0, 256, (40, 11, 10, 2))  # conv 9x8: the pooling drops the last row
    ref = q
    for layer in chain:
        ref = layer.run(ref)
    np.testing.assert_array_equal(run_layers(chain, q), ref)
    # the wrapping relu type really wraps here (so the fused path had to fall back)
    if relu_t.overflow == "WRAP":
        conv_out = chain[0].run(q)
        assert np.max(conv_out) * 2.0 ** -chain[0].out_type.fractional > 2.0


def test_requantize_shift_left_and_wrap() -> None:
    # ap_fixed<4,4> from 0.5-LSB codes: 7.5 -> 7 (TRN), 8 -> -8 (WRAP)
    np.testing.assert_array_equal(requantize(np.array([15, 16, -17]), 1, FixedType(4, 4)), [7, -8, 7])
    np.testing.assert_array_equal(requantize(np.array([3]), 0, FixedType(8, 4)), [48])


def test_batched_threaded_predict_equals_unfused_trace() -> None:
    """Batch splitting, batch threads and the fused path change nothing: predict == last traced layer."""
    from fpgaflow.emulate import Emulator

    rng = np.random.default_rng(23)
    in_t, wt = FixedType(8, 0, False), FixedType(8, 1)
    conv_acc, relu_t = FixedType(24, 8), FixedType(8, 3, False, "RND_CONV", "SAT")
    conv_mac = MacUnit(
        "conv",
        weights=rng.integers(-128, 128, (18, 5)),
        weight_type=wt,
        bias=rng.integers(-128, 128, 5),
        bias_type=wt,
        in_type=in_t,
        accum=conv_acc,
        result=conv_acc,
        sequential_order=True,
    )
    assert conv_mac.mode == "matmul"
    conv = L.Conv2D("conv", in_t, conv_acc, (8, 8, 5), filt=(3, 3), stride=(1, 1), mac=conv_mac)
    relu = L.Relu("relu", conv_acc, relu_t, (8, 8, 5))
    pool = L.Pool2D("pool", relu_t, relu_t, (4, 4, 5), op="Max", pool=(2, 2), stride=(2, 2), accum=relu_t)
    flat = L.Flatten("flat", relu_t, relu_t, (80,))
    acc, res = FixedType(24, 10), FixedType(16, 6)
    mac = MacUnit(
        "dense",
        weights=rng.integers(-128, 128, (80, 3)),
        weight_type=wt,
        bias=rng.integers(-128, 128, 3),
        bias_type=wt,
        in_type=relu_t,
        accum=acc,
        result=res,
        sequential_order=True,
    )
    dense = L.Dense("dense", relu_t, res, (3,), mac=mac)
    sig = L.Sigmoid("sig", res, FixedType(16, 6), (3,), table_size=1024, table_t=FixedType(18, 8))
    emu = Emulator([L.InputCast("in", in_t, in_t, (10, 10, 2)), conv, relu, pool, flat, dense, sig], (10, 10, 2))
    x = rng.uniform(0.0, 0.999, (50, 10, 10, 2)).astype(np.float32)  # no overflow: float codes path
    x[:5] += 0.2  # and some maps that wrap in the input cast
    one = emu.predict(x, batch_size=1000, threads=1)
    many = emu.predict(x, batch_size=7, threads=3)
    np.testing.assert_array_equal(one, many)
    traced = emu.trace(x)["sig"].reshape(50, -1).astype(np.float32)
    np.testing.assert_array_equal(one, traced)
    np.testing.assert_array_equal(emu.predict(x[5:], batch_size=9), traced[5:])
    assert one.dtype == np.float32
    assert len(np.unique(one)) > 10


@pytest.mark.parametrize(
    ("shape", "filt", "stride"),
    [
        ((17, 16, 1), (4, 4), (4, 4)),
        ((9, 12, 3), (2, 3), (2, 3)),
        ((10, 9, 8), (3, 3), (1, 1)),
        ((11, 10, 2), (3, 2), (2, 1)),
    ],
    ids=["patchify-c1", "patchify-c3", "3x3-c8", "strided-c2"],
)
def test_conv_float_code_path_equals_naive_int64_convolution(
    shape: tuple[int, int, int], filt: tuple[int, int], stride: tuple[int, int]
) -> None:
    """Conv2D.run_codes on float codes (im2col as a strided view or a patchify reshape, float products, the bias
    and casts in float) gives the codes of a direct int64 loop over every output pixel and tap."""
    rng = np.random.default_rng(31)
    in_t, wt, acc = FixedType(8, 3, False, "RND_CONV", "SAT"), FixedType(8, 1), FixedType(24, 12)
    res = FixedType(16, 4, True, "TRN", "SAT")
    h, w, c = shape
    k = filt[0] * filt[1] * c
    weights = rng.integers(-128, 128, (k, 6))
    bias = rng.integers(-128, 128, 6)
    mac = MacUnit(
        "conv",
        weights=weights,
        weight_type=wt,
        bias=bias,
        bias_type=wt,
        in_type=in_t,
        accum=acc,
        result=res,
        sequential_order=False,
    )
    oh, ow = (h - filt[0]) // stride[0] + 1, (w - filt[1]) // stride[1] + 1
    conv = L.Conv2D("conv", in_t, res, (oh, ow, 6), filt=filt, stride=stride, mac=mac)
    q = rng.integers(0, 256, (13, h, w, c))
    ref = np.zeros((13, oh, ow, 6), np.int64)
    for i in range(oh):
        for j in range(ow):
            win = q[:, i * stride[0] : i * stride[0] + filt[0], j * stride[1] : j * stride[1] + filt[1], :]
            ref[:, i, j] = win.reshape(13, -1) @ weights
    prod_frac = in_t.fractional + wt.fractional  # 12 = the accumulator's: products enter it unshifted
    ref = requantize(ref + (bias << (acc.fractional - wt.fractional)), prod_frac, res)
    got = conv.run_codes(q.astype(np.float32))
    assert got.dtype == np.float32  # the float path ran
    np.testing.assert_array_equal(got.astype(np.int64), ref)
    np.testing.assert_array_equal(conv.run(q), ref)
    assert len(np.unique(ref)) > 50 and (ref == res.code_max).any()  # values spread and some saturate
