"""The flagship measured (issue 22): the default run (``models/default.yaml``, the ``window-128`` task deployed at
128 × 128) for several seeds, against the baselines and the truth ceiling on the same test maps.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_flagship.py --seeds 1 2 3 \\
        --workdir runs/flagship --write

``--config YAML`` measures another run config the same way (a candidate architecture; the results name it); each
seed's measurement is cached as ``WORKDIR/seed<s>.json`` with the config it measured, and a cache made with another
config is an error (use another ``--workdir``).

Per seed ``s``: ``fpgaflow run`` of the config with ``data.seed = s`` and ``train.seed = s + 2`` (seed 1 is
the default run itself) in ``WORKDIR/seed<s>`` (a finished run is reused: the pipeline resumes from its
checkpoints); every baseline family of :mod:`fpgaflow.baselines` fitted on the run's training maps, chosen on its
validation maps and measured on its test maps; the truth ceiling (:func:`fpgaflow.baselines.ceiling.truth_ceiling`)
on the same split, from the same simulation re-run with per-cluster truth; the deployed model's C-simulation
scores paired with the strongest baseline's (paired bootstrap, McNemar).  Then the emulator's speed against Keras
on the first seed's deployed design as deployed (Resource layers included), timed side by side as
``bench/bench_emulate.py --run`` does (:func:`bench_emulate.deployed_rates`).  ``--write`` writes
bench/results_flagship.md and bench/results_flagship.json (the figures the Markdown shows, per seed;
``bench/tasks_doc.py`` renders docs/tasks.md's flagship rows from it; ``results_flagship_<stem>.*`` for another
``--config``); without it the markdown is printed.  ``--speed-only`` re-times only the emulator (after a change
to it) on ``WORKDIR/seed<first seed>``, which must be a finished run of the same config and seed, and keeps every
per-seed figure of the results JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from bench_emulate import DEPLOYED_PATHS, deployed_rates

from fpgaflow.baselines import BaselineConfig, evaluate_baselines
from fpgaflow.baselines.ceiling import truth_ceiling
from fpgaflow.data.hitmaps import HitMapSet, load_npz
from fpgaflow.data.source import simulate_set
from fpgaflow.data.split import split_indices
from fpgaflow.metrics import paired_comparison
from fpgaflow.pipeline.config import RunConfig, load_run_config
from fpgaflow.pipeline.runner import run_pipeline
from fpgaflow_board.atomic import write_json
from fpgaflow_board.boards import get_board

RESULTS = Path(__file__).resolve().parent / "results_flagship.md"
RESULTS_JSON = RESULTS.with_suffix(".json")
#: The config ``fpgaflow run`` uses without one (the flagship).
DEFAULT_CONFIG = "models/default.yaml"
REPO = Path(__file__).resolve().parents[1]
#: The keys of each run's summary.json that the results quote (the JSON keeps only these).
SUMMARY_KEYS = (
    "accuracy_csim",
    "accuracy_keras",
    "accuracy_float",
    "csim_bit_exact_fraction",
    "sparsity",
    "steps_seconds",
    "n_test",
    "board",
    "estimate",
    "estimate_range",
    "estimate_utilisation",
    "estimate_verdict",
    "estimate_status",
    "modelled_maps_per_second",
    "modelled_bound",
    "modelled_latency_us",
    "reuse_factors",
    "csim_maps_per_second",
    "baselines_headline",
)


def results_path(config: str) -> Path:
    """bench/results_flagship.md for the default config; bench/results_flagship_<config's stem>.md for another."""
    return RESULTS if config == DEFAULT_CONFIG else RESULTS.with_name(f"results_flagship_{Path(config).stem}.md")


def quoted(seed: dict[str, Any]) -> dict[str, Any]:
    """One seed's measurement with its summary cut to :data:`SUMMARY_KEYS` and the deployed model's ROC AUC."""
    s = seed["summary"]
    b = s.get("baselines") or {}
    summary = {k: s.get(k) for k in SUMMARY_KEYS}
    summary["model_roc_auc"] = b["model_scores"][b["deployed"]]["roc_auc"] if b else s.get("model_roc_auc")
    return seed | {"summary": summary}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def seed_config(seed: int, config: str = DEFAULT_CONFIG) -> RunConfig:
    """The run ``config`` (a path from the repository root) with data seed ``seed`` and training seed ``seed + 2``
    (seed 1 = the default run)."""
    cfg = load_run_config(REPO / config)
    return replace(cfg, data=replace(cfg.data, seed=seed), train=replace(cfg.train, seed=seed + 2))


