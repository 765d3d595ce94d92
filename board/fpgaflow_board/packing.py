"""Packed 8-bit input (issue 20): raw ADC counts, several per AXI-Stream word, in space-to-depth order.

A pixel detector reads out 8-bit charge (ADC 0–255).  Instead of one float32 network input per 32-bit word,
the driver sends the raw counts as ``uint8`` lanes, ``inputs_per_word`` per word (4 per 32-bit word, 8 per
64-bit word); the IP turns each count into ``input_t`` through a 256-entry table (:func:`adc_codes`, the
quantisation of :func:`fpgaflow_board.scaling.scale_inputs` — the same bits the float32 path gives).

**Space-to-depth by wire layout.**  A network trained on ``(rows / by, cols / bx, by · bx)`` maps takes one
``by × bx`` block of the detector map per ``io_stream`` beat: hls4ml streams pixels row by row with the channels
of a pixel in one beat, so when a word (or two) carries a whole block, the first layer consumes ``by · bx``
detector pixels per clock.  No hardware reorders anything: the driver writes the counts in block order
(:func:`space_to_depth`, the same helper the training data goes through), channel ``c = dy · bx + dx`` of
block ``(r, q)`` holding pixel ``(r · by + dy, q · bx + dx)`` — TensorFlow's ``tf.nn.space_to_depth`` order
for square blocks.

Pure numpy: this module runs on the PYNQ-Z2.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.fixed_point import FixedType, quantize, to_float
from fpgaflow_board.scaling import scale_inputs

log = logging.getLogger(__name__)

#: Bits of one packed ADC lane, and the counts one lane carries (0..255).
ADC_LANE_BITS = 8
ADC_LEVELS = 1 << ADC_LANE_BITS
#: ADC lanes per word the DMA can stream (8..64-bit words).
ADC_LANES_PER_WORD = (1, 2, 4, 8)


@dataclass(frozen=True)
class InputPacking:
    """How hit maps become input words: the manifest's ``input_packing``.

    ``inputs_per_word``: network inputs per AXI-Stream word (1: one per word, as hls4ml's wrapper);
    ``block``: the space-to-depth block (rows, cols) the network's input was trained on ((1, 1): none).
    """

    inputs_per_word: int = 1
    block: tuple[int, int] = (1, 1)

    def __post_init__(self) -> None:
        if self.inputs_per_word not in ADC_LANES_PER_WORD:
            raise ValueError(f"inputs_per_word must be one of {ADC_LANES_PER_WORD}, got {self.inputs_per_word}")
        if len(self.block) != 2 or min(self.block) < 1:
            raise ValueError(f"space-to-depth block must be two sizes >= 1, got {self.block}")

    def to_dict(self) -> dict[str, Any]:
        return {"inputs_per_word": self.inputs_per_word, "block": list(self.block)}

    @classmethod
    def from_dict(cls, data: Any, source: str = "input_packing") -> InputPacking:
        """The packing a manifest records; ``ValueError`` (one line naming ``source`` and the value) if bad."""
        try:
            if not isinstance(data, dict) or set(data) != {"inputs_per_word", "block"}:
                raise ValueError("expected {'inputs_per_word': 1, 2, 4 or 8, 'block': [rows, cols]}")
            block, lanes = data["block"], data["inputs_per_word"]
            if not isinstance(block, list | tuple) or len(block) != 2 or not all(_is_int(v) for v in block):
                raise ValueError(f"block {block!r} is not [rows, cols]")
            if not _is_int(lanes):
                raise ValueError(f"inputs_per_word must be one of {ADC_LANES_PER_WORD}, got {lanes!r}")
            return cls(inputs_per_word=lanes, block=(block[0], block[1]))
        except ValueError as exc:
            raise ValueError(f"{source} {data!r}: {exc}") from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def space_to_depth(maps: npt.NDArray[Any], block: tuple[int, int]) -> npt.NDArray[Any]:
    """``(n, rows, cols[, ch])`` → ``(n, rows/by, cols/bx, by·bx·ch)``, channel ``(dy·bx + dx)·ch + c``.

    A view-free copy in the input's dtype; ``block == (1, 1)`` adds only the channel axis if missing.
    Raises ``ValueError`` when the map does not split into whole blocks.
    """
    a = np.asarray(maps)
    if a.ndim == 3:
        a = a[..., np.newaxis]
    if a.ndim != 4:
        raise ValueError(f"hit maps must be (n, rows, cols[, channels]), got shape {np.shape(maps)}")
    n, rows, cols, ch = a.shape
    by, bx = block
    if rows % by or cols % bx:
        raise ValueError(f"a {rows}x{cols} map does not split into whole {by}x{bx} blocks")
    blocks = a.reshape(n, rows // by, by, cols // bx, bx, ch).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(blocks).reshape(n, rows // by, cols // bx, by * bx * ch)


def depth_to_space(maps: npt.NDArray[Any], block: tuple[int, int], channels: int = 1) -> npt.NDArray[Any]:
    """The inverse of :func:`space_to_depth`: ``(n, R, C, by·bx·ch)`` → ``(n, R·by, C·bx, ch)``."""
    a = np.asarray(maps)
    n, rows, cols, depth = a.shape
    by, bx = block
    if depth != by * bx * channels:
        raise ValueError(f"{depth} channels are not {by}x{bx} blocks of {channels} channel(s)")
    blocks = a.reshape(n, rows, cols, by, bx, channels).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(blocks).reshape(n, rows * by, cols * bx, channels)


@dataclass(frozen=True)
class AdcTable:
    """The IP's ADC → ``input_t`` table: ``codes[adc]`` the ``input_t`` code of each count 0..255
    (``input_t(float32(adc × scale))``, what the float32 wire gives the IP), ``values`` their real values
    (float32, exact for ``input_t`` ≤ 24 bits), ``out_of_range[adc]`` True where ``input_t`` cannot hold the
    scaled count (wrapped or saturated as its overflow mode says, on every path alike)."""

    codes: npt.NDArray[np.int64]
    values: npt.NDArray[np.float32]
    out_of_range: npt.NDArray[np.bool_]

    @property
    def is_identity(self) -> bool:
        """True when the code is the count itself (e.g. scale 1/256 into ``ap_ufixed<8,0>``): the IP then
        copies the lane into ``input_t``'s low bits instead of reading a table."""
        return bool(np.array_equal(self.codes, np.arange(ADC_LEVELS)))


def adc_table(input_scale: float, input_type: FixedType) -> AdcTable:
    """The table for ``input_scale`` (:func:`fpgaflow_board.scaling.scale_inputs`) and ``input_type``."""
    scaled = scale_inputs(np.arange(ADC_LEVELS), input_scale)
    codes, _ = quantize(scaled, input_type)
    # The same quantisation without the overflow step: a type with room for every scaled count (signed, one
    # integer bit above the largest count's and input_t's).
    integer = max(input_type.integer, int(np.ceil(np.log2(float(scaled.max()) + 1.0)))) + 2
    roomy = replace(input_type, width=input_type.fractional + integer, integer=integer, signed=True, overflow="WRAP")
    unbounded, _ = quantize(scaled, roomy)
    values = to_float(codes, input_type).astype(np.float32)
    return AdcTable(codes=codes, values=values, out_of_range=unbounded != codes)


#: Float maps are checked and cast in chunks of whole maps of about this many values (1 MiB of float32, 16
#: maps of 128 × 128): the chunk's values, their uint8 casts and the check stay in the CPU's cache between the
#: passes, so the maps are read from memory once (much smaller chunks pay more in numpy's per-call overhead
#: than they gain; the whole batch at once goes through memory once per pass).
CHUNK_VALUES = 1 << 18


def pack_adc(maps: npt.NDArray[Any], block: tuple[int, int], out: npt.NDArray[Any]) -> int:
    """Write ADC maps ``(n, rows, cols[, ch])`` into the word buffer ``out`` (n rows of words, any unsigned
    word dtype, C-contiguous) as uint8 lanes in space-to-depth order; return how many values are not an
    integer count 0..255 (they are clipped into 0..255 and truncated, so the hardware never sees a wrapped
    count, and the first is logged: which map, which pixel, which value).  Lane ``k`` of word ``w`` is network
    input ``w · lanes + k`` (little-endian words).

    Maps go through in chunks of whole maps (:data:`CHUNK_VALUES`).  uint8 maps are only reordered; any other
    chunk is cast to uint8, cast back and compared with itself (exact: a value survives the round trip only if it
    is an integer 0..255; NaN never does), then reordered while its counts are still in the cache.
    """
    a = np.asarray(maps)
    if a.ndim == 3:
        a = a[..., np.newaxis]
    n, rows, cols, ch = a.shape
    by, bx = block
    if rows % by or cols % bx:
        raise ValueError(f"a {rows}x{cols} map does not split into whole {by}x{bx} blocks")
    lanes = out.reshape(out.shape[0], -1).view(np.uint8)
    if lanes.shape != (n, rows * cols * ch):
        raise ValueError(f"word buffer holds {lanes.shape} lanes, the maps need {(n, rows * cols * ch)}")
    if a.dtype == np.uint8:  # counts already: only reordered, in one pass per block row
        _place(np.ascontiguousarray(a), block, lanes, compose=False)
        return 0
    step = max(1, CHUNK_VALUES // (rows * cols * ch))
    counts = np.empty((min(step, n), rows, cols, ch), np.uint8)
    back, same = np.empty(counts.shape, a.dtype), np.empty(counts.shape, np.bool_)
    n_bad, first_bad = 0, None
    for start in range(0, n, step):
        x = a[start : start + step]
        k = x.shape[0]
        c, e = counts[:k], same[:k]
        with np.errstate(invalid="ignore", over="ignore"):
            np.copyto(c, x, casting="unsafe")
        np.copyto(back[:k], c)
        np.equal(back[:k], x, out=e)
        if not e.all():
            bad = e.size - int(np.count_nonzero(e))
            if first_bad is None:
                at = tuple(int(v) for v in np.unravel_index(int(np.argmin(e)), e.shape))
                first_bad = (start + at[0], at[1], at[2], at[3], float(x[at]))
            n_bad += bad
            np.copyto(c, np.nan_to_num(np.clip(x, 0, ADC_LEVELS - 1), nan=0.0), casting="unsafe")
        _place(c, block, lanes[start : start + k], compose=True)
    if first_bad is not None:
        where, r, q, z, value = first_bad
        log.warning(
            "map %d, pixel (row %d, col %d%s): %r is not an integer ADC count 0..255; %d such value(s) in this "
            "batch were clipped into 0..255 and truncated for the 8-bit wire",
            where,
            r,
            q,
            f", channel {z}" if ch > 1 else "",
            value,
            n_bad,
        )
    return n_bad


def _place(counts: npt.NDArray[np.uint8], block: tuple[int, int], lanes: npt.NDArray[np.uint8], compose: bool) -> None:
    """Copy contiguous uint8 maps ``(n, rows, cols, ch)`` into ``lanes`` ``(n, rows·cols·ch)`` in block order.

    Each of the ``by`` rows of a block is a run of ``bx · ch`` bytes, moved as one 1/2/4/8-byte unit: ``by``
    strided copies.  With ``compose`` (a chunk that sits in the cache), a block that fits one 2/4/8-byte word is
    instead built from its rows' units by shifts and ORs (little-endian: row ``dy`` lands in bytes
    ``[dy·unit, (dy+1)·unit)``), which is faster in the cache and slower from memory (the word is written twice).
    """
    n, rows, cols, ch = counts.shape
    by, bx = block
    unit = bx * ch
    if (by, bx) == (1, 1):
        lanes[...] = counts.reshape(n, -1)
    elif unit in (1, 2, 4, 8):
        runs = counts.reshape(n, rows // by, by, cols // bx, unit).view(f"u{unit}")[..., 0]
        if compose and by * unit in (2, 4, 8) and np.little_endian:
            word = lanes.view(f"u{by * unit}").reshape(n, rows // by, cols // bx)
            np.left_shift(runs[:, :, by - 1, :], 8 * unit * (by - 1), out=word, dtype=word.dtype)
            for dy in range(by - 2, -1, -1):
                row = runs[:, :, dy, :]
                np.bitwise_or(word, np.left_shift(row, 8 * unit * dy, dtype=word.dtype) if dy else row, out=word)
            return
        dest = lanes.view(f"u{unit}").reshape(n, rows // by, cols // bx, by)
        for dy in range(by):
            dest[..., dy] = runs[:, :, dy, :]
    else:
        blocks = counts.reshape(n, rows // by, by, cols // bx, bx, ch).transpose(0, 1, 3, 2, 4, 5)
        np.copyto(lanes.reshape(n, rows // by, cols // bx, by, bx, ch), blocks)


def unpack_adc(words: npt.NDArray[Any], n_in: int) -> npt.NDArray[np.uint8]:
    """Input words ``(n, words)`` → the ADC lanes ``(n, n_in)`` they carry (network input order)."""
    w = np.ascontiguousarray(words)
    return w.reshape(w.shape[0], -1).view(np.uint8).reshape(w.shape[0], n_in)


def word_dtype(inputs_per_word: int) -> np.dtype[Any]:
    """The numpy word of ``inputs_per_word`` 8-bit lanes (uint8 .. uint64)."""
    return np.dtype(f"uint{ADC_LANE_BITS * inputs_per_word}")
