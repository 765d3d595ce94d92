"""Issue 20 end to end: raw 8-bit ADC counts packed 4 per 32-bit (8 per 64-bit) word in space-to-depth order.

The fast tests drive the board driver on the simulated PYNQ-Z2 with the tiny run's network: the DMA moves a
quarter of the bytes, and the outputs equal the float32 wire's bit for bit.  The slow test converts QKeras CNNs
trained on the space-to-depth layout with the Vitis route and an ``adc8`` wire and checks, on the same hit
maps, QKeras ↔ the network's C simulation ↔ the generated AXI-Stream top (g++, fed the bytes the driver packs)
↔ the emulator ↔ the simulated board, bit for bit.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import tiny_qcnn

from fpgaflow.errors import DataError
from fpgaflow.modelio.input_layout import input_shape_for, layout_block, model_inputs, to_model_layout
from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.manifest import Manifest, read_manifest
from fpgaflow_board.packing import InputPacking, pack_adc, word_dtype
from fpgaflow_board.simulated import SimulatedBoard


def sparse_counts(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integer ADC counts 0..255, ~40 % of pixels hit (float32, as the data stage stores them)."""
    return (rng.integers(0, 256, size=(n, *shape)) * (rng.random((n, *shape)) < 0.4)).astype(np.float32)


def classify_raw(manifest: Manifest, csim: Any, maps: np.ndarray, tmp_path: Path) -> tuple[np.ndarray, Any]:
    board = SimulatedBoard(manifest, csim)
    clf = HitMapClassifier(board.write_overlay(tmp_path / manifest.stream_dtype), manifest, pynq=board.pynq)
    with clf:
        return clf.predict_raw(maps), board


def test_model_layout_follows_from_the_shapes() -> None:
    assert layout_block((128, 128, 1), (64, 64, 4)) == (2, 2)
    assert layout_block((128, 128), (64, 32, 8)) == (2, 4)
    assert layout_block((32, 32, 1), (32, 32, 1)) == (1, 1)
    assert input_shape_for((128, 128, 1), (2, 4)) == (64, 32, 8)
    with pytest.raises(DataError, match=r"neither the model input \(64, 64, 3\) nor its space-to-depth source"):
        layout_block((128, 128, 1), (64, 64, 3))
    maps = sparse_counts(np.random.default_rng(1), 2, (4, 4, 1))
    assert to_model_layout(maps, (4, 4, 1)) is maps
    x = model_inputs(maps, 1 / 256, (2, 2, 4))
    assert x.dtype == np.float32 and x[1, 1, 0, 3] == maps[1, 3, 1, 0] / 256


