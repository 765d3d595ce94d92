"""Model registry: exact parameter counts of the study's CNNs, the FPGA presets, bad names and shapes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import ConfigError, DataError
from fpgaflow.pipeline.config import load_run_config
from fpgaflow.train.config import ModelConfig
from fpgaflow.train.models import MODEL_BUILDERS, build_model, check_input_shape, check_model_name

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_every_model_name_has_a_builder() -> None:
    from typing import get_args

    from fpgaflow.train.config import ModelName

    assert set(get_args(ModelName)) == set(MODEL_BUILDERS)


def test_base_cnn_has_the_studys_parameter_count() -> None:
    model = build_model(ModelConfig(name="base"), (128, 128, 3))
    assert model.count_params() == 12_942_273
    assert model.get_layer("flatten").output_shape == (None, 14 * 14 * 128)
    # 3 conv + 1 dense + output; BN after each conv and after the dense layer
    assert sum(type(layer).__name__ == "BatchNormalization" for layer in model.layers) == 4


def test_reduced_cnn_has_the_studys_parameter_count() -> None:
    model = build_model(ModelConfig(name="reduced"), (128, 128, 3))
    assert model.count_params() == 115_905
    assert model.get_layer("flatten").output_shape == (None, 15 * 15 * 16)


def test_qcnn_default_is_quantised_and_float_twin_matches_it() -> None:
    q = build_model(ModelConfig(), (32, 32, 1))
    f = build_model(ModelConfig(quantized=False), (32, 32, 1))
    assert [type(layer).__name__ for layer in q.layers if "conv" in layer.name] == ["QConv2D", "QConv2D"]
    assert [type(layer).__name__ for layer in f.layers if "conv" in layer.name] == ["Conv2D", "Conv2D"]
    # 4·(9+1) + 8·(36+1) + (6·6·8+1) = 40 + 296 + 289
    assert q.count_params() == f.count_params() == 625


def test_qcnn_128_preset_shrinks_the_map_before_the_dense_layer() -> None:
    cfg = load_run_config(MODELS / "qcnn_128.yaml")
    model = build_model(cfg.model, (128, 128, 1))
    assert model.get_layer("flatten").output_shape == (None, 6 * 6 * 8)
    assert model.count_params() == 40 + 296 + 584 + 289


def test_qcnn_batch_norm_uses_fused_qconv() -> None:
    model = build_model(ModelConfig(batch_norm=True, conv_filters=(4,)), (16, 16, 1))
    assert type(model.get_layer("conv1")).__name__ == "QConv2DBatchnorm"


def test_unknown_model_name_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"'reducde'.*did you mean 'reduced'"):
        from_mapping(ModelConfig, {"name": "reducde"})
    with pytest.raises(ConfigError, match=r"unknown model 'bsae' \(did you mean 'base'\?\)"):
        check_model_name("bsae")


def test_per_block_options_must_match_the_blocks() -> None:
    with pytest.raises(ConfigError, match=r"model.pool_sizes needs one entry per conv block \(2\)"):
        ModelConfig(conv_filters=(4, 8), pool_sizes=(2,))
    with pytest.raises(ConfigError, match=r"model\.base\.dropout must be in"):
        from_mapping(ModelConfig, {"name": "base", "base": {"dropout": 1.0}})


def test_window_too_small_for_the_model_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"block 3 sees a 2×2 map"):
        build_model(ModelConfig(conv_filters=(4, 8, 8)), (16, 16, 1))
    with pytest.raises(ConfigError, match="cannot be built for input"):
        build_model(ModelConfig(name="base"), (16, 16, 1))


def test_input_shape_mismatch_is_a_data_error() -> None:
    model = build_model(ModelConfig(conv_filters=(4,)), (16, 16, 1))
    with pytest.raises(DataError, match=r"expects input \(16, 16, 1\) but the training data has maps of \(20, 20, 1\)"):
        check_input_shape(model, (20, 20, 1))


def test_quick_run_model_size() -> None:
    model = build_model(load_run_config("quick").model, (32, 32, 1))
    # 8·(9+1) + 8·(72+1) + (6·6·8+1)
    assert model.count_params() == 80 + 584 + 289


def test_qcnn_128_packed_preset_takes_2x4_blocks_and_packs_4_counts_per_word() -> None:
    from fpgaflow.modelio.input_layout import input_shape_for
    from fpgaflow_board.wire_format import WireFormat

    cfg = load_run_config(MODELS / "qcnn_128_packed.yaml")
    shape = input_shape_for((128, 128, 1), cfg.model.space_to_depth)
    assert shape == (64, 32, 8)
    model = build_model(cfg.model, shape)
    assert model.get_layer("flatten").output_shape == (None, 6 * 2 * 8)
    # 4·(72+1) + 8·(36+1) + 8·(72+1) + (96+1): the size of qcnn_128's 1,209
    assert model.count_params() == 292 + 296 + 584 + 97
    assert (cfg.convert.backend, cfg.convert.wire) == ("Vitis", WireFormat("adc8", 4))
    assert {k: o.reuse_factor for k, o in cfg.convert.layers.items()} == {
        "conv1": 1,
        "conv2": 4,
        "conv3": 24,
        "output_dense": 96,
    }
    with pytest.raises(ConfigError, match=r"model\.space_to_depth must be \[rows, cols\] >= 1"):
        ModelConfig(space_to_depth=(0, 2))


def test_packed_flagship_preset_is_the_flagship_on_2x2_blocks() -> None:
    """models/default_packed.yaml: the three-conv flagship's (models/flagship_3conv.yaml) data, training and
    network, its 4×4 stride-4 conv1 as 2×2 stride 2 over 64×64×4 (the same 1,697 parameters, so its weights are the
    flagship's rearranged: pack_first_conv), four ADC counts per 32-bit word on the Vitis route."""
    from fpgaflow.modelio.input_layout import input_shape_for
    from fpgaflow_board.wire_format import WireFormat

    flagship, packed = load_run_config(MODELS / "flagship_3conv.yaml"), load_run_config(MODELS / "default_packed.yaml")
    five_conv = load_run_config(MODELS / "flagship_depth5.yaml")
    assert (flagship.data, flagship.augment, flagship.train, flagship.prune) == (
        five_conv.data,
        five_conv.augment,
        five_conv.train,
        five_conv.prune,
    )  # the three-conv flagship differs from the five-conv one that replaced it in its model and conversion only
    default = load_run_config()
    assert (default.model, default.convert) == (five_conv.model, five_conv.convert)
    assert (default.train.float_pretrain_epochs, default.train.epochs) == (12, 24)  # twice its 6 + 12 epochs
    assert (packed.data, packed.augment, packed.train, packed.prune) == (
        flagship.data,
        flagship.augment,
        flagship.train,
        flagship.prune,
    )
    shape = input_shape_for((128, 128, 1), packed.model.space_to_depth)
    assert shape == (64, 64, 4)
    model = build_model(packed.model, shape)
    assert model.get_layer("conv1").output_shape == (None, 32, 32, 8)  # the flagship's patchify output
    assert model.count_params() == build_model(flagship.model, (128, 128, 1)).count_params() == 1697
    assert (packed.convert.backend, packed.convert.wire) == ("Vitis", WireFormat("adc8", 4))
    assert {k: o.reuse_factor for k, o in packed.convert.layers.items()} == {
        "conv2": 4,
        "conv3": 4,
        "output_dense": 392,
    }


def _pixels_that_move_the_score(cfg: ModelConfig, rows: int, cols: int) -> np.ndarray:
    """(rows, cols) bool: does a single hit at that pixel change the model's score?  Every weight is set to
    +0.25 and every bias to 0 (exact in ap_fixed<8,1>), so a lone hit stays positive through every ReLU and
    max-pool that reads it, and an empty map scores exactly 0.5; one forward pass per pixel, in batches."""
    model = build_model(cfg, (rows, cols, 1))
    model.set_weights([np.full(w.shape, 0.25 if w.ndim > 1 else 0.0, np.float32) for w in model.get_weights()])
    moved = np.zeros(rows * cols, bool)
    batch = 2048
    for start in range(0, rows * cols, batch):
        idx = np.arange(start, min(start + batch, rows * cols))
        maps = np.zeros((len(idx), rows * cols), np.float32)
        maps[np.arange(len(idx)), idx] = 1.0
        scores = model.predict(maps.reshape(-1, rows, cols, 1), batch_size=512, verbose=0)[:, 0]
        moved[idx] = scores != 0.5
    empty = model.predict(np.zeros((1, rows, cols, 1), np.float32), verbose=0)[0, 0]
    assert empty == 0.5
    return moved.reshape(rows, cols)


def test_the_flagship_model_reads_every_pixel_of_its_128x128_map() -> None:
    """The deployed (default preset) model: a hit on any of the 16,384 pixels changes its score, and the
    layout check agrees.  The quick preset's 'valid' 3 × 3 convs and 2 × 2 pools (32 → 30 → 15 → 13 → 6)
    never read rows and columns 30 and 31, and the same probe finds exactly those."""
    from fpgaflow.train.models_qcnn import unseen_pixels

    flagship = load_run_config().model
    assert unseen_pixels(flagship, 128, 128) == ((), ())
    assert _pixels_that_move_the_score(flagship, 128, 128).all()

    quick = load_run_config("quick").model
    assert unseen_pixels(quick, 32, 32) == ((30, 31), (30, 31))
    moved = _pixels_that_move_the_score(quick, 32, 32)
    assert moved[:30, :30].all() and not moved[30:, :].any() and not moved[:, 30:].any()


FLAGSHIP_CONVS = {"conv_filters": (8, 8, 8), "kernel_sizes": (4, 3, 3), "conv_strides": (4, 1, 1)}


def test_global_pool_gives_the_output_layer_one_input_per_channel() -> None:
    """global_pool max over the flagship's 28 × 28 map; average over a 'same'-padded 32 × 32 map (1,024 positions,
    a power of two, so hls4ml's division is exact); each leaves dense(8 → 1): 8 + 1 parameters, not 392 + 1."""
    gmp = ModelConfig(**FLAGSHIP_CONVS, pool_sizes=(1, 1, 1), global_pool="max")
    gap = replace(gmp, global_pool="average", conv_paddings=("valid", "same", "same"))
    for cfg, layer, last in ((gmp, "GlobalMaxPooling2D", 28), (gap, "GlobalAveragePooling2D", 32)):
        model = build_model(cfg, (128, 128, 1))
        assert type(model.get_layer("global_pool")).__name__ == layer
        assert model.get_layer("conv3").output_shape == (None, last, last, 8)
        assert model.get_layer("global_pool").output_shape == (None, 8)
        assert model.count_params() == (4 * 4 * 8 + 8) + 2 * (9 * 8 * 8 + 8) + (8 + 1) == 1313
        assert build_model(replace(cfg, quantized=False), (128, 128, 1)).count_params() == 1313


def test_global_average_over_a_map_that_is_not_a_power_of_two_is_refused() -> None:
    cfg = ModelConfig(**FLAGSHIP_CONVS, pool_sizes=(1, 1, 1), global_pool="average")
    with pytest.raises(ConfigError, match=r"average over the last 28×28 map divides by 784"):
        build_model(cfg, (128, 128, 1))


def test_new_model_keys_are_checked() -> None:
    with pytest.raises(ConfigError, match="global_pool"):
        from_mapping(ModelConfig, {"global_pool": "sum"}, "model")
    with pytest.raises(ConfigError, match="conv_paddings needs one entry per conv block"):
        ModelConfig(conv_filters=(4, 8), conv_paddings=("same",))
    with pytest.raises(ConfigError, match="conv_paddings"):
        from_mapping(ModelConfig, {"conv_filters": [4], "conv_paddings": ["full"]}, "model")


def test_global_pooled_models_read_every_pixel() -> None:
    """A lone hit anywhere in the 128 × 128 map moves the score of both global-pool layouts (the probe above),
    and the layout check agrees; 'same' padding keeps the edges, and a layout that drops edge rows still shows
    them with a global pool (the pool reads every position of the last map, not of the input)."""
    from fpgaflow.train.models_qcnn import unseen_pixels

    gmp = ModelConfig(**FLAGSHIP_CONVS, pool_sizes=(1, 1, 1), global_pool="max")
    gap = replace(gmp, global_pool="average", conv_paddings=("valid", "same", "same"))
    for cfg in (gmp, gap):
        assert unseen_pixels(cfg, 128, 128) == ((), ())
        assert _pixels_that_move_the_score(cfg, 128, 128).all()
    # 30 × 30 with a 4 × 4 stride-4 conv: 7 outputs read rows 0..27, so 28 and 29 are dropped before any pooling
    dropped = replace(gmp, kernel_sizes=(4, 3, 3))
    assert unseen_pixels(dropped, 30, 30) == ((28, 29), (28, 29))
    moved = _pixels_that_move_the_score(dropped, 30, 30)
    assert moved[:28, :28].all() and not moved[28:, :].any() and not moved[:, 28:].any()
    # 'same' on a stride-2 conv over an odd map pads one zero after the map (Keras' split): every pixel is read
    odd = ModelConfig(
        conv_filters=(2, 2),
        kernel_sizes=(3, 3),
        conv_strides=(2, 1),
        pool_sizes=(1, 1),
        conv_paddings=("same", "same"),
        global_pool="max",
    )
    assert unseen_pixels(odd, 9, 9) == ((), ())
    assert _pixels_that_move_the_score(odd, 9, 9).all()
