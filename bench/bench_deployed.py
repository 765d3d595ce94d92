"""The deployed model on a physics task preset: one complete ``fpgaflow run`` per data seed (issue 13).

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_deployed.py run3-32 --seeds 1 2 3 \\
        --out runs/deployed --write

For each seed the run config is a model config (default ``models/quick.yaml``, the 32 × 32 model the task
presets' deployed rows were measured with; the flagship ``models/default.yaml`` is built for 128 × 128 windows,
its convolutions leave nothing of a 16 × 16 ``cluster-bib`` stamp, and has its own benchmark,
``bench/bench_flagship.py``) with its ``data:`` section
replaced by ``{task: TASK, seed: SEED}``: the task preset's data, the model, training, pruning and conversion
of the config.  Every step runs (data, train, convert, verify with the hls4ml C simulation, baselines,
package), so the figures are those of the design that would go on the board: the C-simulation accuracy and ROC
AUC on the test maps, the QKeras accuracy, each baseline family's best on the same maps with the paired
verdict, and the truth ceiling of the same split.  Prints per-seed lines and the mean ± standard deviation over
seeds; ``--write`` adds the result as a section of ``bench/results_deployed.md`` and its figures as an entry of
``bench/results_deployed.json`` (each replacing an earlier one for the same task and model config;
``bench/tasks_doc.py`` renders docs/tasks.md's deployed rows from the JSON).  A finished run directory is reused
(the pipeline skips done steps): remove ``--out``'s runs for a measurement from scratch.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from fpgaflow.metrics import background_rejection, data_reduction
from fpgaflow.pipeline.config import load_run_config, preset_path
from fpgaflow.pipeline.runner import run_pipeline
from fpgaflow_board.atomic import write_json, write_text

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results_deployed.md"
RESULTS_JSON = RESULTS.with_suffix(".json")


def _shown(path: Path) -> str:
    """``path`` as the command line in the results file shows it (relative to the checkout if inside)."""
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def run_config(task: str, seed: int, model_config: Path, out: Path) -> Path:
    """Write the run config of ``task`` at data seed ``seed`` with ``model_config``'s other sections."""
    raw = yaml.safe_load(model_config.read_text(encoding="utf-8"))
    raw["data"] = {"task": task, "seed": seed}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{task}-seed{seed}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


#: Signal efficiencies of the filter figures (background rejection, data reduction).
EFFICIENCIES = (0.90, 0.95)


def filter_figures(run_dir: Path) -> list[float]:
    """The deployed design (C-sim scores) as a filter on its test maps: background rejection, then data
    reduction, at each of :data:`EFFICIENCIES`."""
    with np.load(run_dir / "verify" / "scores.npz") as z:
        y, s = z["labels"], z["csim"]
    return [background_rejection(y, s, e) for e in EFFICIENCIES] + [data_reduction(y, s, e) for e in EFFICIENCIES]


