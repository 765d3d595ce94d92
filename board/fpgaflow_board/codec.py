"""What one AXI-Stream word carries, both ways: hit maps → input words, output words → raw outputs.

hls4ml's VivadoAccelerator wrapper and fpgaflow's Vitis-route top (:mod:`fpgaflow_board.wire_format`) stream
either ``float`` words (the default: the IP casts each to ``input_t`` = the manifest's ``input_precision``) or
fixed-point words of ``input_t``/``result_t`` directly.  The manifest's ``stream_dtype`` selects: ``"float32"``
(4 bytes per word), ``"fixed"`` (``input_precision``/``output_precision`` bits per word, rounded up to an
8/16/32-bit lane) or ``"adc8"`` (issue 20: raw 8-bit ADC counts in, ``fixed`` outputs back).  The manifest's
``input_packing`` (:class:`fpgaflow_board.packing.InputPacking`) says how many input lanes share a word and the
space-to-depth block the driver lays the counts out in.

Either way the ADC counts are scaled by :func:`fpgaflow_board.scaling.scale_inputs` (float32, as in
training) and the driver counts the network inputs that ``input_precision`` cannot hold: inside the IP the
float → ``ap_ufixed<8,0>`` cast wraps (AP_WRAP) such values silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.fixed_point import FixedType, pack, parse_fixed, quantize, unpack
from fpgaflow_board.manifest import Manifest
from fpgaflow_board.packing import AdcTable, InputPacking, adc_table, pack_adc, space_to_depth, unpack_adc, word_dtype
from fpgaflow_board.scaling import scale_inputs

STREAM_DTYPES = ("float32", "fixed", "adc8")


@dataclass(frozen=True)
class StreamCodec:
    """Encodes ``n_in`` network inputs per map into words and decodes ``n_out`` raw outputs per map.

    ``packing``: lanes per input word and the space-to-depth block (default: one input per word, none).
    """

    stream_dtype: str
    input_type: FixedType
    output_type: FixedType
    input_scale: float
    packing: InputPacking = field(default_factory=InputPacking)

    def __post_init__(self) -> None:
        if self.stream_dtype not in STREAM_DTYPES:
            raise ValueError(f"unknown stream_dtype {self.stream_dtype!r}; expected one of {STREAM_DTYPES}")
        if self.stream_dtype != "float32":
            self.input_type.lane_bits, self.output_type.lane_bits  # noqa: B018 - each word must fit one lane
        elif self.packing.inputs_per_word != 1:
            raise ValueError("float32 words carry one input each: input_packing.inputs_per_word must be 1")
        if self.stream_dtype == "fixed" and self.input_type.lane_bits * self.packing.inputs_per_word > 64:
            raise ValueError(f"{self.packing.inputs_per_word} lanes of {self.input_type} exceed a 64-bit word")

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> StreamCodec:
        return cls(
            stream_dtype=manifest.stream_dtype,
            input_type=parse_fixed(manifest.input_precision),
            output_type=parse_fixed(manifest.output_precision),
            input_scale=float(manifest.input_scale),
            packing=InputPacking.from_dict(dict(manifest.input_packing), "manifest input_packing"),
        )

    @property
    def in_word(self) -> np.dtype[Any]:
        """One input word: float32, or ``inputs_per_word`` lanes of 8 (adc8) or ``input_t``'s lane bits."""
        if self.stream_dtype == "float32":
            return np.dtype(np.float32)
        if self.stream_dtype == "adc8":
            return word_dtype(self.packing.inputs_per_word)
        return np.dtype(f"uint{self.input_type.lane_bits * self.packing.inputs_per_word}")

    @cached_property
    def adc_table(self) -> AdcTable:
        """The IP's ADC → ``input_t`` table (adc8 wire)."""
        return adc_table(self.input_scale, self.input_type)

    def input_words(self, n_in: int) -> int:
        """Input words per map of ``n_in`` network inputs."""
        if n_in % self.packing.inputs_per_word:
            raise ValueError(f"{n_in} inputs per map do not fill whole words of {self.packing.inputs_per_word}")
        return n_in // self.packing.inputs_per_word

    def encode_maps(self, maps: npt.NDArray[Any], out: npt.NDArray[Any]) -> int:
        """Write the words for ADC hit maps ``(n, rows, cols, ch)`` (the manifest's ``input_shape``; the network
        takes their space-to-depth when ``packing.block`` says so) into ``out`` (n, input words); return the count of
        values the wire cannot carry as the model saw them (out of ``input_t``'s range; for adc8 also counts
        that are not an integer 0..255, and those whose table entry overflowed)."""
        n = maps.shape[0]
        if self.stream_dtype == "adc8":
            n_bad = pack_adc(maps, self.packing.block, out)
            if self.adc_table.out_of_range.any():  # counts whose scaled value input_t cannot hold
                n_bad += int(np.count_nonzero(self.adc_table.out_of_range[unpack_adc(out[:n], maps[0].size)]))
            return n_bad
        values = maps if self.packing.block == (1, 1) else space_to_depth(maps, self.packing.block)
        flat = values.reshape(n, -1)
        if self.packing.inputs_per_word == 1:
            return self.encode_into(flat, out)
        return self.encode_into(flat, out.reshape(n, -1).view(self.input_type.lane_dtype))

    def input_values(self, words: npt.NDArray[Any], n_in: int) -> npt.NDArray[np.float32]:
        """What the IP's unpack stage hands the network for input words ``(n, words)``: ``(n, n_in)`` values of
        ``input_t`` as float32 (the simulated board feeds them to the network's C simulation)."""
        n = words.shape[0]
        if self.stream_dtype == "float32":
            return np.ascontiguousarray(words, dtype=np.float32).reshape(n, n_in)
        if self.stream_dtype == "adc8":
            return self.adc_table.values[unpack_adc(words, n_in)]
        lanes = np.ascontiguousarray(words).reshape(n, -1).view(self.input_type.lane_dtype).reshape(n, n_in)
        return unpack(lanes, self.input_type).astype(np.float32)

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
