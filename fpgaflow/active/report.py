"""What ``fpgaflow active`` writes: ``results.md`` (the summary table, then one table per method),
``curves.csv`` (every run's every round), ``curves_mean.csv`` (mean ± std over seeds), ``summary.csv`` and
``curves.png`` (test accuracy and ROC AUC against labelled maps, one panel per augmentation)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.active.curves import CurvePoint, MethodSummary
from fpgaflow.study.report import to_csv
from fpgaflow_board import atomic


def roundsto_csv(results: list[dict[str, Any]]) -> str:
    """One line per run and round (acquired positions left out: they are in the job files)."""
    rows = []
    for res in results:
        for rnd in res["rounds"]:
            row = {"augment": res["augment"], "acquisition": res["acquisition"], "seed": res["seed"]}
            rows.append({**row, **{k: v for k, v in rnd.items() if k != "acquired"}})
    return to_csv(rows)


def _pct(mean: float, std: float) -> str:
    return f"{100 * mean:.2f} ± {100 * std:.2f}"


def _auc(mean: float | None, std: float | None) -> str:
    return "-" if mean is None else f"{mean:.4f} ± {std or 0.0:.4f}"


def _labels(value: float | None, budget: int) -> str:
    return f"> {budget}" if value is None else f"{value:.0f}"


def summary_markdown(target: float, target_std: float, control: tuple[str, str], rows: list[MethodSummary]) -> str:
    lines = [
        f"Target: the control ({control[1]} acquisition, augmentation {control[0]}) at the full budget, "
        f"test accuracy {_pct(target, target_std)} % (mean ± std over seeds).",
        "",
        "| Augmentation | Acquisition | Seeds | Labelled | Test accuracy (%) | Δ vs control (pp, paired) "
        "| Test ROC AUC | Labels to reach target (mean curve) | per seed | Rounds at chance | CPU-s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        seeds = ", ".join(_labels(v, r.budget) for v in r.labels_to_reach_per_seed)
        lines.append(
            f"| {r.augment} | {r.acquisition} | {r.n_seeds} | {r.budget} | {_pct(r.accuracy_mean, r.accuracy_std)} "
            f"| {100 * r.delta_mean:+.2f} ± {100 * r.delta_sem:.2f} | {_auc(r.roc_auc_mean, r.roc_auc_std)} "
            f"| {_labels(r.labels_to_reach, r.budget)} | {seeds} | {r.rounds_at_chance} | {r.cpu_seconds:.0f} |"
        )
    return "\n".join(lines) + "\n"


def method_tables(points: list[CurvePoint]) -> str:
    """One table per (augmentation, acquisition): its curve, round by round."""
    out: list[str] = []
    methods = list(dict.fromkeys((p.augment, p.acquisition) for p in points))
    for aug, acq in methods:
        out += [
            f"### {acq} acquisition, augmentation {aug}",
            "",
            "| Labelled maps | Seeds | Test accuracy (%) | Test ROC AUC | Val accuracy (%) |",
            "|---|---|---|---|---|",
        ]
        for p in points:
            if (p.augment, p.acquisition) == (aug, acq):
                out.append(
                    f"| {p.n_labelled} | {p.n_seeds} | {_pct(p.accuracy_mean, p.accuracy_std)} "
                    f"| {_auc(p.roc_auc_mean, p.roc_auc_std)} | {100 * p.val_accuracy_mean:.2f} |"
                )
        out.append("")
    return "\n".join(out)


def plot_curves(points: list[CurvePoint], target: float, path: Path) -> Path:
    """Test accuracy (top) and ROC AUC (bottom) vs labelled maps; one column per augmentation, one line per
    acquisition, band = ± std over seeds; the dashed line is the target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    augments = list(dict.fromkeys(p.augment for p in points))
    acquisitions = list(dict.fromkeys(p.acquisition for p in points))
    fig, axes = plt.subplots(2, len(augments), figsize=(4.2 * len(augments), 7), sharex=True, squeeze=False)
    for col, aug in enumerate(augments):
        for acq in acquisitions:
            mine = [p for p in points if (p.augment, p.acquisition) == (aug, acq)]
            if not mine:
                continue
            n = np.array([p.n_labelled for p in mine])
            for row, (mean, std) in enumerate(
                [
                    ([p.accuracy_mean for p in mine], [p.accuracy_std for p in mine]),
                    ([p.roc_auc_mean or np.nan for p in mine], [p.roc_auc_std or 0.0 for p in mine]),
                ]
            ):
                m, s = np.array(mean, dtype=float), np.array(std, dtype=float)
                ax = axes[row][col]
                ax.plot(n, m, marker="o", ms=3, label=acq)
                ax.fill_between(n, m - s, m + s, alpha=0.2)
        axes[0][col].axhline(target, ls="--", color="k", lw=0.8)
        axes[0][col].set_title(f"augmentation: {aug}")
        axes[1][col].set_xlabel("labelled maps")
        for row in range(2):
            axes[row][col].grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy")
    axes[1][0].set_ylabel("test ROC AUC")
    axes[0][0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    try:
        with atomic.atomic_file(path) as tmp:
            fig.savefig(tmp, dpi=100)
    finally:
        plt.close(fig)
    return path


def write_report(
    out_dir: Path,
    results: list[dict[str, Any]],
    points: list[CurvePoint],
    target: tuple[float, float],
    control: tuple[str, str],
    summary: list[MethodSummary],
    header: list[str],
    footer: list[str],
) -> None:
    """Write ``results.md``, ``summary.csv``, ``curves.csv``, ``curves_mean.csv`` and ``curves.png``."""
    md = [
        "# Active learning",
        "",
        *header,
        "",
        summary_markdown(target[0], target[1], control, summary),
        *footer,
        "",
        "## Per method",
        "",
        method_tables(points),
    ]
    atomic.write_text(out_dir / "results.md", "\n".join(md))
    flat = [
        {
            **{k: v for k, v in asdict(s).items() if k != "labels_to_reach_per_seed"},
            "labels_to_reach_per_seed": " ".join(
                "none" if v is None else f"{v:.1f}" for v in s.labels_to_reach_per_seed
            ),
        }
        for s in summary
    ]
    atomic.write_text(out_dir / "summary.csv", to_csv(flat))
    atomic.write_text(out_dir / "curves.csv", roundsto_csv(results))
    atomic.write_text(out_dir / "curves_mean.csv", to_csv([asdict(p) for p in points]))
    plot_curves(points, target[0], out_dir / "curves.png")
