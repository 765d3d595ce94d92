"""The designs behind the real reports in ``shared/calibration/``, written as :class:`DesignSpec` records.

Their Keras models are not in the calibration folder, so each design is transcribed from its ``MODEL.md``,
``hls4ml_config.yml`` and (for hls4ml's own baselines) the test that builds it in hls4ml's
``test/pytest/test_keras_api.py``.  Every case names the report file its truth numbers are read from.
Where the facts had to be inferred, the case's ``notes`` say how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec, IOType, Strategy

ReportKind = Literal["hls_json", "hls_rpt", "vivado_synth"]


@dataclass(frozen=True)
class CalibrationCase:
    """One design and the report (relative to the calibration folder) holding its real figures."""

    design: DesignSpec
    report: str
    report_kind: ReportKind
    #: Whether the model claims to cover the design (io_parallel pooling/convolution is outside it).
    in_scope: bool = True
    #: Per-instance rows of the HLS report used in the fit: (hls4ml ``configN`` number, layer names).
    instances: tuple[tuple[int, tuple[str, ...]], ...] = ()


def _dense(
    name: str,
    n_in: int,
    n_out: int,
    *,
    bits: int = 16,
    wbits: int = 16,
    obits: int = 16,
    acc: int = 16,
    reuse: int = 1,
    strategy: Strategy = "latency",
    zeros: int = 0,
    stream: bool = False,
) -> HlsLayerSpec:
    return HlsLayerSpec(
        name=name,
        kind="mult",
        width_in=n_in,
        width_out=n_out,
        input_bits=bits,
        output_bits=obits,
        weight_bits=wbits,
        accum_bits=acc,
        n_weights=n_in * n_out,
        n_zeros=zeros,
        reuse=reuse,
        strategy=strategy,
        fifo_depth=1,
    )


def _conv(
    name: str,
    in_hw: int,
    chan: int,
    filt: int,
    k: int,
    *,
    bits: int = 16,
    wbits: int = 16,
    obits: int = 16,
    acc: int = 16,
    reuse: int = 1,
    strategy: Strategy = "latency",
    zeros: int = 0,
) -> HlsLayerSpec:
    out = in_hw - k + 1
    return HlsLayerSpec(
        name=name,
        kind="mult",
        pixels_in=in_hw * in_hw,
        width_in=chan,
        pixels_out=out * out,
        width_out=filt,
        input_bits=bits,
        output_bits=obits,
        weight_bits=wbits,
        accum_bits=acc,
        n_weights=k * k * chan * filt,
        n_zeros=zeros,
        reuse=reuse,
        strategy=strategy,
        kernel=(k, k),
        row_in=in_hw,
        fifo_depth=out * out,
    )


def _elem(name: str, pixels: int, width: int, *, bits: int = 16, obits: int = 16, stream: bool = True) -> HlsLayerSpec:
    return HlsLayerSpec(
        name=name,
        kind="elementwise",
        pixels_in=pixels,
        width_in=width,
        pixels_out=pixels,
        width_out=width,
        input_bits=bits,
        output_bits=obits,
        fifo_depth=pixels if stream else 1,
    )


def _pool(name: str, in_hw: int, chan: int, *, bits: int = 16) -> HlsLayerSpec:
    out = in_hw // 2
    return HlsLayerSpec(
        name=name,
        kind="pool",
        pixels_in=in_hw * in_hw,
        width_in=chan,
        pixels_out=out * out,
        width_out=chan,
        input_bits=bits,
        output_bits=bits,
        kernel=(2, 2),
        row_in=in_hw,
        fifo_depth=out * out,
    )


def _table(
    name: str,
    kind: Literal["table", "softmax"],
    width: int,
    *,
    size: int = 1024,
    bits: int = 16,
    obits: int = 16,
    stream: bool = True,
) -> HlsLayerSpec:
    return HlsLayerSpec(
        name=name,
        kind=kind,
        width_in=width,
        width_out=width,
        input_bits=bits,
        output_bits=obits,
        table_size=size,
        fifo_depth=1,
    )


def _flatten(name: str, n: int, bits: int) -> HlsLayerSpec:
    return HlsLayerSpec(name=name, kind="reshape", width_in=n, width_out=n, input_bits=bits, output_bits=bits)


def svhn_cnn() -> DesignSpec:
    """hls4ml tutorial's pruned SVHN CNN (BatchNorm folded into the conv/dense layers by hls4ml)."""
    return DesignSpec(
        name="tutorial-svhn-cnn-pruned",
        io_type="io_stream",
        clock_period_ns=5.0,
        input_elements=32 * 32 * 3,
        layers=(
            _conv("conv_0", 32, 3, 16, 3, zeros=216),
            _elem("relu_0", 900, 16),
            _pool("pool_0", 30, 16),
            _conv("conv_1", 15, 16, 16, 3, zeros=1152),
            _elem("relu_1", 169, 16),
            _pool("pool_1", 13, 16),
            _conv("conv_2", 6, 16, 24, 3, zeros=1728),
            _elem("relu_2", 16, 24),
            _pool("pool_2", 4, 24),
            _flatten("flatten", 96, 16),
            _dense("dense_0", 96, 42, zeros=2016, stream=True),
            _elem("relu_3", 1, 42),
            _dense("dense_1", 42, 64, zeros=1344, stream=True),
            _elem("relu_4", 1, 64),
            _dense("output_dense", 64, 10, stream=True),
            _table("softmax", "softmax", 10),
        ),
        notes=("output layer taken as unpruned: its 549 DSPs exceed half of its 640 weights",),
    )


