"""Per-cluster simulation truth: it never changes the maps, it agrees with the maps and the labels, and it
survives every file format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.dataset import concat, load_file
from fpgaflow.data.hdf5 import load_h5
from fpgaflow.data.shards import write_stream
from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig, simulate
from fpgaflow.data.truth import (
    SRC_EDGE_FRAGMENT,
    SRC_NOISY_PIXEL,
    SRC_OUT_OF_TIME,
    SRC_PRIMARY,
    SRC_SPILL_OVER,
    ClusterTruth,
    load_truth,
)
from fpgaflow.errors import DataError

#: 32 × 32 windows at Run-3 pileup, noisy pixels raised so every source shows up in a few hundred maps.
CFG = SimulatorConfig(
    window=WindowConfig(region="crop", crop_rows=32, crop_cols=32),
    tracks=TrackConfig(pileup=60.0),
    batch_size=200,
)
CFG = replace(CFG, electronics=replace(CFG.electronics, noisy_pixel_fraction=2e-3))


@pytest.fixture(scope="module")
def with_truth() -> object:
    return simulate(CFG, 600, seed=3, truth=True)


def test_truth_never_changes_the_maps(with_truth) -> None:  # type: ignore[no-untyped-def]
    plain = simulate(CFG, 600, seed=3)
    assert plain.truth is None
    assert with_truth.maps.tobytes() == plain.maps.tobytes()
    assert with_truth.labels.tobytes() == plain.labels.tobytes()
    assert with_truth.soft_labels.tobytes() == plain.soft_labels.tobytes()


def test_truth_matches_the_clusters_and_the_labels(with_truth) -> None:  # type: ignore[no-untyped-def]
    truth = with_truth.truth
    cl = find_clusters(with_truth.maps)
    assert len(truth) == len(cl) > 300
    assert np.array_equal(truth.map_index, cl.map_index)
    assert np.array_equal(truth.n_pixels, cl.n_pixels)
    assert np.array_equal(truth.adc, cl.adc.astype(np.float32))
    assert np.all(np.diff(truth.map_index) >= 0)
    # A map is *particle* when a reconstructable track owns one of its pixels; its cluster's dominant source
    # is then "primary" (the two differ only when a cluster merges several particles).
    has_primary = np.zeros(len(with_truth), bool)
    has_primary[truth.map_index[truth.source == SRC_PRIMARY]] = True
    assert np.mean(has_primary == with_truth.labels.astype(bool)) > 0.99
    assert np.all(truth.in_window_fraction[truth.source == SRC_PRIMARY] >= 0.5)
    assert np.all(truth.charge_fraction > 0) and np.all(truth.charge_fraction <= 1.0 + 1e-6)


def test_each_source_has_its_signature(with_truth) -> None:  # type: ignore[no-untyped-def]
    truth = with_truth.truth
    noisy = truth.source == SRC_NOISY_PIXEL
    assert noisy.sum() > 10
    assert np.mean(truth.n_pixels[noisy] == 1) > 0.95  # unless it touches another cluster
    late = truth.source == SRC_OUT_OF_TIME
    assert late.sum() > 10
    assert not truth.in_time[late].any()
    assert truth.in_time[truth.source == SRC_PRIMARY].all()
    # Edge fragments and spill-over: the part of a track's charge inside the window is at a border.
    edge = np.isin(truth.source, (SRC_EDGE_FRAGMENT, SRC_SPILL_OVER))
    assert edge.sum() > 10
    lo_r = truth.row - truth.size_rows / 2
    hi_r = truth.row + truth.size_rows / 2
    lo_c = truth.col - truth.size_cols / 2
    hi_c = truth.col + truth.size_cols / 2
    border = (lo_r < 1.5) | (hi_r > 30.5) | (lo_c < 1.5) | (hi_c > 30.5)
    assert np.mean(border[edge]) > 0.9
    assert np.mean(border[truth.source == SRC_PRIMARY]) < 0.5


def _same(a: ClusterTruth, b: ClusterTruth) -> bool:
    return all(np.array_equal(a.columns()[k], b.columns()[k]) for k in a.columns())


@pytest.mark.parametrize("name", ["maps.npz", "maps.h5", "shards"])
def test_truth_round_trips_through_every_format(with_truth, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    chunks = [with_truth.subset(np.arange(i, min(i + 250, len(with_truth)))) for i in range(0, 600, 250)]
    out = write_stream(chunks, tmp_path / name, n_maps=600, map_shape=(32, 32, 1), metadata={}, shard_size=220)
    assert _same(load_truth(out), with_truth.truth)
    assert load_file(out).maps.tobytes() == with_truth.maps.tobytes()


def test_subsets_and_concatenation_keep_clusters_with_their_maps(with_truth) -> None:  # type: ignore[no-untyped-def]
    index = np.array([5, 2, 2, 599, 0])
    part = with_truth.subset(index)
    for new, old in enumerate(index):
        mine = part.truth.rows(part.truth.map_index == new)
        theirs = with_truth.truth.rows(with_truth.truth.map_index == old)
        assert np.array_equal(mine.adc, theirs.adc)
        assert np.array_equal(mine.source, theirs.source)
    both = concat([with_truth.subset(np.arange(300)), with_truth.subset(np.arange(300, 600))])
    assert _same(both.truth, with_truth.truth)


def test_files_without_truth_and_broken_truth_are_one_line_errors(with_truth, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = replace(with_truth, truth=None).save_npz(tmp_path / "plain.npz")
    with pytest.raises(DataError, match="no cluster truth"):
        load_truth(plain)
    arrays = with_truth.truth.to_arrays(len(with_truth))
    arrays["clusters/offsets"] = arrays["clusters/offsets"][::-1].copy()
    with pytest.raises(DataError, match="offsets"):
        ClusterTruth.from_arrays(arrays, "broken.npz")
    h5 = write_stream([with_truth], tmp_path / "t.h5", n_maps=600, map_shape=(32, 32, 1), metadata={})
    assert load_h5(h5).groups is None  # windows are independent events: no groups needed
