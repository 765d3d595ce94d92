"""Physics task presets: the registry, `data.task` expansion under the strict config rules, the cluster
stamps of `cluster-bib`, and data hygiene (no split shares a simulated event; inputs do not give away how
the data were made)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import ks_2samp

from fpgaflow.config.strict import from_mapping
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import simulate_set
from fpgaflow.data.split import split_indices
from fpgaflow.data.stamps import SIGNAL_SOURCES
from fpgaflow.data.tasks import load_task, task_names
from fpgaflow.data.truth import SRC_BELOW_PT_CUT, SRC_PRIMARY
from fpgaflow.errors import ConfigError
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.train.datasets import make_splits


def test_registered_tasks_load_and_describe_themselves() -> None:
    assert task_names() == ["cluster-bib", "run3-32", "window-128"]
    w128 = load_task("window-128")
    assert w128.data.simulate.window.pixel_shape == (128, 128)
    assert w128.data.simulate.labels.reco_pt_cut_gev == 0.5
    assert w128.info.metrics == ("accuracy", "roc_auc")
    run3 = load_task("run3-32")
    assert (run3.data.simulate.tracks.pileup, run3.data.simulate.window.pixel_shape) == (60.0, (32, 32))
    bib = load_task("cluster-bib")
    assert bib.data.stamps.enabled and (bib.data.stamps.rows, bib.data.stamps.cols) == (16, 16)
    assert "rejection_at_90" in bib.info.metrics


def test_data_task_expands_with_overrides_and_stays_strict(tmp_path: Path) -> None:
    cfg = from_mapping(
        RunConfig, {"data": {"task": "run3-32", "n_maps": 200, "simulate": {"tracks": {"pileup": 50.0}}}}
    )
    assert cfg.data.task == "run3-32"
    assert cfg.data.n_maps == 200
    assert cfg.data.simulate.tracks.pileup == 50.0  # overridden
    assert cfg.data.simulate.labels.reco_pt_cut_gev == 0.5  # from the preset
    assert cfg.data.simulate.window.crop_rows == 32
    with pytest.raises(ConfigError, match="did you mean 'run3-32'"):
        from_mapping(RunConfig, {"data": {"task": "run3-23"}})
    with pytest.raises(ConfigError, match="did you mean 'simulate'"):
        from_mapping(RunConfig, {"data": {"task": "run3-32", "simulat": {}}})
    # A preset file can be named instead of a registered task; it must hold exactly task: and data:.
    own = tmp_path / "mine.yaml"
    own.write_text(
        "task: {name: mine, description: d, label: l, metrics: [accuracy]}\n"
        "data: {source: simulate, n_maps: 100, simulate: {tracks: {pileup: 10.0}}}\n"
    )
    assert from_mapping(DataConfig, {"task": str(own)}).simulate.tracks.pileup == 10.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: {name: bad, description: d, label: l, metrics: [accuracy]}\ndata: {}\nmodel: {}\n")
    with pytest.raises(ConfigError, match="exactly 'task:' and 'data:'"):
        from_mapping(DataConfig, {"task": str(bad)})
    bad.write_text("task: {name: bad, description: d, label: l, metrics: [acuracy]}\ndata: {}\n")
    with pytest.raises(ConfigError, match="did you mean 'accuracy'"):
        load_task(str(bad))


@pytest.fixture(scope="module")
def stamps() -> object:
    cfg = replace(load_task("cluster-bib").data, n_maps=3000)
    return simulate_set(cfg, truth=True)


def test_cluster_stamps_are_centred_labelled_and_grouped(stamps) -> None:  # type: ignore[no-untyped-def]
    assert stamps.maps.shape == (3000, 16, 16, 1)
    truth = stamps.truth
    assert np.array_equal(stamps.labels, np.isin(truth.source, SIGNAL_SOURCES).astype(np.int8))
    # The stamp's centre pixel holds the cluster's centroid pixel, so it holds charge for compact clusters.
    centre = stamps.maps[:, 8, 8, 0]
    compact = (truth.size_rows <= 3) & (truth.size_cols <= 3)
    assert np.mean(centre[compact] > 0) > 0.95
    assert np.all((truth.row >= 8) & (truth.row < 9) & (truth.col >= 8) & (truth.col < 9))
    # Positions are module coordinates (what the readout knows); groups are module events of ~80 clusters.
    assert stamps.positions.shape == (3000, 2)
    assert stamps.positions[:, 0].min() >= 0
    assert stamps.positions[:, 0].max() <= 160
    assert stamps.positions[:, 1].max() <= 416
    sizes = np.bincount(stamps.groups)
    assert 50 < np.median(sizes[sizes > 0]) < 110
    # Natural mix at pileup 60: ≈ 80 % of clusters are in-time collision tracks.
    assert 0.7 < stamps.labels.mean() < 0.9


def test_splits_never_share_a_simulated_event() -> None:
    groups = np.repeat(np.arange(40), 25)
    labels = np.tile([0, 1, 1, 1, 1], 200)
    train, val, test = split_indices(labels, 0.15, 0.15, np.random.default_rng(2), groups=groups)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(1000))
    sets = [set(groups[i]) for i in (train, val, test)]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert val.size == pytest.approx(150, abs=25) and test.size == pytest.approx(150, abs=25)
    # The data step does the same for cluster stamps (stamps of one module event stay together).
    cfg = replace(load_task("cluster-bib").data, n_maps=1500)
    tr, va, te = make_splits(cfg)
    assert tr.groups is not None
    assert not set(tr.groups) & set(te.groups)
    assert not set(va.groups) & set(te.groups)


def test_inputs_do_not_give_away_how_the_data_were_made(stamps) -> None:  # type: ignore[no-untyped-def]
    # Window tasks: clusters of tracks above and below the pT cut sit at the same places in the window
    # (no systematic placement of signal), so position in window coordinates carries no label.
    data = simulate_set(replace(load_task("run3-32").data, n_maps=3000), truth=True)
    truth = data.truth
    above, below = truth.source == SRC_PRIMARY, truth.source == SRC_BELOW_PT_CUT
    for coord in (truth.row, truth.col):
        assert ks_2samp(coord[above], coord[below]).pvalue > 1e-3
    # Selection by label keeps the windows in simulation order, and the split shuffles: the position of a
    # map in the set says nothing about its label.
    first, second = data.labels[:1500].mean(), data.labels[1500:].mean()
    assert abs(first - second) < 0.06
    # Cluster stamps: signal and background clusters are spread along the module alike (z), so the module
    # position is an honest input, not a tag.
    signal = stamps.labels == 1
    assert ks_2samp(stamps.positions[signal, 1], stamps.positions[~signal, 1]).pvalue > 1e-3