def mnist_cnn() -> DesignSpec:
    """PYNQ_IA's pruned QKeras MNIST CNN on the xc7z020 (MODEL.md, hls4ml_config.yml)."""
    return DesignSpec(
        name="pynqia_mnist_cnn_z020",
        io_type="io_stream",
        clock_period_ns=5.0,
        input_elements=28 * 28,
        layers=(
            _conv("q_conv2d", 28, 1, 16, 3, bits=8, wbits=4, obits=10, acc=10, reuse=72, zeros=127),
            _elem("linear_0", 676, 16, bits=10, obits=10),
            _elem("q_relu", 676, 16, bits=10, obits=3),
            _pool("maxp", 26, 16, bits=3),
            _conv("q_conv2d_1", 13, 16, 16, 3, bits=3, wbits=5, obits=10, acc=10, reuse=72, zeros=1740),
            _elem("linear_1", 121, 16, bits=10, obits=10),
            _elem("q_relu_1", 121, 16, bits=10, obits=3),
            _pool("maxp_1", 11, 16, bits=3),
            _flatten("flatten", 400, 3),
            _dense(
                "q_dense",
                400,
                10,
                bits=3,
                wbits=5,
                obits=10,
                acc=10,
                reuse=20,
                strategy="resource",
                zeros=3028,
                stream=True,
            ),
            _elem("linear_2", 1, 10, bits=10, obits=10),
            _table("softmax", "softmax", 10, size=256, bits=10, obits=8),
        ),
    )


