"""The bit-exact emulator of a converted hls4ml design: ``hls_model.predict`` answers at numpy speed.

The C simulation hls4ml compiles runs this chain for each map:

* the bridge (``myproject_bridge.cpp``) takes float or double maps;
* VivadoAccelerator: ``myproject_axi`` stores each value in the AXI word's C type (``float`` on the
  PYNQ-Z2: a double input is rounded to float32 first) and casts it to ``input_t``; fpgaflow's own top on the
  Vitis route does the same with float32 lanes (``fpgaflow_axis.json`` says which); plain Vivado casts
  the float/double straight to ``input_t``;
* every layer in exact fixed-point arithmetic (see :mod:`fpgaflow.emulate.layers`);
* ``result_t`` to the AXI word (``float``) and back to the caller's dtype.

:class:`Emulator` replays the same chain on whole batches in numpy integers.  Maps are processed in
batches, so memory stays bounded for any number of maps.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from fpgaflow.convert.axis_wrapper import read_axis_wrapper
from fpgaflow.emulate import layers as L
from fpgaflow.emulate.errors import UnemulatedLayerError
from fpgaflow.emulate.fold import FoldedConv, plan_folds
from fpgaflow.emulate.fuse import run_layers
from fpgaflow.errors import DataError
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import FixedType, FloatArray, IntArray, from_float, to_float

log = logging.getLogger(__name__)

#: hls4ml layer classes modelled for io_stream only (their io_parallel kernels differ: im2col, in-layer padding)
STREAM_ONLY = (
    "Conv1D",
    "Conv2D",
    "Conv2DBatchnorm",
    "Pooling1D",
    "Pooling2D",
    "GlobalPooling1D",
    "GlobalPooling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
)
#: hls4ml backends whose designs are modelled (their C++ computes the same values: tests/test_layer_identity.py)
BACKENDS = ("Vivado", "VivadoAccelerator", "Vitis")
#: elements the largest intermediate of one batch may hold (2 M: 8 MiB of float32 codes, 16 MiB of int64) unless
#: batch_size is given; batches that stay in the caches run the im2col copies and products ~2x faster than 32 MiB
_BATCH_ELEMENTS = 1 << 21


@functools.cache
def _blas_controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with the host extra
        return None
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """numpy's BLAS on one thread (process-wide, until the context exits): each batch thread's products are small
    (the flagship's 3 x 3 convs: 25,088 x 72 by 72 x 8), and OpenBLAS threads inside them oversubscribe the cores
    the batch threads already use (flagship, OMP_NUM_THREADS=2, two batch threads: 2,273 maps/s with BLAS threads,
    3,754 without)."""
    controller = _blas_controller()
    if controller is None:  # pragma: no cover
        return nullcontext()
    limit: AbstractContextManager[object] = controller.limit(limits=1, user_api="blas")
    return limit


@dataclass
class Emulator:
    """A chain of exact layer models plus the bridge's float handling.

    ``axi_word``: C type of the AXI-stream word of a VivadoAccelerator design (``"float"`` or
    ``"double"``) or of a Vitis design with float32 lanes (``"float"``), ``None`` for a design whose bridge casts
    the caller's values directly (plain Vivado; Vitis without fpgaflow's top or with fixed lanes).
    """

    layers: list[L.Layer]
    input_shape: tuple[int, ...]
    axi_word: str | None = "float"
    #: pool convolution sums before their monotone casts where exact (see fpgaflow.emulate.fuse), and fold each
    #: convolution's casts into one rounding and clip on float32 sums where that is checked exact
    #: (fpgaflow.emulate.fold)
    fuse: bool = True
    _folds: tuple[list[FoldedConv], int] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_hls_model(cls, hls_model: Any) -> Emulator:
        """Build from a converted (not necessarily compiled) hls4ml ModelGraph."""
        from fpgaflow.emulate.from_hls import build_layer

        io_type = str(hls_model.config.get_config_value("IOType"))
        backend = str(hls_model.config.backend.name)
        axi_word: str | None = None
        if backend == "VivadoAccelerator":
            prec = hls_model.config.get_config_value("AcceleratorConfig")["Precision"]
            if prec.get("Input", "float") not in ("float", "double") or prec.get("Output", "float") not in (
                "float",
                "double",
            ):
                raise UnemulatedLayerError(
                    f"VivadoAccelerator AXI word types {prec} are not modelled (float/double only)"
                )
            if prec.get("Input", "float") != prec.get("Output", "float"):
                raise UnemulatedLayerError(f"VivadoAccelerator AXI input/output word types differ: {prec}")
            axi_word = str(prec.get("Input", "float"))
        elif backend == "Vitis":
            # fpgaflow's AXI-Stream top (fpgaflow.convert.write_axis_wrapper): float32 lanes are cast like the
            # accelerator's float words; fixed lanes carry input_t/result_t codes, i.e. the network alone.
            axis = read_axis_wrapper(Path(hls_model.config.get_output_dir()))
            axi_word = "float" if axis is not None and axis.wire.element == "float32" else None
        elif backend not in BACKENDS:
            raise UnemulatedLayerError(f"backend {backend!r} is not modelled ({', '.join(BACKENDS)})")
        hls_layers = list(hls_model.get_layers())
        if len(hls_model.get_input_variables()) != 1 or len(hls_model.get_output_variables()) != 1:
            raise UnemulatedLayerError("only single-input, single-output models are emulated")
        layers: list[L.Layer] = []
        prev_out: str | None = None
        in_type = FixedType(16, 6)
        for hl in hls_layers:
            if io_type != "io_stream" and hl.class_name in STREAM_ONLY:
                raise UnemulatedLayerError(
                    f"layer {hl.name!r}: {hl.class_name} is modelled for io_stream only, not {io_type}"
                )
            if prev_out is not None and list(hl.inputs) != [prev_out]:
                raise UnemulatedLayerError(
                    f"layer {hl.name!r}: inputs {list(hl.inputs)} - only sequential chains are emulated"
                )
            layer = build_layer(hl, in_type)
            layers.append(layer)
            in_type = layer.out_type
            prev_out = hl.outputs[0]
        input_shape = tuple(int(s) for s in hls_model.get_input_variables()[0].shape)
        return cls(layers, input_shape, axi_word)

    # ----------------------------------------------------------------------------------------------
    @property
    def output_type(self) -> FixedType:
        """``result_t`` of the design."""
        return self.layers[-1].out_type

    def default_batch_size(self) -> int:
        """Maps per batch so that the largest intermediate (im2col windows included) holds ~2 M elements."""
        biggest = int(np.prod(self.input_shape))
        for layer in self.layers:
            n = int(np.prod(layer.out_shape))
            if isinstance(layer, L.Conv2D):
                n = n // layer.mac.w.shape[1] * layer.mac.w.shape[0]  # the im2col matrix
            biggest = max(biggest, n)
        return max(1, min(1024, _BATCH_ELEMENTS // biggest))

    @overload
    def quantise_input(self, x: npt.ArrayLike, float_codes: Literal[False] = False) -> IntArray: ...
    @overload
    def quantise_input(self, x: npt.ArrayLike, float_codes: bool) -> IntArray | FloatArray: ...
    def quantise_input(self, x: npt.ArrayLike, float_codes: bool = False) -> IntArray | FloatArray:
        """The bridge's conversion of caller values to ``input_t`` codes (int64, or exact float codes
        with ``float_codes``)."""
        arr = np.asarray(x)
        if self.axi_word == "float" or arr.dtype == np.float32:
            vals = arr.astype(np.float32, copy=False)
        else:
            vals = arr.astype(np.float64, copy=False)
        try:
            return from_float(vals, self.layers[0].out_type, float_codes=float_codes)
        except FixedPointError:
            bad = np.argwhere(~np.isfinite(vals.reshape(vals.shape[0], -1)))[0]
            raise DataError(
                f"map {int(bad[0])} holds a NaN or infinite value; the fixed-point input has none"
            ) from None

    def _reshape(self, x: npt.ArrayLike) -> npt.NDArray[Any]:
        arr = np.asarray(x)
        size = int(np.prod(self.input_shape))
        if arr.size % size:
            from fpgaflow.errors import DataError

            raise DataError(f"input of shape {arr.shape} is not a whole number of maps of shape {self.input_shape}")
        return arr.reshape(-1, *self.input_shape)

    @property
    def folded_stages(self) -> list[FoldedConv]:
        """The convolutions (from the first layer on) whose casts run folded on float32 sums in :meth:`predict`
        (:mod:`fpgaflow.emulate.fold`); empty when the first one does not fold or ``fuse`` is off."""
        if not self.fuse:
            return []
        if self._folds is None:
            self._folds = plan_folds(self.layers)
        return self._folds[0]

    @property
    def first_unfolded_layer(self) -> int:
        """Index in :attr:`layers` of the first layer the folded stages do not cover (0 when none fold)."""
        _ = self.folded_stages
        return self._folds[1] if self._folds is not None else 0

    def _run(self, x: npt.NDArray[Any], keep: bool) -> tuple[IntArray, dict[str, npt.NDArray[np.float64]]]:
        trace: dict[str, npt.NDArray[np.float64]] = {}
        if not keep and self.fuse:
            q = self.quantise_input(x, float_codes=True)
            stages = self.folded_stages
            if not stages or q.dtype.kind != "f":  # no fold, or an input cast overflowed: codes are int64
                return run_layers(self.layers, q), trace
            codes = np.ascontiguousarray(q, dtype=np.float32)
            for stage in stages:
                codes = stage.run(codes)
            return run_layers(self.layers[self.first_unfolded_layer :], codes), trace
        q = self.quantise_input(x)
        for layer in self.layers:
            q = layer.run(q)
            if keep:
                trace[layer.name] = to_float(q, layer.out_type)
        return q, trace

    def _to_caller(self, q: IntArray, dtype: np.dtype[np.floating[Any]]) -> npt.NDArray[np.floating[Any]]:
        vals = to_float(q, self.output_type).reshape(q.shape[0], -1)
        if self.axi_word == "float" or dtype == np.float32:
            vals = vals.astype(np.float32)
        return vals.astype(dtype)

    def batches(
        self, x: npt.ArrayLike, batch_size: int | None = None, threads: int | None = None
    ) -> Iterator[npt.NDArray[np.floating[Any]]]:
        """Outputs batch by batch (each (batch, n_out)), in order, for streaming very large map sets.

        ``threads`` batches run concurrently (numpy releases the GIL in its kernels); default: one per CPU core,
        at most 4, as Keras' own thread pool takes every core.  numpy's BLAS runs one thread while batches are
        computed (:func:`one_blas_thread`), so ``threads`` is the number of cores used.  Peak memory grows with it.
        """
        arr = self._reshape(x)
        dtype = np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)
        bs = batch_size or self.default_batch_size()
        _ = self.folded_stages  # planned once, before the batch threads start
        n_threads = threads or max(1, min(4, os.cpu_count() or 1))
        starts = range(0, arr.shape[0], bs)

        def one(start: int) -> npt.NDArray[np.floating[Any]]:
            q, _ = self._run(arr[start : start + bs], keep=False)
            return self._to_caller(q, dtype)

        with one_blas_thread():
            if n_threads <= 1 or len(starts) <= 1:
                for start in starts:
                    yield one(start)
                return
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                pending: list[Future[npt.NDArray[np.floating[Any]]]] = []
                for start in starts:
                    pending.append(pool.submit(one, start))
                    if len(pending) > n_threads:
                        yield pending.pop(0).result()
                for fut in pending:
                    yield fut.result()

    def predict(
        self, x: npt.ArrayLike, batch_size: int | None = None, threads: int | None = None
    ) -> npt.NDArray[np.floating[Any]]:
        """What ``hls_model.predict(x)`` returns, always as (n_maps, n_out): float32 for float32 input,
        float64 otherwise (hls4ml squeezes a single map to 1-D; this does not)."""
        parts = list(self.batches(x, batch_size, threads))
        if not parts:
            return np.zeros((0, int(np.prod(self.layers[-1].out_shape))), np.float32)
        return np.concatenate(parts)

    def trace(self, x: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
        """Exact value of every layer's output, keyed by hls4ml layer name, shape (n_maps, *layer shape)."""
        arr = self._reshape(x)
        _, trace = self._run(arr, keep=True)
        return {
            name: v.reshape(arr.shape[0], *layer.out_shape)
            for (name, v), layer in zip(trace.items(), self.layers, strict=True)
        }
