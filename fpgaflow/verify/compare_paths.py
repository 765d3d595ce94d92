"""Verify a converted design on a test set: float twin vs QKeras vs the hardware path, plus a layer trace.

Each number in the resulting :class:`VerifyReport` names the path that produced it: ``float`` (TensorFlow,
quantisers removed), ``qkeras`` (TensorFlow), ``csim`` (hls4ml C simulation, ``processes`` processes) or
``emulator`` (fpgaflow.emulate), and ``trace`` (a tracing C-sim build on a sample).  On the Vitis route,
``axis_top`` runs fpgaflow's AXI-Stream top function (its host C simulation, on the bytes the DMA would move)
on every map and compares its output words with the hardware path bit for bit, and its TLAST/TKEEP with
the DMA contract.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.convert.axis_csim import AxisCheck
from fpgaflow.errors import StepError
from fpgaflow.verify.compare import ScoreComparison, compare_scores
from fpgaflow.verify.config import VerifyConfig
from fpgaflow.verify.overflow import RangeCount
from fpgaflow.verify.trace import TraceResult
from fpgaflow_board.scores import apply_output_activation

log = logging.getLogger(__name__)


@dataclass
class VerifyReport:
    """The verification's numbers.  ``raw``: per path, the outputs the FPGA would send (the logit when
    the sigmoid is applied off-chip); ``comparisons``: name → :class:`ScoreComparison` of class decisions and
    score differences; ``paths``: what produced each path's numbers."""

    n_maps: int
    output_activation: str
    paths: dict[str, str]
    accuracy: dict[str, float]
    comparisons: dict[str, ScoreComparison]
    hw_bit_exact_fraction: float
    hw_maps_per_second: float | None
    passed: bool
    min_agreement: float
    trace: TraceResult | None = None
    ranges: tuple[RangeCount, ...] = ()
    axis_top: AxisCheck | None = None
    raw: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    scores: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def expected_outputs(self) -> dict[str, np.ndarray]:
        """What the board must reproduce: QKeras and hardware-path scores (``keras``, ``csim``) and raw outputs
        (``keras_raw``, ``csim_raw``: the logits, first output) on the verified maps."""
        return {
            "keras": self.scores["qkeras"],
            "csim": self.scores["hw"],
            "keras_raw": self.raw["qkeras"][:, 0].reshape(-1),
            "csim_raw": self.raw["hw"][:, 0].reshape(-1),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_maps": self.n_maps,
            "output_activation": self.output_activation,
            "paths": self.paths,
            "accuracy": self.accuracy,
            "comparisons": {k: v.to_dict() for k, v in self.comparisons.items()},
            "hw_bit_exact_fraction": self.hw_bit_exact_fraction,
            "hw_maps_per_second": self.hw_maps_per_second,
            "min_agreement": self.min_agreement,
            "passed": self.passed,
            "trace": self.trace.to_dict() if self.trace else None,
            "ranges": [r.to_dict() for r in self.ranges],
            "axis_top": self.axis_top.to_dict() if self.axis_top else None,
        }


def _hardware_outputs(
    project_dir: Path, library: Path, n_in: int, n_out: int, project: str, x: np.ndarray, cfg: VerifyConfig
) -> tuple[np.ndarray, str, float]:
    from fpgaflow.verify.csim_pool import predict_csim

    t0 = time.perf_counter()
    use_emulator = cfg.backend == "emulator" or (cfg.backend == "auto" and len(x) > cfg.auto_emulator_above)
    if use_emulator:
        from fpgaflow.emulate.project import load_emulator

        out = np.asarray(load_emulator(project_dir).predict(x), dtype=np.float32).reshape(len(x), -1)
        elapsed = time.perf_counter() - t0
        # The C simulation confirms the emulator on a sample: identity is the contract, not a hope.
        k = min(len(x), cfg.emulator_check_maps)
        ref, _ = predict_csim(library, n_in, n_out, project, x[:k], cfg.workers)
        differ = np.flatnonzero(np.any(ref.reshape(k, -1) != out[:k], axis=1))
        if differ.size:
            raise StepError(
                f"emulator and C simulation differ on {differ.size} of {k} maps (first: map {differ[0]}); "
                "run `fpgaflow emulate PROJECT --check-csim N` to find the first differing layer, "
                "or set verify.backend: csim"
            )
        return out, f"emulator (fpgaflow.emulate; C simulation identical on the first {k} maps)", elapsed
    out, procs = predict_csim(library, n_in, n_out, project, x, cfg.workers)
    return out, f"C simulation ({library.name}, {procs} process{'es' if procs > 1 else ''})", time.perf_counter() - t0


