"""The AXI-Stream wire format between the DMA and the network IP: one value per design, shared by the
C++ top function fpgaflow generates (Vitis route), the Vivado block design (the DMA's stream widths) and
the board driver (the manifest's ``stream_dtype``).

A map of ``n_in`` network inputs travels as ``n_in / inputs_per_word`` input words; each word carries
``inputs_per_word`` lanes, lane ``k`` in TDATA bits ``[k·L, k·L + L)`` (little-endian: the DMA moves the
bytes of the host buffer in address order, so a host array of lanes *is* the word stream).  A lane is

* ``float32``: an IEEE single; the IP casts it to ``input_t`` exactly as hls4ml's bridge does
  (``input_t(float)``), and writes ``float(result_t)`` back.  One lane per 32-bit word.  This is
  hls4ml's VivadoAccelerator default, so the driver and notebook are the same for both routes.
* ``fixed``: the raw bits of ``input_t``/``result_t`` (W-bit two's complement code, zero-padded to an 8/16/32-bit
  lane, :attr:`FixedType.lane_bits`); the driver quantises on the host.
* ``adc8`` (input only, issue 20): the raw 8-bit ADC count; the IP maps it to ``input_t`` through a 256-entry
  table, the quantisation of ``adc × input_scale`` (:func:`fpgaflow_board.packing.adc_codes`), so the network sees
  the same ``input_t`` as on the float32 wire.  4 lanes per 32-bit word, 8 per 64-bit word; outputs travel as
  ``fixed`` lanes of ``result_t``.

TLAST: the IP ORs the TLAST of a map's input words and sets TLAST on that map's last output word iff it
was set, i.e. on the last output word of each DMA transfer (the DMA's MM2S raises TLAST on the last word of a
transfer), so one S2MM transfer receives a whole batch.  Output words carry one lane each; TKEEP/TSTRB
are all ones.

Pure Python (standard library + the fixed-point type): this module runs on the PYNQ-Z2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from fpgaflow_board.fixed_point import FixedType
from fpgaflow_board.packing import ADC_LANE_BITS

WireElement = Literal["float32", "fixed", "adc8"]
WIRE_ELEMENTS: tuple[str, ...] = get_args(WireElement)
#: Widths (bits) one AXI-Stream word may have: what the AXI DMA streams and the PYNQ-Z2's HP port carries.
WORD_BITS = (8, 16, 32, 64)
#: Lanes per input word the generated C++ unpacks (1 = one value per word, as hls4ml's wrapper).
INPUTS_PER_WORD = (1, 2, 4, 8)


@dataclass(frozen=True)
class WireFormat:
    """What one AXI-Stream word carries (see the module docstring).

    ``element``: ``float32``, ``fixed`` or ``adc8`` (the manifest's ``stream_dtype``; outputs of an ``adc8``
    design travel as ``fixed``);
    ``inputs_per_word``: input lanes packed into one word (issue 20's packed 8-bit input: 4 or 8 ``adc8`` lanes).
    """

    element: WireElement = "float32"
    inputs_per_word: int = 1

    def __post_init__(self) -> None:
        if self.element not in WIRE_ELEMENTS:
            raise ValueError(f"wire element must be one of {WIRE_ELEMENTS}, got {self.element!r}")
        if self.inputs_per_word not in INPUTS_PER_WORD:
            raise ValueError(f"inputs_per_word must be one of {INPUTS_PER_WORD}, got {self.inputs_per_word}")
        if self.element == "float32" and self.inputs_per_word != 1:
            raise ValueError("float32 lanes fill a 32-bit word: inputs_per_word must be 1 (pack fixed lanes instead)")

    @property
    def stream_dtype(self) -> str:
        """The manifest's ``stream_dtype`` (the one field naming the wire element, filled by both routes)."""
        return self.element

    def input_lane_bits(self, input_type: FixedType) -> int:
        """Bits of one input lane: 32 for float32, 8 for adc8, ``input_type``'s 8/16/32-bit lane for fixed."""
        if self.element == "adc8":
            return ADC_LANE_BITS
        return 32 if self.element == "float32" else input_type.lane_bits

    def output_lane_bits(self, output_type: FixedType) -> int:
        """Bits of one output lane (= one output word)."""
        return 32 if self.element == "float32" else output_type.lane_bits

    def input_word_bits(self, input_type: FixedType) -> int:
        """TDATA width of the input stream; raises ``ValueError`` beyond the DMA's 64 bits."""
        bits = self.input_lane_bits(input_type) * self.inputs_per_word
        if bits not in WORD_BITS:
            raise ValueError(
                f"{self.inputs_per_word} lanes of {self.input_lane_bits(input_type)} bits make a {bits}-bit word; "
                f"the PYNQ-Z2's DMA streams {list(WORD_BITS)} bits"
            )
        return bits

    def output_word_bits(self, output_type: FixedType) -> int:
        """TDATA width of the output stream."""
        return self.output_lane_bits(output_type)

    def input_words(self, n_in: int) -> int:
        """Input words per map; raises ``ValueError`` when ``n_in`` does not fill whole words."""
        if n_in % self.inputs_per_word:
            raise ValueError(f"{n_in} inputs per map do not fill whole words of {self.inputs_per_word} lanes")
        return n_in // self.inputs_per_word

    def to_dict(self) -> dict[str, Any]:
        return {"element": self.element, "inputs_per_word": self.inputs_per_word}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "wire format") -> WireFormat:
        keys = {"element", "inputs_per_word"}
        if set(data) != keys:
            raise ValueError(f"{source}: wire-format keys {sorted(data)}, expected {sorted(keys)}")
        try:
            return cls(element=data["element"], inputs_per_word=int(data["inputs_per_word"]))
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
