"""The convolutional networks among the public designs (facts from each folder's MODEL.md / hls4ml config)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.estimate.public_designs.design import LayerSettings, PublicDesign, Reports, Weights, pick

_PD = "public-designs"
_CSYNTH = "reports/myproject_prj__solution1__syn__report__myproject_csynth.rpt"


def _set(layer: Any, weights: Weights, key: str, kinds: tuple[str, ...]) -> None:
    """Load ``key/kind`` arrays (in ``kinds`` order) into a built Keras layer, shaped as its variables."""
    layer.set_weights([pick(weights, key, k, tuple(v.shape)) for k, v in zip(kinds, layer.get_weights(), strict=True)])


def _batchnorm(layer: Any, weights: Weights, key: str) -> None:
    """A BatchNormalization whose folded scale and shift are the firmware's ``scale`` and ``bias`` arrays."""
    scale = np.asarray(weights[f"{key}/scale"], dtype=np.float32)
    bias = np.asarray(weights[f"{key}/bias"], dtype=np.float32)
    layer.set_weights([scale, bias, np.zeros_like(scale), np.full_like(scale, 1.0 - layer.epsilon)])


def _kdd(w: Weights) -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((6, 6, 1), name="input_1")
    conv = L.Conv2D(32, 3, name="fused_convbn")
    x = L.Activation("relu", name="conv_act1")(conv(inp))
    x = L.Flatten(name="flatten")(L.MaxPooling2D(name="pool")(x))
    bn = L.BatchNormalization(name="bn_dense")
    dense = L.Dense(1, name="output_dense")
    model = tf.keras.Model(inp, dense(bn(x)))
    _set(conv, w, "fused_convbn", ("kernel", "bias"))
    _batchnorm(bn, w, "bn_dense")
    _set(dense, w, "output_dense", ("kernel", "bias"))
    return model


def _mnist(w: Weights, act2: str = "relu", act3: str = "softmax") -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((28, 28, 1), name="conv2d_input")
    c1, c2 = L.Conv2D(4, 3, activation="relu", name="conv2d"), L.Conv2D(8, 3, activation=act2, name="conv2d_1")
    dense = L.Dense(10, activation=act3, name="dense")
    x = L.MaxPooling2D(4, name="max_pooling2d")(c1(inp))
    x = L.Flatten(name="flatten")(L.MaxPooling2D(2, name="max_pooling2d_1")(c2(x)))
    model = tf.keras.Model(inp, dense(x))
    for layer in (c1, c2, dense):
        _set(layer, w, layer.name, ("kernel", "bias"))
    return model


def _dnos_cnn(name: str, reuse: int, clock: float, part: str, **kw: Any) -> PublicDesign:
    return PublicDesign(
        name=name,
        build=lambda w: _mnist(w, **kw),
        reports=Reports(f"{_PD}/{name}/{_CSYNTH}", f"{_PD}/{name}/reports/vivado_synth.rpt"),
        io_type="io_stream",
        part=part,
        clock_ns=clock,
        reuse=reuse,
        notes=(f"MNIST CNN Conv4-Conv8-Dense10, ap_fixed<16,6>, reuse {reuse} on every layer",),
    )


def _sepcnn(w: Weights) -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((32, 32, 3), name="input_1")
    seps = [
        L.SeparableConv2D(f, 3, activation="relu", name=n)
        for f, n in ((32, "separable_conv2d"), (64, "separable_conv2d_1"), (64, "separable_conv2d_2"))
    ]
    bns = [L.BatchNormalization(name="batch_normalization"), L.BatchNormalization(name="batch_normalization_1")]
    d1, d2 = L.Dense(32, activation="relu", name="dense"), L.Dense(10, activation="softmax", name="dense_1")
    x = bns[0](L.MaxPooling2D(2, name="max_pooling2d")(seps[0](inp)))
    x = bns[1](L.MaxPooling2D(4, name="max_pooling2d_1")(seps[1](x)))
    x = L.Flatten(name="flatten")(seps[2](x))
    model = tf.keras.Model(inp, d2(d1(x)))
    for sep in seps:
        _set(sep, w, sep.name, ("depthwise_kernel", "pointwise_kernel", "bias"))
    for bn in bns:
        _batchnorm(bn, w, bn.name)
    for d in (d1, d2):
        _set(d, w, d.name, ("kernel", "bias"))
    return model


