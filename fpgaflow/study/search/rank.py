"""The search's ranked table: validation accuracy per candidate over seeds, its uncertainty, the paired
difference to no augmentation, and the search's cost in CPU-hours."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fpgaflow.metrics.stats import binomial_interval, sample_std
from fpgaflow.study.report import to_csv
from fpgaflow.study.search.candidates import Candidate


@dataclass(frozen=True)
class RankRow:
    """One candidate aggregated over seeds.

    ``val_std``: sample standard deviation over seeds (training noise); ``val_stat``: half-width of the 68 %
    Wilson interval of an accuracy ``val_mean`` on ``n_val`` maps (the test-set noise of one seed's figure);
    ``delta_mean`` ± ``delta_sem``: mean and standard error over seeds of (this − no augmentation), paired by
    seed (same initial weights and batch order), ``None`` without the no-augmentation reference.
    """

    rank: int
    label: str
    description: str
    n_seeds: int
    val_mean: float
    val_std: float
    val_stat: float
    auc_mean: float
    delta_mean: float | None
    delta_sem: float | None
    cpu_seconds: float


def rank_candidates(candidates: list[Candidate], results: list[dict[str, Any]], n_val: int) -> list[RankRow]:
    """Rows sorted by mean validation accuracy (best first; ties keep the candidates' order)."""
    by_label: dict[str, dict[int, dict[str, Any]]] = {}
    for r in results:
        by_label.setdefault(r["strategy"], {})[int(r["seed"])] = r
    reference = by_label.get("none") if any(c.kind == "none" for c in candidates) else None
    rows = []
    for c in candidates:
        seeds = by_label[c.label]
        val = [seeds[s]["val_accuracy"] for s in sorted(seeds)]
        mean = float(np.mean(val))
        lo, hi = binomial_interval(round(mean * n_val), n_val)
        delta_mean = delta_sem = None
        if reference is not None:
            deltas = [seeds[s]["val_accuracy"] - reference[s]["val_accuracy"] for s in sorted(seeds) if s in reference]
            delta_mean = float(np.mean(deltas))
            delta_sem = sample_std(deltas) / np.sqrt(len(deltas))
        rows.append(
            RankRow(
                0,
                c.label,
                c.describe(),
                len(val),
                mean,
                sample_std(val),
                (hi - lo) / 2,
                float(np.mean([seeds[s]["val_roc_auc"] for s in seeds])),
                delta_mean,
                delta_sem,
                float(sum(seeds[s]["cpu_seconds"] for s in seeds)),
            )
        )
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].val_mean, i))
    return [dataclasses.replace(rows[i], rank=k + 1) for k, i in enumerate(order)]


def ranking_markdown(rows: list[RankRow], lines_after: list[str]) -> str:
    """The ranked table, then ``lines_after`` (data, settings, cost)."""
    out = [
        "| Rank | Candidate | Policy | Seeds | Val accuracy (%) mean ± std over seeds | ± stat. (Wilson 68 %) "
        "| Δ vs none (pp, paired) | Val ROC AUC | CPU-s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        delta = "-" if r.delta_mean is None else f"{100 * r.delta_mean:+.2f} ± {100 * (r.delta_sem or 0.0):.2f}"
        out.append(
            f"| {r.rank} | {r.label} | {r.description} | {r.n_seeds} | {100 * r.val_mean:.2f} ± {100 * r.val_std:.2f} "
            f"| {100 * r.val_stat:.2f} | {delta} | {r.auc_mean:.4f} | {r.cpu_seconds:.0f} |"
        )
    return "\n".join([*out, "", *lines_after]) + "\n"


def ranking_csv(rows: list[RankRow]) -> str:
    return to_csv([asdict(r) for r in rows])
