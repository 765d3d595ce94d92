"""The physics task presets measured: class balance, truth ceiling and label ambiguity (issue 13).

For each preset of ``models/tasks/`` and each seed, the preset's data set is simulated with per-cluster
truth and split exactly as ``fpgaflow run`` splits it (:func:`fpgaflow.train.datasets.make_splits`: same
seed stream, same groups); the truth ceiling (:mod:`fpgaflow.baselines.ceiling`) is estimated on the
training maps and applied to the test maps.  Window tasks also report the label ambiguity and the
natural particle fraction (a separate simulation of the same windows without class selection);
``cluster-bib`` reports the mix of cluster sources, how many clusters merge several particles and how
many fit the stamp whole (:func:`fpgaflow.baselines.ceiling.stamp_ambiguity`).  With ``--write`` it writes
``bench/results_tasks.json`` (every per-seed figure; ``bench/tasks_doc.py`` renders docs/tasks.md's tables
from it) and ``bench/results_tasks.md`` (rendered from the same figures), and prints the Markdown.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_tasks.py --write
"""

from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.baselines.ceiling import label_ambiguity, stamp_ambiguity, truth_ceiling
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import simulate_set
from fpgaflow.data.split import split_indices
from fpgaflow.data.stamps import SIGNAL_SOURCES
from fpgaflow.data.tasks import load_task
from fpgaflow.data.truth import SOURCE_NAMES
from fpgaflow_board.atomic import write_json, write_text

RESULTS = Path(__file__).resolve().parent / "results_tasks.md"
RESULTS_JSON = RESULTS.with_suffix(".json")
SEEDS = (1, 2, 3)
#: Windows simulated without class selection for the natural particle fraction and the ambiguity (windows
#: with exactly one in-time track are ~3 % of 128 × 128 windows at pileup 20, ~35 % of 32 × 32 at 60).
NATURAL_MAPS = {"window-128": 10_000, "run3-32": 2_000}
COMMAND = "PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_tasks.py --write"


def mean_sd(values: list[float], digits: int = 3) -> str:
    """``mean ± standard deviation`` (0 for one value) of ``values``, NaN left out."""
    v = [x for x in values if x is not None and not math.isnan(x)]
    if not v:
        return "—"
    m = float(np.mean(v))
    sd = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
    return f"{m:.{digits}f} ± {sd:.{digits}f}"


