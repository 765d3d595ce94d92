"""The record of fpgaflow's AXI-Stream top function in a Vitis-route project: ``fpgaflow_axis.json``.

:mod:`fpgaflow.convert.write_axis_wrapper` writes the C++ and this record side by side; the build
(``vars.tcl``: top function, DMA stream widths), the emulator (what the wire carries) and the board bundle
(the manifest's ``stream_dtype``) read the record instead of parsing C++.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.errors import StepError
from fpgaflow_board import design_names
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import FixedType, parse_fixed
from fpgaflow_board.wire_format import WireFormat

#: File name of the record, beside hls4ml's ``project.tcl``.
AXIS_RECORD = "fpgaflow_axis.json"
RECORD_VERSION = 1


@dataclass(frozen=True)
class AxisWrapper:
    """fpgaflow's AXI-Stream top function around an hls4ml ``io_stream`` network.

    ``n_in``/``n_out``: network inputs/outputs per map (``input_t``/``result_t`` elements);
    ``input_type``/``output_type``: the element types inside the IP (``input_t::value_type``,
    ``result_t::value_type``); ``wire``: what the AXI-Stream words carry; ``input_scale``: ADC count →
    network input (the ``adc8`` wire's table, :func:`fpgaflow_board.packing.adc_table`).
    """

    project_name: str
    n_in: int
    n_out: int
    input_type: FixedType
    output_type: FixedType
    wire: WireFormat
    input_scale: float = 1.0

    def __post_init__(self) -> None:
        self.in_word_bits  # noqa: B018 - a word width the DMA can stream
        self.wire.input_words(self.n_in)

    @property
    def top(self) -> str:
        """The HLS top function, ``<project>_axi`` like hls4ml's wrapper (same IP VLNV, same block design)."""
        return self.project_name + design_names.HLS_TOP_SUFFIX

    @property
    def in_word_bits(self) -> int:
        """TDATA bits of the input stream (the DMA's MM2S stream width)."""
        return self.wire.input_word_bits(self.input_type)

    @property
    def out_word_bits(self) -> int:
        """TDATA bits of the output stream (the DMA's S2MM stream width)."""
        return self.wire.output_word_bits(self.output_type)

    @property
    def in_words(self) -> int:
        """Input words per map."""
        return self.wire.input_words(self.n_in)

    @property
    def out_words(self) -> int:
        """Output words per map (one output lane per word)."""
        return self.n_out

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_version": RECORD_VERSION,
            "project_name": self.project_name,
            "top": self.top,
            "n_in": self.n_in,
            "n_out": self.n_out,
            "input_type": self.input_type.hls(),
            "output_type": self.output_type.hls(),
            "wire": self.wire.to_dict(),
            "input_scale": self.input_scale,
            "in_word_bits": self.in_word_bits,
            "out_word_bits": self.out_word_bits,
            "in_port": design_names.NETWORK_IN_PORT,
            "out_port": design_names.NETWORK_OUT_PORT,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> AxisWrapper:
        if data.get("record_version") != RECORD_VERSION:
            raise StepError(f"{source}: record_version {data.get('record_version')!r}, expected {RECORD_VERSION}")
        try:
            record = cls(
                project_name=str(data["project_name"]),
                n_in=int(data["n_in"]),
                n_out=int(data["n_out"]),
                input_type=parse_fixed(str(data["input_type"])),
                output_type=parse_fixed(str(data["output_type"])),
                wire=WireFormat.from_dict(dict(data["wire"]), source),
                input_scale=float(data["input_scale"]),
            )
        except KeyError as exc:
            raise StepError(f"{source}: missing key {exc}") from None
        except (ValueError, FixedPointError) as exc:
            raise StepError(f"{source}: {exc}") from None
        for key in ("top", "in_word_bits", "out_word_bits"):
            if data.get(key) != getattr(record, key):
                raise StepError(
                    f"{source}: {key} {data.get(key)!r} disagrees with the record's {getattr(record, key)!r}"
                )
        return record


def read_axis_wrapper(project_dir: Path) -> AxisWrapper | None:
    """The record of ``project_dir`` (``None`` when the project has no fpgaflow AXI-Stream top)."""
    path = Path(project_dir) / AXIS_RECORD
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StepError(f"{path}: not valid JSON ({exc})") from None
    return AxisWrapper.from_dict(data, str(path))