def _neut(w: Weights) -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((200, 1), name="conv1d_input")
    c1 = L.Conv1D(16, 3, strides=2, activation="relu", name="conv1d")
    c2 = L.Conv1D(32, 5, strides=2, activation="relu", name="conv1d_1")
    c3 = L.Conv1D(64, 9, activation="relu", name="conv1d_2")
    out = L.Dense(1, activation="sigmoid", name="wavrec_out")
    x = L.MaxPooling1D(2, name="max_pooling1d")(c1(inp))
    x = L.MaxPooling1D(2, name="max_pooling1d_1")(c2(x))
    x = L.Flatten(name="flatten")(L.GlobalMaxPooling1D(name="global_max_pooling1d")(c3(x)))
    model = tf.keras.Model(inp, out(x))
    for layer in (c1, c2, c3, out):
        _set(layer, w, layer.name, ("kernel", "bias"))
    return model


def _neut_design(name: str, folder_report: str, reuse: dict[str, int]) -> PublicDesign:
    return PublicDesign(
        name=name,
        build=_neut,
        reports=Reports(f"{_PD}/{name}/{_CSYNTH}", f"{_PD}/{name}/reports/{folder_report}"),
        io_type="io_stream",
        part="xc7vx690t-ffg1761-2",
        clock_ns=3.33,
        reuse=16,
        strategy="Resource",
        layers={k: LayerSettings(reuse=v) for k, v in reuse.items()},
        tool="Vivado HLS 2019.2 (synthesis: Vivado 2020.1)",
        notes=(
            "Conv1D x3 + global max pool + Dense, ap_fixed<16,6>, Resource strategy; the original used hls4ml "
            "0.6's 'encoded' convolution, rebuilt with hls4ml 1.3's line buffer (intervals differ)",
        ),
    )


def _har(w: Weights, conv: str, dense: str, act: str, pool: str) -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((128, 9), name="input_1")
    c = L.Conv1D(16, 3, padding="same", name=conv)
    d = L.Dense(6, activation="softmax", name=dense)
    x = L.GlobalMaxPooling1D(name=pool)(L.Activation("relu", name=act)(c(inp)))
    model = tf.keras.Model(inp, d(x))
    _set(c, w, "conv1", ("kernel", "bias"))
    _set(d, w, "dense", ("kernel", "bias"))
    return model


def _pynqia_mnist(w: Weights) -> Any:
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((28, 28, 1), name="layer0")
    c1, c2 = L.Conv2D(16, 3, name="q_conv2d"), L.Conv2D(16, 3, name="q_conv2d_1")
    d = L.Dense(10, name="q_dense")
    x = L.MaxPooling2D(2, name="maxp")(L.Activation("relu", name="q_relu")(c1(inp)))
    x = L.MaxPooling2D(2, name="maxp_1")(L.Activation("relu", name="1_relu_1")(c2(x)))
    x = L.Activation("softmax", name="softmax")(d(L.Flatten(name="flatten")(x)))
    model = tf.keras.Model(inp, x)
    for layer, key in ((c1, "q_conv2d"), (c2, "q_conv2d_1"), (d, "q_dense")):
        _set(layer, w, key, ("kernel", "bias"))
    return model


