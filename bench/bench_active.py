"""Augmentation-policy search and active learning (issue 21): the tables of docs/active.md.

The default task (window-128, 128 x 128, the flagship's model; bench/results_active_128.md), its policy searched
on that task first (``models/search_policy_128.yaml``; ``models/active_128.yaml`` names the result)::

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_active.py \\
        --search-config models/search_policy_128.yaml --active-config models/active_128.yaml \\
        --save-policy models/policy_searched_128.yaml --out runs/bench_active_128 --write bench/results_active_128.md

The 32 x 32 quick task, search first (bench/results_active.md)::

    PYTHONPATH=$PWD:$PWD/board .venv/bin/python bench/bench_active.py --out runs/bench_active \\
        --save-policy models/policy_searched_32.yaml

1. ``fpgaflow augment search models/search_policy_32.yaml`` into ``OUT/search``: the RandAugment (N, M) grid,
   TrivialAugment and the density-matching searched policy, ranked by validation accuracy over 3 seeds
   (``--no-search`` skips it).
2. ``fpgaflow active models/active_32.yaml`` into ``OUT/active``, with its ``randaugment`` variant set to the
   search's best (N, M) and its ``searched`` variant to the search's policy file: every augmentation × acquisition
   × seed, the label-efficiency curves and the labels each needs to reach the random/no-augmentation accuracy at
   the full budget.
3. Core-set (the diversity-aware acquisition) against random, without augmentation (``OUT/active_coreset``;
   ``--no-coreset`` skips it).
4. Prints the docs table (no augmentation / RandAugment / TrivialAugment / searched × random / uncertainty), the
   wall time and CPU-hours of each phase and the machine load sampled every 30 s (the 2 cores are shared).

``--save-policy PATH`` copies the searched policy there (``models/policy_searched_32.yaml`` is the recorded one).
Rerunning with the same ``--out`` resumes: finished jobs are not trained again.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.active.config import ActiveConfig
from fpgaflow.active.curves import CHANCE_BAND, MethodSummary
from fpgaflow.active.loop import initial_labels
from fpgaflow.active.runner import run_active
from fpgaflow.config.strict import load_yaml
from fpgaflow.study.config import ExecutorConfig, StrategyVariant
from fpgaflow.study.search.config import SearchConfig
from fpgaflow.study.search.runner import search_policies

REPO = Path(__file__).resolve().parents[1]


class LoadSampler:
    """The 1-minute load average every ``period`` seconds while a phase runs."""

    def __init__(self, period: float = 30.0) -> None:
        self.period = period
        self.samples: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def text(self) -> str:
        s = np.array(self.samples)
        return f"load average (1 min) mean {s.mean():.1f}, range {s.min():.1f}–{s.max():.1f} ({s.size} samples)"


def _labels(value: float | None, budget: int) -> str:
    return f"> {budget}" if value is None else f"{value:.0f}"


def docs_table(summary: list[MethodSummary], uncertainty: str) -> list[str]:
    """Rows: augmentation × (random, ``uncertainty``) — accuracy at the budget, Δ vs control, labels to reach."""
    lines = [
        "| Augmentation | Acquisition | Test accuracy at the budget (%) | Δ vs control (pp, paired) "
        "| Test ROC AUC | Labels to reach the target (mean curve) | per seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in summary:
        if s.acquisition not in ("random", uncertainty):
            continue
        seeds = ", ".join(_labels(v, s.budget) for v in s.labels_to_reach_per_seed)
        auc = "-" if s.roc_auc_mean is None else f"{s.roc_auc_mean:.4f} ± {s.roc_auc_std or 0.0:.4f}"
        lines.append(
            f"| {s.augment} | {s.acquisition} | {100 * s.accuracy_mean:.2f} ± {100 * s.accuracy_std:.2f} "
            f"| {100 * s.delta_mean:+.2f} ± {100 * s.delta_sem:.2f} | {auc} | {_labels(s.labels_to_reach, s.budget)} "
            f"| {seeds} |"
        )
    return lines


def labelled_particle_fraction(results: list[dict[str, Any]], pool_labels: np.ndarray) -> list[str]:
    """Per method: the particle fraction of the maps labelled at the budget, per seed (the pool is 50 %), and
    the rounds whose model collapsed to chance — uncertainty acquisition can pick one class."""
    lines = [
        "| Augmentation | Acquisition | Particle fraction of the labelled maps at the budget, per seed "
        f"| Rounds at chance (test accuracy within {100 * CHANCE_BAND:.0f} pp of 50 %) / rounds |",
        "|---|---|---|---|",
    ]
    by_method: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        by_method.setdefault((r["augment"], r["acquisition"]), []).append(r)
    for (aug, acq), runs in by_method.items():
        fractions, chance, rounds = [], 0, 0
        for run in sorted(runs, key=lambda r: int(r["seed"])):
            first = run["rounds"][0]["n_labelled"]
            picked = initial_labels(len(pool_labels), first, int(run["seed"])).tolist()
            for rnd in run["rounds"]:
                picked += list(rnd["acquired"])
                chance += abs(rnd["test_accuracy"] - 0.5) < CHANCE_BAND
                rounds += 1
            fractions.append(f"{100 * pool_labels[np.asarray(picked, dtype=np.int64)].mean():.0f} %")
        lines.append(f"| {aug} | {acq} | {', '.join(fractions)} | {chance} / {rounds} |")
    return lines


class Transcript:
    """What the benchmark prints, kept to be written as a Markdown file with ``--write``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text)
        self.lines.append(text)


