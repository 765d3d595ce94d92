"""fpgaflow_board.codec: ADC maps → stream words (float32 or fixed point) and back."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.fixed_point import parse_fixed
from fpgaflow_board.scaling import scale_inputs


def test_float_codec_counts_inputs_the_ip_would_wrap() -> None:
    codec = StreamCodec("float32", parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<16,6>"), input_scale=1 / 256)
    adc = np.array([[0.0, 255.0, 255.9, 256.0, 600.0]], np.float32)
    out = np.empty_like(adc)
    assert codec.encode_into(adc, out) == 2
    np.testing.assert_array_equal(out, adc / 256)
    fixed = StreamCodec("fixed", codec.input_type, codec.output_type, 1 / 256)
    words = np.empty(adc.shape, fixed.in_word)
    assert fixed.encode_into(adc, words) == 2
    np.testing.assert_array_equal(words, [[0, 255, 255, 0, 88]])  # AP_TRN, AP_WRAP as in the IP


@pytest.mark.parametrize("stream_dtype", ["float32", "fixed"])
def test_both_streams_carry_the_training_inputs(stream_dtype: str) -> None:
    """At 0.01 (not a power of two) the words hold exactly the float32 inputs of training: the fixed path used
    to scale in float64 and packed other values than the float path and the model saw."""
    adc = np.arange(256, dtype=np.float32).reshape(1, -1)
    x = scale_inputs(adc, 0.01)
    t = parse_fixed("ap_ufixed<31,2>")  # input_type_for_adc(0.01): every scaled count exact
    codec = StreamCodec(stream_dtype, t, parse_fixed("ap_fixed<16,6>"), input_scale=0.01)
    words = np.empty(adc.shape, codec.in_word)
    assert codec.encode_into(adc, words) == 0
    if stream_dtype == "float32":
        np.testing.assert_array_equal(words, x)
    else:
        np.testing.assert_array_equal(words, np.ldexp(x.astype(np.float64), 29).astype(np.uint32))


def test_fixed_stream_refuses_a_type_wider_than_a_lane() -> None:
    with pytest.raises(ValueError, match=r"1\.\.32 bits"):
        StreamCodec("fixed", parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<40,8>"), 1 / 256)
    StreamCodec("float32", parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<40,8>"), 1 / 256)  # float words
