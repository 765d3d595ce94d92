"""Baselines benchmark (issue 13): every baseline family on a config's data, per data seed, with timings.

    .venv/bin/python bench/bench_baselines.py table models/quick.yaml --seeds 1 2 3
    .venv/bin/python bench/bench_baselines.py table bench/data_window128_provisional.yaml --seeds 1 2 3
    .venv/bin/python bench/bench_baselines.py table models/qcnn_128.yaml --n-maps 26667 --seeds 1
    .venv/bin/python bench/bench_baselines.py table models/tasks/cluster-bib.yaml --seeds 1 2 3   # + filter table
    .venv/bin/python bench/bench_baselines.py boosters models/quick.yaml   # HGB vs LightGBM vs XGBoost
    .venv/bin/python bench/bench_baselines.py threads models/quick.yaml    # booster on 1 vs 2 threads
    .venv/bin/python bench/bench_baselines.py importance bench/data_run3_32_provisional.yaml  # what the tree uses

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
import os
import platform
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from fpgaflow.baselines import BaselineConfig, evaluate_baselines, prepare
from fpgaflow.baselines.tree import Booster, TreeSettings
from fpgaflow.baselines.two_stage import CLUSTER_TREE
from fpgaflow.config.strict import from_mapping
from fpgaflow.data.config import DataConfig
from fpgaflow.metrics import accuracy, data_reduction, paired_comparison, roc_auc
from fpgaflow.train.datasets import make_splits


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


def table(args: argparse.Namespace) -> None:
    print(f"machine: {_machine()}")
    per_family: dict[str, list[tuple[float, float]]] = {}
    per_filter: dict[str, list[list[float]]] = {}
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
            train.maps, train.labels, test.maps, test.labels, val.maps, val.labels, cfg=BaselineConfig(seed=0)
        )
        t_base = time.perf_counter() - t0
        print(
            f"\n### {args.config} data.seed={seed}: {len(train)} / {len(val)} / {len(test)} maps of "
            f"{train.map_shape[0]}x{train.map_shape[1]}, particle fraction {test.labels.mean():.3f}\n"
        )
        print(
            f"data {t_data:.1f} s; all baselines {t_base:.1f} s (clustering, fits, bootstrap); {before} -> "
            f"{_load_text()}\n"
        )
        print(result.to_markdown())
        for fam, r in result.best().items():
            per_family.setdefault(fam, []).append((r.accuracy, r.auc.auc))
            y = result.test_labels
            per_filter.setdefault(fam, []).append(
                [r.rejection[e] for e in FILTER_EFFICIENCIES]
                + [data_reduction(y, r.test_scores, e) for e in FILTER_EFFICIENCIES]
            )
    if len(args.seeds) > 1:
        print(f"\n### Over data seeds {args.seeds}: mean ± standard deviation of each family's best\n")
        print("| family | accuracy (%) | ROC AUC |\n|---|---:|---:|")
        for fam, vals in per_family.items():
            acc, auc = np.array(vals).T
            spread = f"{100 * acc.std(ddof=1):.1f} | {auc.mean():.3f} ± {auc.std(ddof=1):.3f}"
            print(f"| {fam} | {100 * acc.mean():.1f} ± {spread} |")
    if stamps:
        _filter_table(per_filter)


#: Signal efficiencies of a cluster filter's working points (the cluster-bib task's metrics).
FILTER_EFFICIENCIES = (0.90, 0.95)


def _filter_table(per_filter: dict[str, list[list[float]]]) -> None:
    """Each family's best as an on-detector cluster filter: background rejection (1/FPR) and data reduction
    (share of all clusters dropped) at 90 % and 95 % signal efficiency, mean ± standard deviation over seeds."""
    effs = [f"{100 * e:.0f} %" for e in FILTER_EFFICIENCIES]
    head = " | ".join([f"rejection @ {e}" for e in effs] + [f"reduction @ {e}" for e in effs])
    print(f"\n### As a cluster filter: mean ± standard deviation over seeds\n\n| family | {head} |")
    print("|---|" + "---:|" * (2 * len(effs)))
    for fam, vals in per_filter.items():
        a = np.array(vals)
        rej = [f"{a[:, i].mean():.2f} ± {a[:, i].std(ddof=1) if len(a) > 1 else 0:.2f}" for i in range(len(effs))]
        red = [
            f"{100 * a[:, i].mean():.1f} ± {100 * (a[:, i].std(ddof=1) if len(a) > 1 else 0):.1f} %"
            for i in range(len(effs), 2 * len(effs))
        ]
        print(f"| {fam} | {' | '.join(rej + red)} |")


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
        print("LightGBM not installed: skipped")
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
        print("XGBoost not installed: skipped")
    return out


def _probability(model: Any, x: np.ndarray) -> np.ndarray:
    if isinstance(model, Booster):
        return model.probability(x)
    return np.asarray(model.predict_proba(x)[:, 1], dtype=np.float64)


def boosters(args: argparse.Namespace) -> None:
    print(f"machine: {_machine()}")
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
        print(f"\n### {title}: {x.shape[0]} training rows, {xt.shape[0]} test rows, {settings.label()}\n")
        print(
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
            print(f"| {name} | {figures} | {before} -> {_load_text()} |")


def threads(args: argparse.Namespace) -> None:
    print(f"machine: {_machine()}")
    cfg = _load(args.config, args.seeds[0], args.n_maps)
    train_set, _, _ = make_splits(cfg)
    train = prepare(train_set.maps, train_set.labels)
    settings = TreeSettings(max_iter=400, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40, l2=1.0)
    print(f"\nmap tree {settings.label()} on {train.n_maps} maps\n")
    print("| OpenMP threads | fit (s) | load before -> after |\n|---:|---:|---|")
    for n in (1, 2, 1, 2, 1, 2):
        before = _load_text()
        t0 = time.perf_counter()
        Booster(settings, 0, threads=n).fit(train.features, train.labels)
        print(f"| {n} | {time.perf_counter() - t0:.2f} | {before} -> {_load_text()} |")


def importance(args: argparse.Namespace) -> None:
    from sklearn.inspection import permutation_importance

    from fpgaflow.baselines import MAP_FEATURES
    from fpgaflow.baselines.tree import MapTree

    print(f"machine: {_machine()}")
    cfg = _load(args.config, args.seeds[0], args.n_maps)
    train_set, _, test_set = make_splits(cfg)
    train, test = prepare(train_set.maps, train_set.labels), prepare(test_set.maps, test_set.labels)
    tree = MapTree().fit(train)
    r = permutation_importance(
        tree.model.model, test.features, test.labels, n_repeats=5, random_state=0, scoring="roc_auc"
    )
    print(f"\nmap tree {TreeSettings().label()}, test ROC AUC lost when one feature is shuffled (5 repeats)\n")
    print("| feature | AUC lost | AUC of the feature alone |\n|---|---:|---:|")
    for i in np.argsort(-r.importances_mean)[:8]:
        alone = roc_auc(test.labels, test.features[:, i])
        print(f"| `{MAP_FEATURES[i].name}` | {r.importances_mean[i]:.4f} ± {r.importances_std[i]:.4f} | {alone:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("table", "boosters", "threads", "importance"))
    parser.add_argument("config", type=Path, help="YAML with a data: section (a run config or the section alone)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="data.seed values")
    parser.add_argument("--n-maps", type=int, default=None, help="override data.n_maps")
    args = parser.parse_args()
    {"table": table, "boosters": boosters, "threads": threads, "importance": importance}[args.what](args)


if __name__ == "__main__":
    main()
