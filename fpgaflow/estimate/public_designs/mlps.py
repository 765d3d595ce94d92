"""The multilayer perceptrons among the public designs (facts from each folder's MODEL.md / hls4ml config)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.estimate.public_designs.design import LayerSettings, PublicDesign, Reports, Weights, pick

_PD = "public-designs"
_DNOS_REPORTS = "reports/myproject_prj__solution1__syn__report__myproject_csynth.rpt"


def mlp(
    weights: Weights,
    n_in: int,
    layers: tuple[tuple[str, int, str | None, str], ...],
    input_name: str = "input_1",
    seed_shapes: bool = False,
) -> Any:
    """A Keras MLP: ``layers`` = (Dense name, units, activation layer name or None, activation).  Weights come
    from ``weights`` (``name/kernel`` and ``name/bias``); ``seed_shapes`` leaves them at initialisation."""
    import tensorflow as tf

    inp = tf.keras.Input((n_in,), name=input_name)
    x, width = inp, n_in
    dense_layers = []
    for name, units, act_name, act in layers:
        dense = tf.keras.layers.Dense(units, name=name, activation=act if act_name is None else None)
        x = dense(x)
        dense_layers.append((dense, width, units))
        if act_name is not None:
            x = tf.keras.layers.Activation(act, name=act_name)(x)
        width = units
    model = tf.keras.Model(inp, x)
    if not seed_shapes:
        for dense, n, units in dense_layers:
            dense.set_weights(
                [pick(weights, dense.name, "kernel", (n, units)), pick(weights, dense.name, "bias", (units,))]
            )
    return model


def _dnd_q6(_: Weights) -> Any:
    """98-20-1 QKeras MLP with its untrained initial weights: Glorot-uniform draws (numpy seed 0) on the 6-bit
    ``quantized_bits(6, 0)`` grid (the original used TF's seeded initialiser, so values differ, not their
    distribution)."""
    rng = np.random.default_rng(0)
    arrays: dict[str, npt.NDArray[np.float32]] = {}
    for name, (n, units) in {"fc1": (98, 20), "output": (20, 1)}.items():
        limit = np.sqrt(6.0 / (n + units))
        kernel = np.clip(np.round(rng.uniform(-limit, limit, n * units) * 32) / 32, -1, 31 / 32)
        arrays[f"{name}/kernel"] = kernel.astype(np.float32)
        arrays[f"{name}/bias"] = np.zeros(units, dtype=np.float32)
    return mlp(arrays, 98, (("fc1", 20, "relu1", "relu"), ("output", 1, "output_sigmoid", "sigmoid")))


def _dnos_mlp(weights: Weights) -> Any:
    return mlp(weights, 4, (("dense", 128, "dense_relu", "relu"), ("dense_1", 3, "dense_1_softmax", "softmax")))


def _dnos(name: str, reuse: int, pruned: str) -> PublicDesign:
    return PublicDesign(
        name=name,
        build=_dnos_mlp,
        reports=Reports(f"{_PD}/{name}/{_DNOS_REPORTS}", f"{_PD}/{name}/reports/vivado_synth.rpt"),
        io_type="io_parallel",
        part="xc7z020clg400-1",
        clock_ns=25.0,
        reuse=reuse,
        tool="Vivado HLS 2020.1",
        notes=(f"4-128-3 MLP, {pruned}, ap_fixed<16,6>, reuse {reuse}",),
    )


def _jet(weights: Weights) -> Any:
    return mlp(
        weights,
        16,
        (
            ("fc1", 64, "relu1", "relu"),
            ("fc2", 32, "relu2", "relu"),
            ("fc3", 32, "relu3", "relu"),
            ("output", 5, "softmax", "softmax"),
        ),
        input_name="fc1_input",
    )


def _jet_reuse(reuse: tuple[int, int, int, int], weight: str | None = None) -> dict[str, LayerSettings]:
    prec = {"weight": weight, "bias": weight} if weight else {}
    return {
        name: LayerSettings(precision=prec, reuse=rf)
        for name, rf in zip(("fc1", "fc2", "fc3", "output"), reuse, strict=True)
    }


_PYNQIA = "pynqia_jet_{}/myproject_csynth.rpt"

MLP_DESIGNS: tuple[PublicDesign, ...] = (
    PublicDesign(
        name="dnd_q4mlp_z7100",
        build=lambda w: mlp(
            w, 98, (("fc1", 10, "relu1", "relu"), ("fc2", 1, "output", "sigmoid")), input_name="inputlayer_"
        ),
        reports=Reports(
            f"{_PD}/dnd_q4mlp_z7100/reports/myproject_csynth.rpt", f"{_PD}/dnd_q4mlp_z7100/reports/vivado_synth.rpt"
        ),
        io_type="io_parallel",
        part="xc7z100-ffg900-2",
        clock_ns=10.0,
        layers={
            "inputlayer_": LayerSettings(precision={"result": "fixed<4,1>"}),
            "fc1": LayerSettings(precision={"weight": "fixed<4,1>", "bias": "fixed<4,1>"}),
            "relu1": LayerSettings(precision={"result": "ufixed<4,0>"}),
            "fc2": LayerSettings(precision={"weight": "fixed<4,1>", "bias": "fixed<4,1>"}),
        },
        tool="Vivado HLS 2020.1",
        notes=("QKeras 4-bit MLP 98-10-1: the quantized_bits(4) input activation is the input type ap_fixed<4,1>",),
    ),
    PublicDesign(
        name="dnd_q6mlp_zu9eg",
        build=_dnd_q6,
        reports=Reports(
            f"{_PD}/dnd_q6mlp_zu9eg/reports/myproject_csynth.rpt", f"{_PD}/dnd_q6mlp_zu9eg/reports/vivado_synth.rpt"
        ),
        io_type="io_parallel",
        part="xczu9eg-ffvb1156-2-e",
        clock_ns=5.0,
        layers={
            "fc1": LayerSettings(precision={"weight": "fixed<6,1>", "bias": "fixed<6,1>"}),
            "relu1": LayerSettings(precision={"result": "ufixed<6,0>"}),
            "output": LayerSettings(precision={"weight": "fixed<6,1>", "bias": "fixed<6,1>"}),
        },
        notes=("untrained weights regenerated (not bit-identical): a random-6-bit-weight data point",),
    ),
    _dnos("dnos_mlp_rf1", 1, "dense weights"),
    _dnos("dnos_mlp_rf1_pruned", 1, "75 % pruned"),
    _dnos("dnos_mlp_rf8_pruned", 8, "75 % pruned"),
    _dnos("dnos_mlp_rf16_pruned75", 16, "75 % pruned"),
    PublicDesign(
        name="example_jetmlp_vu9p",
        build=lambda w: mlp(
            w,
            16,
            (
                ("fc1", 64, "fc1_relu", "relu"),
                ("fc2", 32, "fc2_relu", "relu"),
                ("fc3", 32, "fc3_relu", "relu"),
                ("output", 5, "output_softmax", "softmax"),
            ),
        ),
        reports=Reports(
            f"{_PD}/example_jetmlp_vu9p/{_DNOS_REPORTS}", f"{_PD}/example_jetmlp_vu9p/reports/vivado_synth.rpt"
        ),
        io_type="io_parallel",
        part="xcvu9p-flga2104-2L-e",
        clock_ns=5.0,
        layers={"output_softmax": LayerSettings(extra={"Implementation": "latency"})},
        tool="Vivado HLS 2019.2",
        notes=("hls4ml's example jet MLP 16-64-32-32-5 (KERAS_3layer), ap_fixed<16,6>, reuse 1",),
    ),
    PublicDesign(
        name="pynqia_jet_keras_resource",
        build=_jet,
        reports=Reports(_PYNQIA.format("Keras_only_hls4ml_PYNQ_prj")),
        io_type="io_parallel",
        part="xc7z020clg400-1",
        clock_ns=5.0,
        reuse=64,
        strategy="Resource",
        layers={**_jet_reuse((8, 32, 16, 16)), "softmax": LayerSettings(extra={"Implementation": "stable"})},
        notes=("HLS report only",),
    ),
    PublicDesign(
        name="pynqia_jet_keras_latency",
        build=_jet,
        reports=Reports(_PYNQIA.format("Keras_only_hls4ml_prj")),
        io_type="io_parallel",
        part="xc7z020clg400-1",
        clock_ns=5.0,
        layers={**_jet_reuse((16, 64, 32, 32)), "softmax": LayerSettings(extra={"Implementation": "stable"})},
        notes=("HLS report only",),
    ),
    PublicDesign(
        name="pynqia_jet_qkeras_pruned",
        build=_jet,
        reports=Reports(_PYNQIA.format("Qkeras_pruned_hls4ml_PYNQ_prj")),
        io_type="io_parallel",
        part="xc7z020clg400-1",
        clock_ns=5.0,
        reuse=64,
        strategy="Resource",
        layers={
            **_jet_reuse((8, 32, 16, 16), weight="fixed<6,1>"),
            **{f"relu{i}": LayerSettings(precision={"result": "fixed<6,1>"}) for i in (1, 2, 3)},
            "softmax": LayerSettings(
                precision={"exp_table": "fixed<18,6>", "inv_table": "fixed<18,4>"}, extra={"Implementation": "stable"}
            ),
        },
        notes=("HLS report only; the README's implementation percentages are typed, not a report",),
    ),
    PublicDesign(
        name="iris_mlp_z020",
        build=lambda w: mlp(
            w, 4, (("fc1", 8, "relu1", "relu"), ("fc2", 8, "relu2", "relu"), ("fc3", 3, "softmax", "softmax"))
        ),
        reports=Reports("iris_mlp_z020/myproject.verbose.rpt"),
        io_type="io_parallel",
        part="xc7z020clg400-1",
        clock_ns=5.0,
        layers={"softmax": LayerSettings(extra={"Implementation": "stable"})},
        tool="Vitis HLS 2025.1",
        notes=("HLS report only (Vitis HLS 2025.1)",),
    ),
)
