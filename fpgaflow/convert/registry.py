"""The layer registry: every Keras layer (and layer option) conversion knows, and what it does with each.

One :class:`LayerRule` per row: the (Q)Keras layer or option, the hls4ml 1.3 layer(s) it becomes (class and,
for activations, the function), and either how it converts or why it is refused together with the nearest
supported alternative.  :mod:`fpgaflow.convert.layers` raises its refusals from here, so the error a user
sees and the coverage table in docs/convert.md (``fpgaflow layers``, which adds the estimate and emulate
columns from those stages' own registries) are the same text.

``kind="config"`` rows are conversion settings rather than layers (``io_type``, ``strategy``, ``backend``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.convert.errors import UnconvertibleLayerError

#: (hls4ml layer class, activation function or "") as the converted ModelGraph names them
HlsLayer = tuple[str, str]


@dataclass(frozen=True)
class LayerRule:
    """One row of the coverage table.

    ``key``: unique id (tests and specs refer to rules by it).  ``keras``: the layer class(es) as a user writes
    them; ``option``: the option the row is about ("" for the plain layer).  ``hls4ml``: the hls4ml layers it
    becomes (empty when it is removed or folded away).  ``note``: how it converts.  ``refused``: non-empty when
    it is refused: why, and the nearest supported alternative.
    """

    key: str
    keras: str
    option: str = ""
    hls4ml: tuple[HlsLayer, ...] = ()
    note: str = ""
    refused: str = ""
    kind: Literal["layer", "config"] = "layer"

    @property
    def accepted(self) -> bool:
        return not self.refused


def _r(key: str, keras: str, option: str, hls4ml: tuple[HlsLayer, ...], note: str) -> LayerRule:
    return LayerRule(key, keras, option, hls4ml, note)


def _no(key: str, keras: str, option: str, why: str) -> LayerRule:
    return LayerRule(key, keras, option, refused=why)


_CONV2D = ("Conv2D", "")
_CONV1D = ("Conv1D", "")

RULES: tuple[LayerRule, ...] = (
    _r("InputLayer", "InputLayer", "", (("Input", ""),), "the input type is planned from the ADC scale"),
    # --- convolutions and dense layers ------------------------------------------------------------------
    _r("Conv2D", "QConv2D, Conv2D", "", (_CONV2D,), "line-buffer convolution (io_stream)"),
    _r(
        "Conv2D.same",
        "QConv2D, Conv2D",
        "padding='same'",
        (("ZeroPadding2D", ""), _CONV2D),
        "hls4ml inserts a ZeroPadding2D",
    ),
    _r("Conv2D.strides", "QConv2D, Conv2D", "strides > 1", (_CONV2D,), "strided line buffer"),
    _no(
        "Conv2D.dilation",
        "QConv2D, Conv2D",
        "dilation_rate > 1",
        "hls4ml 1.3 has no dilated convolution; use dilation_rate=1",
    ),
    _r(
        "QConv2DBatchnorm",
        "QConv2DBatchnorm",
        "",
        (("Conv2DBatchnorm", ""),),
        "batch-norm folded into the kernel and bias by hls4ml (Conv2DBatchnorm); fpgaflow repairs two hls4ml 1.3 "
        "slips: without a bias_quantizer it writes the folded bias (hls4ml keeps the unfolded one), under the "
        "Resource strategy it undoes hls4ml's second transposition of the kernel",
    ),
    _r("Conv1D", "QConv1D, Conv1D", "", (_CONV1D,), "line-buffer convolution (io_stream)"),
    _r(
        "Conv1D.same",
        "QConv1D, Conv1D",
        "padding='same' or 'causal'",
        (("ZeroPadding1D", ""), _CONV1D),
        "hls4ml inserts a ZeroPadding1D",
    ),
    _r("Conv1D.strides", "QConv1D, Conv1D", "strides > 1", (_CONV1D,), "strided line buffer"),
    _no(
        "Conv1D.causal_strided",
        "QConv1D, Conv1D",
        "padding='causal' with strides > 1",
        "hls4ml 1.3 pads filt − stride zeros where Keras pads filt − 1; use strides=1 or padding='same'",
    ),
    _r("Dense", "QDense, Dense", "", (("Dense", ""),), "reads a flat vector (Flatten or global pooling first)"),
    _r(
        "fused_activation",
        "QConv2D, QConv1D, QDense (and Keras)",
        "activation=... (fused)",
        (),
        "split into its own activation layer named <layer>_<activation>, as hls4ml does; that layer follows "
        "its activation row",
    ),
    _no(
        "QDenseBatchnorm",
        "QDenseBatchnorm",
        "",
        "not a layer of QKeras 0.9.0 and not converted by hls4ml 1.3; use QDense followed by BatchNormalization",
    ),
    _no(
        "DepthwiseConv2D",
        "DepthwiseConv2D, SeparableConv2D, QDepthwiseConv2D, QSeparableConv2D, QDepthwiseConv2DBatchnorm",
        "",
        "not modelled by fpgaflow's planner and emulator; use Conv2D",
    ),
    _no(
        "Conv2DTranspose", "Conv2DTranspose, UpSampling2D", "", "not converted by hls4ml 1.3 for io_stream; use Conv2D"
    ),
    _no("recurrent", "SimpleRNN, LSTM, GRU (and Q*)", "", "recurrent layers are not modelled; use Conv1D"),
    # --- normalisation ----------------------------------------------------------------------------------
    _r(
        "BatchNormalization",
        "BatchNormalization",
        "",
        (("BatchNormalization", ""),),
        "a scale-shift layer (nnet::normalize: x·scale + bias per channel); hls4ml 1.3 folds only a batch-norm "
        "right after an unquantised Dense/Conv (next row)",
    ),
    _r(
        "BatchNormalization.folded",
        "BatchNormalization",
        "right after a Dense/Conv1D/Conv2D without kernel/bias quantizers",
        (),
        "folded into that layer's weights, where hls4ml 1.3's FuseBatchNormalization folds it",
    ),
    _no("LayerNormalization", "LayerNormalization", "", "not modelled; use BatchNormalization"),
    # --- activations ------------------------------------------------------------------------------------
    _r("QActivation.relu", "QActivation", "quantized_relu(bits, integer)", (("Activation", "relu"),), "exact"),
    _no(
        "QActivation.leaky",
        "QActivation",
        "quantized_relu with negative_slope or relu_upper_bound",
        "leaky/bounded relu is not modelled; use quantized_relu(bits, integer)",
    ),
    _r("QActivation.bits", "QActivation", "quantized_bits(bits, integer)", (("Activation", "linear"),), "exact"),
    _r(
        "QActivation.tanh",
        "QActivation",
        "quantized_tanh(bits) (hard tanh)",
        (("HardActivation", "hard_tanh"),),
        "clip(x, −1, 1) rounded to ap_fixed<bits,1>: exact",
    ),
    _r(
        "QActivation.sigmoid",
        "QActivation",
        "quantized_sigmoid(bits) (hard sigmoid)",
        (("HardActivation", "hard_sigmoid"),),
        "clip(x/2 + 1/2, 0, 1) rounded to ap_ufixed<bits,0>: exact",
    ),
    _no(
        "QActivation.real_tanh",
        "QActivation",
        "quantized_tanh/quantized_sigmoid with use_real_tanh/use_real_sigmoid",
        "hls4ml replaces the exact function by a 1024-entry table, which QKeras' rounding does not match; use the "
        "hard quantized_tanh/quantized_sigmoid, or Activation('tanh'/'sigmoid') for the table",
    ),
    _r("Activation.relu", "Activation('relu'), ReLU()", "", (("Activation", "relu"),), "exact"),
    _no(
        "ReLU.options",
        "ReLU",
        "max_value, negative_slope or threshold",
        "not modelled; use ReLU() or QActivation('quantized_relu(bits, integer)') for a bounded relu",
    ),
    _r("Activation.linear", "Activation('linear')", "", (("Activation", "linear"),), "a cast"),
    _r("Activation.sigmoid", "Activation('sigmoid')", "", (("Activation", "sigmoid"),), "1024-entry table"),
    _r("Activation.tanh", "Activation('tanh')", "", (("Activation", "tanh"),), "1024-entry table over [−4, 4]"),
    _r(
        "Activation.hard_sigmoid",
        "Activation('hard_sigmoid')",
        "",
        (("HardActivation", "hard_sigmoid"),),
        "clip(0.2·x + 0.5, 0, 1), slope in ap_ufixed<16,0>",
    ),
    _r(
        "Activation.softmax",
        "Activation('softmax'), Softmax()",
        "",
        (("Softmax", "softmax"),),
        "hls4ml's stable softmax over a flat vector; a Softmax() layer (axis −1) is rewritten as "
        "Activation('softmax'), the form hls4ml 1.3 compiles",
    ),
    _no(
        "Activation.other",
        "Activation, LeakyReLU, PReLU, ELU, ThresholdedReLU",
        "elu, selu, softplus, softsign, swish, gelu, leaky relu, ...",
        "no bit-exact model; use relu, tanh, sigmoid, hard_sigmoid or a QKeras quantized_relu/quantized_tanh",
    ),
    # --- pooling and shape ------------------------------------------------------------------------------
    _r("MaxPooling2D", "MaxPooling2D", "", (("Pooling2D", ""),), "exact"),
    _r("AveragePooling2D", "AveragePooling2D", "", (("Pooling2D", ""),), "sum in accum_t, ÷ N; exact for N = 2^k"),
    _r("MaxPooling1D", "MaxPooling1D", "", (("Pooling1D", ""),), "exact"),
    _r("AveragePooling1D", "AveragePooling1D", "", (("Pooling1D", ""),), "sum in accum_t, ÷ N; exact for N = 2^k"),
    _no(
        "Pooling.padded",
        "MaxPooling1D/2D, AveragePooling1D/2D",
        "padding='same' that pads",
        "hls4ml's io_stream pooling has no padding; use padding='valid' or a map size the pool divides",
    ),
    _r("GlobalMaxPooling2D", "GlobalMaxPooling2D", "", (("GlobalPooling2D", ""),), "exact"),
    _r(
        "GlobalAveragePooling2D",
        "GlobalAveragePooling2D",
        "",
        (("GlobalPooling2D", ""),),
        "running sum in accum_t, ÷ H·W; exact for H·W = 2^k",
    ),
    _r("GlobalMaxPooling1D", "GlobalMaxPooling1D", "", (("GlobalPooling1D", ""),), "exact"),
    _r(
        "GlobalAveragePooling1D",
        "GlobalAveragePooling1D",
        "",
        (("GlobalPooling1D", ""),),
        "running sum in accum_t, ÷ W; exact for W = 2^k",
    ),
    _no("GlobalPooling.keepdims", "GlobalMax/AveragePooling1D/2D", "keepdims=True", "use keepdims=False"),
    _r("Flatten", "Flatten", "", (("Reshape", ""),), "an alias of the stream"),
    _r("ZeroPadding2D", "ZeroPadding2D", "", (("ZeroPadding2D", ""),), "exact"),
    _r("ZeroPadding1D", "ZeroPadding1D", "", (("ZeroPadding1D", ""),), "exact"),
    _no("Reshape", "Reshape, Permute, Cropping2D", "", "not modelled; use Flatten"),
    _r(
        "Dropout",
        "Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout",
        "",
        (),
        "identity at inference: removed before conversion",
    ),
    _no(
        "branching",
        "Add, Concatenate, Multiply, ... (any layer with several inputs or outputs)",
        "",
        "only sequential chains are converted; use one chain of layers (no Add, Concatenate or skip connection)",
    ),
    # --- conversion settings ----------------------------------------------------------------------------
    LayerRule(
        "io_stream",
        "io_type",
        "io_stream",
        note="every layer above (the default)",
        kind="config",
    ),
    LayerRule(
        "io_parallel",
        "io_type",
        "io_parallel, Dense-only models",
        note="Dense, BatchNormalization, activations and softmax",
        kind="config",
    ),
    LayerRule(
        "io_parallel.conv",
        "io_type",
        "io_parallel with Conv1D/Conv2D, pooling or padding",
        refused="not modelled (im2col and padded io_parallel kernels); use io_stream",
        kind="config",
    ),
    LayerRule("Latency", "strategy", "Latency", note="weights in registers, dense_latency", kind="config"),
    LayerRule(
        "Resource",
        "strategy",
        "Resource",
        note="weights in BRAM, dense_resource (the emulator needs an accumulator that cannot saturate, "
        "which the planned accumulators are)",
        kind="config",
    ),
    LayerRule(
        "backend.VivadoAccelerator",
        "backend",
        "VivadoAccelerator",
        note="every row above; hls4ml's AXI-Stream wrapper (Vivado HLS), for the boards hls4ml 1.3 has a design "
        "for (PYNQ-Z2, and the PYNQ-Z1 on the same part)",
        kind="config",
    ),
    LayerRule(
        "backend.Vitis",
        "backend",
        "Vitis",
        note="every io_stream row above: hls4ml's Vitis network (its own convolution, dense and pooling stream "
        "templates) inside fpgaflow's AXI-Stream top (Vitis HLS 2023.2+), any board or part",
        kind="config",
    ),
    LayerRule(
        "backend.Vitis.io_parallel",
        "backend",
        "Vitis with io_parallel",
        refused="fpgaflow's AXI-Stream top streams the network's io_stream ports; set convert.io_type io_stream "
        "(use backend Vivado for an io_parallel design)",
        kind="config",
    ),
    LayerRule(
        "backend.Vivado",
        "backend",
        "Vivado",
        note="every row above; the network alone (no AXI wrapper), any board or part: synthesis-only studies",
        kind="config",
    ),
)

_BY_KEY = {r.key: r for r in RULES}
if len(_BY_KEY) != len(RULES):  # pragma: no cover - guarded by a test
    raise RuntimeError("duplicate layer-rule keys")

#: Keras classes with a refusal row, by class name (the row's key)
REFUSED_CLASSES: dict[str, str] = {
    "QDenseBatchnorm": "QDenseBatchnorm",
    "DepthwiseConv2D": "DepthwiseConv2D",
    "SeparableConv2D": "DepthwiseConv2D",
    "SeparableConv1D": "DepthwiseConv2D",
    "DepthwiseConv1D": "DepthwiseConv2D",
    "QDepthwiseConv2D": "DepthwiseConv2D",
    "QSeparableConv2D": "DepthwiseConv2D",
    "QSeparableConv1D": "DepthwiseConv2D",
    "QDepthwiseConv2DBatchnorm": "DepthwiseConv2D",
    "Conv2DTranspose": "Conv2DTranspose",
    "UpSampling2D": "Conv2DTranspose",
    "UpSampling1D": "Conv2DTranspose",
    "SimpleRNN": "recurrent",
    "LSTM": "recurrent",
    "GRU": "recurrent",
    "QSimpleRNN": "recurrent",
    "QLSTM": "recurrent",
    "QGRU": "recurrent",
    "Bidirectional": "recurrent",
    "LayerNormalization": "LayerNormalization",
    "LeakyReLU": "Activation.other",
    "PReLU": "Activation.other",
    "ELU": "Activation.other",
    "ThresholdedReLU": "Activation.other",
    "Reshape": "Reshape",
    "Permute": "Reshape",
    "Cropping1D": "Reshape",
    "Cropping2D": "Reshape",
    "Add": "branching",
    "Subtract": "branching",
    "Multiply": "branching",
    "Average": "branching",
    "Maximum": "branching",
    "Minimum": "branching",
    "Concatenate": "branching",
    "Dot": "branching",
}


def rule(key: str) -> LayerRule:
    """The rule ``key`` (a ``KeyError`` names an unknown key)."""
    return _BY_KEY[key]


def refuse(key: str, layer: str, cls: str) -> UnconvertibleLayerError:
    """The one-line error for a layer that meets refused rule ``key``: the layer, its class, the option, why,
    and the nearest supported alternative (the rule's text)."""
    r = _BY_KEY[key]
    if not r.refused:
        raise ValueError(f"rule {key!r} is not a refusal")
    option = f", {r.option}" if r.option else ""
    return UnconvertibleLayerError(f"layer {layer!r} ({cls}{option}) is not supported: {r.refused}")


def accepted_keys() -> tuple[str, ...]:
    """Keys of every accepted rule (layers and settings), in table order."""
    return tuple(r.key for r in RULES if r.accepted)
