"""Pack a trained model's first convolution for the space-to-depth input: the exact weight rearrangement
(issue 20).

A ``k_y × k_x`` convolution with stride ``(s_y, s_x)`` over ``(R, C, ch)`` hit maps, where the block
``(b_y, b_x)`` divides the kernel and the stride, computes the same function as a ``(k_y/b_y) × (k_x/b_x)``
convolution with stride ``(s_y/b_y, s_x/b_x)`` over the space-to-depth maps ``(R/b_y, C/b_x, b_y·b_x·ch)``
(:func:`fpgaflow_board.packing.space_to_depth`): writing the kernel offset ``u = U·b_y + d_y``,
``v = V·b_x + d_x``, input pixel ``(i·s_y + u, j·s_x + v)`` channel ``c`` is channel ``(d_y·b_x + d_x)·ch + c``
of block ``(i·s_y/b_y + U, j·s_x/b_x + V)``, so

    W'[U, V, (d_y·b_x + d_x)·ch + c, f] = W[U·b_y + d_y, V·b_x + d_x, c, f]

and every output is the sum of the same ``k_y·k_x·ch`` products in another order.  The flagship's 4 × 4
stride-4 patchify conv over 128 × 128 × 1 becomes a 2 × 2 stride-2 conv over 64 × 64 × 4 (2 × 2 blocks): 16
products per output either way, so hls4ml sizes the same accumulator (``accum_t`` grows with the product
count, not the kernel shape) and a fixed-point sum that does not saturate is the same in any order.  In
QKeras (float32), 8-bit weights times 8-bit inputs are exact products and their sums stay within float32's 24
significant bits, so the outputs are bit for bit those of the unpacked model
(``tests/test_pack_first_conv.py`` checks that on real maps, and through the emulator and the C simulation).

Only the first convolution changes; every later layer, quantizer and weight is copied.  Layers between the
input and that convolution must act on each value alone (an input quantizer).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.convert.inference_graph import LayerRecipe, layer_chain, rebuild
from fpgaflow.errors import ConfigError

#: Keras classes whose kernel is rearranged (the first one after the input)
CONVOLUTIONS = ("Conv2D", "QConv2D", "QConv2DBatchnorm")
#: Layers allowed between the input and the first convolution: each acts on one value at a time
ELEMENTWISE = ("QActivation", "Activation", "ReLU")


def pack_kernel(kernel: npt.NDArray[Any], block: tuple[int, int]) -> npt.NDArray[Any]:
    """``(k_y, k_x, ch, f)`` → ``(k_y/b_y, k_x/b_x, b_y·b_x·ch, f)``, channel ``(d_y·b_x + d_x)·ch + c``."""
    ky, kx, ch, f = kernel.shape
    by, bx = block
    parts = kernel.reshape(ky // by, by, kx // bx, bx, ch, f).transpose(0, 2, 1, 3, 4, 5)
    return np.ascontiguousarray(parts).reshape(ky // by, kx // bx, by * bx * ch, f)


def _check(conv: LayerRecipe, shape: tuple[int, ...], block: tuple[int, int]) -> None:
    """ConfigError (one line) unless ``conv`` over ``shape`` inputs can be rewritten exactly on ``block``."""
    cfg, (by, bx) = conv.config, block
    ky, kx = cfg["kernel_size"]
    sy, sx = cfg["strides"]
    problems = []
    if cfg.get("padding", "valid") != "valid":
        problems.append(f"padding {cfg['padding']!r} (needs 'valid')")
    if tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1):
        problems.append(f"dilation {cfg['dilation_rate']}")
    if cfg.get("data_format", "channels_last") != "channels_last":
        problems.append(f"data format {cfg['data_format']}")
    if cfg.get("groups", 1) != 1:
        problems.append(f"{cfg['groups']} groups")
    if ky % by or kx % bx or sy % by or sx % bx:
        problems.append(f"kernel {ky}x{kx} and stride {sy}x{sx} are not multiples of the block")
    if shape[0] % by or shape[1] % bx:
        problems.append(f"the {shape[0]}x{shape[1]} input does not split into whole blocks")
    if problems:
        raise ConfigError(
            f"cannot pack first conv {conv.name!r} on {by}x{bx} space-to-depth blocks: {'; '.join(problems)}"
        )


def _packed(conv: LayerRecipe, block: tuple[int, int]) -> LayerRecipe:
    by, bx = block
    ky, kx = conv.config["kernel_size"]
    sy, sx = conv.config["strides"]
    config = {**conv.config, "kernel_size": (ky // by, kx // bx), "strides": (sy // by, sx // bx)}
    config.pop("batch_input_shape", None)
    # the kernel is the first weight of Conv2D, QConv2D and QConv2DBatchnorm; the rest are per filter
    weights = [pack_kernel(conv.weights[0], block), *conv.weights[1:]]
    return LayerRecipe(conv.cls, config, weights)


def pack_first_conv(model: Any, block: tuple[int, int]) -> Any:
    """The Keras model that takes ``block`` space-to-depth inputs and computes what ``model`` computes on the
    detector maps (a new model; ``model`` is not changed).  :class:`~fpgaflow.errors.ConfigError` when the
    model is not a chain of layers, the first convolution cannot be rewritten exactly (kernel or stride not a
    multiple of the block, padding, dilation), or a layer that mixes values comes before it."""
    by, bx = (int(v) for v in block)
    chain = layer_chain(model)
    if chain is None:
        raise ConfigError(
            f"cannot pack model {model.name!r}: it is not a chain of layers (a model fresh from pruning's "
            "strip_pruning still reads the unstripped model's input: save it and load it with fpgaflow.modelio)"
        )
    recipes = [LayerRecipe.of(layer) for layer in chain]
    first = next((i for i, r in enumerate(recipes) if r.class_name in CONVOLUTIONS), None)
    if first is None:
        raise ConfigError(f"model {model.name!r} has no Conv2D layer to pack on space-to-depth blocks")
    mixing = [r for r in recipes[:first] if r.class_name not in ELEMENTWISE]
    if mixing:
        raise ConfigError(
            f"cannot pack first conv {recipes[first].name!r}: layer {mixing[0].name!r} ({mixing[0].class_name}) "
            "mixes input values before it"
        )
    rows, cols, channels = (int(v) for v in model.input_shape[1:])
    _check(recipes[first], (rows, cols), (by, bx))
    recipes[first] = _packed(recipes[first], (by, bx))
    return rebuild(model, recipes, (rows // by, cols // bx, channels * by * bx))
