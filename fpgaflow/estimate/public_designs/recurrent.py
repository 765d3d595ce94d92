"""The recurrent networks among the public designs: the top-tagging GRU and LSTM (io_parallel, reuse 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.estimate.public_designs.design import PublicDesign, Reports, Weights, pick

_PD = "public-designs"
_CSYNTH = "reports/myproject_prj__solution1__syn__report__myproject_csynth.rpt"


def _toptag(w: Weights, cell: str) -> Any:
    """20 time steps of 6 features -> GRU/LSTM(20) -> Dense 64 + ReLU -> Dense 1 + sigmoid."""
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input((20, 6), name="layer1_input")
    rnn = (L.GRU if cell == "gru" else L.LSTM)(20, name="layer1")
    dense = L.Dense(64, name="layer3")
    out = L.Dense(1, activation="sigmoid", name="output_sigmoid")
    x = L.Activation("relu", name="relu_0")(dense(rnn(inp)))
    model = tf.keras.Model(inp, out(x))
    gates = 60 if cell == "gru" else 80
    kernel = pick(w, "rnn", "kernel", (6, gates))
    recurrent = pick(w, "rnn", "recurrent_kernel", (20, gates))
    bias = np.asarray(w["rnn/bias"], dtype=np.float32)
    if cell == "gru":  # reset_after: input and recurrent biases
        rnn.set_weights([kernel, recurrent, np.stack([bias, np.asarray(w["rnn/recurrent_bias"], dtype=np.float32)])])
    else:
        rnn.set_weights([kernel, recurrent, bias])
    dense.set_weights([pick(w, "layer3", "kernel", (20, 64)), pick(w, "layer3", "bias", (64,))])
    out.set_weights([pick(w, "output_sigmoid", "kernel", (64, 1)), pick(w, "output_sigmoid", "bias", (1,))])
    return model


def _design(cell: str) -> PublicDesign:
    name = f"vsman_toptag_{cell}_7vx690t"
    return PublicDesign(
        name=name,
        build=lambda w: _toptag(w, cell),
        reports=Reports(f"{_PD}/{name}/{_CSYNTH}", f"{_PD}/{name}/reports/vivado_synth.rpt"),
        io_type="io_parallel",
        part="xc7vx690t-ffg1761-2",
        clock_ns=5.0,
        tool="Vivado HLS 2019.1",
        notes=(f"{cell.upper()}(20) over 20 steps + Dense 64 + Dense 1, ap_fixed<16,6>, reuse 1 (hls4ml 1.1)",),
    )


RECURRENT_DESIGNS: tuple[PublicDesign, ...] = (_design("gru"), _design("lstm"))