def figures(summary: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """What the tables quote from one run's ``summary.json`` (and its test scores)."""
    b = summary["baselines"]
    me = b["model_scores"][b["deployed"]]
    out: dict[str, Any] = {
        "n_test": summary["n_test"],
        "accuracy_csim": summary["accuracy_csim"],
        "accuracy_keras": summary["accuracy_keras"],
        "roc_auc": me["roc_auc"],
        "families": {
            f: (v["accuracy"], v["roc_auc"], v["vs_model"][b["deployed"]]["verdict"]) for f, v in b["families"].items()
        },
        "headline": summary["baselines_headline"],
        "filter": filter_figures(run_dir),
    }
    if b.get("truth"):
        out["ceiling"] = (b["truth"]["ceiling"]["accuracy"], b["truth"]["ceiling"]["roc_auc"])
    return out


def _mean_sd(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    m = scale * statistics.fmean(values)
    sd = scale * statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{m:.{digits}f} ± {sd:.{digits}f}"


def report(task: str, model_config: Path, per_seed: dict[int, dict[str, Any]], seconds: dict[int, float]) -> str:
    """The Markdown section: per-seed lines, then the mean ± standard deviation table."""
    seeds = sorted(per_seed)
    one, five, _ = os.getloadavg()
    lines = [
        f"## `{task}` with `{model_config.name}` (data seeds {', '.join(map(str, seeds))})",
        "",
        f"    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_deployed.py {task} "
        f"--seeds {' '.join(map(str, seeds))} --config {_shown(model_config)} --out runs/deployed --write",
        "",
        f"Machine: {os.cpu_count()} cores, load average {one:.1f} (5 min {five:.1f}) at the end, shared with other "
        "sessions.",
        "",
        "| seed | test maps | deployed, C-sim (%) | QKeras (%) | ROC AUC | flow (s) | the run says |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in seeds:
        f = per_seed[s]
        lines.append(
            f"| {s} | {f['n_test']} | {100 * f['accuracy_csim']:.1f} | {100 * f['accuracy_keras']:.1f} | "
            f"{f['roc_auc']:.3f} | {seconds[s]:.0f} | {f['headline']} |"
        )
    rows = [
        (
            "deployed model (C-sim)",
            [per_seed[s]["accuracy_csim"] for s in seeds],
            [per_seed[s]["roc_auc"] for s in seeds],
        ),
    ]
    families = list(per_seed[seeds[0]]["families"])
    for fam in families:
        rows.append(
            (
                f"{fam} (best member)",
                [per_seed[s]["families"][fam][0] for s in seeds],
                [per_seed[s]["families"][fam][1] for s in seeds],
            )
        )
    if all("ceiling" in per_seed[s] for s in seeds):
        rows.append(
            (
                "truth ceiling",
                [per_seed[s]["ceiling"][0] for s in seeds],
                [per_seed[s]["ceiling"][1] for s in seeds],
            )
        )
    lines += ["", "Mean ± standard deviation over seeds, on each seed's own test maps:", ""]
    lines += ["| classifier | accuracy (%) | ROC AUC | verdicts against the deployed model |", "|---|---:|---:|---|"]
    for name, acc, auc in rows:
        fam = name.split(" ")[0]
        verdicts = ", ".join(f"model {per_seed[s]['families'][fam][2]}" for s in seeds) if fam in families else ""
        lines.append(f"| {name} | {_mean_sd(acc, 100)} | {_mean_sd(auc, digits=3)} | {verdicts} |")
    effs = [f"{100 * e:.0f} %" for e in EFFICIENCIES]
    lines += [
        "",
        "The deployed design (C-sim scores) as a filter on the same maps, mean ± standard deviation over seeds "
        "(rejection = 1/background efficiency, reduction = share of all maps dropped, at the cut keeping the "
        "signal efficiency):",
        "",
        "| rejection @ " + " | rejection @ ".join(effs) + " | reduction @ " + " | reduction @ ".join(effs) + " |",
        "|" + "---:|" * (2 * len(effs)),
        "| "
        + " | ".join(
            _mean_sd(
                [per_seed[s]["filter"][i] for s in seeds], 100 if i >= len(effs) else 1, 1 if i >= len(effs) else 2
            )
            for i in range(2 * len(effs))
        )
        + " |",
    ]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Add ``section`` to :data:`RESULTS`, replacing the section with the same heading."""
    head = section.split("\n", 1)[0]
    text = (
        RESULTS.read_text(encoding="utf-8")
        if RESULTS.exists()
        else (
            "# The deployed model on the physics task presets (issue 13)\n\n"
            "`bench/bench_deployed.py`: one complete `fpgaflow run` per data seed; docs/tasks.md quotes these tables.\n"
        )
    )
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [p for p in parts if not p.startswith(head + "\n")]
    write_text(RESULTS, "".join(kept).rstrip("\n") + "\n\n" + section)


def entry_key(task: str, model_config: Path) -> str:
    """The key of a measurement in :data:`RESULTS_JSON`: the task and the model config's file name."""
    return f"{task} {model_config.name}"


def write_entry(task: str, model_config: Path, per_seed: dict[int, dict[str, Any]], seconds: dict[int, float]) -> None:
    """Store the per-seed figures (JSON-safe: an infinite rejection → ``None``) in :data:`RESULTS_JSON`."""

    def finite(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: finite(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [finite(x) for x in v]
        return None if isinstance(v, float) and not np.isfinite(v) else v

    data = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.is_file() else {}
    data[entry_key(task, model_config)] = {
        "settings": {"task": task, "config": _shown(model_config), "seeds": sorted(per_seed)},
        "per_seed": {str(s): finite(per_seed[s]) | {"flow_seconds": seconds[s]} for s in sorted(per_seed)},
    }
    write_json(RESULTS_JSON, data, allow_nan=False, sort_keys=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("task", help="a task preset name (models/tasks/) or preset file")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--config", type=Path, default=preset_path("quick"), help="the model config (its data: is replaced)")
    p.add_argument("--out", type=Path, default=Path("runs/deployed"), help="where the runs go (one per seed)")
    p.add_argument("--write", action="store_true", help=f"add the section to {RESULTS.name}")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    per_seed: dict[int, dict[str, Any]] = {}
    seconds: dict[int, float] = {}
    for seed in args.seeds:
        cfg_path = run_config(args.task, seed, args.config, args.out)
        run_dir = args.out / f"{args.task}-seed{seed}"
        t0 = time.perf_counter()
        run_pipeline(load_run_config(cfg_path), run_dir)
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        seconds[seed] = sum(summary["steps_seconds"].values()) if summary["steps_seconds"] else time.perf_counter() - t0
        per_seed[seed] = figures(summary, run_dir)
        print(f"seed {seed}: {per_seed[seed]['headline']}", flush=True)
    section = report(args.task, args.config, per_seed, seconds)
    print(section)
    if args.write:
        write_section(section)
        write_entry(args.task, args.config, per_seed, seconds)


if __name__ == "__main__":
    main()
