"""Issue 20: a trained model's first convolution packed for the space-to-depth input gives the same outputs, bit
for bit — in QKeras on hit maps, and (slow) through hls4ml's C simulation and the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fpgaflow.convert.pack_first_conv import pack_first_conv, pack_kernel
from fpgaflow.errors import ConfigError
from fpgaflow.modelio.input_layout import model_inputs

MAP = (32, 32, 1)


def hit_maps(n: int, seed: int) -> Any:
    """Toy 32 x 32 hit maps of the data stage (integer ADC counts, particle and background maps)."""
    from fpgaflow.data.toy import ToyConfig, generate_toy

    return generate_toy(ToyConfig(rows=MAP[0], cols=MAP[1]), n, 0.5, np.random.default_rng(seed))


def patchify_qcnn(seed: int, kernel: int = 4, stride: int = 4) -> Any:
    """The flagship's shape at 32 x 32: a ``kernel`` x ``kernel`` stride-``stride`` conv first, a 3 x 3 conv, a
    2 x 2 pool, the dense unit; random weights over the quantiser's range (8-bit, ap_fixed<8,1>)."""
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_qcnn

    cfg = ModelConfig(conv_filters=(8, 8), kernel_sizes=(kernel, 3), conv_strides=(stride, 1), pool_sizes=(1, 2))
    model = build_qcnn(cfg, MAP)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.uniform(-1.0, 1.0, w.shape).astype(np.float32) for w in layer.get_weights()])
    return model


def test_pack_kernel_puts_offset_dy_dx_of_each_block_in_channel_dy_bx_plus_dx() -> None:
    kernel = np.arange(4 * 4 * 1 * 3, dtype=np.float32).reshape(4, 4, 1, 3)
    packed = pack_kernel(kernel, (2, 2))
    assert packed.shape == (2, 2, 4, 3)
    # W'[U, V, dy*2 + dx, f] = W[2U + dy, 2V + dx, 0, f]
    assert packed[0, 0, :, 0].tolist() == [
        kernel[0, 0, 0, 0],
        kernel[0, 1, 0, 0],
        kernel[1, 0, 0, 0],
        kernel[1, 1, 0, 0],
    ]
    assert packed[1, 0, 3, 2] == kernel[3, 1, 0, 2] == 41.0
    assert packed[0, 1, 2, 1] == kernel[1, 2, 0, 1] == 19.0
    wide = pack_kernel(np.arange(4 * 8 * 2 * 1, dtype=np.float32).reshape(4, 8, 2, 1), (2, 4))  # 2 channels
    assert wide.shape == (2, 2, 16, 1)
    assert wide[1, 1, (1 * 4 + 3) * 2 + 1, 0] == 3 * 16 + 7 * 2 + 1  # W[2+1, 4+3, 1, 0]
    assert sorted(wide.reshape(-1).tolist()) == list(range(64))


@pytest.mark.parametrize(("block", "packed_shape", "kernel"), [((2, 2), (16, 16, 4), 2), ((4, 4), (8, 8, 16), 1)])
def test_packed_model_predicts_the_same_scores_bit_for_bit(
    block: tuple[int, int], packed_shape: tuple[int, int, int], kernel: int
) -> None:
    """400 hit maps through the unpacked model and through its packed twin on the space-to-depth layout: every
    score identical (float32 bits), conv1 now ``kernel`` x ``kernel`` over ``by * bx`` channels."""
    model = patchify_qcnn(seed=3)
    packed = pack_first_conv(model, block)
    assert tuple(packed.input_shape[1:]) == packed_shape
    assert packed.get_layer("conv1").kernel_size == (kernel, kernel)
    assert packed.get_layer("conv1").strides == (4 // block[0], 4 // block[1])
    assert packed.count_params() == model.count_params() == 8 * 17 + 8 * (9 * 8 + 1) + 8 * 3 * 3 + 1
    maps = hit_maps(400, seed=1).maps
    scale = 1 / 256
    x = model_inputs(maps, scale, MAP)
    x_packed = model_inputs(maps, scale, packed_shape)
    reference = np.asarray(model.predict(x, verbose=0), np.float32)
    scores = np.asarray(packed.predict(x_packed, verbose=0), np.float32)
    assert float(np.std(reference)) > 0.05 and len(np.unique(reference)) > 100  # the scores are not degenerate
    np.testing.assert_array_equal(scores.view(np.uint32), reference.view(np.uint32))
    # The original is untouched.
    assert tuple(model.input_shape[1:]) == MAP and model.get_layer("conv1").kernel_size == (4, 4)


def test_refuses_a_first_conv_the_block_does_not_divide() -> None:
    model = patchify_qcnn(seed=1, kernel=3, stride=1)
    with pytest.raises(
        ConfigError,
        match=r"cannot pack first conv 'conv1' on 2x2 space-to-depth blocks: kernel 3x3 and stride 1x1 are not "
        r"multiples of the block$",
    ):
        pack_first_conv(model, (2, 2))
    with pytest.raises(ConfigError, match=r"the 32x32 input does not split into whole blocks"):
        pack_first_conv(patchify_qcnn(seed=1), (4, 3))


@pytest.mark.slow  # two hls4ml conversions + C-sim builds (~30 s each on the shared machine)
def test_packed_twin_is_bit_exact_through_csim_and_emulator(tmp_path: Path) -> None:
    """The unpacked model and its packed twin converted by fpgaflow (Latency, io_stream, the same calibration
    maps): the same planned types for every layer, and on 100 hit maps the packed C simulation and emulator
    give the unpacked C simulation's outputs bit for bit (and QKeras', the first layer being exact on the
    2^-8 ADC grid)."""
    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.emulate.project import load_emulator
    from fpgaflow_board.csim import CSimLibrary

    scale = 1 / 256
    logits, _ = split_output_activation(patchify_qcnn(seed=5))
    packed = pack_first_conv(logits, (2, 2))
    calibration = hit_maps(200, seed=2).maps
    maps = hit_maps(100, seed=4).maps
    outputs, types = {}, {}
    for name, model in (("unpacked", logits), ("packed", packed)):
        shape = tuple(model.input_shape[1:])
        out = tmp_path / name
        conversion = convert(model, ConvertConfig(), out, scale, model_inputs(calibration, scale, shape))
        types[name] = {
            layer.name: {k: str(v.precision) for k, v in layer.types.items()}
            for layer in conversion.hls_model.get_layers()
            if layer.name != "hit_map"
        }
        library = build_csim_library(out, out / "firmware" / "myproject_csim.so")
        x = model_inputs(maps, scale, shape)
        csim = CSimLibrary(library, int(np.prod(shape)), 1).predict(x.reshape(len(maps), -1))
        emulator = np.asarray(load_emulator(out).predict(x), np.float32).reshape(len(maps), -1)
        keras = np.asarray(model.predict(x, verbose=0), np.float32).reshape(len(maps), -1)
        np.testing.assert_array_equal(emulator.view(np.uint32), csim.view(np.uint32))
        np.testing.assert_array_equal(keras.view(np.uint32), csim.view(np.uint32))
        outputs[name] = csim
    assert types["packed"] == types["unpacked"]
    assert len(np.unique(outputs["unpacked"])) > 20
    np.testing.assert_array_equal(outputs["packed"].view(np.uint32), outputs["unpacked"].view(np.uint32))
