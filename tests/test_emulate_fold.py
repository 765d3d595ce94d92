"""The folded-cast fast path (fpgaflow.emulate.fold): equal to the layer-by-layer int64 path on a five-conv chain
like the flagship's, to the C simulation on a converted five-conv QKeras CNN, and not taken where float32 or one
rounding would not be exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow.emulate import Emulator
from fpgaflow.emulate import layers as L
from fpgaflow.emulate.fold import fold_casts
from fpgaflow.emulate.mac import MacUnit
from fpgaflow_board.fixed_point import FixedType, requantize

IN_T = FixedType(8, 0, False)
WEIGHT_T = FixedType(8, 1)
ACT_T = FixedType(8, 3, False, "RND_CONV", "SAT")  # quantized_relu(8,3) as hls4ml types it
CONV_RES_T = FixedType(16, 4, True, "TRN", "SAT")
CONV_ACC_T = FixedType(22, 10)


def _mac(
    rng: np.random.Generator,
    name: str,
    shape: tuple[int, int],
    in_t: FixedType,
    accum: FixedType,
    result: FixedType,
    weight_t: FixedType = WEIGHT_T,
    wmax: int = 127,
) -> MacUnit:
    """Random weight and bias codes in -wmax..wmax; ``shape``: (inputs, outputs)."""
    w, b = rng.integers(-wmax, wmax + 1, shape), rng.integers(-wmax, wmax + 1, shape[1])
    return MacUnit(
        name,
        weights=w,
        weight_type=weight_t,
        bias=b,
        bias_type=weight_t,
        in_type=in_t,
        accum=accum,
        result=result,
        sequential_order=False,
    )


def _conv(
    rng: np.random.Generator,
    name: str,
    in_t: FixedType,
    out_shape: tuple[int, int, int],
    chans: int,
    filt: int,
    stride: int = 1,
    *,
    accum: FixedType = CONV_ACC_T,
    result: FixedType = CONV_RES_T,
    weight_t: FixedType = WEIGHT_T,
    wmax: int = 127,
) -> L.Conv2D:
    mac = _mac(rng, name, (filt * filt * chans, out_shape[2]), in_t, accum, result, weight_t, wmax)
    return L.Conv2D(name, in_t, result, out_shape, filt=(filt, filt), stride=(stride, stride), mac=mac)


def _five_conv_like(rng: np.random.Generator) -> Emulator:
    """The flagship's layout at 24 x 24: patchify 4 x 4 / 4 -> 6 x 6, a 3 x 3 valid conv -> 4 x 4, two 'same' convs
    (ZeroPadding2D, then a valid conv) -> 4 x 4, max-pool 2 -> 2 x 2, dense 1; the deployed types (ap_fixed<8,1>
    weights, ap_ufixed<8,3,RND_CONV,SAT> activations, <16,4,TRN,SAT> results, conv1's exact <19,4>)."""
    c1_res = FixedType(19, 4)
    layers: list[L.Layer] = [
        L.InputCast("maps", IN_T, IN_T, (24, 24, 1)),
        _conv(rng, "conv1", IN_T, (6, 6, 4), 1, 4, 4, accum=c1_res, result=c1_res, wmax=50),
        L.Relu("relu1", c1_res, ACT_T, (6, 6, 4)),
        _conv(rng, "conv2", ACT_T, (4, 4, 4), 4, 3),
        L.Relu("relu2", CONV_RES_T, ACT_T, (4, 4, 4)),
        L.ZeroPad2D("pad3", ACT_T, ACT_T, (6, 6, 4), pads=(1, 1, 1, 1)),
        _conv(rng, "conv3", ACT_T, (4, 4, 4), 4, 3),
        L.Relu("relu3", CONV_RES_T, ACT_T, (4, 4, 4)),
        L.ZeroPad2D("pad4", ACT_T, ACT_T, (6, 6, 4), pads=(1, 1, 1, 1)),
        _conv(rng, "conv4", ACT_T, (4, 4, 4), 4, 3),
        L.Relu("relu4", CONV_RES_T, ACT_T, (4, 4, 4)),
        L.Pool2D("pool4", ACT_T, ACT_T, (2, 2, 4), op="Max", pool=(2, 2), stride=(2, 2), accum=ACT_T),
        L.Flatten("flat", ACT_T, ACT_T, (16,)),
    ]
    dense_res = FixedType(17, 5, True, "TRN", "SAT")
    mac = _mac(rng, "dense", (16, 1), ACT_T, FixedType(22, 10), dense_res)
    layers.append(L.Dense("dense", ACT_T, dense_res, (1,), mac=mac))
    return Emulator(layers, (24, 24, 1))


def _maps(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """ADC/256 maps, 40 % occupied (in the input type's range: the float-code path)."""
    return (rng.integers(0, 256, (n, *shape)) * (rng.random((n, *shape)) < 0.4) / 256).astype(np.float32)


def test_five_conv_like_chain_folds_and_equals_layer_by_layer() -> None:
    rng = np.random.default_rng(41)
    emu = _five_conv_like(rng)
    assert [s.conv.name for s in emu.folded_stages] == ["conv1", "conv2", "conv3", "conv4"]
    stage = emu.folded_stages[1]  # <16,4,TRN,SAT> then ReLU to <8,3,RND_CONV,SAT>: clip(rint(a / 128), 0, 255)
    assert (stage.cast.scale, stage.cast.rounding, stage.cast.lo, stage.cast.hi) == (2.0**-7, "RND_CONV", 0.0, 255.0)
    x = _maps(rng, 300, (24, 24, 1))
    x[:3] += 0.5  # three maps whose input cast wraps: their batches take the int64 path
    layer_by_layer = emu.trace(x)["dense"].reshape(300, -1).astype(np.float32)
    unfolded = Emulator(emu.layers, emu.input_shape, fuse=False)
    assert unfolded.folded_stages == []
    for batch_size, threads in ((1000, 1), (7, 2), (64, 3)):
        np.testing.assert_array_equal(emu.predict(x, batch_size=batch_size, threads=threads), layer_by_layer)
    np.testing.assert_array_equal(unfolded.predict(x), layer_by_layer)
    # the outputs spread; every ReLU clips at 0, the last two at 255/32 too (both ends of the clip matter)
    assert len(np.unique(layer_by_layer)) > 100
    traced = emu.trace(x[3:])
    assert all(traced[name].min() == 0.0 for name in ("relu1", "relu2", "relu3", "relu4"))
    assert all(traced[name].max() == ACT_T.max_value for name in ("relu3", "relu4"))


def test_double_rounding_is_not_folded() -> None:
    """A result cast that rounds (TRN to 2^-8) before the ReLU's RND_CONV (to 2^-5) is two roundings: no single
    one gives the same codes on every sum, so the conv runs layer by layer."""
    rng = np.random.default_rng(42)
    res = FixedType(12, 4, True, "TRN", "SAT")
    conv = _conv(rng, "conv", ACT_T, (4, 4, 3), 2, 3, result=res)
    relu = L.Relu("relu", res, ACT_T, (4, 4, 3))
    assert fold_casts(conv.mac, [relu]) is None
    # the sum 328 * 2^-12 = 0.080078125: TRN to 2^-8 gives 20/256 = 2.5/32, a tie that RND_CONV takes to 2/32;
    # rounded once it is 2.5625/32 -> 3/32
    twice = requantize(np.maximum(requantize(np.array([328]), 12, res), 0), res.fractional, ACT_T)
    assert int(twice[0]) == 2 and round(328 / 128) == 3
    emu = Emulator([L.InputCast("in", ACT_T, ACT_T, (6, 6, 2)), conv, relu], (6, 6, 2), axi_word=None)
    assert emu.folded_stages == []
    x = rng.integers(0, 256, (50, 6, 6, 2)) / 32
    np.testing.assert_array_equal(emu.predict(x), emu.trace(x)["relu"].reshape(50, -1))


def test_sums_beyond_float32_are_not_folded() -> None:
    """16-bit inputs and weights: a window sum can pass 2^24, where float32 is no longer exact."""
    rng = np.random.default_rng(43)
    in_t, w_t, acc = FixedType(16, 6), FixedType(16, 2), FixedType(48, 20)
    conv = _conv(rng, "conv", in_t, (3, 3, 2), 2, 3, accum=acc, result=FixedType(16, 6), weight_t=w_t, wmax=30000)
    assert conv.mac.bound >= 2**24 and conv.mac.mode == "matmul"
    relu = L.Relu("relu", FixedType(16, 6), ACT_T, (3, 3, 2))
    assert fold_casts(conv.mac, [relu]) is None
    emu = Emulator([L.InputCast("in", in_t, in_t, (5, 5, 2)), conv, relu], (5, 5, 2), axi_word=None)
    assert emu.folded_stages == []
    x = rng.uniform(-30, 30, (40, 5, 5, 2))
    np.testing.assert_array_equal(emu.predict(x), emu.trace(x)["relu"].reshape(40, -1))


def test_wrapping_activation_is_not_folded() -> None:
    """A ReLU type that wraps is not non-decreasing: no clip reproduces it (nor may a max-pool run first)."""
    rng = np.random.default_rng(44)
    wrap_t = FixedType(6, 1, False, "RND", "WRAP")
    conv = _conv(rng, "conv", ACT_T, (4, 4, 3), 2, 3)
    relu = L.Relu("relu", CONV_RES_T, wrap_t, (4, 4, 3))
    assert fold_casts(conv.mac, [relu]) is None
    relu_sat = L.Relu("relu", CONV_RES_T, FixedType(6, 1, False, "RND", "SAT"), (4, 4, 3))
    cast = fold_casts(conv.mac, [relu_sat])  # the same chain saturating folds, rounding half up
    assert cast is not None and cast.rounding == "RND" and (cast.lo, cast.hi) == (0.0, 63.0)


@pytest.mark.parametrize(
    ("shape", "filt", "stride", "dtype"),
    [
        ((17, 16, 1), (4, 4), (4, 4), np.float32),
        ((10, 9, 8), (3, 3), (1, 1), np.float32),
        ((11, 10, 2), (3, 2), (2, 1), np.int64),
        ((9, 12, 3), (2, 3), (2, 3), np.float64),
    ],
    ids=["patchify", "3x3-c8", "strided-int64", "patchify-c3-float64"],
)
def test_copy_windows_equals_a_loop(
    shape: tuple[int, int, int], filt: tuple[int, int], stride: tuple[int, int], dtype: type
) -> None:
    rng = np.random.default_rng(45)
    q: np.ndarray = rng.integers(-1000, 1000, (3, *shape)).astype(dtype)
    oh, ow = (shape[0] - filt[0]) // stride[0] + 1, (shape[1] - filt[1]) // stride[1] + 1
    cols = L.copy_windows(q, (oh, ow), filt, stride)
    ref = [
        q[n, i * stride[0] : i * stride[0] + filt[0], j * stride[1] : j * stride[1] + filt[1]].reshape(-1)
        for n in range(3)
        for i in range(oh)
        for j in range(ow)
    ]
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, np.array(ref))


@pytest.mark.slow  # converts and compiles an hls4ml project (~1 min on the shared machine)
def test_five_conv_qcnn_folds_and_equals_csim(tmp_path: Path) -> None:
    """The flagship's layout in miniature through the flow's conversion (its types, conv3-conv4 Resource) and the
    C simulation: every conv folds, and the emulator equals the C simulation on every map."""
    from convert_models import adc_maps, tiny_qcnn

    from fpgaflow.convert.config import ConvertConfig, LayerOverride
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.convert.report import write_conversion_report
    from fpgaflow.verify.compare_paths import verify_design
    from fpgaflow.verify.config import VerifyConfig

    shape = (48, 48, 1)  # 48 -> 12 (4 x 4 / 4) -> 10 -> 8 -> 8 -> 8 ('same') -> 2 (max-pool 4) -> dense 1
    model = tiny_qcnn(
        np.random.default_rng(46),
        shape,
        (4, 4, 4, 4, 4),
        kernel_sizes=(4, 3, 3, 3, 3),
        conv_strides=(4, 1, 1, 1, 1),
        conv_paddings=("valid", "valid", "valid", "same", "same"),
        pool_sizes=(1, 1, 1, 1, 4),
    )
    rng = np.random.default_rng(47)
    x = adc_maps(rng, 300, shape)
    deployed, activation = split_output_activation(model)
    resource = LayerOverride(reuse_factor=4, strategy="Resource")
    cfg = ConvertConfig(layers={"conv3": resource, "conv4": resource})
    conversion = convert(deployed, cfg, tmp_path, 1 / 256, x[:100])
    write_conversion_report(conversion, extra={"input_scale": 1 / 256, "output_activation": activation})
    build_csim_library(tmp_path, tmp_path / "firmware" / "myproject_csim.so")
    rep = verify_design(model, tmp_path, x, rng.integers(0, 2, 300), VerifyConfig(trace_maps=0, float_twin=False))
    assert (rep.n_maps, rep.hw_bit_exact_fraction) == (300, 1.0)
    emu = Emulator.from_hls_model(conversion.hls_model)
    assert [s.conv.name for s in emu.folded_stages] == ["conv1", "conv2", "conv3", "conv4", "conv5"]
    emulated = emu.predict(x)
    np.testing.assert_array_equal(emulated.reshape(rep.raw["hw"].shape), rep.raw["hw"])
    assert np.unique(rep.raw["hw"]).size > 50
