"""The physics task presets measured: class balance, truth ceiling and label ambiguity (issue 13).

For each preset of ``models/tasks/`` and each seed, the preset's data set is simulated with per-cluster
truth and split exactly as ``fpgaflow run`` splits it (:func:`fpgaflow.train.datasets.make_splits`: same
seed stream, same groups); the truth ceiling (:mod:`fpgaflow.baselines.ceiling`) is estimated on the
training maps and applied to the test maps.  Window tasks also report the label ambiguity and the
natural particle fraction (a separate simulation of the same windows without class selection);
``cluster-bib`` reports the mix of cluster sources, how many clusters merge several particles and how
many fit the stamp whole.  Writes ``bench/results_tasks.md`` (with ``--write``) and prints it.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_tasks.py --write
"""

from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from fpgaflow.baselines.ceiling import label_ambiguity, truth_ceiling
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import simulate_set
from fpgaflow.data.split import split_indices
from fpgaflow.data.stamps import SIGNAL_SOURCES
from fpgaflow.data.tasks import load_task
from fpgaflow.data.truth import SOURCE_NAMES
from fpgaflow_board.atomic import write_text

RESULTS = Path(__file__).resolve().parent / "results_tasks.md"
SEEDS = (1, 2, 3)
#: Windows simulated without class selection for the natural particle fraction and the ambiguity (windows
#: with exactly one in-time track are ~3 % of 128 × 128 windows at pileup 20, ~35 % of 32 × 32 at 60).
NATURAL_MAPS = {"window-128": 10_000, "run3-32": 2_000}


def _mean_sd(values: list[float]) -> str:
    m = float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return f"{m:.3f} ± {sd:.3f}"


