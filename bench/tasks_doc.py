"""docs/tasks.md's measured tables from one command (issue 13): every sub-benchmark, then the tables.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/tasks_doc.py          # = make tasks-doc
    ... bench/tasks_doc.py --fresh                    # rerun every sub-benchmark
    ... bench/tasks_doc.py --fresh --jobs tasks bl-cluster-bib   # rerun these only
    ... bench/tasks_doc.py --check                    # exit 1 when a table disagrees with the JSON

The sub-benchmarks (:data:`JOBS`) each write a machine-readable JSON beside their results Markdown:
``bench/bench_tasks.py`` (class balance, truth ceiling, label ambiguity: ``results_tasks.json``),
``bench/bench_baselines.py table`` on each task preset (``results_baselines.json``, one entry per command line),
``bench/bench_deployed.py`` (the deployed model by complete ``fpgaflow run``s: ``results_deployed.json``) and
``bench/bench_flagship.py`` (``window-128``'s deployed model, the default run: ``results_flagship.json``).  A
sub-benchmark whose JSON already holds an entry made with the same settings is not rerun (``--fresh`` reruns;
``bench_deployed`` and ``bench_flagship`` then still resume the finished ``fpgaflow run`` directories under
``runs/``: remove those for a measurement from scratch).  Then every block marked
``<!-- tasks:NAME -->…<!-- /tasks:NAME -->`` in docs/tasks.md (and the README's flagship sentence,
``tasks:flagship-summary``), and every ``bench_baselines table`` section marked
``<!-- table:NAME -->…<!-- /table:NAME -->`` in bench/results_baselines.md, is rewritten from the JSON files.
``tests/test_tasks_doc.py`` fails when a committed table differs from what the committed JSON renders.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import bench_flagship  # noqa: E402
import bench_tasks  # noqa: E402
from marked_blocks import MarkedBlocks  # noqa: E402

DOC = REPO / "docs" / "tasks.md"
BASELINES_MD = REPO / "bench" / "results_baselines.md"
SEEDS = [1, 2, 3]
#: The flagship's data seeds (each a complete 26 667-map `fpgaflow run`, the longest sub-benchmark).
FLAGSHIP_SEEDS = [1, 2, 3]
MARKS = MarkedBlocks(
    mark=re.compile(r"<!-- (?P<key>(?:tasks|table):[a-z0-9-]+) -->(?P<body>.*?)<!-- /(?P=key) -->", re.DOTALL),
    noun="block",
    source="the JSON",
    mismatch="disagrees with the JSON it is rendered from",
)


@dataclass(frozen=True)
class Job:
    """A sub-benchmark: where its JSON lies, the entry (``key``; ``None``: the whole file) and the settings it
    must have been made with, and the command (arguments after the Python interpreter) that makes it."""

    name: str
    json: str
    key: str | None
    settings: Any
    argv: tuple[str, ...]

    def entry(self) -> Any | None:
        """The stored entry when it was made with :attr:`settings`, else ``None``."""
        path = REPO / self.json
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data if self.key is None else data.get(self.key)
        return entry if entry is not None and entry.get("settings") == self.settings else None

    def command(self) -> str:
        return "PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python " + " ".join(self.argv)


def _bl_job(name: str, key: str) -> Job:
    """A ``bench_baselines.py`` subcommand; its entry is keyed by its arguments."""
    return Job(name, "bench/results_baselines.json", key, key, ("bench/bench_baselines.py", *key.split(), "--write"))


def _deployed_job(task: str) -> Job:
    settings = {"task": task, "config": "models/quick.yaml", "seeds": SEEDS}
    argv = ("bench/bench_deployed.py", task, "--seeds", *map(str, SEEDS), "--config", "models/quick.yaml")
    return Job(
        f"deployed-{task}",
        "bench/results_deployed.json",
        f"{task} quick.yaml",
        settings,
        (*argv, "--out", "runs/deployed", "--write"),
    )


SEED_ARGS = "--seeds " + " ".join(map(str, SEEDS))
#: Every sub-benchmark docs/tasks.md quotes, cheapest first.
JOBS: tuple[Job, ...] = (
    Job("tasks", "bench/results_tasks.json", None, {"seeds": SEEDS}, ("bench/bench_tasks.py", "--write")),
    _bl_job("bl-run3-32", f"table models/tasks/run3-32.yaml {SEED_ARGS}"),
    _bl_job("bl-cluster-bib", f"table models/tasks/cluster-bib.yaml {SEED_ARGS}"),
    _bl_job("bl-cluster-bib-no-positions", f"table models/tasks/cluster-bib.yaml {SEED_ARGS} --no-positions"),
    _bl_job("bl-window-128", f"table models/tasks/window-128.yaml --n-maps 26667 {SEED_ARGS}"),
    # Sections 5-7 of bench/results_baselines.md (not quoted by docs/tasks.md).
    _bl_job("bl-boosters-run3-32", "boosters models/tasks/run3-32.yaml"),
    _bl_job("bl-boosters-window-128", "boosters models/tasks/window-128.yaml"),
    _bl_job("bl-threads", "threads models/tasks/run3-32.yaml"),
    _bl_job("bl-importance-run3-32", "importance models/tasks/run3-32.yaml"),
    _bl_job("bl-importance-window-128", "importance models/tasks/window-128.yaml"),
    _bl_job("bl-importance-cluster-bib", "importance models/tasks/cluster-bib.yaml"),
    _deployed_job("run3-32"),
    _deployed_job("cluster-bib"),
    Job(
        "flagship",
        "bench/results_flagship.json",
        None,
        {"seeds": FLAGSHIP_SEEDS, "workdir": "runs/flagship"},
        ("bench/bench_flagship.py", "--seeds", *map(str, FLAGSHIP_SEEDS), "--workdir", "runs/flagship", "--write"),
    ),
)
JOB = {j.name: j for j in JOBS}


def run_jobs(names: list[str], fresh: bool) -> None:
    """Run the jobs ``names`` whose entry is missing (all of them with ``fresh``), one after another."""
    env = os.environ | {"PYTHONPATH": f"{REPO}:{REPO / 'board'}", "OMP_NUM_THREADS": "1"}
    for name in names:
        job = JOB[name]
        if not fresh and job.entry() is not None:
            print(f"tasks_doc: {name}: reusing {job.json}", flush=True)
            continue
        print(f"tasks_doc: {name}: {job.command()}", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *job.argv], cwd=REPO, env=env, check=True)
        print(f"tasks_doc: {name}: done in {time.perf_counter() - t0:.0f} s", flush=True)


# ------------------------------------------------------------------ rendering


def _entries() -> dict[str, Any]:
    """Every job's entry; a missing one is an error naming the command that makes it."""
    out = {}
    for job in JOBS:
        entry = job.entry()
        if entry is None:
            raise SystemExit(
                f"tasks_doc: no {job.name} figures with the expected settings in {job.json}: run\n  {job.command()}"
            )
        out[job.name] = entry
    return out


