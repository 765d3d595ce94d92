"""Where the deployed CNN loses to the strongest baseline: the test maps of one or more finished runs binned by a
per-map cluster feature (``fpgaflow.baselines.features.MAP_FEATURES``: cluster count, border clusters, leading
charge, widest cluster along r-φ, ...), with each bin's accuracy of the deployed model (its C simulation, cut at
0.5) and of the baseline family (its own cut, from the run's baselines step), the difference and that bin's share
of the whole difference (pp of all maps).  The diagnosis of issue 22's last gap (bench/results_search.md):

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/gap_by_map_kind.py \
        runs/flagship/seed1 runs/flagship/seed2 runs/flagship/seed3

Each RUN needs ``verify/scores.npz`` (C-sim scores and labels), ``baselines/baseline_scores.npz`` and its test
split (``data/test.npz``); the labels of the two must agree map for map.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

#: (feature, bin edges) in the units of MAP_FEATURES: counts, ke, rows.
DEFAULT_BINS: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("n_clusters", (0, 3, 5, 7, 9, 11, 14, np.inf)),
    ("n_edge", (0, 1, 2, np.inf)),
    ("lead_charge", (0, 20, 30, 40, 60, np.inf)),
    ("max_size_x", (0, 2, 3, 4, 6, np.inf)),
)


@dataclass(frozen=True)
class GapBin:
    """One bin of test maps: ``feature`` in [``low``, ``high``), how many maps, their particle share, the two
    accuracies (fractions) and the bin's share of the whole difference (model − baseline correct answers, divided
    by every map of the table)."""

    feature: str
    low: float
    high: float
    n_maps: int
    particle_share: float
    model_accuracy: float
    baseline_accuracy: float
    share_of_gap: float

    @property
    def difference(self) -> float:
        return self.model_accuracy - self.baseline_accuracy


def gap_bins(
    features: npt.NDArray[Any],
    names: list[str],
    labels: npt.NDArray[Any],
    model_correct: npt.NDArray[np.bool_],
    baseline_correct: npt.NDArray[np.bool_],
    bins: tuple[tuple[str, tuple[float, ...]], ...] = DEFAULT_BINS,
    min_maps: int = 50,
) -> list[GapBin]:
    """The bins of ``features`` (maps × ``names``) with at least ``min_maps`` maps, in the order of ``bins``."""
    out = []
    n = len(labels)
    for name, edges in bins:
        v = features[:, names.index(name)]
        for lo, hi in itertools.pairwise(edges):
            m = (v >= lo) & (v < hi)
            if m.sum() < min_maps:
                continue
            out.append(
                GapBin(
                    name,
                    float(lo),
                    float(hi),
                    int(m.sum()),
                    float(labels[m].mean()),
                    float(model_correct[m].mean()),
                    float(baseline_correct[m].mean()),
                    float((model_correct[m].sum() - baseline_correct[m].sum()) / n),
                )
            )
    return out


def load_run(
    run: Path, family: str
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], str]:
    """(test maps, labels, deployed model correct, baseline ``family`` correct, the family member's name) of one
    finished run (the member its baselines step chose: with truth in the data, a two-stage tree may train on the
    clusters' truth labels)."""
    from fpgaflow.data.hitmaps import load_npz

    scores = np.load(run / "verify" / "scores.npz")
    base = np.load(run / "baselines" / "baseline_scores.npz")
    test = load_npz(run / "data" / "test.npz")
    labels = scores["labels"]
    if not (np.array_equal(labels, base["labels"]) and np.array_equal(labels, test.labels)):
        raise SystemExit(f"gap_by_map_kind: {run}: the verify, baselines and test-split labels differ")
    model = (scores["csim"] > 0.5) == labels
    baseline = (base[f"{family}_scores"] > base[f"{family}_cut"]) == labels
    return test.maps, labels, model, baseline, str(base[f"{family}_name"])


def render(rows: list[GapBin], runs: list[Path], baseline_name: str, total: tuple[float, float, int]) -> str:
    """The table in Markdown, under a line with the runs, the map count and the two overall accuracies."""
    model, baseline, n = total
    lines = [
        f"Runs: {', '.join(map(str, runs))}; {n} test maps; deployed (C-sim) {100 * model:.2f} %, `{baseline_name}` "
        f"{100 * baseline:.2f} %: {100 * (model - baseline):+.2f} pp.",
        "",
        "| map feature | bin | maps | particle share | deployed % | baseline % | difference (pp) | share of the whole"
        " difference (pp) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        hi = "∞" if np.isinf(r.high) else f"{r.high:g}"
        lines.append(
            f"| {r.feature} | [{r.low:g}, {hi}) | {r.n_maps} | {r.particle_share:.2f} | {100 * r.model_accuracy:.1f} | "
            f"{100 * r.baseline_accuracy:.1f} | {100 * r.difference:+.2f} | {100 * r.share_of_gap:+.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=Path, nargs="+", help="finished run directories (verify and baselines steps done)")
    ap.add_argument("--family", default="two_stage", help="baseline family to compare with (default two_stage)")
    args = ap.parse_args()
    from fpgaflow.baselines.features import MAP_FEATURES, map_features

    parts = [load_run(r, args.family) for r in args.runs]
    features = np.concatenate([map_features(p[0]) for p in parts])
    labels, model, baseline = (np.concatenate([p[i] for p in parts]) for i in (1, 2, 3))
    rows = gap_bins(features, [f.name for f in MAP_FEATURES], labels, model, baseline)
    members = " / ".join(sorted({p[4] for p in parts}))
    print(render(rows, args.runs, members, (float(model.mean()), float(baseline.mean()), len(labels))))


if __name__ == "__main__":
    main()