def _svhn(_: Weights) -> Any:
    """The hls4ml tutorial's pruned SVHN CNN, batch normalisation folded into the convolutions and dense
    layers as that hls4ml did.  Its weights are not published: He-normal draws (numpy seed 0), half of each
    kernel zeroed by magnitude as the tutorial prunes (50 %; the output layer too)."""
    import tensorflow as tf

    L = tf.keras.layers
    rng = np.random.default_rng(0)
    inp = tf.keras.Input((32, 32, 3), name="input_1")
    x, layers = inp, []
    for i, f in enumerate((16, 16, 24)):
        conv = L.Conv2D(f, 3, use_bias=False, name=f"conv_{i}")
        x = L.MaxPooling2D(2, name=f"pool_{i}")(L.Activation("relu", name=f"relu_{i}")(conv(x)))
        layers.append(conv)
    x = L.Flatten(name="flatten")(x)
    for i, units in enumerate((42, 64)):
        dense = L.Dense(units, use_bias=False, name=f"dense_{i}")
        x = L.Activation("relu", name=f"relu1_{i}")(dense(x))
        layers.append(dense)
    out = L.Dense(10, name="output_dense")
    layers.append(out)
    model = tf.keras.Model(inp, L.Activation("softmax", name="output_softmax")(out(x)))
    for layer in layers:
        arrays = layer.get_weights()
        kernel = rng.normal(0.0, np.sqrt(2.0 / np.prod(arrays[0].shape[:-1])), arrays[0].shape)
        kernel[np.abs(kernel) < np.median(np.abs(kernel))] = 0.0
        layer.set_weights([kernel.astype(np.float32), *arrays[1:]])
    return model


