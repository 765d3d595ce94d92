"""bench/gap_by_map_kind.py: per-bin accuracies of the deployed model and a baseline, and each bin's share of the
whole difference, on maps whose answers are known."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest


@pytest.fixture(scope="module")
def gap() -> ModuleType:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    return importlib.import_module("gap_by_map_kind")


def test_gap_bins_split_the_difference_by_bin(gap: ModuleType) -> None:
    # 10 maps: 4 with 2 clusters (both right on all), 6 with 8 clusters (model right on 2, baseline on 5)
    n_clusters = np.array([2, 2, 2, 2, 8, 8, 8, 8, 8, 8], dtype=float)
    features = np.stack([n_clusters, np.zeros(10)], axis=1)
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 0, 0, 0])
    model = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    baseline = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], dtype=bool)
    bins = (("n_clusters", (0, 5, np.inf)), ("n_edge", (0, 1, np.inf)))
    rows = gap.gap_bins(features, ["n_clusters", "n_edge"], labels, model, baseline, bins=bins, min_maps=1)
    assert [(r.feature, r.low, r.n_maps) for r in rows] == [
        ("n_clusters", 0, 4),
        ("n_clusters", 5, 6),
        ("n_edge", 0, 10),
    ]
    low, high, edge = rows
    assert (low.model_accuracy, low.baseline_accuracy, low.share_of_gap) == (1.0, 1.0, 0.0)
    assert high.particle_share == pytest.approx(0.5)
    assert high.model_accuracy == pytest.approx(2 / 6) and high.baseline_accuracy == pytest.approx(5 / 6)
    assert high.share_of_gap == pytest.approx(-0.3)  # 3 answers fewer out of 10 maps
    assert edge.difference == pytest.approx(-0.3) and edge.share_of_gap == pytest.approx(-0.3)
    # a bin below min_maps is left out
    assert len(gap.gap_bins(features, ["n_clusters", "n_edge"], labels, model, baseline, bins=bins, min_maps=5)) == 2
    text = gap.render(rows, [Path("r")], "two_stage", (0.6, 0.9, 10))
    assert "deployed (C-sim) 60.00 %, `two_stage` 90.00 %: -30.00 pp" in text
    assert "| n_clusters | [5, ∞) | 6 | 0.50 | 33.3 | 83.3 | -50.00 | -30.00 |" in text
