"""The PYNQ-Z2 overlay driver: classify hit maps with the network IP behind an AXI DMA.

``HitMapClassifier`` is the same code on a board and on the simulated board; only the ``pynq``
namespace differs (the real module, or :attr:`SimulatedBoard.pynq`).  Compared with hls4ml's
``axi_stream_driver.py`` it passes every ``Overlay`` argument through, checks the design at start-up,
keeps contiguous buffers per batch size instead of per call, never hands out the DMA buffer, packs
fixed-point words itself, splits transfers under the length register, overlaps packing the next batch
with the running transfer, and bounds every wait with a timeout that decodes the DMA status registers.

After a timeout or a DMA error the network IP's state is unknown: it may hold half a map or results nobody
collected, and the DMA's soft reset does not reach it (the network is reset by the fabric reset, not by
the DMA).  The driver then refuses further transfers until :meth:`HitMapClassifier.recover`, which resets
the network through the block design's reset GPIO together with the DMA, or — in a design without one,
such as hls4ml's — reloads the overlay, and says which it did.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board import design_names as names
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.design import Design, find_design
from fpgaflow_board.dma import Chunk, DmaLink, split_transfers
from fpgaflow_board.errors import DesignMismatchError, DmaTimeoutError
from fpgaflow_board.manifest import Manifest
from fpgaflow_board.results import BatchResult, Classification
from fpgaflow_board.scores import apply_output_activation, classify
from fpgaflow_board.sources import MapSource, as_batch, iter_batches

log = logging.getLogger(__name__)


class _Slot:
    """One input and one output contiguous buffer for up to ``capacity`` maps."""

    def __init__(self, pynq: Any, capacity: int, n_in: int, n_out: int, codec: StreamCodec) -> None:
        self.capacity = capacity
        self.inp = pynq.allocate(shape=(capacity, codec.input_words(n_in)), dtype=codec.in_word)
        self.out = pynq.allocate(shape=(capacity, n_out), dtype=codec.out_word)
        # Plain-ndarray views of the same memory: numpy on an ndarray subclass (PynqBuffer) pays for
        # __array_finalize__ on every temporary; the DMA still gets the buffers themselves.
        self.inp_np = self.inp.view(np.ndarray)
        self.out_np = self.out.view(np.ndarray)

    def free(self) -> None:
        for buf in (self.inp, self.out):
            buf.freebuffer()


class HitMapClassifier:
    """Overlay + DMA driver for one fpgaflow design.

    ``bitfile`` and every keyword in ``overlay_kwargs`` go unchanged to ``pynq.Overlay`` (``download``,
    ``ignore_version``, ``device``, ``dtbo``...).  ``hwh`` defaults to the ``.hwh`` beside the bitstream.
    ``pynq`` is the namespace providing ``Overlay`` and ``allocate`` (default: ``import pynq``).
    ``timeout_s`` bounds each DMA wait.  At most ``max_cached_sizes`` batch sizes keep buffers.

    Returned types never change: raw outputs float32 ``(n, n_out)``, scores float64 ``(n,)`` (the output
    activation of the first output; the designs here have one), labels int8 ``(n,)``; always new arrays.
    """

    def __init__(
        self,
        bitfile: str | Path,
        manifest: Manifest,
        *,
        pynq: Any = None,
        hwh: str | Path | None = None,
        timeout_s: float = 2.0,
        max_cached_sizes: int = 4,
        **overlay_kwargs: Any,
    ) -> None:
        self._pynq = pynq if pynq is not None else importlib.import_module("pynq")
        #: True on the simulated board: timings are the host's, never the board's throughput.
        self.host_simulation = bool(getattr(self._pynq, "HOST_SIMULATION", False))
        self.manifest = manifest
        self.codec = StreamCodec.from_manifest(manifest)
        self.bitfile = str(bitfile)
        self._overlay_kwargs = dict(overlay_kwargs)
        self._hwh = Path(hwh) if hwh is not None else Path(bitfile).with_suffix(".hwh")
        self._timeout_s = timeout_s
        self._load_overlay(self._overlay_kwargs)
        self._in_bytes = self.codec.input_words(manifest.n_in) * self.codec.in_word.itemsize
        self._out_bytes = manifest.n_out * self.codec.out_word.itemsize
        self._chunk_cache: dict[int, list[Chunk]] = {}
        try:
            self._chunks(1)
        except ValueError as exc:
            raise DesignMismatchError(f"{self.design.dma_path}: {exc}") from None
        self._slots: OrderedDict[tuple[int, int], _Slot] = OrderedDict()
        self._max_cached = max(1, int(max_cached_sizes))
        self.allocations = 0  # contiguous buffer pairs allocated so far (tests check reuse)
        log.info(
            "design: DMA %s, network %s, length register %d bits (%d bytes per transfer)",
            self.design.dma_path,
            self.design.network_path,
            self.design.length_width,
            self.design.max_transfer_bytes,
        )

    # ------------------------------------------------------------------ set-up
    def _load_overlay(self, overlay_kwargs: dict[str, Any]) -> None:
        self.overlay = self._pynq.Overlay(self.bitfile, **overlay_kwargs)
        self.design: Design = find_design(self.overlay, self._hwh, self.manifest.project_name)
        self._check_stream_widths()
        self.dma = DmaLink(self.design.dma, self.design.max_transfer_bytes, self._timeout_s)

    def _check_stream_widths(self) -> None:
        need_in, need_out = self.codec.in_word.itemsize * 8, self.codec.out_word.itemsize * 8
        d = self.design
        if (d.mm2s_stream_bits, d.s2mm_stream_bits) != (need_in, need_out):
            raise DesignMismatchError(
                f"{d.dma_path}: stream widths MM2S {d.mm2s_stream_bits} / S2MM {d.s2mm_stream_bits} bits, but the "
                f"manifest's stream_dtype {self.codec.stream_dtype!r} needs {need_in} / {need_out} bits"
            )

    def _slot(self, capacity: int, index: int = 0) -> _Slot:
        key = (capacity, index)
        slot = self._slots.get(key)
        if slot is None:
            slot = _Slot(self._pynq, capacity, self.manifest.n_in, self.manifest.n_out, self.codec)
            self.allocations += 1
            self._slots[key] = slot
            sizes = list(dict.fromkeys(c for c, _ in self._slots))
            while len(sizes) > self._max_cached:
                evict = sizes.pop(0)
                for k in [k for k in self._slots if k[0] == evict]:
                    self._slots.pop(k).free()
        self._slots.move_to_end(key)
        return slot

    def close(self) -> None:
        """Free every contiguous buffer (the overlay stays loaded)."""
        while self._slots:
            self._slots.popitem()[1].free()

    def __enter__(self) -> HitMapClassifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def needs_recovery(self) -> bool:
        """True after a timeout or DMA error, until :meth:`recover`."""
        return self.dma.fault is not None

    def recover(self) -> str:
        """Bring the network IP and the DMA back to a known state after a timeout or DMA error.

        With the block design's network reset (fpgaflow's design): hold the network in reset, soft-reset the
        DMA, release the network, restart both channels (a few register writes).  Without one (hls4ml's design):
        reload the overlay, which reprograms the fabric and so resets everything (a bitstream download).
        If the DMA's soft reset does not complete, the overlay is reloaded too.  Contiguous buffers stay valid
        either way.  Returns (and logs) what was done.
        """
        cause = self.dma.fault
        reset, why = self.design.network_reset, "the design has no network reset"
        what: str | None = None
        if reset is not None:
            try:
                reset.write(names.GPIO_DATA, 0)
                self.dma.reset()  # clears the DMA link's fault
                reset.write(names.GPIO_DATA, 1)
            except DmaTimeoutError:
                why = "the DMA soft reset did not complete"
            else:
                path, dma = self.design.network_reset_path, self.design.dma_path
                what = f"reset the network IP through {path} and soft-reset the DMA {dma}"
        if what is None:
            self._load_overlay({**self._overlay_kwargs, "download": True})  # a new DMA link: no fault
            what = f"reloaded the overlay {self.bitfile} ({why})"
        log.warning("recovered%s: %s", f" after: {cause}" if cause else "", what)
        return what

    # ------------------------------------------------------------------ one batch
    def _encode(self, maps: npt.NDArray[Any], slot: _Slot) -> tuple[int, float]:
        t0 = time.perf_counter()
        n_bad = self.codec.encode_maps(maps, slot.inp_np[: maps.shape[0]])
        return n_bad, time.perf_counter() - t0

    def _chunks(self, n: int) -> list[Chunk]:
        chunks = self._chunk_cache.get(n)
        if chunks is None:
            align = max(self.design.mm2s_bytes, self.design.s2mm_bytes)
            chunks = split_transfers(n, self._in_bytes, self._out_bytes, self.design.max_transfer_bytes, align)
            if len(self._chunk_cache) < 64:
                self._chunk_cache[n] = chunks
        return chunks

    def _run(self, slot: _Slot, chunks: list[Chunk], started: bool) -> None:
        self.dma.check_ready()  # after a timeout or DMA error: RecoveryNeededError until recover()
        for i, chunk in enumerate(chunks):
            if i or not started:
                self.dma.start(slot.inp, slot.out, chunk, self._in_bytes, self._out_bytes)
            self.dma.finish(chunk, self._in_bytes, self._out_bytes)

    def _result(self, slot: _Slot, first: int, n: int, t_dev: float, enc: tuple[int, float]) -> BatchResult:
        t0 = time.perf_counter()
        raw = self.codec.decode(slot.out_np[:n])
        scores = apply_output_activation(raw[:, 0], self.manifest.output_activation)
        labels = classify(scores, self.manifest.threshold)
        return BatchResult(
            first=first,
            raw=raw,
            scores=scores,
            labels=labels,
            device_s=t_dev,
            encode_s=enc[1],
            decode_s=time.perf_counter() - t0,
            n_out_of_range=enc[0],
        )

    def predict_raw(self, maps: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """The IP's raw outputs for ``maps`` (one map or a batch, ADC counts): a new float32 (n, n_out)."""
        batch = as_batch(maps, self.manifest.input_shape)
        return self._one_batch(batch, 0).raw

    def _one_batch(self, batch: npt.NDArray[Any], first: int) -> BatchResult:
        n = batch.shape[0]
        slot = self._slot(n)
        enc = self._encode(batch, slot)
        t0 = time.perf_counter()
        self._run(slot, self._chunks(n), started=False)
        return self._result(slot, first, n, time.perf_counter() - t0, enc)

    # ------------------------------------------------------------------ streams
    def classify_stream(self, source: MapSource, batch_size: int = 256) -> Iterator[BatchResult]:
        """Results batch by batch for an array, ``.npz``/``.npy`` file, directory or iterable of maps.

        Two buffer slots alternate: while the DMA moves batch k, the host reads and packs batch k+1.
        """
        pending: tuple[_Slot, int, int, list[Chunk], float, tuple[int, float]] | None = None
        first = 0
        try:
            for k, batch in enumerate(iter_batches(source, self.manifest.input_shape, batch_size)):
                n = batch.shape[0]
                slot = self._slot(batch_size, k % 2)
                enc = self._encode(batch, slot)
                if pending is not None:
                    done, pending = pending, None
                    yield self._finish(done)
                chunks = self._chunks(n)
                t0 = time.perf_counter()
                self.dma.start(slot.inp, slot.out, chunks[0], self._in_bytes, self._out_bytes)
                pending = (slot, first, n, chunks, t0, enc)
                first += n
            if pending is not None:
                done, pending = pending, None
                yield self._finish(done)
        finally:
            # The source raised while a batch was in flight: leave the DMA idle (unless it already failed).
            if pending is not None and self.dma.fault is None:
                self._finish(pending)

    def _finish(self, pending: tuple[_Slot, int, int, list[Chunk], float, tuple[int, float]]) -> BatchResult:
        slot, first, n, chunks, t0, enc = pending
        self._run(slot, chunks, started=True)
        return self._result(slot, first, n, time.perf_counter() - t0, enc)

    def classify(self, source: MapSource, batch_size: int = 256) -> Classification:
        """All maps of ``source``: raw outputs, scores, labels and timing (see :mod:`fpgaflow_board.results`)."""
        t0 = time.perf_counter()
        batches = list(self.classify_stream(source, batch_size))
        return Classification.from_batches(
            batches, time.perf_counter() - t0, self.manifest.n_out, host_simulation=self.host_simulation
        )