class _Corners:
    """A stand-in network: output = its first input + 2 × its 6th (0-based 5: block (0, 1), pixel dy=0, dx=1)."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (x[:, :1] + 2 * x[:, 5:6]).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_driver_lays_out_blocks_and_takes_uint8_maps(tmp_path: Path, dtype: type) -> None:
    """The network's inputs 0 and 5 are pixels (0, 0) and (0, 3) of each 16 x 16 map in 2 x 2 blocks; uint8 maps
    are packed without a float pass and give the same outputs."""
    maps = sparse_counts(np.random.default_rng(4), 9, (16, 16, 1))
    m = Manifest(
        "myproject",
        (16, 16, 1),
        256,
        1,
        1 / 256,
        "ap_ufixed<8,0>",
        "ap_fixed<16,6>",
        stream_dtype="adc8",
        input_packing=InputPacking(4, (2, 2)).to_dict(),
    )
    raw, board = classify_raw(m, _Corners(), maps.astype(dtype), tmp_path)
    expected = (maps[:, 0, 0, 0] + 2 * maps[:, 0, 3, 0]) / 256
    np.testing.assert_array_equal(raw[:, 0], expected.astype(np.float32))
    assert board.dmas[0].mm2s_bytes == 9 * 256


@pytest.mark.slow  # uses the tiny run (training + hls4ml + g++, shared with the other board tests)
@pytest.mark.parametrize("lanes", [4, 8])
def test_driver_sends_a_quarter_of_the_bytes_and_gets_the_same_outputs(
    tiny_bundle: Path, tmp_path: Path, lanes: int
) -> None:
    m = read_manifest(tiny_bundle)
    with np.load(tiny_bundle / "test_maps.npz") as d:
        maps = d["maps"][:40]
    csim = CSimLibrary(tiny_bundle / m.csim_library, m.n_in, m.n_out, m.project_name)
    # The tiny run's network with its input on the ADC grid (scale 1/256 into ap_ufixed<8,0>): the float32
    # wire's reference, then the same design behind an adc8 wire with `lanes` counts per word.
    assert (m.stream_dtype, m.input_scale, m.input_precision) == ("float32", 1 / 256, "ap_ufixed<8,0>")
    reference, float_board = classify_raw(m, csim, maps, tmp_path)
    packed_m = dataclasses.replace(m, stream_dtype="adc8", input_packing=InputPacking(lanes).to_dict())
    packed, board = classify_raw(packed_m, csim, maps, tmp_path)
    np.testing.assert_array_equal(packed.view(np.uint32), reference.view(np.uint32))
    # DMA traffic: n_in bytes per map (8-bit lanes) instead of 4 n_in, in words of 8 x lanes bits.
    assert (float_board.dmas[0].mm2s_bytes, board.dmas[0].mm2s_bytes) == (4 * m.n_in * 40, m.n_in * 40)
    assert (board.codec.in_word, board.codec.input_words(m.n_in)) == (word_dtype(lanes), m.n_in // lanes)


# ----------------------------------------------------------------------------------------------- real network
DESIGNS = {
    # 2x2 space-to-depth, four counts per 32-bit word = one 4-channel beat per word; scale 1/256: the lane is
    # input_t's code itself (no table)
    "adc8_x4_block2x2": ((2, 2), 4, 1 / 256),
    # 2x4 space-to-depth, eight counts per 64-bit word = one 8-channel beat per word, through the ROM
    "adc8_x8_block2x4_rom": ((2, 4), 8, 0.01),
}
MAP = (16, 16, 1)


@pytest.fixture(scope="module", params=sorted(DESIGNS))
def packed_design(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow_board.wire_format import WireFormat

    block, lanes, scale = DESIGNS[request.param]
    shape = input_shape_for(MAP, block)
    model, _ = split_output_activation(tiny_qcnn(np.random.default_rng(7), shape))
    calibration = model_inputs(sparse_counts(np.random.default_rng(8), 200, MAP), scale, shape)
    out = tmp_path_factory.mktemp(request.param) / "prj"
    cfg = ConvertConfig(backend="Vitis", wire=WireFormat("adc8", lanes))
    conversion = convert(model, cfg, out, scale, calibration)
    assert conversion.axis is not None
    library = build_csim_library(out, out / "firmware" / "myproject_csim.so")
    return {"model": model, "project": out, "library": library, "axis": conversion.axis, "block": block}


@pytest.mark.slow  # two hls4ml Vitis conversions + C-sim builds (~30 s each on the shared machine)
def test_packed_path_is_bit_exact_qkeras_csim_top_emulator_board(packed_design: dict[str, Any], tmp_path: Path) -> None:
    from fpgaflow.convert.axis_csim import AxisCSim
    from fpgaflow.emulate.emulate_file import emulate_file
    from fpgaflow.emulate.project import load_emulator

    rec, block = packed_design["axis"], packed_design["block"]
    shape = tuple(packed_design["model"].input_shape[1:])
    n = 60
    maps = sparse_counts(np.random.default_rng(9), n, MAP)
    x = model_inputs(maps, rec.input_scale, shape)
    top = AxisCSim(packed_design["library"], rec)
    csim = top.network.predict(x)
    # The wire: the driver's own packing of the detector maps (no host-side space-to-depth by the test).
    words = np.zeros((n, rec.in_words), word_dtype(rec.wire.inputs_per_word))
    assert pack_adc(maps, block, words) == 0
    assert (rec.in_words, rec.in_word_bits) == (256 // rec.wire.inputs_per_word, 8 * rec.wire.inputs_per_word)
    run = top.run(words.view(np.uint8).reshape(-1), top.transfers(n, 16))
    wire = top.decode(run)
    np.testing.assert_array_equal(wire.view(np.uint32), csim.view(np.uint32))
    emulator = np.asarray(load_emulator(packed_design["project"]).predict(x), np.float32).reshape(n, -1)
    np.testing.assert_array_equal(emulator.view(np.uint32), csim.view(np.uint32))
    # `fpgaflow emulate` on a hit-map file (maps and labels, as fpgaflow writes them) lays the maps out itself.
    np.savez(tmp_path / "maps.npz", maps=maps, labels=np.zeros(len(maps), np.int8))
    emulate_file(packed_design["project"], tmp_path / "maps.npz", tmp_path / "out.npz")
    with np.load(tmp_path / "out.npz") as z:
        np.testing.assert_array_equal(z["outputs"].astype(np.float32).reshape(n, -1), csim)
    if rec.input_scale == 1 / 256:  # QKeras' float32 first layer is exact on the 2^-8 grid
        keras = np.asarray(packed_design["model"].predict(x, verbose=0), np.float32).reshape(n, -1)
        np.testing.assert_array_equal(keras.view(np.uint32), csim.view(np.uint32))
    # `fpgaflow estimate PROJECT` reads the top's record: the DMA moves a map in in_words words, one per clock.
    from fpgaflow.estimate.config import EstimateConfig
    from fpgaflow.estimate.write_estimate import write_estimate

    rate = write_estimate(packed_design["project"], EstimateConfig(), tmp_path / "estimate").rate
    assert (rate.words_per_map, rate.dma_maps_per_s) == (rec.in_words, pytest.approx(1e8 / rec.in_words))
    # The simulated PYNQ-Z2: driver packs, DMA moves words, the IP model unpacks through the same table.
    manifest = Manifest(
        project_name="myproject",
        input_shape=MAP,
        n_in=int(np.prod(shape)),
        n_out=1,
        input_scale=rec.input_scale,
        input_precision=rec.input_type.hls(),
        output_precision=rec.output_type.hls(),
        stream_dtype="adc8",
        input_packing=InputPacking(rec.wire.inputs_per_word, block).to_dict(),
    )
    lib = CSimLibrary(packed_design["library"], manifest.n_in, 1)
    board_raw, _ = classify_raw(manifest, lib, maps, tmp_path)
    np.testing.assert_array_equal(board_raw.view(np.uint32), csim.view(np.uint32))