def _test_split(cfg: DataConfig, labels: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices exactly as make_splits draws them."""
    train, _, test = split_indices(
        labels, cfg.val_fraction, cfg.test_fraction, np.random.default_rng([cfg.seed, 1]), groups=groups
    )
    return train, test


def window_task(name: str, seeds: tuple[int, ...]) -> dict[str, Any]:
    """Per-seed figures of a window task: natural particle fraction, ceiling, its AUC, one-track ambiguity."""
    preset = load_task(name)
    rows: dict[str, list[float]] = {k: [] for k in ("natural", "ceiling", "auc", "one", "n_one", "unseen", "n_test")}
    cfg = preset.data
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
    shape = cfg.simulate.window.pixel_shape
    return {
        "windows": f"{shape[0]}×{shape[1]}, pileup {cfg.simulate.tracks.pileup:g}, "
        f"pT ≥ {cfg.simulate.labels.reco_pt_cut_gev:g} GeV",
        "set": cfg.particle_fraction if cfg.select_particle_fraction else "natural",
        "n_maps": cfg.n_maps,
        **rows,
    }


def cluster_task(name: str, seeds: tuple[int, ...]) -> dict[str, Any]:
    """Per-seed figures of a stamp task: signal fraction, stamp ambiguity, and the mix of sources."""
    preset = load_task(name)
    out: dict[str, Any] = {k: [] for k in ("signal", "merged", "mixed", "contained", "sources")}
    cfg = preset.data
    for seed in seeds:
        cfg = replace(preset.data, seed=seed)
        data = simulate_set(cfg, truth=True)
        truth = data.truth
        assert truth is not None
        amb = stamp_ambiguity(truth, (cfg.stamps.rows, cfg.stamps.cols))
        out["sources"].append((np.bincount(truth.source, minlength=len(SOURCE_NAMES)) / len(truth)).tolist())
        out["signal"].append(float(data.labels.mean()))
        out["merged"].append(amb.merged)
        out["mixed"].append(amb.mixed)
        out["contained"].append(amb.contained)
    return {
        "stamps": f"{cfg.stamps.rows}×{cfg.stamps.cols} stamps, pileup {cfg.simulate.tracks.pileup:g}",
        "n_maps": cfg.n_maps,
        "source_names": list(SOURCE_NAMES),
        "signal_sources": [SOURCE_NAMES[s] for s in SIGNAL_SOURCES],
        **out,
    }


def measure(seeds: tuple[int, ...]) -> dict[str, Any]:
    """Every figure of the results file, per seed (JSON-safe: NaN → None)."""
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    windows = {name: window_task(name, seeds) for name in ("window-128", "run3-32")}
    w128 = load_task("window-128").data
    at_60 = replace(w128, select_particle_fraction=False, n_maps=2000, seed=seeds[0] + 200)
    at_60 = replace(at_60, simulate=replace(w128.simulate, tracks=replace(w128.simulate.tracks, pileup=60.0)))
    clusters = {"cluster-bib": cluster_task("cluster-bib", seeds)}
    out = {
        "command": COMMAND,
        "settings": {"seeds": list(seeds)},
        "windows": windows,
        "pileup_60": {"natural": float(simulate_set(at_60).labels.mean()), "n_maps": 2000, "seed": seeds[0] + 200},
        "clusters": clusters,
        "seconds": time.perf_counter() - t0,
        "load": load,
        "numpy": np.__version__,
    }
    return _finite(out)


def _finite(value: Any) -> Any:
    """``value`` with every NaN replaced by ``None`` (strict JSON)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def window_table(data: dict[str, Any]) -> list[str]:
    """The window tasks' table (results file and docs/tasks.md)."""
    lines = [
        "| task | windows | natural particle fraction | set | ceiling accuracy | ceiling ROC AUC "
        "| one track → particle | test maps |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, w in data["windows"].items():
        one = [v for v in w["one"] if v is not None]
        one_text = f"{mean_sd(one)} ({int(np.mean(w['n_one']))} windows/seed)" if one else "— (no such window)"
        lines.append(
            f"| `{name}` | {w['windows']} | {mean_sd(w['natural'])} | {w['set']} | {mean_sd(w['ceiling'])} | "
            f"{mean_sd(w['auc'])} | {one_text} | {int(np.mean(w['n_test']))} |"
        )
    p60 = data["pileup_60"]
    lines += [
        "",
        f"The same 128×128 windows at pileup 60: natural particle fraction {p60['natural']:.3f} "
        f"({p60['n_maps']} windows, seed {p60['seed']}).",
    ]
    return lines


def cluster_table(data: dict[str, Any]) -> list[str]:
    """The stamp task's table and its sources (results file and docs/tasks.md)."""
    lines = [
        "| task | stamps | signal fraction | ≥ 2 particles (≥ 5 % each) | dominant particle < 75 % of charge "
        "| cluster fits the stamp | stamps |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, c in data["clusters"].items():
        lines.append(
            f"| `{name}` | {c['stamps']} | {mean_sd(c['signal'])} | {mean_sd(c['merged'])} | {mean_sd(c['mixed'])} | "
            f"{mean_sd(c['contained'])} | {c['n_maps']} |"
        )
    for c in data["clusters"].values():
        mean = np.mean(c["sources"], axis=0)
        lines += [
            "",
            "Sources of the stamps' clusters (mean over seeds; signal = " + ", ".join(c["signal_sources"]) + "):",
            "",
            "| " + " | ".join(c["source_names"]) + " |",
            "|" + "---:|" * len(c["source_names"]),
            "| " + " | ".join(f"{v:.4f}" for v in mean) + " |",
        ]
    return lines


def render(data: dict[str, Any]) -> str:
    """bench/results_tasks.md from the figures of :func:`measure`."""
    seeds = data["settings"]["seeds"]
    lines = [
        "# Physics tasks: class balance, truth ceiling, label ambiguity",
        "",
        "Command (seeds " + ", ".join(map(str, seeds)) + "; the preset's `data.seed` replaced by each):",
        "",
        f"    {data['command']}",
        "",
        "Mean ± standard deviation over the seeds.  *Ceiling*: accuracy on the test split (the split `fpgaflow run`",
        "makes) of the Bayes rule told every cluster's source but not its pT, estimated on the training split",
        "(`fpgaflow.baselines.ceiling`); its binomial error per seed is √(a(1−a)/n_test).  *One track*: of windows",
        "whose clusters include exactly one in-time track (and no edge fragment), the fraction that are particle",
        "windows — measured without class selection, where it equals the track's chance to pass the pT cut.",
        "Every figure per seed: [results_tasks.json](results_tasks.json).",
        "",
        "## Window tasks",
        "",
        *window_table(data),
        "",
        "## Cluster task",
        "",
        "The label is the source of the stamp's central cluster, which the truth names: a classifier told it is",
        "right every time.  What is left is ambiguity in the label itself: clusters that merge several particles.",
        "",
        *cluster_table(data),
        "",
        "## Baselines and models",
        "",
        "The baselines of issue 13 (cuts, cluster-shape look-up table, gradient-boosted trees) and the deployed",
        "model are measured on the same test splits by their own commands; `bench/tasks_doc.py` gathers them",
        "into docs/tasks.md.",
        "",
        f"Wall time {data['seconds']:.0f} s on the shared 2-core development VM "
        f"(load average {data['load']:.1f} at the start), numpy {data['numpy']}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS_JSON.name} and {RESULTS.name}")
    args = parser.parse_args()
    data = measure(tuple(args.seeds))
    text = render(data)
    print(text)
    if args.write:
        write_json(RESULTS_JSON, data, allow_nan=False, sort_keys=False)
        write_text(RESULTS, text)


if __name__ == "__main__":
    main()
