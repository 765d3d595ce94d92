"""One call: every baseline family fitted on training maps, its best member chosen on validation maps,
everything measured on the test maps — :func:`evaluate_baselines`."""

from __future__ import annotations

import logging
import time

import numpy as np

from fpgaflow.baselines.base import Baseline
from fpgaflow.baselines.config import BaselineConfig
from fpgaflow.baselines.cuts import CUT_VARIABLES, AnyPixel, SingleCut
from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample, prepare
from fpgaflow.baselines.shape_table import ClusterShapeTable
from fpgaflow.baselines.table import BaselineResult, BaselineTable, measure
from fpgaflow.baselines.tree import MapTree, TreeSettings
from fpgaflow.baselines.two_stage import ClusterStage, TwoStage
from fpgaflow.errors import DataError
from fpgaflow.metrics import accuracy, roc_auc

log = logging.getLogger(__name__)

#: The two tree settings the ``tree`` family tries (the validation maps pick one).
TREE_MEMBERS: tuple[TreeSettings, ...] = (
    TreeSettings(max_iter=200, learning_rate=0.1, max_leaf_nodes=15),
    TreeSettings(max_iter=400, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40, l2=1.0),
)


#: Bins of the shape table's module-position axis (module row or column) for maps that carry their position.
POSITION_BINS = 4


def members(cfg: BaselineConfig, with_truth: bool = False, with_positions: bool = False) -> list[Baseline]:
    """Every member of the configured families (two-stage on truth labels only ``with_truth``; shape tables
    with a module-position axis only ``with_positions``, beside those without)."""
    out: list[Baseline] = []
    if "any_pixel" in cfg.families:
        out.append(AnyPixel())
    if "single_cut" in cfg.families:
        out += [SingleCut(v) for v in CUT_VARIABLES]
    if "shape_table" in cfg.families:
        out += [ClusterShapeTable(q, c) for q in (1, 4, 8, 16) for c in ("max", "likelihood")]
        if with_positions:
            out += [
                ClusterShapeTable(q, c, POSITION_BINS, axis)
                for axis in ("row", "col")
                for q in (4, 8, 16)
                for c in ("max", "likelihood")
            ]
    if "tree" in cfg.families:
        out += [MapTree(s, cfg.seed) for s in TREE_MEMBERS]
    if "two_stage" in cfg.families:
        for source in ("inherited", "truth") if with_truth else ("inherited",):
            stage = ClusterStage(source, seed=cfg.seed)
            out += [TwoStage(stage, c, cfg.seed) for c in ("max", "learned")]
    return out


def _holdout(labels: Array, fraction: float, seed: int) -> tuple[Array, Array]:
    """Stratified (fit, validation) map indices, each increasing."""
    rng = np.random.default_rng([seed, 2])
    val = [rng.permutation(np.flatnonzero(labels == c))[: round(fraction * int(np.sum(labels == c)))] for c in (0, 1)]
    is_val = np.zeros(labels.size, bool)
    is_val[np.concatenate(val)] = True
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def evaluate_baselines(
    train_maps: Array,
    train_labels: Array,
    test_maps: Array,
    test_labels: Array,
    val_maps: Array | None = None,
    val_labels: Array | None = None,
    train_cluster_labels: Array | None = None,
    cfg: BaselineConfig | None = None,
    positions: tuple[Array, Array | None, Array] | None = None,
) -> BaselineTable:
    """Fit every baseline on the training maps, pick each family's best on the validation maps (or on a
    held-out part of the training maps), and measure them all on the test maps.

    Maps are ``(n, rows, cols[, 1])`` ADC counts, labels 1 = particle.  ``train_cluster_labels``: per-cluster
    truth of the training maps in :func:`~fpgaflow.data.clusters.find_clusters` order, which adds the
    two-stage member trained on truth.  ``positions``: the module positions ``(n, 2)`` of the training,
    validation (``None`` without validation maps) and test maps (``HitMapSet.positions``, cluster stamps carry
    them): features of the trees and an axis of extra shape-table members.  The test maps are used only after
    every choice is made.
    """
    cfg = BaselineConfig() if cfg is None else cfg
    if (val_maps is None) != (val_labels is None):
        raise DataError("validation maps and validation labels go together: pass both or neither")
    p_train, p_val, p_test = (None, None, None) if positions is None else positions
    if positions is not None and (p_val is None) != (val_maps is None):
        raise DataError("module positions: give the validation maps' positions exactly when validation maps are given")
    t0 = time.perf_counter()
    train = prepare(train_maps, train_labels, train_cluster_labels, p_train)
    test = prepare(test_maps, test_labels, positions=p_test)
    if val_maps is not None and val_labels is not None:
        fit_on, val, how = train, prepare(val_maps, val_labels, positions=p_val), "given"
    else:
        fit_idx, val_idx = _holdout(train.labels, cfg.validation_fraction, cfg.seed)
        fit_on, val = train.subset(fit_idx), train.subset(val_idx)
        how = f"{cfg.validation_fraction:.0%} of the training maps held out"
    log.info(
        "baselines: clustered %d + %d + %d maps in %.1f s",
        train.n_maps,
        val.n_maps,
        test.n_maps,
        time.perf_counter() - t0,
    )
    chosen = members(cfg, with_truth=train.cluster_labels is not None, with_positions=positions is not None)
    results = [_run(b, fit_on, val, test, cfg) for b in chosen]
    return BaselineTable(
        results=tuple(results),
        test_labels=test.labels,
        n_train=fit_on.n_maps,
        n_val=val.n_maps,
        validation=how,
        confidence=cfg.confidence,
        n_boot=cfg.n_bootstrap,
        seed=cfg.seed,
    )


def _run(b: Baseline, train: MapSample, val: MapSample, test: MapSample, cfg: BaselineConfig) -> BaselineResult:
    t = time.perf_counter()
    b.fit(train)
    val_scores = b.score(val)
    val_accuracy = accuracy(val.labels, val_scores, b.cut)
    val_auc = roc_auc(val.labels, val_scores)
    scores = b.score(test)
    seconds = time.perf_counter() - t
    log.info("baseline %s: validation accuracy %.4f (%.1f s)", b.name, val_accuracy, seconds)
    return measure(
        b.family,
        b.name,
        b.working_point(),
        b.cut,
        val_accuracy,
        val_auc,
        test.labels,
        scores,
        cfg.efficiencies,
        cfg.confidence,
        cfg.n_bootstrap,
        cfg.seed,
        seconds,
    )
