"""What the driver hands back: per-batch results, a whole classification with timing, saved as ``.npz``.

Types, fixed for every call: ``raw`` float32 (n, n_out) = the IP's outputs (logits); ``scores``
float64 (n,) after the output activation; ``labels`` int8 (n,), 1 = particle.  Each is a new array that
the driver never touches again.  Times are seconds from ``time.perf_counter``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.atomic import write_npz
from fpgaflow_board.manifest import Manifest

RESULTS_FORMAT = 1


@dataclass(frozen=True)
class BatchResult:
    """One batch: ``first`` is the index of its first map in the stream.

    ``device_s``: from starting the DMA to both channels idle (transfer + network, plus any host time
    spent waiting); ``encode_s``/``decode_s``: host time packing inputs and unpacking outputs;
    ``n_out_of_range``: network inputs that the IP's input type cannot hold (wrapped in hardware).
    """

    first: int
    raw: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float64]
    labels: npt.NDArray[np.int8]
    device_s: float
    encode_s: float
    decode_s: float
    n_out_of_range: int

    @property
    def n(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class Timing:
    """Throughput of a run: ``wall_s`` from first batch in to last result out.

    ``host_simulation``: the maps ran through the simulated board (the C simulation on the host computer), so
    the speeds are the host's, not the PYNQ-Z2's; every printed speed says so.
    """

    n_maps: int
    wall_s: float
    batch_sizes: npt.NDArray[np.int64] = field(repr=False)
    device_s: npt.NDArray[np.float64] = field(repr=False)
    host_s: npt.NDArray[np.float64] = field(repr=False)
    host_simulation: bool = False

    @property
    def where(self) -> str:
        """``board``, or ``host simulation, not board throughput``: what the speeds measure."""
        return "host simulation, not board throughput" if self.host_simulation else "board"

    @property
    def maps_per_s(self) -> float:
        return self.n_maps / self.wall_s if self.wall_s > 0 else float("inf")

    def latency_ms(self, quantile: float = 0.5) -> float:
        """Per-batch device latency quantile in ms."""
        return float(np.quantile(self.device_s, quantile) * 1e3) if self.device_s.size else 0.0

    def summary(self) -> str:
        prefix = "HOST SIMULATION of the board (the C simulation on this computer, not the board's speed): "
        return (
            (prefix if self.host_simulation else "")
            + f"{self.n_maps} maps in {self.wall_s * 1e3:.1f} ms = {self.maps_per_s:,.0f} maps/s; "
            f"{self.batch_sizes.size} batches, latency per batch median {self.latency_ms(0.5):.3f} ms, "
            f"max {self.latency_ms(1.0):.3f} ms; host encode+decode {self.host_s.sum() * 1e3:.1f} ms"
        )


@dataclass(frozen=True)
class Classification:
    """All maps of a source: concatenated batch results plus timing."""

    raw: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float64]
    labels: npt.NDArray[np.int8]
    timing: Timing
    n_out_of_range: int

    @classmethod
    def from_batches(
        cls, batches: list[BatchResult], wall_s: float, n_out: int, host_simulation: bool = False
    ) -> Classification:
        def cat(arrs: list[npt.NDArray[Any]], dtype: type, shape: tuple[int, ...]) -> npt.NDArray[Any]:
            return np.concatenate(arrs) if arrs else np.zeros(shape, dtype)

        timing = Timing(
            n_maps=sum(b.n for b in batches),
            wall_s=wall_s,
            batch_sizes=np.array([b.n for b in batches], dtype=np.int64),
            device_s=np.array([b.device_s for b in batches]),
            host_s=np.array([b.encode_s + b.decode_s for b in batches]),
            host_simulation=host_simulation,
        )
        return cls(
            raw=cat([b.raw for b in batches], np.float32, (0, n_out)),
            scores=cat([b.scores for b in batches], np.float64, (0,)),
            labels=cat([b.labels for b in batches], np.int8, (0,)),
            timing=timing,
            n_out_of_range=sum(b.n_out_of_range for b in batches),
        )


def design_digest(manifest: Manifest) -> str:
    """What identifies the design a result belongs to: the SHA-256 of the bundle's expected outputs (the
    C simulation's and QKeras' outputs on the bundled test maps), as the manifest lists it; "" if unlisted."""
    return manifest.files.get(manifest.expected_outputs or "", "")


def save_results(path: str | Path, result: Classification, board: str, project_name: str, design: str = "") -> Path:
    """Write what ``fpgaflow check BUNDLE RESULTS`` reads (atomically: temp file, then rename).

    ``design``: :func:`design_digest` of the bundle run, so ``fpgaflow check`` can tell results of another
    design (even one with the same project name) from a failing board.
    """
    return write_npz(
        path,
        raw=result.raw,
        scores=result.scores,
        labels=result.labels,
        batch_sizes=result.timing.batch_sizes,
        device_s=result.timing.device_s,
        host_s=result.timing.host_s,
        wall_s=np.float64(result.timing.wall_s),
        host_simulation=np.bool_(result.timing.host_simulation),
        n_out_of_range=np.int64(result.n_out_of_range),
        board=np.str_(board),
        project_name=np.str_(project_name),
        design=np.str_(design),
        format=np.int64(RESULTS_FORMAT),
    )
