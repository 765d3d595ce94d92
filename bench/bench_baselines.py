"""Baselines benchmark (issue 13): every baseline family on a config's data, per data seed, with timings.

    .venv/bin/python bench/bench_baselines.py table models/quick.yaml --seeds 1 2 3
    .venv/bin/python bench/bench_baselines.py table models/tasks/run3-32.yaml --seeds 1 2 3 --write
    .venv/bin/python bench/bench_baselines.py table models/tasks/window-128.yaml --n-maps 26667 --seeds 1 2 3 --write
    .venv/bin/python bench/bench_baselines.py table models/tasks/cluster-bib.yaml --seeds 1 2 3 --write  # + filters
    .venv/bin/python bench/bench_baselines.py table models/tasks/cluster-bib.yaml --seeds 1 2 3 --no-positions --write
    .venv/bin/python bench/bench_baselines.py boosters models/tasks/run3-32.yaml --write   # HGB vs LightGBM vs XGBoost
    .venv/bin/python bench/bench_baselines.py threads models/tasks/run3-32.yaml --write    # booster on 1 vs 2 threads
    .venv/bin/python bench/bench_baselines.py importance models/tasks/run3-32.yaml --write # what the tree uses
    .venv/bin/python bench/bench_baselines.py importance models/tasks/cluster-bib.yaml --write  # + module position

(with ``PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1``).  ``--write`` stores what the subcommand printed (and,
for ``table``, every family best's figures per seed) in ``bench/results_baselines.json`` under its command line;
``bench/tasks_doc.py`` renders the marked sections of ``bench/results_baselines.md`` and docs/tasks.md's tables
from it.  Where the maps carry module positions (cluster stamps) the baselines read them unless
``--no-positions``.

``table``: the data section of CONFIG (``data.seed`` replaced by each ``--seeds`` value) is split exactly as
``fpgaflow run`` splits it; ``evaluate_baselines`` fits on the training maps, picks members on the
validation maps and measures on the test maps.  Prints, per seed, the family table and the time; then the
mean and spread over seeds of each family's best; for a stamp task (``data.stamps.enabled``, cluster-bib)
also each best's background rejection and data reduction at 90 % and 95 % signal efficiency.
``boosters``: the ``tree`` family's learner on the per-map features and the two-stage learner on the
per-cluster features (inherited labels), the same settings in scikit-learn, LightGBM and XGBoost (those
installed), one thread each. ``threads``: the map tree fitted with 1 and 2 OpenMP threads, three times each.
``importance``: permutation importance (test ROC AUC) of the map tree's features. The load average before and
after is printed with every figure: the development machine's 2 cores are shared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from fpgaflow.baselines import BaselineConfig, evaluate_baselines, prepare
from fpgaflow.baselines.inputs import module_positions
from fpgaflow.baselines.tree import Booster, TreeSettings
from fpgaflow.baselines.two_stage import CLUSTER_TREE
from fpgaflow.config.strict import from_mapping
from fpgaflow.data.config import DataConfig
from fpgaflow.metrics import accuracy, data_reduction, paired_comparison, roc_auc
from fpgaflow.train.datasets import make_splits
from fpgaflow_board.atomic import write_json


def _load(config: Path, seed: int, n_maps: int | None) -> DataConfig:
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    cfg = from_mapping(DataConfig, raw.get("data", raw), "data")
    return replace(cfg, seed=seed, n_maps=n_maps or cfg.n_maps)


def _load_text() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def _machine() -> str:
    import sklearn

    cores = len(os.sched_getaffinity(0))
    return (
        f"{platform.processor() or platform.machine()}, {cores} cores visible, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )


RESULTS_JSON = Path(__file__).resolve().parent / "results_baselines.json"
#: Every line the subcommand printed (stored with ``--write``).
PRINTED: list[str] = []


def emit(text: str = "") -> None:
    """Print ``text`` and keep it for the JSON entry."""
    print(text, flush=True)
    PRINTED.append(text)


def command_key(args: argparse.Namespace) -> str:
    """The arguments that reproduce a subcommand (the key of its entry in the JSON file)."""
    parts = [f"{args.what} {args.config.as_posix()}"]
    if args.n_maps:
        parts.append(f"--n-maps {args.n_maps}")
    if args.what == "table" or args.seeds != [1]:
        parts.append("--seeds " + " ".join(map(str, args.seeds)))
    if args.no_positions:
        parts.append("--no-positions")
    return " ".join(parts)


def table(args: argparse.Namespace) -> dict[str, Any]:
    emit(f"machine: {_machine()}")
    per_family: dict[str, list[tuple[float, float]]] = {}
    per_filter: dict[str, list[list[float]]] = {}
    per_seed: dict[str, Any] = {}
    stamps = False
    for seed in args.seeds:
        cfg = _load(args.config, seed, args.n_maps)
        stamps = cfg.stamps.enabled
        t0 = time.perf_counter()
        train, val, test = make_splits(cfg)
        t_data = time.perf_counter() - t0
        before = _load_text()
        t0 = time.perf_counter()
        result = evaluate_baselines(
            train.maps,
            train.labels,
            test.maps,
            test.labels,
            val.maps,
            val.labels,
            cfg=BaselineConfig(seed=0),
            positions=None if args.no_positions else module_positions(train, val, test),
        )
        t_base = time.perf_counter() - t0
        emit(
            f"\n#### {args.config} data.seed={seed}: {len(train)} / {len(val)} / {len(test)} maps of "
            f"{train.map_shape[0]}x{train.map_shape[1]}, particle fraction {test.labels.mean():.3f}\n"
        )
        emit(
            f"data {t_data:.1f} s; all baselines {t_base:.1f} s (clustering, fits, bootstrap); {before} -> "
            f"{_load_text()}\n"
        )
        emit(result.to_markdown())
        families: dict[str, Any] = {}
        for fam, r in result.best().items():
            per_family.setdefault(fam, []).append((r.accuracy, r.auc.auc))
            y = result.test_labels
            figures = [r.rejection[e] for e in FILTER_EFFICIENCIES] + [
                data_reduction(y, r.test_scores, e) for e in FILTER_EFFICIENCIES
            ]
            per_filter.setdefault(fam, []).append(figures)
            families[fam] = {
                "name": r.name,
                "working_point": r.working_point,
                "accuracy": r.accuracy,
                "accuracy_error": r.accuracy_error,
                "roc_auc": r.auc.auc,
                "rejection": [None if math.isinf(v) else v for v in figures[: len(FILTER_EFFICIENCIES)]],
                "reduction": figures[len(FILTER_EFFICIENCIES) :],
            }
        per_seed[str(seed)] = {
            "n_train": len(train),
            "n_val": len(val),
            "n_test": len(test),
            "families": families,
            "seconds": {"data": t_data, "baselines": t_base},
        }
    if len(args.seeds) > 1:
        emit(f"\n### Over data seeds {args.seeds}: mean ± standard deviation of each family's best\n")
        emit("| family | accuracy (%) | ROC AUC |\n|---|---:|---:|")
        for fam, vals in per_family.items():
            acc, auc = np.array(vals).T
            spread = f"{100 * acc.std(ddof=1):.1f} | {auc.mean():.3f} ± {auc.std(ddof=1):.3f}"
            emit(f"| {fam} | {100 * acc.mean():.1f} ± {spread} |")
    if stamps:
        emit(_filter_table(per_filter))
    return {"per_seed": per_seed}


def _store(key: str, entry: dict[str, Any]) -> None:
    """Put ``entry`` under ``key`` in :data:`RESULTS_JSON` (other entries kept)."""
    data = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.is_file() else {}
    data[key] = entry
    write_json(RESULTS_JSON, data, allow_nan=False, sort_keys=False)


#: Signal efficiencies of a cluster filter's working points (the cluster-bib task's metrics).
FILTER_EFFICIENCIES = (0.90, 0.95)


def _filter_table(per_filter: dict[str, list[list[float]]]) -> str:
    """Each family's best as an on-detector cluster filter: background rejection (1/FPR) and data reduction
    (share of all clusters dropped) at 90 % and 95 % signal efficiency, mean ± standard deviation over seeds."""
    effs = [f"{100 * e:.0f} %" for e in FILTER_EFFICIENCIES]
    head = " | ".join([f"rejection @ {e}" for e in effs] + [f"reduction @ {e}" for e in effs])
    out = [f"\n### As a cluster filter: mean ± standard deviation over seeds\n\n| family | {head} |"]
    out.append("|---|" + "---:|" * (2 * len(effs)))
    for fam, vals in per_filter.items():
        a = np.array(vals)
        rej = [f"{a[:, i].mean():.2f} ± {a[:, i].std(ddof=1) if len(a) > 1 else 0:.2f}" for i in range(len(effs))]
        red = [
            f"{100 * a[:, i].mean():.1f} ± {100 * (a[:, i].std(ddof=1) if len(a) > 1 else 0):.1f} %"
            for i in range(len(effs), 2 * len(effs))
        ]
        out.append(f"| {fam} | {' | '.join(rej + red)} |")
    return "\n".join(out)


def _boosters(settings: TreeSettings, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"scikit-learn HistGradientBoosting": Booster(settings, seed)}
    try:
        import lightgbm

        out["LightGBM"] = lightgbm.LGBMClassifier(
            n_estimators=settings.max_iter,
            learning_rate=settings.learning_rate,
            num_leaves=settings.max_leaf_nodes,
            min_child_samples=settings.min_samples_leaf,
            reg_lambda=settings.l2,
            n_jobs=1,
            random_state=seed,
            verbose=-1,
        )
    except ImportError:
        emit("LightGBM not installed: skipped (pip install -e '.[bench]')")
    try:
        import xgboost

        out["XGBoost"] = xgboost.XGBClassifier(
            n_estimators=settings.max_iter,
            learning_rate=settings.learning_rate,
            max_leaves=settings.max_leaf_nodes,
            grow_policy="lossguide",
            tree_method="hist",
            min_child_weight=settings.min_samples_leaf * 0.25,  # hessian of log-loss at p = ½ is ¼ per row
            reg_lambda=settings.l2,
            n_jobs=1,
            random_state=seed,
        )
    except ImportError:
        emit("XGBoost not installed: skipped (pip install -e '.[bench]')")
    return out


def _probability(model: Any, x: np.ndarray) -> np.ndarray:
    if isinstance(model, Booster):
        return model.probability(x)
    return np.asarray(model.predict_proba(x)[:, 1], dtype=np.float64)


def boosters(args: argparse.Namespace) -> dict[str, Any]:
    emit(f"machine: {_machine()}")
    cfg = _load(args.config, args.seeds[0], args.n_maps)
    train_set, _, test_set = make_splits(cfg)
    train, test = prepare(train_set.maps, train_set.labels), prepare(test_set.maps, test_set.labels)
    tasks = [
        ("per-map features (tree family)", TreeSettings(), train.features, train.labels, test.features, test.labels),
        (
            "per-cluster features, inherited labels (two-stage, stage 1)",
            CLUSTER_TREE,
            train.clusters.features,
            train.labels[train.clusters.map_index],
            test.clusters.features,
            test.labels[test.clusters.map_index],
        ),
    ]
    for title, settings, x, y, xt, yt in tasks:
        emit(f"\n### {title}: {x.shape[0]} training rows, {xt.shape[0]} test rows, {settings.label()}\n")
        emit(
            "| learner | test accuracy (%) | test ROC AUC | Δ accuracy vs scikit-learn (pp, McNemar mid-p) "
            "| Δ AUC vs scikit-learn | fit (s) | load before -> after |\n|---|---:|---:|---:|---:|---:|---|"
        )
        reference: np.ndarray | None = None
        for name, model in _boosters(settings, 0).items():
            before = _load_text()
            t0 = time.perf_counter()
            model.fit(x, y)
            fit = time.perf_counter() - t0
            p = _probability(model, xt)
            delta = "— | —"
            if reference is None:
                reference = p
            else:
                c = paired_comparison(yt, reference, p, n_boot=500)
                delta = (
                    f"{100 * c.accuracy_diff:+.2f} ± {100 * c.accuracy_error:.2f} (p {c.accuracy_p:.2g}) "
                    f"| {c.auc_diff:+.4f} ± {c.auc_error:.4f}"
                )
            figures = f"{100 * accuracy(yt, p):.2f} | {roc_auc(yt, p):.4f} | {delta} | {fit:.2f}"
            emit(f"| {name} | {figures} | {before} -> {_load_text()} |")
    return {}


def threads(args: argparse.Namespace) -> dict[str, Any]:
    emit(f"machine: {_machine()}")
    cfg = _load(args.config, args.seeds[0], args.n_maps)
    train_set, _, _ = make_splits(cfg)
    train = prepare(train_set.maps, train_set.labels)
    settings = TreeSettings(max_iter=400, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40, l2=1.0)
    emit(f"\nmap tree {settings.label()} on {train.n_maps} maps\n")
    emit("| OpenMP threads | fit (s) | load before -> after |\n|---:|---:|---|")
    for n in (1, 2, 1, 2, 1, 2):
        before = _load_text()
        t0 = time.perf_counter()
        Booster(settings, 0, threads=n).fit(train.features, train.labels)
        emit(f"| {n} | {time.perf_counter() - t0:.2f} | {before} -> {_load_text()} |")
    return {}


def importance(args: argparse.Namespace) -> dict[str, Any]:
    from sklearn.inspection import permutation_importance

    from fpgaflow.baselines import MAP_FEATURES
    from fpgaflow.baselines.features import POSITION_FEATURES
    from fpgaflow.baselines.tree import MapTree

    emit(f"machine: {_machine()}")
    cfg = _load(args.config, args.seeds[0], args.n_maps)
    train_set, _, test_set = make_splits(cfg)
    where = None if args.no_positions else module_positions(train_set, None, test_set)
    train = prepare(train_set.maps, train_set.labels, positions=None if where is None else where[0])
    test = prepare(test_set.maps, test_set.labels, positions=None if where is None else where[2])
    names = [f.name for f in MAP_FEATURES] + ([f.name for f in POSITION_FEATURES] if where is not None else [])
    tree = MapTree().fit(train)
    r = permutation_importance(
        tree.model.model, test.features, test.labels, n_repeats=5, random_state=0, scoring="roc_auc"
    )
    emit(f"\nmap tree {TreeSettings().label()}, test ROC AUC lost when one feature is shuffled (5 repeats)\n")
    emit("| feature | AUC lost | AUC of the feature alone |\n|---|---:|---:|")
    for i in np.argsort(-r.importances_mean)[:8]:
        alone = roc_auc(test.labels, test.features[:, i])
        emit(f"| `{names[i]}` | {r.importances_mean[i]:.4f} ± {r.importances_std[i]:.4f} | {alone:.3f} |")
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("table", "boosters", "threads", "importance"))
    parser.add_argument("config", type=Path, help="YAML with a data: section (a run config or the section alone)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="data.seed values")
    parser.add_argument("--n-maps", type=int, default=None, help="override data.n_maps")
    parser.add_argument(
        "--no-positions", action="store_true", help="table: leave the maps' module positions out of the baselines"
    )
    parser.add_argument(
        "--write", action="store_true", help=f"store the printed tables (and the table figures) in {RESULTS_JSON.name}"
    )
    args = parser.parse_args()
    extra = {"table": table, "boosters": boosters, "threads": threads, "importance": importance}[args.what](args)
    if args.write:
        key = command_key(args)
        _store(key, {"settings": key, **extra, "markdown": PRINTED})


if __name__ == "__main__":
    main()