def _ms(values: list[float], scale: float = 100.0, digits: int = 1) -> str:
    """Mean ± standard deviation of ``values`` × ``scale``; one value alone (no spread to quote)."""
    v = np.asarray(values, float) * scale
    if v.size == 1:
        return f"{v[0]:.{digits}f}"
    return f"{v.mean():.{digits}f} ± {float(v.std(ddof=1)):.{digits}f}"


def _fam(entry: dict[str, Any], family: str, what: str) -> list[Any]:
    """``what`` of ``family``'s best member on every seed of a ``bench_baselines table`` entry."""
    return [s["families"][family][what] for s in entry["per_seed"].values()]


CUT_NAMES = {
    "n_clusters": "cluster count",
    "total_adc": "total ADC",
    "max_adc": "highest pixel",
    "n_pixels": "pixel count",
}


def _cut_name(entry: dict[str, Any]) -> str:
    names = Counter(n.removeprefix("cut:") for n in _fam(entry, "single_cut", "name"))
    return " / ".join(CUT_NAMES.get(n, n) for n, _ in names.most_common())


def _family_rows(task: str, entry: dict[str, Any]) -> list[str]:
    groups = (("any_pixel", "single_cut", "shape_table"), ("tree", "two_stage"))
    labels = (f"any pixel / best single cut ({_cut_name(entry)}) / shape table", "boosted trees / two-stage tree")
    rows = []
    for fams, label in zip(groups, labels, strict=True):
        acc = " / ".join(_ms(_fam(entry, f, "accuracy")) for f in fams)
        auc = " / ".join(f"{np.mean(_fam(entry, f, 'roc_auc')):.3f}" for f in fams)
        rows.append(f"| `{task}` | {label} | {acc} | {auc} |")
    return rows