def jet_mlp(
    name: str,
    strategy: Strategy,
    reuse: tuple[int, int, int, int],
    *,
    wbits: int = 16,
    abits: int = 16,
    zeros: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> DesignSpec:
    """PYNQ_IA's jet-tagging MLP 16-64-32-32-5 (io_parallel, xc7z020, 5 ns)."""
    sizes = ((16, 64), (64, 32), (32, 32), (32, 5))
    layers: list[HlsLayerSpec] = []
    for i, ((n_in, n_out), rf, nz) in enumerate(zip(sizes, reuse, zeros, strict=True)):
        layers.append(
            _dense(
                f"fc{i + 1}",
                n_in,
                n_out,
                bits=16 if i == 0 else abits,
                wbits=wbits,
                reuse=rf,
                strategy=strategy,
                zeros=nz,
            )
        )
        if i < 3:
            layers.append(_elem(f"relu{i + 1}", 1, n_out, obits=abits, stream=False))
    layers.append(_table("softmax", "softmax", 5, stream=False))
    return DesignSpec(name=name, layers=tuple(layers), io_type="io_parallel", clock_period_ns=5.0, input_elements=16)


def iris_mlp() -> DesignSpec:
    layers = (
        _dense("fc1", 4, 8),
        _elem("relu1", 1, 8, stream=False),
        _dense("fc2", 8, 8),
        _elem("relu2", 1, 8, stream=False),
        _dense("fc3", 8, 3),
        _table("softmax", "softmax", 3, stream=False),
    )
    return DesignSpec(
        name="iris_mlp_z020",
        layers=layers,
        io_type="io_parallel",
        clock_period_ns=5.0,
        input_elements=4,
        notes=("Vitis HLS 2025.1, not Vivado HLS 2020.1",),
    )


def _baseline(name: str, io: IOType, layers: tuple[HlsLayerSpec, ...]) -> DesignSpec:
    return DesignSpec(name=name, layers=layers, io_type=io, clock_period_ns=5.0, input_elements=1)


def activation_case(act: str, io: IOType) -> CalibrationCase:
    """hls4ml baseline: ``Dense(64)`` on a 1-wide input followed by one activation."""
    stream = io == "io_stream"
    act_layer = (
        _table(act, "table", 64, stream=stream) if act in ("elu", "sigmoid") else _elem(act, 1, 64, stream=stream)
    )
    design = _baseline(f"activations_{io}_{act}", io, (_dense("Dense", 1, 64, stream=stream), act_layer))
    return CalibrationCase(
        design, f"hls4ml-vivado-2020.1/test_keras_api_test_activations_{io}-Vivado-{act}.json", "hls_json"
    )


def dense_case(io: IOType) -> CalibrationCase:
    """hls4ml baseline: ``Dense(2)`` on a 1-wide input with an ELU activation."""
    stream = io == "io_stream"
    design = _baseline(
        f"dense_{io}", io, (_dense("dense", 1, 2, stream=stream), _table("elu", "table", 2, stream=stream))
    )
    return CalibrationCase(design, f"hls4ml-vivado-2020.1/test_keras_api_test_dense_{io}-Vivado.json", "hls_json")


def depthwise2d_case() -> CalibrationCase:
    """hls4ml baseline: ``DepthwiseConv2D(3x3)`` on 32x32x3, io_stream."""
    layer = HlsLayerSpec(
        name="depthwise",
        kind="depthwise",
        pixels_in=1024,
        width_in=3,
        pixels_out=900,
        width_out=3,
        n_weights=27,
        kernel=(3, 3),
        row_in=32,
        fifo_depth=900,
    )
    return CalibrationCase(
        _baseline("depthwise2d_io_stream", "io_stream", (layer,)),
        "hls4ml-vivado-2020.1/test_keras_api_test_depthwise2d_io_stream-Vivado.json",
        "hls_json",
    )


def conv2d_parallel_case() -> CalibrationCase:
    """hls4ml baseline: ``Conv2D(32, 4x4, stride 4)`` on 28x28x3, io_parallel, Resource (out of scope)."""
    layer = HlsLayerSpec(
        name="conv2d",
        kind="mult",
        pixels_in=1,
        width_in=28 * 28 * 3,
        pixels_out=1,
        width_out=7 * 7 * 32,
        n_weights=4 * 4 * 3 * 32,
        strategy="resource",
        kernel=(4, 4),
    )
    design = _baseline("conv2d_io_parallel_resource", "io_parallel", (layer,))
    return CalibrationCase(
        design,
        "hls4ml-vivado-2020.1/test_keras_api_test_conv2d_io_parallel-Vivado-Resource-same-channels_last.json",
        "hls_json",
        in_scope=False,
    )


def _numbered(design: DesignSpec, numbers: tuple[int | None, ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Pair each layer with the ``configN`` number of its HLS instance (None: no instance, e.g. Flatten)."""
    return tuple((n, (layer.name,)) for n, layer in zip(numbers, design.layers, strict=True) if n is not None)


_JET_INSTANCES = _numbered(jet_mlp("jet", "resource", (8, 32, 16, 16)), (2, 4, 5, 7, 8, 10, 11, 13))


def all_cases() -> tuple[CalibrationCase, ...]:
    """Every transcribed design with the report it is compared against."""
    jet = "pynqia_jet_{}/myproject_csynth.rpt"
    cases = [
        CalibrationCase(
            svhn_cnn(),
            "tutorial-svhn-cnn-pruned/myproject_csynth.rpt",
            "hls_rpt",
            instances=_numbered(svhn_cnn(), (2, 5, 6, 7, 10, 11, 12, 15, 16, None, 17, 20, 21, 24, 25, 27)),
        ),
        CalibrationCase(
            mnist_cnn(),
            "pynqia_mnist_cnn_z020/myproject.verbose.rpt",
            "hls_rpt",
            instances=_numbered(mnist_cnn(), (2, 3, 4, 5, 6, 7, 8, 9, None, 11, 12, 13)),
        ),
        CalibrationCase(
            jet_mlp("jet_keras_resource", "resource", (8, 32, 16, 16)),
            jet.format("Keras_only_hls4ml_PYNQ_prj"),
            "hls_rpt",
            instances=_JET_INSTANCES,
        ),
        CalibrationCase(
            jet_mlp("jet_keras_latency", "latency", (16, 64, 32, 32)),
            jet.format("Keras_only_hls4ml_prj"),
            "hls_rpt",
        ),
        CalibrationCase(
            jet_mlp(
                "jet_qkeras_pruned",
                "resource",
                (8, 32, 16, 16),
                wbits=6,
                abits=6,
                zeros=(773, 1572, 780, 120),
            ),
            jet.format("Qkeras_pruned_hls4ml_PYNQ_prj"),
            "hls_rpt",
        ),
        CalibrationCase(iris_mlp(), "iris_mlp_z020/myproject.verbose.rpt", "hls_rpt"),
        dense_case("io_stream"),
        dense_case("io_parallel"),
        depthwise2d_case(),
        conv2d_parallel_case(),
    ]
    for io in ("io_stream", "io_parallel"):
        for act in ("relu", "leaky_relu", "prelu", "elu", "sigmoid"):
            cases.append(activation_case(act, io))
    return tuple(cases)


#: Designs kept out of the fit; the error reported with the coefficients is measured on these.
HELD_OUT: tuple[str, ...] = (
    "jet_qkeras_pruned",
    "iris_mlp_z020",
    "activations_io_stream_sigmoid",
    "activations_io_parallel_elu",
    "dense_io_parallel",
    "depthwise2d_io_stream",
)

#: The one design with both an HLS estimate and a post-synthesis report: (HLS report, synthesis report).
SYNTH_PAIR = ("tutorial-svhn-cnn-pruned/myproject_csynth.rpt", "tutorial-svhn-cnn-pruned/vivado_synth.rpt")