def _test_split(cfg: DataConfig, labels: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices exactly as make_splits draws them."""
    train, _, test = split_indices(
        labels, cfg.val_fraction, cfg.test_fraction, np.random.default_rng([cfg.seed, 1]), groups=groups
    )
    return train, test


def window_task(name: str, seeds: tuple[int, ...]) -> list[str]:
    preset = load_task(name)
    rows: dict[str, list[float]] = {k: [] for k in ("natural", "ceiling", "auc", "one", "n_one", "unseen", "n_test")}
    for seed in seeds:
        cfg = replace(preset.data, seed=seed)
        data = simulate_set(cfg, truth=True)
        assert data.truth is not None
        train, test = _test_split(cfg, data.labels, data.groups)
        ceiling = truth_ceiling(data.labels, data.truth, train, test)
        natural = simulate_set(
            replace(cfg, select_particle_fraction=False, n_maps=NATURAL_MAPS[name], seed=seed + 100), truth=True
        )
        assert natural.truth is not None
        amb = label_ambiguity(natural.labels, natural.truth)
        rows["natural"].append(float(natural.labels.mean()))
        rows["ceiling"].append(ceiling.accuracy)
        rows["auc"].append(ceiling.roc_auc)
        rows["one"].append(amb.one_track)
        rows["n_one"].append(amb.n_one_track)
        rows["unseen"].append(ceiling.unseen_fraction)
        rows["n_test"].append(ceiling.n_test)
    n_test = int(np.mean(rows["n_test"]))
    one = [v for v in rows["one"] if not math.isnan(v)]
    one_text = f"{_mean_sd(one)} ({int(np.mean(rows['n_one']))} windows/seed)" if one else "— (no such window)"
    return [
        f"| `{name}` | {cfg.simulate.window.pixel_shape[0]}×{cfg.simulate.window.pixel_shape[1]}, pileup "
        f"{cfg.simulate.tracks.pileup:g}, pT ≥ {cfg.simulate.labels.reco_pt_cut_gev:g} GeV | "
        f"{_mean_sd(rows['natural'])} | {cfg.particle_fraction if cfg.select_particle_fraction else 'natural'} | "
        f"{_mean_sd(rows['ceiling'])} | {_mean_sd(rows['auc'])} | {one_text} | {n_test} |"
    ]


def cluster_task(name: str, seeds: tuple[int, ...]) -> list[str]:
    preset = load_task(name)
    fractions: list[np.ndarray] = []
    merged: list[float] = []
    mixed: list[float] = []
    whole: list[float] = []
    signal: list[float] = []
    for seed in seeds:
        cfg = replace(preset.data, seed=seed)
        data = simulate_set(cfg, truth=True)
        truth = data.truth
        assert truth is not None
        fractions.append(np.bincount(truth.source, minlength=len(SOURCE_NAMES)) / len(truth))
        signal.append(float(data.labels.mean()))
        merged.append(float(np.mean(truth.n_particles > 1)))
        mixed.append(float(np.mean(truth.charge_fraction < 0.75)))
        whole.append(float(np.mean((truth.size_rows <= cfg.stamps.rows) & (truth.size_cols <= cfg.stamps.cols))))
    mean = np.mean(fractions, axis=0)
    return [
        f"| `{name}` | {cfg.stamps.rows}×{cfg.stamps.cols} stamps, pileup {cfg.simulate.tracks.pileup:g} | "
        f"{_mean_sd(signal)} | {_mean_sd(merged)} | {_mean_sd(mixed)} | {_mean_sd(whole)} | {cfg.n_maps} |",
        "",
        "Sources of the stamps' clusters (mean over seeds; signal = "
        + ", ".join(SOURCE_NAMES[s] for s in SIGNAL_SOURCES)
        + "):",
        "",
        "| " + " | ".join(SOURCE_NAMES) + " |",
        "|" + "---:|" * len(SOURCE_NAMES),
        "| " + " | ".join(f"{v:.4f}" for v in mean) + " |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    seeds = tuple(args.seeds)
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    lines = [
        "# Physics tasks: class balance, truth ceiling, label ambiguity",
        "",
        "Command (seeds " + ", ".join(map(str, seeds)) + "; the preset's `data.seed` replaced by each):",
        "",
        "    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_tasks.py --write",
        "",
        "Mean ± standard deviation over the seeds.  *Ceiling*: accuracy on the test split (the split `fpgaflow run`",
        "makes) of the Bayes rule told every cluster's source but not its pT, estimated on the training split",
        "(`fpgaflow.baselines.ceiling`); its binomial error per seed is √(a(1−a)/n_test).  *One track*: of windows",
        "whose clusters include exactly one in-time track (and no edge fragment), the fraction that are particle",
        "windows — measured without class selection, where it equals the track's chance to pass the pT cut.",
        "",
        "## Window tasks",
        "",
        "| task | windows | natural particle fraction | set | ceiling accuracy | ceiling ROC AUC "
        "| one track → particle | test maps |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += window_task("window-128", seeds)
    lines += window_task("run3-32", seeds)
    w128 = load_task("window-128").data
    at_60 = replace(w128, select_particle_fraction=False, n_maps=2000, seed=seeds[0] + 200)
    at_60 = replace(at_60, simulate=replace(w128.simulate, tracks=replace(w128.simulate.tracks, pileup=60.0)))
    lines += [
        "",
        f"The same 128×128 windows at pileup 60: natural particle fraction "
        f"{simulate_set(at_60).labels.mean():.3f} (2000 windows, seed {seeds[0] + 200}).",
    ]
    lines += [
        "",
        "## Cluster task",
        "",
        "The label is the source of the stamp's central cluster, which the truth names: a classifier told it is",
        "right every time.  What is left is ambiguity in the label itself: clusters that merge several particles.",
        "",
        "| task | stamps | signal fraction | ≥ 2 particles (≥ 5 % each) | dominant particle < 75 % of charge "
        "| cluster fits the stamp | stamps |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += cluster_task("cluster-bib", seeds)
    lines += [
        "",
        "## Baselines and models",
        "",
        "The baselines of issue 13 (cuts, cluster-shape look-up table, gradient-boosted trees) and the deployed",
        "model are measured on the same test splits by their own commands; see docs/tasks.md.",
        "",
        f"Wall time {time.perf_counter() - t0:.0f} s on the shared 2-core development VM "
        f"(load average {load:.1f} at the start), numpy {np.__version__}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_text(RESULTS, text)


if __name__ == "__main__":
    main()