def window_models(e: dict[str, Any]) -> str:
    """The window tasks' baselines, ceiling and deployed model (mean ± standard deviation over seeds)."""
    tasks = e["tasks"]["windows"]
    w128, run3 = tasks["window-128"], tasks["run3-32"]
    flag = e["flagship"]["seeds"]
    n_test = flag[0]["n_test"]
    deployed = e["deployed-run3-32"]["per_seed"].values()
    same = all(d["accuracy_csim"] == d["accuracy_keras"] for d in deployed)
    csim = "C-sim = QKeras on every seed" if same else "C-sim"
    rows = [
        "| task | model | accuracy (%) | ROC AUC |",
        "|---|---|---:|---:|",
        f"| `window-128` | truth ceiling ({w128['n_maps']:,} maps, {int(np.mean(w128['n_test']))} test) | "
        f"{_ms(w128['ceiling'])} | {_ms(w128['auc'], 1, 3)} |",
        *_family_rows("window-128", e["bl-window-128"]),
        f"| `window-128` | deployed model (flagship, C simulation; {n_test:,} test maps, "
        f"{_seeds([s['seed'] for s in flag])}) | {_ms([s['summary']['accuracy_csim'] for s in flag])} | "
        f"{np.mean([s['summary']['model_roc_auc'] for s in flag]):.3f} |",
        f"| `run3-32` | truth ceiling | {_ms(run3['ceiling'])} | {_ms(run3['auc'], 1, 3)} |",
        *_family_rows("run3-32", e["bl-run3-32"]),
        f"| `run3-32` | **deployed model** (`models/quick.yaml`'s model, {csim}) | "
        f"**{_ms([d['accuracy_csim'] for d in deployed])}** | **{_ms([d['roc_auc'] for d in deployed], 1, 3)}** |",
    ]
    return "\n".join(rows)


def _seeds(seeds: list[int]) -> str:
    return f"data seed {seeds[0]} only" if len(seeds) == 1 else "data seeds " + ", ".join(map(str, seeds))


