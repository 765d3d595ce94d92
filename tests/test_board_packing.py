"""Packed 8-bit input (issue 20): space-to-depth order, uint8 lanes in 32/64-bit words, the ADC → input_t table,
the codec and the manifest field — pure numpy, the board side."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.fixed_point import parse_fixed, quantize, to_float
from fpgaflow_board.manifest import Manifest
from fpgaflow_board.packing import (
    InputPacking,
    adc_table,
    depth_to_space,
    pack_adc,
    space_to_depth,
    unpack_adc,
    word_dtype,
)
from fpgaflow_board.scaling import scale_inputs

OUT = parse_fixed("ap_fixed<16,6>")


@pytest.mark.parametrize("block", [(2, 2), (2, 4), (1, 1), (4, 2)])
def test_space_to_depth_puts_block_pixel_dy_dx_in_channel_dy_bx_plus_dx(block: tuple[int, int]) -> None:
    maps = np.random.default_rng(1).integers(0, 256, size=(3, 8, 8)).astype(np.float32)
    s2d = space_to_depth(maps, block)
    by, bx = block
    assert s2d.shape == (3, 8 // by, 8 // bx, by * bx)
    for n, r, q, dy, dx in [(0, 0, 0, 0, 0), (1, 1, 0, by - 1, 0), (2, 8 // by - 1, 8 // bx - 1, by - 1, bx - 1)]:
        assert s2d[n, r, q, dy * bx + dx] == maps[n, r * by + dy, q * bx + dx]
    np.testing.assert_array_equal(depth_to_space(s2d, block)[..., 0], maps)


def test_space_to_depth_refuses_maps_without_whole_blocks() -> None:
    with pytest.raises(ValueError, match="a 6x6 map does not split into whole 4x4 blocks"):
        space_to_depth(np.zeros((1, 6, 6)), (4, 4))


def test_four_counts_per_32_bit_word_in_block_order() -> None:
    """Word (r, q) of a 2x2-block map = pixels (2r,2q) | (2r,2q+1) << 8 | (2r+1,2q) << 16 | (2r+1,2q+1) << 24."""
    maps = np.arange(16, dtype=np.float32).reshape(1, 4, 4) * 10  # counts 0..150
    words = np.zeros((1, 4), np.uint32)
    assert pack_adc(maps, (2, 2), words) == 0
    expected = [
        0 | 10 << 8 | 40 << 16 | 50 << 24,
        20 | 30 << 8 | 60 << 16 | 70 << 24,
        80 | 90 << 8 | 120 << 16 | 130 << 24,
        100 | 110 << 8 | 140 << 16 | 150 << 24,
    ]
    assert words[0].tolist() == expected
    np.testing.assert_array_equal(unpack_adc(words, 16), space_to_depth(maps, (2, 2)).reshape(1, 16))


def test_a_128x128_map_is_16_kib_on_the_wire() -> None:
    """4,096 32-bit words (4 pixels each) or 2,048 64-bit words, against 16,384 float32 words (64 KiB)."""
    maps = np.random.default_rng(2).integers(0, 256, size=(2, 128, 128, 1)).astype(np.float32)
    for lanes, words_per_map in ((4, 4096), (8, 2048)):
        words = np.zeros((2, words_per_map), word_dtype(lanes))
        assert pack_adc(maps, (2, 4), words) == 0
        assert words.nbytes // 2 == 16 * 1024
        np.testing.assert_array_equal(unpack_adc(words, 16384), space_to_depth(maps, (2, 4)).reshape(2, -1))


def test_counts_the_wire_cannot_carry_are_counted_and_clipped() -> None:
    maps = np.array([[[-1.0, 256.0, 3.5, 7.0]]], np.float32)  # (1, 1, 4)
    words = np.zeros((1, 1), np.uint32)
    assert pack_adc(maps, (1, 1), words) == 3
    assert unpack_adc(words, 4).tolist() == [[0, 255, 3, 7]]
    assert pack_adc(maps.astype(np.uint8) * 0 + 9, (1, 1), words) == 0  # uint8 counts: a plain copy


@pytest.mark.parametrize("block", [(2, 2), (2, 4), (4, 2), (1, 1), (3, 3), (2, 8)])
def test_float_maps_chunk_by_chunk_pack_as_their_uint8_counts(block: tuple[int, int]) -> None:
    """Float maps go through in chunks of whole maps (here 3 maps of 576 values per chunk, 7 maps: a short last
    chunk); the words equal the uint8 path's and space_to_depth's order, for blocks packed as one word (2x2,
    2x4, 4x2), as strided runs (2x8: 16 bytes) and as a transposed copy (3x3)."""
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 256, size=(7, 24, 24, 1)).astype(np.uint8)
    n_in = 24 * 24
    from_u8, from_f32 = np.zeros((7, n_in), np.uint8), np.zeros((7, n_in), np.uint8)
    assert pack_adc(counts, block, from_u8) == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("fpgaflow_board.packing.CHUNK_VALUES", 3 * n_in + 5)
        assert pack_adc(counts.astype(np.float32), block, from_f32) == 0
    np.testing.assert_array_equal(from_f32, from_u8)
    np.testing.assert_array_equal(from_u8, space_to_depth(counts, block).reshape(7, n_in))


def test_a_bad_value_in_a_later_chunk_is_counted_clipped_and_named(caplog: pytest.LogCaptureFixture) -> None:
    """Map 5 (third chunk of 2 maps), pixel (row 1, col 3) = 2.5 and map 6 pixel (0, 0) = NaN, (0, 1) = 300: 3
    values counted, clipped/truncated to 2, 0 and 255; the first one named in one warning line."""
    maps = np.full((7, 4, 4, 1), 9.0, np.float32)
    maps[5, 1, 3, 0], maps[6, 0, 0, 0], maps[6, 0, 1, 0] = 2.5, np.nan, 300.0
    words = np.zeros((7, 4), np.uint32)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("fpgaflow_board.packing.CHUNK_VALUES", 32)
        assert pack_adc(maps, (2, 2), words) == 3
    lanes = unpack_adc(words, 16)
    s2d = space_to_depth(np.where(np.isnan(maps), 0, np.clip(maps, 0, 255)).astype(np.uint8), (2, 2))
    np.testing.assert_array_equal(lanes, s2d.reshape(7, 16))
    assert (s2d[5, 0, 1, 3], s2d[6, 0, 0, 0], s2d[6, 0, 0, 1]) == (2, 0, 255)
    messages = [r.getMessage() for r in caplog.records if r.name == "fpgaflow_board.packing"]
    assert messages == [
        "map 5, pixel (row 1, col 3): 2.5 is not an integer ADC count 0..255; 3 such value(s) in this batch were "
        "clipped into 0..255 and truncated for the 8-bit wire"
    ]


def test_adc_table_is_the_float32_wires_quantisation() -> None:
    """The IP's table entry for count a is input_t(float32(a × scale)): what the float32 wire gives the IP."""
    counts = np.arange(256)
    for scale, text, identity, n_out in [
        (1 / 256, "ap_ufixed<8,0>", True, 0),
        (0.01, "ap_ufixed<12,2>", False, 0),
        (0.01, "ap_ufixed<8,1,AP_RND,AP_SAT>", False, 56),  # counts 200..255 scale to >= 2.0: saturated
    ]:
        t = parse_fixed(text)
        table = adc_table(scale, t)
        codes, n_over = quantize(scale_inputs(counts, scale), t)
        np.testing.assert_array_equal(table.codes, codes)
        assert (table.is_identity, int(table.out_of_range.sum()), n_over) == (identity, n_out, n_out)
        np.testing.assert_array_equal(table.values, to_float(codes, t).astype(np.float32))


