"""What one AXI-Stream word carries, both ways: hit maps → input words, output words → raw outputs.

hls4ml's VivadoAccelerator wrapper and fpgaflow's Vitis-route top (:mod:`fpgaflow_board.wire_format`) stream
either ``float`` words (the default: the IP casts each to ``input_t`` = the manifest's ``input_precision``) or
fixed-point words of ``input_t``/``result_t`` directly.  The manifest's ``stream_dtype`` selects: ``"float32"``
(4 bytes per word) or ``"fixed"`` (``input_precision``/``output_precision`` bits per word, rounded up to an
8/16/32-bit lane).

Either way the ADC counts are scaled by :func:`fpgaflow_board.scaling.scale_inputs` (float32, as in
training) and the driver counts the network inputs that ``input_precision`` cannot hold: inside the IP the
float → ``ap_ufixed<8,0>`` cast wraps (AP_WRAP) such values silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.fixed_point import FixedType, pack, parse_fixed, quantize, unpack
from fpgaflow_board.manifest import Manifest
from fpgaflow_board.scaling import scale_inputs

STREAM_DTYPES = ("float32", "fixed")


@dataclass(frozen=True)
class StreamCodec:
    """Encodes ``n_in`` network inputs per map into words and decodes ``n_out`` raw outputs per map."""

    stream_dtype: str
    input_type: FixedType
    output_type: FixedType
    input_scale: float

    def __post_init__(self) -> None:
        if self.stream_dtype not in STREAM_DTYPES:
            raise ValueError(f"unknown stream_dtype {self.stream_dtype!r}; expected one of {STREAM_DTYPES}")
        if self.stream_dtype == "fixed":
            self.input_type.lane_bits, self.output_type.lane_bits  # noqa: B018 - each word must fit one lane

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> StreamCodec:
        return cls(
            stream_dtype=manifest.stream_dtype,
            input_type=parse_fixed(manifest.input_precision),
            output_type=parse_fixed(manifest.output_precision),
            input_scale=float(manifest.input_scale),
        )

    @property
    def in_word(self) -> np.dtype[Any]:
        return np.dtype(np.float32) if self.stream_dtype == "float32" else self.input_type.lane_dtype

    @property
    def out_word(self) -> np.dtype[Any]:
        return np.dtype(np.float32) if self.stream_dtype == "float32" else self.output_type.lane_dtype

    def encode_into(self, adc: npt.NDArray[np.floating[Any]], out: npt.NDArray[Any]) -> int:
        """Write the words for ADC maps ``adc`` (n, n_in) into ``out`` (n, n_in); return out-of-range count."""
        if self.stream_dtype == "float32":
            scale_inputs(adc, self.input_scale, out=out)
            fmt = self.input_type
            if fmt.rounding != "TRN":
                return quantize(out, fmt)[1]
            # Truncation keeps v in range iff min <= v < max + LSB; two reductions, counted only if needed.
            lo, hi = fmt.min_value, fmt.max_value + fmt.lsb
            if out.size == 0 or (out.min() >= lo and out.max() < hi):
                return 0
            return int(np.count_nonzero(out < lo) + np.count_nonzero(out >= hi))
        packed = pack(scale_inputs(adc, self.input_scale), self.input_type)
        out[...] = packed.words
        return packed.n_overflow

    def decode(self, words: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        """Raw outputs as a new float32 array (fixed-point outputs ≤ 24 bits are exact in float32)."""
        if self.stream_dtype == "float32":
            return np.array(words, dtype=np.float32, copy=True)
        return unpack(words, self.output_type).astype(np.float32)