def seed_verdicts(entry: dict[str, Any]) -> str:
    """Per seed: the deployed model's accuracy and what its run says about the baselines."""
    rows = [
        "| data seed | test maps | deployed, C-sim (%) | QKeras (%) | ROC AUC | the run says |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for seed, d in entry["per_seed"].items():
        rows.append(
            f"| {seed} | {d['n_test']} | {100 * d['accuracy_csim']:.1f} | {100 * d['accuracy_keras']:.1f} | "
            f"{d['roc_auc']:.3f} | {d['headline']} |"
        )
    return "\n".join(rows)


FILTER_NAMES = {
    "any_pixel": "keep everything (any pixel)",
    "single_cut": "best single cut",
    "shape_table": "cluster-shape look-up table",
    "tree": "boosted tree (per-stamp features)",
    "two_stage": "two-stage tree",
}


def _rej(values: list[float | None]) -> str:
    if any(v is None for v in values):
        return "∞" if all(v is None for v in values) else "> " + f"{max(v for v in values if v is not None):.2f}"
    return _ms([float(v) for v in values if v is not None], 1, 2)


def cluster_filters(e: dict[str, Any]) -> str:
    """Each family's best, the deployed model and the truth as cluster filters on cluster-bib."""
    bl = e["bl-cluster-bib"]
    signal = float(np.mean(e["tasks"]["clusters"]["cluster-bib"]["signal"]))
    dep = list(e["deployed-cluster-bib"]["per_seed"].values())
    ceiling = [d["ceiling"] for d in dep]
    rows = [
        "| filter | accuracy (%) | ROC AUC | rejection @ 90 % | rejection @ 95 % | reduction @ 90 % "
        "| reduction @ 95 % |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| truth ceiling (source told; measured in each run) | {_ms([c[0] for c in ceiling])} | "
        f"{_ms([c[1] for c in ceiling], 1, 3)} | ∞ | ∞ | {100 * (1 - 0.90 * signal):.1f} % | "
        f"{100 * (1 - 0.95 * signal):.1f} % |",
    ]
    for fam, name in FILTER_NAMES.items():
        shown = f"{name} ({_cut_name(bl)})" if fam == "single_cut" else name
        rej, red = _fam(bl, fam, "rejection"), _fam(bl, fam, "reduction")
        rows.append(
            f"| {shown} | {_ms(_fam(bl, fam, 'accuracy'))} | {_ms(_fam(bl, fam, 'roc_auc'), 1, 3)} | "
            f"{_rej([r[0] for r in rej])} | {_rej([r[1] for r in rej])} | {_ms([r[0] for r in red])} % | "
            f"{_ms([r[1] for r in red])} % |"
        )
    f = [d["filter"] for d in dep]
    rows.append(
        f"| deployed model (`models/quick.yaml`'s model, C-sim) | {_ms([d['accuracy_csim'] for d in dep])} | "
        f"{_ms([d['roc_auc'] for d in dep], 1, 3)} | {_rej([x[0] for x in f])} | {_rej([x[1] for x in f])} | "
        f"{_ms([x[2] for x in f])} % | {_ms([x[3] for x in f])} % |"
    )
    return "\n".join(rows)


def cluster_positions(e: dict[str, Any]) -> str:
    """Each family's best on cluster-bib without and with the stamps' module positions."""
    without, with_ = e["bl-cluster-bib-no-positions"], e["bl-cluster-bib"]
    rows = [
        "| family | accuracy (%) without → with | ROC AUC without → with | rejection @ 90 % without → with "
        "| reduction @ 90 % without → with | best member with positions (per seed) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for fam in ("shape_table", "tree", "two_stage"):
        parts = []
        for what, scale, digits in (("accuracy", 100.0, 1), ("roc_auc", 1.0, 3)):
            parts.append(
                f"{_ms(_fam(without, fam, what), scale, digits)} → {_ms(_fam(with_, fam, what), scale, digits)}"
            )
        rej = [_rej([r[0] for r in _fam(e, fam, "rejection")]) for e in (without, with_)]
        red = [_ms([r[0] for r in _fam(e, fam, "reduction")]) for e in (without, with_)]
        parts += [" → ".join(rej), " → ".join(red) + " %"]
        names = ", ".join(f"`{n}`" for n in _fam(with_, fam, "name"))
        rows.append(f"| {fam} | {' | '.join(parts)} | {names} |")
    return "\n".join(rows)


def flagship(e: dict[str, Any]) -> str:
    """The flagship over its seeds: the deployed model, the best cut and tree, the ceiling, issue 22's targets."""
    seeds = e["flagship"]["seeds"]
    acc, cut, tree, ceil = bench_flagship.accuracy_columns(seeds)
    rows = [
        "| model (each seed's own test maps) | accuracy (%) | per seed |",
        "|---|---:|---|",
    ]
    for name, values in (
        ("deployed model (C simulation, every test map)", acc),
        ("best single cut", cut),
        ("best tree (per-map or two-stage, the higher per seed)", tree),
        ("truth ceiling", ceil),
    ):
        rows.append(f"| {name} | {_ms(values)} | {' / '.join(f'{100 * v:.1f}' for v in values)} |")
    rows += ["", "| data seed | deployed − strongest baseline on the same maps (paired) |", "|---:|---|"]
    for r in seeds:
        p = r["paired"]
        rows.append(
            f"| {r['seed']} | {100 * p['accuracy_diff']:+.1f} ± {100 * p['accuracy_error']:.1f} pp vs "
            f"`{r['strongest']}` (McNemar mid-p {p['accuracy_p']:.2g}) |"
        )
    speed = e["flagship"]["speed"]
    targets = bench_flagship._targets(
        acc, cut, tree, ceil, seeds[0]["summary"], speed["emulator"] / speed["keras_float"]
    )
    return "\n".join([*rows, "", *targets[2:]])


def flagship_summary(e: dict[str, Any]) -> str:
    """The README's sentence on the flagship over its seeds: its accuracy against the best tree, the ceiling and the
    best cut (means ± standard deviations), what it beats and what it trails, and the paired gap per seed."""
    seeds = e["flagship"]["seeds"]
    acc, cut, tree, ceil = (np.asarray(v, float) * 100 for v in bench_flagship.accuracy_columns(seeds))
    n_test = sorted({int(r["n_test"]) for r in seeds})
    maps = f"{n_test[0]:,}" if len(n_test) == 1 else f"{n_test[0]:,}–{n_test[-1]:,}"
    gap_tree, gap_ceil = acc.mean() - tree.mean(), acc.mean() - ceil.mean()
    verdicts = [
        f"beats the cut by {acc.mean() - cut.mean():.1f} pp"
        if acc.mean() > cut.mean()
        else f"trails the cut by {cut.mean() - acc.mean():.1f} pp",
        f"scores {gap_ceil:.1f} pp above the ceiling"
        if round(gap_ceil, 1) > 0
        else (
            f"comes within {abs(gap_ceil):.1f} pp of the ceiling"
            if gap_ceil >= -1.0
            else f"is {-gap_ceil:.1f} pp below the ceiling"
        ),
        f"**still trails the trees by {-gap_tree:.1f} pp**"
        if round(gap_tree, 1) < 0
        else (f"**beats the trees by {gap_tree:.1f} pp**" if round(gap_tree, 1) > 0 else "**is level with the trees**"),
    ]
    paired = ", ".join(f"{100 * r['paired']['accuracy_diff']:+.1f}" for r in seeds)
    tree_name = "a boosted tree, per map or two-stage, the higher per seed"
    return (
        f"Over {len(seeds)} data seeds it scores **{_ms(list(acc / 100))} %** on {maps} test maps each, against"
        f" the best classical baseline ({tree_name}) {_ms(list(tree / 100))} %, the truth ceiling"
        f" {_ms(list(ceil / 100))} % and the best single cut {_ms(list(cut / 100))} %: it {verdicts[0]},"
        f" {verdicts[1]} and {verdicts[2]} (paired per seed against the strongest baseline: {paired} pp)"
    )


def blocks(e: dict[str, Any]) -> dict[str, str]:
    """Every marked block's text, from the entries ``e``."""
    out = {
        "tasks:windows": "\n".join(bench_tasks.window_table(e["tasks"])),
        "tasks:clusters": "\n".join(bench_tasks.cluster_table(e["tasks"])),
        "tasks:window-models": window_models(e),
        "tasks:run3-32-seeds": seed_verdicts(e["deployed-run3-32"]),
        "tasks:cluster-filters": cluster_filters(e),
        "tasks:cluster-bib-seeds": seed_verdicts(e["deployed-cluster-bib"]),
        "tasks:cluster-positions": cluster_positions(e),
        "tasks:flagship": flagship(e),
        "tasks:flagship-summary": flagship_summary(e),
    }
    for job in JOBS:
        if job.name.startswith("bl-"):
            out[f"table:{job.name.removeprefix('bl-')}"] = f"    {job.command()}\n\n" + "\n".join(
                e[job.name]["markdown"]
            ).strip("\n")
    return {k: f"\n{v}\n" for k, v in out.items()}


DOCUMENTS = {"docs/tasks.md": "tasks", "bench/results_baselines.md": "table", "README.md": "tasks"}


def rewrite(text: str, figs: dict[str, str]) -> str:
    """``text`` with every marked table replaced by its rendering (unknown keys are an error)."""
    return MARKS.rewrite(text, figs)


def disagreements(figs: dict[str, str], documents: dict[str, str] | None = None) -> list[str]:
    """Every block of ``documents`` (path → text; default: :data:`DOCUMENTS` as committed) that is not its
    rendering, every mark naming no block and every block marked nowhere (:meth:`MarkedBlocks.disagreements`)."""
    if documents is None:
        documents = {d: (REPO / d).read_text(encoding="utf-8") for d in DOCUMENTS}
    return MARKS.disagreements(figs, documents)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fresh", action="store_true", help="rerun the sub-benchmarks even where their JSON is current")
    p.add_argument("--jobs", nargs="+", choices=list(JOB), default=list(JOB), help="the sub-benchmarks to (re)run")
    p.add_argument("--check", action="store_true", help="run nothing; exit 1 when a table disagrees with the JSON")
    args = p.parse_args(argv)
    if not args.check:
        run_jobs(args.jobs, args.fresh)
    figs = blocks(_entries())
    if args.check:
        problems = disagreements(figs)
        for line in problems:
            print(f"tasks_doc: {line}; regenerate with `make tasks-doc`", file=sys.stderr)
        return 1 if problems else 0
    for doc in DOCUMENTS:
        path = REPO / doc
        path.write_text(rewrite(path.read_text(encoding="utf-8"), figs), encoding="utf-8")
    print(f"tasks_doc: wrote {', '.join(DOCUMENTS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