@pytest.mark.parametrize(("lanes", "dtype"), [(4, np.uint32), (8, np.uint64)])
def test_adc8_codec_hands_the_network_what_the_float32_codec_does(lanes: int, dtype: type) -> None:
    t = parse_fixed("ap_ufixed<12,2>")
    maps = np.random.default_rng(3).integers(0, 256, size=(5, 8, 8, 1)).astype(np.float32)
    adc8 = StreamCodec("adc8", t, OUT, 0.01, InputPacking(lanes, (2, 4)))
    assert (adc8.in_word, adc8.input_words(64)) == (np.dtype(dtype), 64 // lanes)
    words = np.zeros((5, 64 // lanes), adc8.in_word)
    assert adc8.encode_maps(maps, words) == 0
    float32 = StreamCodec("float32", t, OUT, 0.01)
    s2d = space_to_depth(maps, (2, 4)).reshape(5, 64)
    floats = np.zeros((5, 64), np.float32)
    float32.encode_into(s2d, floats)
    np.testing.assert_array_equal(adc8.input_values(words, 64), to_float(quantize(floats, t)[0], t))


def test_fixed_lanes_pack_four_codes_per_word() -> None:
    t = parse_fixed("ap_ufixed<8,0>")
    codec = StreamCodec("fixed", t, OUT, 1 / 256, InputPacking(4))
    adc = np.array([[1.0, 2.0, 3.0, 4.0, 255.0, 0.0, 0.0, 9.0]], np.float32)
    words = np.zeros((1, 2), codec.in_word)
    assert codec.encode_maps(adc.reshape(1, 2, 4, 1), words) == 0
    assert words[0].tolist() == [1 | 2 << 8 | 3 << 16 | 4 << 24, 255 | 9 << 24]
    np.testing.assert_array_equal(codec.input_values(words, 8), adc / 256)


def test_adc8_counts_values_the_input_type_cannot_hold() -> None:
    t = parse_fixed("ap_ufixed<8,1,AP_RND,AP_SAT>")
    codec = StreamCodec("adc8", t, OUT, 0.01, InputPacking(4))
    words = np.zeros((1, 1), np.uint32)
    assert codec.encode_maps(np.array([[[[10.0], [199.0], [200.0], [255.0]]]], np.float32), words) == 2


def test_codec_refuses_packed_float32() -> None:
    with pytest.raises(ValueError, match="float32 words carry one input each"):
        StreamCodec("float32", OUT, OUT, 1.0, InputPacking(4))


def test_manifest_records_the_packing_and_round_trips() -> None:
    m = Manifest("p", (128, 128, 1), 16384, 1, 1 / 256, "ap_ufixed<8,0>", "ap_fixed<16,6>", stream_dtype="adc8")
    packed = Manifest(**{**m.__dict__, "input_packing": InputPacking(4, (2, 2)).to_dict()})
    back = Manifest.from_json(packed.to_json())
    assert back == packed
    codec = StreamCodec.from_manifest(back)
    assert (codec.packing, codec.input_words(back.n_in), codec.in_word) == (InputPacking(4, (2, 2)), 4096, np.uint32)
    assert StreamCodec.from_manifest(m).packing == InputPacking()
    with pytest.raises(ValueError, match=r"input_packing {.block.: \[2, 2\]}: expected"):
        InputPacking.from_dict({"block": [2, 2]})