def config_digest(cfg: RunConfig) -> str:
    """SHA-256 (16 hex digits) of the checked run config: equal for two YAML files that differ only in comments."""
    import hashlib

    return hashlib.sha256(json.dumps(cfg.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _split(run_dir: Path, name: str) -> HitMapSet:
    return load_npz(next(run_dir.glob(f"*/{name}.npz")))


def _ceiling(cfg: RunConfig) -> dict[str, float]:
    """Truth ceiling on the run's own test split (same simulation, same split stream as make_splits)."""
    data = simulate_set(cfg.data, truth=True)
    assert data.truth is not None
    train, _, test = split_indices(
        data.labels,
        cfg.data.val_fraction,
        cfg.data.test_fraction,
        np.random.default_rng([cfg.data.seed, 1]),
        groups=data.groups,
    )
    c = truth_ceiling(data.labels, data.truth, train, test)
    return {"accuracy": c.accuracy, "auc": c.roc_auc, "n_test": c.n_test}


def measure_seed(seed: int, workdir: Path, config: str = DEFAULT_CONFIG) -> dict[str, Any]:
    """Run (or resume) ``config`` for one seed and measure it beside the baselines and the ceiling."""
    cfg = seed_config(seed, config)
    digest = config_digest(cfg)
    cache = workdir / f"seed{seed}.json"
    if cache.is_file():
        cached = dict(json.loads(cache.read_text()))
        if cached.get("config_digest") != digest:
            raise SystemExit(
                f"bench_flagship: {cache} measured another run config ({cached.get('config', 'unnamed')}, digest "
                f"{cached.get('config_digest')}), not {config} ({digest}); use another --workdir"
            )
        return cached
    run_dir = workdir / f"seed{seed}"
    t0 = time.perf_counter()
    load_before = _load()
    summary = run_pipeline(cfg, run_dir).summary
    t_run = time.perf_counter() - t0
    train, val, test = (_split(run_dir, n) for n in ("train", "val", "test"))
    n_split = (len(train), len(val), len(test))
    scores = np.load(next(run_dir.glob("*/scores.npz")))
    hw, labels = scores["csim"], scores["labels"]
    assert np.array_equal(labels, test.labels), "the verify step's labels are not the test split's"
    t0 = time.perf_counter()
    table = evaluate_baselines(
        train.maps, train.labels, test.maps, test.labels, val.maps, val.labels, cfg=BaselineConfig(seed=0)
    )
    t_base = time.perf_counter() - t0
    best = table.best()
    strongest = table.strongest()
    pair = paired_comparison(labels, strongest.test_scores, hw, cut_a=strongest.cut, cut_b=0.5)
    del train, val, test  # the ceiling re-simulates the whole set: keep one copy of the maps in memory
    t0 = time.perf_counter()
    ceiling = _ceiling(cfg)
    t_ceiling = time.perf_counter() - t0
    out = {
        "seed": seed,
        "config": config,
        "config_digest": digest,
        "train_seed": cfg.train.seed,
        "n_train": n_split[0],
        "n_val": n_split[1],
        "n_test": n_split[2],
        "summary": summary,
        "baselines": {
            fam: {"name": r.name, "accuracy": r.accuracy, "error": r.accuracy_error, "auc": r.auc.auc}
            for fam, r in best.items()
        },
        "strongest": strongest.name,
        "paired": pair.to_dict(),
        "ceiling": ceiling,
        "seconds": {"run": t_run, "baselines": t_base, "ceiling": t_ceiling},
        "load": f"{load_before} -> {_load()}",
    }
    cache.write_text(json.dumps(out, indent=1, default=float))
    return out


def _mean_sd(values: list[float], scale: float = 100.0, digits: int = 1) -> str:
    v = np.asarray(values, float) * scale
    sd = float(v.std(ddof=1)) if len(v) > 1 else 0.0
    return f"{v.mean():.{digits}f} ± {sd:.{digits}f}"


def accuracy_columns(seeds: list[dict[str, Any]]) -> tuple[list[float], list[float], list[float], list[float]]:
    """Per seed (fractions): the deployed model's C-simulation accuracy, the best single cut, the best tree (per-map
    or two-stage, the higher) and the truth ceiling, each on that seed's own test maps."""
    return (
        [r["summary"]["accuracy_csim"] for r in seeds],
        [r["baselines"]["single_cut"]["accuracy"] for r in seeds],
        [max(r["baselines"]["tree"]["accuracy"], r["baselines"]["two_stage"]["accuracy"]) for r in seeds],
        [r["ceiling"]["accuracy"] for r in seeds],
    )


def render(seeds: list[dict[str, Any]], speed: dict[str, Any], command: str, config: str = DEFAULT_CONFIG) -> str:
    s0 = seeds[0]["summary"]
    named = "`models/default.yaml` (`fpgaflow run` with no CONFIG)" if config == DEFAULT_CONFIG else f"`{config}`"
    lines = [
        "# The flagship: `window-128` deployed at 128 × 128 on the PYNQ-Z2 (issue 22)",
        "",
        "Command (from the worktree root):",
        "",
        f"    {command}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores visible, shared with other sessions (load printed per"
        " seed), Python " + platform.python_version() + f". Run config: {named}; per seed s: data.seed = s,"
        " train.seed = s + 2.",
        "",
        "## Per seed (test maps of each seed's own split)",
        "",
        "| seed | test maps | deployed (C-sim) acc. % | QKeras acc. % | float twin % | QKeras = C-sim bit for bit |"
        " sparsity | best single cut % | trees % | two-stage % | truth ceiling % | deployed − strongest baseline"
        " (pp) | run: sum of the steps (s) | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in seeds:
        s, b, p = r["summary"], r["baselines"], r["paired"]
        lines.append(
            f"| {r['seed']} | {r['n_test']} | {100 * s['accuracy_csim']:.1f} | {100 * s['accuracy_keras']:.1f} | "
            f"{100 * (s.get('accuracy_float') or float('nan')):.1f} | "
            f"{s['csim_bit_exact_fraction']:.4f} | {s['sparsity']:.3f} | "
            f"{100 * b['single_cut']['accuracy']:.1f} ± {100 * b['single_cut']['error']:.1f} | "
            f"{100 * b['tree']['accuracy']:.1f} ± {100 * b['tree']['error']:.1f} | "
            f"{100 * b['two_stage']['accuracy']:.1f} ± {100 * b['two_stage']['error']:.1f} | "
            f"{100 * r['ceiling']['accuracy']:.1f} | "
            f"{100 * p['accuracy_diff']:+.1f} ± {100 * p['accuracy_error']:.1f} vs `{r['strongest']}` "
            f"(McNemar mid-p {p['accuracy_p']:.2g}) | {sum(s['steps_seconds'].values()):.0f} | {r['load']} |"
        )
    acc, auc_cut, tree, ceil = accuracy_columns(seeds)
    est = s0["estimate"]
    ranges = s0["estimate_range"]
    util = s0["estimate_utilisation"]
    binding = max(util, key=lambda k: util[k])
    n = len(seeds)
    lines += [
        "",
        f"## Over {n} seed{'s' if n > 1 else ''}: mean ± standard deviation",
        "",
        "| model | accuracy (%) |",
        "|---|---:|",
        f"| deployed model (C simulation, every test map) | {_mean_sd(acc)} |",
        f"| best single cut | {_mean_sd(auc_cut)} |",
        f"| best tree (per-map or two-stage, whichever is higher per seed) | {_mean_sd(tree)} |",
        f"| truth ceiling | {_mean_sd(ceil)} |",
        "",
        "## The deployed design (seed " + str(seeds[0]["seed"]) + "; the others share the architecture and the"
        " conversion)",
        "",
        "| resource | estimate (range) | board | share of the board (top of range) |",
        "|---|---:|---:|---:|",
    ]
    available = get_board(s0["board"]).resources
    for res in ("lut", "ff", "dsp", "bram18"):
        lo, hi = ranges[res]
        lines.append(
            f"| {res} | {est[res]:,.0f} ({lo:,.0f}–{hi:,.0f}) | {available[res]:,} | "
            f"{100 * util[res]:.1f} % ({100 * hi / available[res]:.1f} %) |"
        )
    lines += [
        "",
        f"Verdict: {s0['estimate_verdict']}.  Binding resource: **{binding}** ({100 * util[binding]:.1f} % of the"
        f" board).  Modelled throughput {s0['modelled_maps_per_second']:,.0f} maps/s ({s0['modelled_bound']}-bound,"
        f" latency {s0['modelled_latency_us']:,.1f} µs); reuse factors {s0['reuse_factors']}.",
        f"C simulation: {s0.get('csim_maps_per_second') or 0:.1f} maps/s (2 processes).",
        "",
        "## Emulator speed at 128 × 128 (seed " + str(seeds[0]["seed"]) + "'s deployed design, its test maps)",
        "",
        *_speed_lines(speed),
        "",
        *_targets(acc, auc_cut, tree, ceil, s0, speed["emulator"] / speed["keras_float"]),
    ]
    return "\n".join(lines) + "\n"


def _speed_lines(speed: dict[str, Any]) -> list[str]:
    """The emulator-vs-Keras table (``bench_emulate.deployed_rates``' figures; an entry written before them timed the
    Latency twin of the deployed design with Keras, and is shown as it was)."""
    if "strategies" not in speed:
        return [
            "| path | maps/s |",
            "|---|---:|",
            f"| Keras, the QKeras model | {speed['keras_qkeras']:,.0f} |",
            f"| Keras, its float twin (quantisers removed) | {speed['keras_float']:,.0f} |",
            f"| fpgaflow.emulate (Latency twin of the deployed design) | {speed['emulator']:,.0f} |",
            "",
            f"Emulator / Keras float: **{speed['emulator'] / speed['keras_float']:.2f}×** on"
            f" {speed['n_maps']:.0f} maps.",
        ]
    lines = [
        f"The design as deployed ({speed['strategies']}), timed as `bench/bench_emulate.py --run` does: interleaved,"
        f" best of {speed['repeats']:.0f}, {speed['load']}.",
        "",
        "| path | maps/s | / Keras float |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {speed[key]:,.0f} | {speed[key] / speed['keras_float']:.2f}× |"
        for key, label in DEPLOYED_PATHS.items()
    ]
    return [
        *lines,
        "",
        f"Emulator / Keras float: **{speed['emulator'] / speed['keras_float']:.2f}×** on {speed['n_maps']:,.0f} maps;"
        f" emulator = C simulation bit for bit on {speed['bit_exact_maps']:,.0f} / {speed['n_maps']:,.0f} maps.",
    ]


def _targets(
    acc: list[float], cut: list[float], tree: list[float], ceil: list[float], s0: dict[str, Any], emu_ratio: float
) -> list[str]:
    """Issue 22's targets against the means over seeds (pp = percentage points)."""
    a, c, t, ce = (100 * float(np.mean(v)) for v in (acc, cut, tree, ceil))
    se = 100 * float(np.std(acc, ddof=1) / np.sqrt(len(acc))) if len(acc) > 1 else 0.0

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    return [
        "## Issue 22's targets (means over the seeds)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| at least the best classical baseline (within one standard error) | deployed {a:.1f} %, best tree {t:.1f} %,"
        + (f" standard error of the deployed mean {se:.1f} pp" if len(acc) > 1 else " one seed: no standard error")
        + (
            f" | met (deployed − best tree {a - t:+.1f} pp) |"
            if a + se >= t
            else f" | **missed** (by {t - a - se:.1f} pp" + (" beyond one standard error) |" if len(acc) > 1 else ") |")
        ),
        f"| within 1 pp of the truth ceiling | ceiling {ce:.1f} %, deployed {a:.1f} % | {verdict(ce - a <= 1.0)} |",
        f"| ≥ 10 pp above the best single cut | cut {c:.1f} %: +{a - c:.1f} pp (the ceiling itself is"
        f" +{ce - c:.1f} pp) | {verdict(a - c >= 10.0)} |",
        f"| pruned ≥ 50 %, ≤ 8-bit, bit-exact QKeras ↔ C-sim on every test map | sparsity {s0['sparsity']:.3f}, 8-bit,"
        f" bit-exact fraction {s0['csim_bit_exact_fraction']:.4f} on {s0['n_test']} maps | "
        f"{verdict(s0['sparsity'] >= 0.5 and s0['csim_bit_exact_fraction'] == 1.0)} |",
        f"| within 70 % of every PYNQ-Z2 resource incl. the estimate's range | {s0['estimate_verdict']} |"
        f" {verdict(s0['estimate_status'] == 'fits')} |",
        f"| modelled throughput ≥ 6,000 maps/s | {s0['modelled_maps_per_second']:,.0f} maps/s |"
        f" {verdict(s0['modelled_maps_per_second'] >= 6000)} |",
        f"| emulator ≥ 0.5× Keras float at 128 × 128 | {emu_ratio:.2f}× | {verdict(emu_ratio >= 0.5)} |",
    ]


#: How the command line of a results file whose emulator was re-timed by ``--speed-only`` says so.
SPEED_NOTE = "  # emulator re-timed"


def speed_run_dir(workdir: Path, seed: int, config: str = DEFAULT_CONFIG) -> Path:
    """``WORKDIR/seed<seed>`` when it is a finished run of ``config`` at that seed (the design the per-seed figures
    measured); otherwise ``SystemExit`` with one line saying what differs."""
    from fpgaflow.errors import ConfigError
    from fpgaflow.pipeline.config import recorded_config

    run_dir = workdir / f"seed{seed}"
    try:
        recorded = recorded_config(run_dir)
    except ConfigError as exc:
        raise SystemExit(f"bench_flagship --speed-only: {exc}") from None
    want = config_digest(seed_config(seed, config))
    if config_digest(recorded) != want:
        raise SystemExit(
            f"bench_flagship --speed-only: {run_dir} was run with another config than {config} at data seed {seed}"
            f" (digest {config_digest(recorded)}, expected {want})"
        )
    if not any(run_dir.glob("*/scores.npz")):
        raise SystemExit(f"bench_flagship --speed-only: {run_dir} has no verify scores (an unfinished run?)")
    return run_dir


def remeasure_speed(workdir: Path, seed: int, config: str = DEFAULT_CONFIG, write: bool = False) -> str:
    """Re-time the emulator against Keras on a finished run's design; the per-seed figures stay those of the
    results JSON (which must have measured ``config``)."""
    results = results_path(config)
    entry = json.loads(results.with_suffix(".json").read_text(encoding="utf-8"))
    if entry["settings"].get("config", DEFAULT_CONFIG) != config:
        raise SystemExit(f"bench_flagship --speed-only: {results.with_suffix('.json')} did not measure {config}")
    speed = deployed_rates(speed_run_dir(workdir, seed, config), repeats=3)
    measured = str(entry["command"]).split(SPEED_NOTE)[0]
    command = f"{measured}{SPEED_NOTE}: bench/bench_flagship.py --speed-only --workdir {workdir} --write"
    text = render(entry["seeds"], speed, command, config)
    if write:
        results.write_text(text, encoding="utf-8")
        write_json(
            results.with_suffix(".json"),
            entry | {"speed": speed, "command": command},
            allow_nan=False,
            sort_keys=False,
            default=float,
        )
    print(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workdir", type=Path, default=Path("runs/flagship"))
    ap.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        help=f"run config, a path from the repository root (default {DEFAULT_CONFIG})",
    )
    ap.add_argument(
        "--write", action="store_true", help=f"write {RESULTS.name} (results_flagship_<stem>.md for another --config)"
    )
    ap.add_argument(
        "--from-json", action="store_true", help=f"render {RESULTS.name} from {RESULTS_JSON.name} (no measurement)"
    )
    ap.add_argument(
        "--speed-only",
        action="store_true",
        help="re-time the emulator on WORKDIR/seed<first seed> (a finished run of the same config) and keep the"
        " per-seed figures of the results JSON",
    )
    args = ap.parse_args()
    if args.speed_only:
        remeasure_speed(args.workdir, args.seeds[0], args.config, write=args.write)
        return
    if args.from_json:
        entry = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
        config = entry["settings"].get("config", DEFAULT_CONFIG)
        RESULTS.write_text(render(entry["seeds"], entry["speed"], entry["command"], config), encoding="utf-8")
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    seeds = [measure_seed(s, args.workdir, args.config) for s in args.seeds]
    speed = deployed_rates(args.workdir / f"seed{args.seeds[0]}", repeats=3)
    command = (
        f"PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}"
        " .venv/bin/python bench/bench_flagship.py --seeds "
        + " ".join(map(str, args.seeds))
        + ("" if args.config == DEFAULT_CONFIG else f" --config {args.config}")
        + f" --workdir {args.workdir} --write"
    )
    text = render(seeds, speed, command, args.config)
    if args.write:
        results = results_path(args.config)
        results.write_text(text, encoding="utf-8")
        entry = {
            "command": command,
            "settings": {"seeds": args.seeds, "workdir": str(args.workdir)}
            | ({} if args.config == DEFAULT_CONFIG else {"config": args.config}),
            "seeds": [quoted(s) for s in seeds],
            "speed": speed,
        }
        write_json(results.with_suffix(".json"), entry, allow_nan=False, sort_keys=False, default=float)
    print(text)


if __name__ == "__main__":
    main()