def _check_axis_top(project_dir: Path, library: Path, x: np.ndarray, hw: np.ndarray) -> AxisCheck | None:
    """fpgaflow's AXI-Stream top (Vitis route) against the hardware path; ``None`` for other projects."""
    from fpgaflow.convert.axis_csim import AxisCSim
    from fpgaflow.convert.axis_wrapper import read_axis_wrapper

    record = read_axis_wrapper(project_dir)
    if record is None:
        return None
    check = AxisCSim(library, record).check(x, hw)
    log_fn = log.info if check.passed else log.error
    log_fn(
        "verify: AXI-Stream top %s on %d maps: bit-exact %.4f, TLAST %s, TKEEP/TSTRB %s",
        record.top,
        check.n_maps,
        check.bit_exact,
        "as the DMA expects" if check.tlast_ok else "WRONG",
        "all ones" if check.keep_ok else "WRONG",
    )
    return check


def verify_design(
    model: Any,
    project_dir: Path,
    x: np.ndarray,
    labels: np.ndarray,
    cfg: VerifyConfig,
    library: Path | None = None,
) -> VerifyReport:
    """Verify the design in ``project_dir`` (written by ``fpgaflow convert``/``run``) against ``model``.

    ``model``: the trained Keras model (a final sigmoid is split off as in conversion); ``x``: test maps in
    network units; ``library``: the relocatable C-sim ``.so`` (default ``firmware/<project>_csim.so``).
    """
    from fpgaflow.convert.hls import load_pinned_config, split_output_activation

    pinned = load_pinned_config(project_dir)
    name = pinned.project_name
    library = library or Path(project_dir) / "firmware" / f"{name}_csim.so"
    deployed, activation = split_output_activation(model)
    n_in, n_out = int(np.prod(deployed.input_shape[1:])), int(np.prod(deployed.output_shape[1:]))
    n = len(x) if cfg.max_csim_maps == 0 else min(len(x), cfg.max_csim_maps)
    x, labels = x[:n], np.asarray(labels)[:n]

    raw: dict[str, np.ndarray] = {}
    paths: dict[str, str] = {"qkeras": "TensorFlow (QKeras model)"}
    raw["qkeras"] = np.asarray(deployed.predict(x, batch_size=1024, verbose=0), np.float32).reshape(n, -1)
    if cfg.float_twin:
        from fpgaflow.verify.float_twin import float_twin

        raw["float"] = np.asarray(float_twin(deployed).predict(x, batch_size=1024, verbose=0), np.float32)
        raw["float"] = raw["float"].reshape(n, -1)
        paths["float"] = "TensorFlow (float twin: quantizers removed)"
    hw, paths["hw"], dt = _hardware_outputs(Path(project_dir), library, n_in, n_out, name, x, cfg)
    raw["hw"] = hw.reshape(n, -1)

    scores = {k: apply_output_activation(v[:, 0], activation) for k, v in raw.items()}
    comparisons = {"qkeras_vs_hw": compare_scores(scores["qkeras"], scores["hw"], labels)}
    if "float" in scores:
        comparisons["float_vs_qkeras"] = compare_scores(scores["float"], scores["qkeras"], labels)
    accuracy = {k: float(np.mean((s >= 0.5) == (labels == 1))) for k, s in scores.items()}
    hw_exact = float(np.mean(raw["qkeras"] == raw["hw"]))

    trace = None
    if cfg.trace_maps:
        from fpgaflow.verify.trace import trace_design

        m = min(cfg.trace_maps, n)
        paths["trace"] = f"tracing C-simulation build on the first {m} maps"
        trace = trace_design(deployed, pinned, x[:m], raw["hw"][:m])
    axis_top = _check_axis_top(Path(project_dir), library, x, raw["hw"])
    if axis_top is not None:
        paths["axis_top"] = (
            f"AXI-Stream top {name}_axi (host C simulation on DMA bytes, transfers of "
            f"{axis_top.maps_per_transfer} maps) vs the hw path"
        )
    from fpgaflow.convert.hls import plan
    from fpgaflow.verify.overflow import count_out_of_range

    paths["ranges"] = f"TensorFlow (QKeras) values vs the planned types, all {n} maps"
    ranges = count_out_of_range(deployed, plan(deployed, pinned, None)[1], x)
    agreement = comparisons["qkeras_vs_hw"].agreement
    report = VerifyReport(
        n_maps=n,
        output_activation=activation,
        paths=paths,
        accuracy=accuracy,
        comparisons=comparisons,
        hw_bit_exact_fraction=hw_exact,
        hw_maps_per_second=n / dt if dt > 0 else None,
        passed=agreement >= cfg.min_agreement and (axis_top is None or axis_top.passed),
        min_agreement=cfg.min_agreement,
        trace=trace,
        ranges=ranges,
        axis_top=axis_top,
        raw=raw,
        scores=scores,
    )
    log.info(
        "verify: %d maps, accuracy %s, QKeras↔hw agreement %.4f, bit-exact %.4f",
        n,
        {k: round(v, 4) for k, v in accuracy.items()},
        agreement,
        hw_exact,
    )
    return report
