"""Search architectures: train each candidate briefly, fit it to the board, rank by validation accuracy within
budget (what ``fpgaflow search`` does).

Every candidate (:func:`~fpgaflow.archsearch.candidates.enumerate_architectures`) is trained the same brief way on
the same maps (:func:`fpgaflow.train.trainer.train_classifier`), then fitted (:func:`fpgaflow.fit.fit_model`):
hls4ml conversions of the reuse/strategy points, the analytical estimate of each against the budget, and the
bit-exact emulator's accuracy on the validation maps.  A candidate's row is the design fit chose for it; a
candidate with no design in budget keeps its most accurate point, marked ``does not fit``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.archsearch.candidates import Architecture, enumerate_architectures
from fpgaflow.archsearch.config import ArchSearchConfig
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.errors import FpgaflowError
from fpgaflow.fit.errors import FitError
from fpgaflow.fit.search import FitPoint, fit_model
from fpgaflow.train.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)

#: Calibration maps (training maps) profiled to size each candidate's result types.
CALIBRATION_MAPS = 1000


@dataclass(frozen=True)
class ArchRow:
    """One trained and fitted candidate.  ``accuracy``: the bit-exact emulator's on the validation maps for the
    design fit chose (``keras_accuracy``: QKeras' on the same maps); ``lut``/``ff``/``dsp``/``bram18``: that
    design's estimate (post-implementation, shell included), ``utilisation`` the largest share of the board of
    the four; ``verdict``: the budget verdict over the estimate's whole range; ``design``: the fit point's label;
    ``error``: why the candidate has no design (an architecture that cannot be built or converted)."""

    label: str
    n_parameters: int
    sparsity: float
    accuracy: float | None
    keras_accuracy: float | None
    verdict: str
    lut: float
    ff: float
    dsp: float
    bram18: float
    utilisation: float
    maps_per_s: float
    design: str
    train_seconds: float
    error: str = ""

    @property
    def fits(self) -> bool:
        return self.verdict == "fits"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rank(rows: list[ArchRow]) -> list[ArchRow]:
    """Designs that fit first, by validation accuracy (higher first), then fewer LUTs; then the rest alike."""
    return sorted(rows, key=lambda r: (not r.fits, r.accuracy is None, -(r.accuracy or 0.0), r.lut))


def _row(arch: Architecture, model: Any, point: FitPoint, keras_acc: float, seconds: float, sparsity: float) -> ArchRow:
    r = point.resources
    return ArchRow(
        arch.label,
        int(model.count_params()),
        sparsity,
        point.accuracy,
        keras_acc,
        point.verdict,
        r["lut"],
        r["ff"],
        r["dsp"],
        r["bram18"],
        max(point.utilisation.values()),
        point.maps_per_s,
        point.label,
        seconds,
    )


def _failed(arch: Architecture, error: str, seconds: float) -> ArchRow:
    nan = float("nan")
    return ArchRow(arch.label, 0, 0.0, None, None, "not evaluated", nan, nan, nan, nan, nan, 0.0, "", seconds, error)


@dataclass(frozen=True)
class BaseRun:
    """What the search varies around and trains with: a run's ``model``, ``prune``, ``train`` and ``augment``
    sections (``fpgaflow search RUN`` takes them from the run's recorded config)."""

    model: ModelConfig
    prune: PruneConfig
    train: TrainConfig
    augment: AugmentConfig


def search_architectures(
    train: HitMapSet, val: HitMapSet, run: BaseRun, cfg: ArchSearchConfig, work: Path
) -> list[ArchRow]:
    """Every candidate of ``cfg`` around ``run``'s model trained on ``train`` (first ``cfg.train_maps``), fitted
    and scored on ``val`` (first ``cfg.val_maps``); the rows in :func:`rank` order.  ``work`` holds the
    temporary hls4ml projects."""
    from fpgaflow.convert.hls import split_output_activation
    from fpgaflow.modelio import load_model, save_model
    from fpgaflow.modelio.input_layout import model_inputs
    from fpgaflow.train.trainer import train_classifier

    train, val = (
        train.subset(np.arange(min(cfg.train_maps, len(train)))),
        val.subset(np.arange(min(cfg.val_maps, len(val)))),
    )
    train_cfg = replace(run.train, epochs=cfg.epochs, float_pretrain_epochs=cfg.float_pretrain_epochs, seed=cfg.seed)
    scale = run.model.input_scale
    rows: list[ArchRow] = []
    candidates = enumerate_architectures(run.model, run.prune, cfg)
    log.info(
        "search: %d candidate architectures, %d training / %d validation maps", len(candidates), len(train), len(val)
    )
    for i, arch in enumerate(candidates):
        t0 = time.perf_counter()
        try:
            trained = train_classifier(train, val, arch.model, train_cfg, arch.prune, run.augment)
        except (ValueError, FpgaflowError) as exc:  # e.g. a pooling larger than the map the convolutions leave
            rows.append(_failed(arch, f"cannot train: {exc}".splitlines()[0], time.perf_counter() - t0))
            log.warning("search: %s: %s", arch.label, rows[-1].error)
            continue
        seconds = time.perf_counter() - t0
        # saved and read back as every stage reads a trained model (the pruning-stripped graph re-wired)
        (work / f"cand{i}").mkdir(parents=True, exist_ok=True)
        model = load_model(save_model(trained.model, work / f"cand{i}" / "model.h5", scale))
        shape = tuple(model.input_shape[1:])
        x_val = model_inputs(val.maps, scale, shape)
        x_cal = model_inputs(train.maps[:CALIBRATION_MAPS], scale, shape)
        logit, _ = split_output_activation(model)
        keras_acc = float(np.mean((np.asarray(logit.predict(x_val, verbose=0))[:, 0] >= 0) == (val.labels == 1)))
        floor_missed = ""
        try:
            result = fit_model(model, cfg.fit, work / f"cand{i}" / "fit", x_val, val.labels, x_cal, input_scale=scale)
            point = result.chosen
        except FitError as exc:
            if not exc.points:
                rows.append(_failed(arch, str(exc).splitlines()[0], seconds))
                continue
            # no design in budget, or none above the throughput floor: the most accurate point, marked as such
            point = max(exc.points, key=lambda p: (p.accuracy or 0.0, -p.resources["lut"]))
            if point.fits and point.maps_per_s < cfg.fit.min_maps_per_s:
                floor_missed = f"below the {cfg.fit.min_maps_per_s:,.0f} maps/s floor"
        except FpgaflowError as exc:  # a layer the converter or the emulator does not take
            rows.append(_failed(arch, str(exc).splitlines()[0], seconds))
            continue
        row = _row(arch, model, point, keras_acc, seconds, trained.sparsity)
        rows.append(replace(row, verdict=floor_missed) if floor_missed else row)
        r = rows[-1]
        log.info(
            "search: %s: %d parameters, validation accuracy %.2f %% (%s), LUT %.0f, %s",
            arch.label,
            r.n_parameters,
            100 * (r.accuracy or 0.0),
            r.design,
            r.lut,
            r.verdict,
        )
    return rank(rows)