CNN_DESIGNS: tuple[PublicDesign, ...] = (
    PublicDesign(
        name="kdd_qcnn_v1",
        build=_kdd,
        reports=Reports(f"{_PD}/kdd_qcnn_v1/{_CSYNTH}", f"{_PD}/kdd_qcnn_v1/reports/vivado_synth.rpt"),
        io_type="io_stream",
        part="xc7z020clg484-1",
        clock_ns=5.0,
        precision="fixed<6,0>",
        layers={
            "input_1": LayerSettings(precision={"result": "fixed<16,6>"}),
            "fused_convbn": LayerSettings(precision={"weight": "fixed<6,1>", "bias": "fixed<6,1>"}),
            "conv_act1": LayerSettings(precision={"result": "ufixed<6,0,RND,SAT>"}),
            "pool": LayerSettings(precision={"result": "fixed<16,6>"}),
            "bn_dense": LayerSettings(precision={"scale": "fixed<16,6>", "bias": "fixed<16,6>"}),
            "output_dense": LayerSettings(
                precision={"weight": "fixed<16,6>", "bias": "fixed<16,6>", "result": "fixed<16,6>"}
            ),
        },
        tool="Vivado HLS 2019.2",
        notes=("QKeras 6-bit CNN (QConv2DBatchnorm folded into the convolution, as the firmware weights are)",),
    ),
    _dnos_cnn("dnos_mnistcnn_rf64", 64, 10.0, "xc7z020clg400-1", act2="softmax", act3="tanh"),
    _dnos_cnn("dnos_mnistcnn_rf16", 16, 25.0, "xc7z020clg400-1"),
    _dnos_cnn("dnos_mnistcnn_rf1_u50", 1, 25.0, "xcu50-fsvh2104-2-e"),
    PublicDesign(
        name="dnos_sepcnn_cifar_rf16_xc7z020",
        build=_sepcnn,
        reports=Reports(
            f"{_PD}/dnos_sepcnn_cifar_rf16_xc7z020/{_CSYNTH}",
            f"{_PD}/dnos_sepcnn_cifar_rf16_xc7z020/reports/vivado_synth.rpt",
        ),
        io_type="io_stream",
        part="xc7z020clg400-1",
        clock_ns=2.5,
        reuse=16,
        layers={"dense_1_softmax": LayerSettings(extra={"Implementation": "stable"})},
        notes=("CIFAR CNN, 3 SeparableConv2D + 2 Dense, reuse 16: seven times the xc7z020 (over capacity)",),
    ),
    _neut_design(
        "neut_cnn1d_rf16_7vx690t",
        "tools__xilinx__uplane-reuse16__uplane-reuse16.runs__synth_1__myproject_utilization_synth.rpt",
        {"conv1d": 12, "conv1d_1": 16, "conv1d_2": 16, "wavrec_out": 16},
    ),
    _neut_design(
        "neut_cnn1d_rf12_7vx690t",
        "tools__xilinx__Neutrino12__Neutrino12.runs__synth_1__myproject_utilization_synth.rpt",
        {"conv1d": 12, "conv1d_1": 10, "conv1d_2": 12, "wavrec_out": 8},
    ),
    PublicDesign(
        name="ece226_har_cnn1d_stream_u250",
        build=lambda w: _har(w, "conv1", "dense_4", "activation_4", "global_max_pooling1d_4"),
        reports=Reports(
            f"{_PD}/ece226_har_cnn1d_stream_u250/{_CSYNTH}",
            f"{_PD}/ece226_har_cnn1d_stream_u250/reports/vivado_synth.rpt",
            f"{_PD}/ece226_har_cnn1d_stream_u250/reports/vivado_utilization.rpt",
        ),
        io_type="io_stream",
        part="xcu250-figd2104-2L-e",
        clock_ns=5.0,
        layers={"dense_4_softmax": LayerSettings(extra={"Implementation": "stable"})},
        tool="Vitis HLS 2024.1",
        notes=("HAR Conv1D(16, k3) + global max pool + Dense 6, ap_fixed<16,6> (hls4ml 1.2, Vitis)",),
    ),
    PublicDesign(
        name="ece226_har_cnn1d_parallel_u250",
        build=lambda w: _har(w, "conv1d_simple", "dense", "activation", "global_max_pooling1d"),
        reports=Reports(
            f"{_PD}/ece226_har_cnn1d_parallel_u250/{_CSYNTH}",
            f"{_PD}/ece226_har_cnn1d_parallel_u250/reports/vivado_synth.rpt",
        ),
        io_type="io_parallel",
        part="xcu250-figd2104-2L-e",
        clock_ns=5.0,
        layers={"dense_softmax": LayerSettings(extra={"Implementation": "stable"})},
        tool="Vitis HLS 2024.1",
        notes=("the io_parallel twin: the whole 128x9 tensor is a port (18,541 I/O pins in top-level synthesis)",),
    ),
    PublicDesign(
        name="pynqia_mnist_cnn_z020",
        build=_pynqia_mnist,
        reports=Reports("pynqia_mnist_cnn_z020/myproject.verbose.rpt"),
        io_type="io_stream",
        part="xc7z020clg400-1",
        clock_ns=5.0,
        precision="fixed<10,6>",
        reuse=36,
        strategy="Resource",
        layers={
            "layer0": LayerSettings(precision={"result": "ufixed<8,3>"}),
            "q_conv2d": LayerSettings(
                precision={"weight": "fixed<4,2>", "bias": "fixed<7,1>", "result": "fixed<9,3>"},
                reuse=72,
                strategy="Latency",
            ),
            "q_relu": LayerSettings(precision={"result": "fixed<3,2>"}),
            "maxp": LayerSettings(precision={"result": "fixed<3,2>"}),
            "q_conv2d_1": LayerSettings(
                precision={"weight": "fixed<5,1>", "bias": "fixed<6,1>", "result": "fixed<9,5>"},
                reuse=72,
                strategy="Latency",
            ),
            "1_relu_1": LayerSettings(precision={"result": "fixed<3,2>"}),
            "maxp_1": LayerSettings(precision={"result": "fixed<3,2>"}),
            "q_dense": LayerSettings(
                precision={"weight": "fixed<5,1>", "bias": "fixed<6,1>", "result": "fixed<10,6>"},
                reuse=20,
                strategy="Resource",
            ),
            "softmax": LayerSettings(
                precision={"result": "fixed<8,2>", "exp_table": "fixed<12,4>", "inv_table": "fixed<12,2>"},
                reuse=1,
                extra={"Implementation": "stable", "TableSize": 256},
            ),
        },
        notes=("HLS report only; the README's implementation percentages (whole block design) are typed",),
    ),
    PublicDesign(
        name="tutorial_svhn_cnn_pruned",
        build=_svhn,
        reports=Reports("tutorial-svhn-cnn-pruned/myproject_csynth.rpt", "tutorial-svhn-cnn-pruned/vivado_synth.rpt"),
        io_type="io_stream",
        part="xcu250-figd2104-2L-e",
        clock_ns=5.0,
        layers={"output_softmax": LayerSettings(extra={"Implementation": "stable"})},
        notes=("weights not published: random draws with the tutorial's 50 % magnitude pruning",),
    ),
)
