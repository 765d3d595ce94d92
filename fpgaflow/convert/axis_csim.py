"""Run fpgaflow's AXI-Stream top function in the host C simulation, on the bytes the DMA would move.

The project's C-simulation library (built by :func:`fpgaflow.convert.csim_build.build_csim_library`) holds,
on the Vitis route, ``<p>_axis`` from ``<p>_axi_bridge.cpp``: the generated top ``<p>_axi`` called once per
map on words assembled from a byte buffer, exactly as the AXI DMA's MM2S reads them from DDR (little-endian,
TLAST on the last word of each transfer).  Its output bytes are what S2MM writes back.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fpgaflow.convert.axis_wrapper import AxisWrapper
from fpgaflow.errors import StepError
from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.fixed_point import pack, unpack
from fpgaflow_board.packing import ADC_LEVELS
from fpgaflow_board.scaling import scale_inputs

#: ``out_side`` bits the bridge reports per output word.
SIDE_LAST, SIDE_KEEP, SIDE_STRB = 1, 2, 4


@dataclass(frozen=True)
class AxisRun:
    """What the top wrote for a run of maps: the output bytes (``n_maps × out_words × out_word_bits/8``) and,
    per output word, TLAST and whether TKEEP/TSTRB were all ones."""

    out_bytes: npt.NDArray[np.uint8]
    last: npt.NDArray[np.bool_]
    keep_all: npt.NDArray[np.bool_]
    strb_all: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class AxisCheck:
    """The top against the network's own outputs on ``n_maps`` maps sent in transfers of ``maps_per_transfer``:
    ``bit_exact``: fraction of maps whose output words equal the reference bit for bit; ``tlast_ok``: TLAST on
    exactly the last output word of each transfer; ``keep_ok``: TKEEP/TSTRB all ones on every word."""

    n_maps: int
    maps_per_transfer: int
    bit_exact: float
    tlast_ok: bool
    keep_ok: bool

    @property
    def passed(self) -> bool:
        return self.bit_exact == 1.0 and self.tlast_ok and self.keep_ok

    def to_dict(self) -> dict[str, object]:
        return {
            "n_maps": self.n_maps,
            "maps_per_transfer": self.maps_per_transfer,
            "bit_exact": self.bit_exact,
            "tlast_ok": self.tlast_ok,
            "keep_ok": self.keep_ok,
            "passed": self.passed,
        }


class AxisCSim:
    """The compiled top of one project: ``run(bytes, tlast)`` → :class:`AxisRun`."""

    def __init__(self, library: Path, record: AxisWrapper) -> None:
        self.record = record
        # Loads the weights once from beside the library (the network's first call), the safe way.
        self.network = CSimLibrary(library, record.n_in, record.n_out, record.project_name)
        handle = ctypes.CDLL(str(Path(library).resolve()))  # the same loaded object: weights already in
        try:
            fn = getattr(handle, f"{record.project_name}_axis")
        except AttributeError:
            raise StepError(
                f"{library}: no {record.project_name}_axis (built without {record.project_name}_axi_bridge.cpp?)"
            ) from None
        u8 = np.ctypeslib.ndpointer(dtype=np.uint8, ndim=1, flags="C_CONTIGUOUS")
        fn.argtypes = [u8, u8, ctypes.c_uint, u8, u8]
        fn.restype = ctypes.c_int
        self._fn = fn

    def run(self, in_bytes: npt.NDArray[np.uint8], tlast: npt.NDArray[np.bool_]) -> AxisRun:
        """Feed whole maps: ``in_bytes`` holds ``n_maps × in_words`` words, ``tlast`` one flag per word."""
        rec = self.record
        word_bytes = rec.in_word_bits // 8
        raw = np.ascontiguousarray(in_bytes, dtype=np.uint8).reshape(-1)
        per_map = rec.in_words * word_bytes
        if raw.size % per_map:
            raise ValueError(f"{raw.size} bytes are not whole maps of {rec.in_words} words x {word_bytes} bytes")
        n_maps = raw.size // per_map
        last = np.ascontiguousarray(tlast, dtype=np.uint8).reshape(-1)
        if last.size != n_maps * rec.in_words:
            raise ValueError(f"{last.size} TLAST flags for {n_maps * rec.in_words} input words")
        out = np.zeros(n_maps * rec.out_words * (rec.out_word_bits // 8), np.uint8)
        side = np.zeros(n_maps * rec.out_words, np.uint8)
        fault = int(self._fn(raw, last, n_maps, out, side))
        if fault:
            raise StepError(f"AXI-Stream top {rec.top}: a stream held leftover words after map {fault - 1}")
        return AxisRun(out, (side & SIDE_LAST) > 0, (side & SIDE_KEEP) > 0, (side & SIDE_STRB) > 0)

    def encode(self, x: npt.ArrayLike) -> npt.NDArray[np.uint8]:
        """Network inputs ``(n, n_in)`` → the input words' bytes as the driver lays them out in DDR: float32
        lanes as IEEE singles, fixed lanes as ``input_t`` codes, adc8 lanes as the ADC counts the inputs were
        scaled from (lane ``k`` of a word = element ``k``, little-endian).  Raises ``ValueError`` when adc8
        inputs are not ``scale_inputs`` of counts 0..255."""
        rec = self.record
        values = np.asarray(x, dtype=np.float32).reshape(-1, rec.n_in)
        if rec.wire.element == "float32":
            return np.ascontiguousarray(values).view(np.uint8).reshape(-1)
        if rec.wire.element == "adc8":
            counts = np.rint(values.astype(np.float64) / np.float32(rec.input_scale))
            if counts.size and (counts.min() < 0 or counts.max() >= ADC_LEVELS):
                raise ValueError(f"adc8 wire: inputs scale back to counts outside 0..{ADC_LEVELS - 1}")
            adc = counts.astype(np.uint8)
            if not np.array_equal(scale_inputs(adc, rec.input_scale).view(np.uint32), values.view(np.uint32)):
                raise ValueError(f"adc8 wire: the inputs are not ADC counts x {rec.input_scale}")
            return adc.reshape(-1)
        return np.ascontiguousarray(pack(values, rec.input_type).words).view(np.uint8).reshape(-1)

    def decode(self, run: AxisRun) -> npt.NDArray[np.float32]:
        """Output bytes → ``(n, n_out)`` float32 values (fixed outputs of ≤ 24 bits are exact in float32)."""
        rec = self.record
        if rec.wire.element == "float32":
            return run.out_bytes.view(np.float32).reshape(-1, rec.n_out).copy()
        lanes = run.out_bytes.view(rec.output_type.lane_dtype)
        return unpack(lanes, rec.output_type).astype(np.float32).reshape(-1, rec.n_out)

    def transfers(self, n_maps: int, maps_per_transfer: int) -> npt.NDArray[np.bool_]:
        """TLAST per input word when ``n_maps`` maps go out in DMA transfers of ``maps_per_transfer`` maps."""
        last = np.zeros((n_maps, self.record.in_words), bool)
        ends = np.minimum(np.arange(maps_per_transfer, n_maps + maps_per_transfer, maps_per_transfer), n_maps) - 1
        last[ends, -1] = True
        return last.reshape(-1)

    def check(self, x: npt.ArrayLike, reference: npt.ArrayLike, maps_per_transfer: int = 256) -> AxisCheck:
        """Run ``x`` (network inputs) through the top and compare with ``reference`` (the network's outputs for
        ``x``, e.g. the C simulation's) bit for bit, and the side channels with the DMA contract."""
        values = np.asarray(x, dtype=np.float32).reshape(-1, self.record.n_in)
        n = values.shape[0]
        run = self.run(self.encode(values), self.transfers(n, maps_per_transfer))
        got = self.decode(run)
        ref = np.asarray(reference, dtype=np.float32).reshape(n, -1)
        same = np.all(got.view(np.uint32) == ref.view(np.uint32), axis=1)
        out_last = run.last.reshape(n, self.record.out_words)
        want = self.transfers(n, maps_per_transfer).reshape(n, self.record.in_words)[:, -1]
        tlast_ok = bool(np.array_equal(out_last[:, -1], want) and not out_last[:, :-1].any())
        return AxisCheck(
            n_maps=n,
            maps_per_transfer=maps_per_transfer,
            bit_exact=float(np.mean(same)) if n else 1.0,
            tlast_ok=tlast_ok,
            keep_ok=bool(run.keep_all.all() and run.strb_all.all()),
        )