def describe(aug: Any) -> str:
    """An augmentation variant in a few words."""
    if aug.strategy == "none":
        return "no augmentation"
    if aug.policy == "randaugment":
        return f"RandAugment N={aug.randaugment_n}, M={aug.randaugment_m}"
    if aug.policy == "file":
        return f"policy file {aug.policy_file}"
    return f"{aug.policy} ({aug.strategy})"


def paired_auc(results: list[dict[str, Any]], control: tuple[str, str]) -> list[str]:
    """Per method: the test ROC AUC at the budget per seed and its difference from the control's on the same
    seed (the same test maps and the same first labelled maps)."""
    last = {(r["augment"], r["acquisition"], int(r["seed"])): r["rounds"][-1]["test_roc_auc"] for r in results}
    seeds = sorted({seed for _, _, seed in last})
    lines = [
        "| Augmentation | Acquisition | Test ROC AUC at the budget, per seed | Δ ROC AUC vs control, per seed "
        "| seeds with Δ > 0 |",
        "|---|---|---|---|---|",
    ]
    for aug, acq in dict.fromkeys((a, q) for a, q, _ in last):
        aucs = [last.get((aug, acq, s)) for s in seeds]
        base = [last.get((*control, s)) for s in seeds]
        deltas = [None if x is None or y is None else x - y for x, y in zip(aucs, base, strict=True)]
        lines.append(
            f"| {aug} | {acq} | {', '.join('-' if x is None else f'{x:.3f}' for x in aucs)} "
            f"| {', '.join('-' if d is None else f'{d:+.3f}' for d in deltas)} "
            f"| {sum(d is not None and d > 0 for d in deltas)} / {len(seeds)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--search-config", type=Path, default=REPO / "models" / "search_policy_32.yaml")
    parser.add_argument("--active-config", type=Path, default=REPO / "models" / "active_32.yaml")
    parser.add_argument("--workers", type=int, default=2, help="process-pool workers (default 2)")
    parser.add_argument("--uncertainty", default="entropy", help="the uncertainty acquisition of the docs table")
    parser.add_argument("--save-policy", type=Path, help="copy the searched policy file here")
    parser.add_argument("--no-coreset", action="store_true", help="skip core-set vs random without augmentation")
    parser.add_argument("--seeds", type=int, nargs="+", help="active-learning seeds (default: the config's)")
    parser.add_argument("--search-seeds", type=int, nargs="+", help="search seeds (default: the config's)")
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="skip the policy search: RandAugment's (N, M) and the policy file are the active config's as written",
    )
    parser.add_argument("--write", type=Path, help="also write what is printed, as Markdown, to this file")
    args = parser.parse_args()
    say = Transcript()
    executor = ExecutorConfig(kind="process", workers=args.workers)
    say(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores visible, {args.workers} workers")

    active_cfg = load_yaml(ActiveConfig, args.active_config)
    t_search = 0.0
    if args.no_search:
        say("search: skipped; RandAugment (N, M) and the policy file as written in the active config")
    else:
        search_cfg = dataclasses.replace(load_yaml(SearchConfig, args.search_config), executor=executor)
        if args.search_seeds:
            search_cfg = dataclasses.replace(search_cfg, seeds=tuple(args.search_seeds))
        say(f"search: seeds {list(search_cfg.seeds)}")
        t0 = time.perf_counter()
        with LoadSampler() as load_search:
            search = search_policies(search_cfg, args.out / "search")
        t_search = time.perf_counter() - t0
        say((search.out_dir / "ranking.md").read_text(encoding="utf-8"))
        say(f"search: {t_search:.0f} s wall, {search.cpu_hours:.3f} CPU-hours; {load_search.text()}\n")
        best_ra = next(r for r in search.rows if r.label.startswith("randaugment-"))
        n, m = (int(part[1:]) for part in best_ra.label.split("-")[1:])
        searched = (search.out_dir / "searched_policy.yaml").resolve()
        if args.save_policy:
            shutil.copyfile(searched, args.save_policy)
            say(f"searched policy copied to {args.save_policy}")
        say(f"active learning: RandAugment N={n}, M={m} (the search's best); searched policy {searched}")
        augments = []
        for variant in active_cfg.augments:
            aug = variant.augment
            if aug.policy == "randaugment":
                aug = dataclasses.replace(aug, randaugment_n=n, randaugment_m=m)
            if aug.policy == "file":
                aug = dataclasses.replace(aug, policy_file=str(searched))
            augments.append(StrategyVariant(variant.label, aug))
        active_cfg = dataclasses.replace(active_cfg, augments=tuple(augments))
    active_cfg = dataclasses.replace(active_cfg, executor=executor)
    if args.seeds:
        active_cfg = dataclasses.replace(active_cfg, seeds=tuple(args.seeds))
    say(f"active learning: seeds {list(active_cfg.seeds)}")
    for variant in active_cfg.augments:
        say(f"    {variant.label}: {describe(variant.augment)}")
    t0 = time.perf_counter()
    with LoadSampler() as load_active:
        active = run_active(active_cfg, args.out / "active")
    t_active = time.perf_counter() - t0
    md = (active.out_dir / "results.md").read_text(encoding="utf-8")
    say(md.split("## Per method")[0].replace("# Active learning\n", "## Summary (OUT/active/results.md)\n", 1))
    from fpgaflow.active.curves import summarise

    target, summary = summarise(active.results, (active_cfg.control_label, "random"))
    say(f"target (random acquisition, no augmentation, at {active_cfg.budget} labels): {100 * target:.2f} %")
    say("\n".join(docs_table(summary, args.uncertainty)))
    cpu = sum(r["cpu_seconds"] for r in active.results) / 3600
    pool_labels = np.load(next((args.out / "active").glob("data-*")) / "pool.npz")["labels"]
    say("\n".join(labelled_particle_fraction(active.results, pool_labels)))
    say("\n".join(paired_auc(active.results, (active_cfg.control_label, "random"))))
    say(f"chosen model: {active.chosen}")
    say("\n".join(f"    {line}" for line in active.estimate))
    say(f"\nactive learning: {t_active:.0f} s wall, {cpu:.3f} CPU-hours; {load_active.text()}")
    t_core = 0.0
    if not args.no_coreset:
        core_cfg = dataclasses.replace(active_cfg, augments=active_cfg.augments[:1], acquisitions=("random", "coreset"))
        t0 = time.perf_counter()
        with LoadSampler() as load_core:
            core = run_active(core_cfg, args.out / "active_coreset")
        t_core = time.perf_counter() - t0
        _, core_summary = summarise(core.results, (core_cfg.control_label, "random"))
        say("\ncore-set vs random, no augmentation (target: this run's random at the budget):")
        say("\n".join(docs_table(core_summary, "coreset")))
        say("\n".join(labelled_particle_fraction(core.results, pool_labels)))
        cpu = sum(r["cpu_seconds"] for r in core.results) / 3600
        say(f"core-set: {t_core:.0f} s wall, {cpu:.3f} CPU-hours; {load_core.text()}")
    say(f"total: {(t_search + t_active + t_core) / 60:.1f} min wall")
    if args.write:
        per_method = md.split("## Per method", 1)[1] if "## Per method" in md else ""
        command = " ".join(["bench/bench_active.py", *sys.argv[1:]])
        text = [
            f"# Active learning with {args.active_config.name} (issue 21), written by bench/bench_active.py --write",
            "",
            "Command (from the repository root):",
            "",
            f"    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python {command}",
            "",
            "\n\n".join(line.strip("\n") for line in say.lines),  # a blank line between printed blocks
            "",
            f"## Per method{per_method}",
        ]
        args.write.write_text("\n".join(text).rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
