"""The study's results table: final training and validation accuracy per variant (mean ± std over seeds),
as Markdown, CSV and a bar chart, plus a per-job CSV.

"Final training accuracy" is Keras' accuracy over the last epoch's training batches — i.e. on the
*augmented* data the strategy fed, as the study reported it; for an ensemble it is the accuracy of the
averaged scores on the un-augmented training set.  "Final validation accuracy" is on the never-augmented
validation set at the last epoch.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.metrics.stats import sample_std
from fpgaflow.study.config import StudyConfig
from fpgaflow_board import atomic


@dataclass(frozen=True)
class Row:
    """One line of the table (a variant aggregated over seeds).

    ``delta_mean`` ± ``delta_sem``: mean and standard error over seeds of this variant's final validation
    accuracy minus the no-augmentation variant's with the same model, batch size and imbalance, paired by seed
    (the same initial weights and validation maps); ``None`` for that variant itself, for ensembles and for a
    study without a no-augmentation strategy.
    """

    variant: str
    model: str
    batch_size: int
    imbalance: str
    n_seeds: int
    train_mean: float
    train_std: float
    val_mean: float
    val_std: float
    auc_mean: float | None
    n_parameters: int
    macs: int
    delta_mean: float | None = None
    delta_sem: float | None = None


def _auc(values: list[float | None]) -> float | None:
    ok = [v for v in values if v is not None]
    return float(np.mean(ok)) if ok else None


def _paired_delta(
    members: list[dict[str, Any]], reference: list[dict[str, Any]] | None
) -> tuple[float | None, float | None]:
    """Mean and standard error of (member − reference) final validation accuracy over the seeds both have."""
    if reference is None or members is reference:
        return None, None
    ref = {r["seed"]: r["val_accuracy"] for r in reference}
    deltas = [m["val_accuracy"] - ref[m["seed"]] for m in members if m["seed"] in ref]
    if not deltas:
        return None, None
    return float(np.mean(deltas)), sample_std(deltas) / float(np.sqrt(len(deltas)))


def aggregate(
    results: list[dict[str, Any]], ensembles: list[dict[str, Any]], no_augmentation: str | None = None
) -> list[Row]:
    """Group single-model jobs by (strategy, model, batch, imbalance) and ensembles by (ensemble, batch,
    imbalance), in first-seen order; bagging members appear only through their ensemble.  Single-model rows
    get their paired difference to the strategy labelled ``no_augmentation`` (see :class:`Row`)."""
    groups: dict[tuple[str, str, int, str], list[dict[str, Any]]] = {}
    single: set[tuple[str, str, int, str]] = set()
    for r in results:
        if r["ensemble"]:
            continue
        key = (r["strategy"], r["model"], r["batch_size"], r["imbalance"])
        groups.setdefault(key, []).append(r)
        single.add(key)
    for e in ensembles:
        key = (f"ensemble {e['ensemble']} ({e['kind']}, {e['strategy']})", e["model"], e["batch_size"], e["imbalance"])
        groups.setdefault(key, []).append(e)
    rows = []
    for (variant, model, batch, imbalance), members in groups.items():
        train = [m["train_accuracy"] for m in members]
        val = [m["val_accuracy"] for m in members]
        reference = groups.get((no_augmentation, model, batch, imbalance)) if no_augmentation else None
        delta = _paired_delta(members, reference) if (variant, model, batch, imbalance) in single else (None, None)
        rows.append(
            Row(
                variant,
                model,
                batch,
                imbalance,
                len(members),
                float(np.mean(train)),
                sample_std(train),
                float(np.mean(val)),
                sample_std(val),
                _auc([m["val_roc_auc"] for m in members]),
                int(members[0]["cost"]["n_parameters"]),
                int(members[0]["cost"]["macs"]),
                *delta,
            )
        )
    return rows


def _pm(mean: float, std: float, n: int) -> str:
    return f"{100 * mean:.2f} ± {100 * std:.2f}" if n > 1 else f"{100 * mean:.2f}"


def _data_line(cfg: StudyConfig) -> str:
    """Where the maps came from: ``toy, 4000 maps of 16×16`` or ``simulate (task window-128), 6000 maps of
    128×128`` or ``file, 6000 maps from maps.npz``; then the particle fraction and the data seed."""
    d = cfg.data
    source = f"{d.source} (task {d.task})" if d.task else d.source
    if d.source == "toy":
        where = f" of {d.toy.rows}×{d.toy.cols}"
    elif d.source == "simulate":
        where = " of {}×{}".format(*d.map_shape)
    else:
        where = f" from {d.path}"
    return f"{source}, {d.n_maps} maps{where}, particle fraction {d.particle_fraction}, seed {d.seed}"


def _training_line(cfg: StudyConfig) -> str:
    """``8 epochs after 4 of float pre-training, lr 0.003 (cosine), pruned to 50 %`` (the last two parts only
    where the config has them)."""
    t = cfg.train
    pretrain = f" after {t.float_pretrain_epochs} of float pre-training" if t.float_pretrain_epochs else ""
    epochs = f"{t.epochs} epochs{pretrain}"
    pruned = f", pruned to {100 * cfg.prune.target_sparsity:.0f} %" if cfg.prune.enabled else ""
    return f"{epochs}, lr {t.learning_rate} ({t.lr_schedule}){pruned}"


def no_augmentation_label(cfg: StudyConfig) -> str | None:
    """The label of the study's first strategy that does not augment (``strategy: none``), if any."""
    return next((v.label for v in cfg.strategies if v.augment.strategy == "none"), None)


def _delta(r: Row) -> str:
    if r.delta_mean is None:
        return "-"
    sem = "" if r.n_seeds < 2 or r.delta_sem is None else f" ± {100 * r.delta_sem:.2f}"
    return f"{100 * r.delta_mean:+.2f}{sem}"


def to_markdown(rows: list[Row], cfg: StudyConfig, baselines: list[dict[str, Any]] | None = None) -> str:
    reference = no_augmentation_label(cfg)
    lines = [
        "| Variant | Model | Batch | Imbalance | Seeds | Final train accuracy (%) | Final validation accuracy (%) "
        f"| Δ val vs {reference or 'no augmentation'} (pp, paired) | Val ROC AUC | Parameters | MACs/inference |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        auc = "-" if r.auc_mean is None else f"{r.auc_mean:.4f}"
        lines.append(
            f"| {r.variant} | {r.model} | {r.batch_size} | {r.imbalance} | {r.n_seeds} | "
            f"{_pm(r.train_mean, r.train_std, r.n_seeds)} | {_pm(r.val_mean, r.val_std, r.n_seeds)} | {_delta(r)} | "
            f"{auc} | {r.n_parameters:,} | {r.macs:,} |"
        )
    for b in baselines or []:
        lines.append(
            f"| *reference: {b['family']}* `{b['working_point']}` | {b['name']} | - | - | - | - | "
            f"{100 * b['val_accuracy']:.2f} ± {100 * b['val_accuracy_error']:.2f} | - | "
            f"{b['val_roc_auc']:.4f} | - | - |"
        )
    lines += [
        "",
        f"Data: {_data_line(cfg)}; training: {_training_line(cfg)}; seeds {list(cfg.seeds)} "
        "(mean ± sample std over seeds; Δ: mean ± standard error over seeds of the difference to the "
        "no-augmentation variant trained with the same seed).",
        "Ensemble cost = sum of its members' parameters and MACs.",
    ]
    if baselines:
        lines.append(
            "Reference rows: each baseline family's best (`fpgaflow.baselines`), fitted on the same training maps "
            "and measured on the same validation maps (± half the Wilson 68 % interval; `baselines/baselines.md`)."
        )
    return "\n".join(lines) + "\n"


def to_csv(records: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if records:
        writer = csv.DictWriter(buf, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return buf.getvalue()


def plot(rows: list[Row], path: Path, no_augmentation: str | None = None, title: str = "") -> Path:
    """Final training and validation accuracy per row (:func:`fpgaflow.figures.study.study_figure`), with the
    validation accuracy of the variant labelled ``no_augmentation`` (first such row) as the line to beat."""
    from fpgaflow.figures.canvas import save_png
    from fpgaflow.figures.study import StudyBar, study_figure

    bars = [
        StudyBar(
            f"{r.variant} [{r.model}, b{r.batch_size}, {r.imbalance}]",
            r.n_seeds,
            r.train_mean,
            r.train_std,
            r.val_mean,
            r.val_std,
        )
        for r in rows
    ]
    baseline = next((b for b, r in zip(bars, rows, strict=True) if r.variant == no_augmentation), None)
    return save_png(study_figure(bars, baseline, title or "augmentation study: final accuracy per variant"), path)


def write_report(
    out_dir: Path,
    cfg: StudyConfig,
    results: list[dict[str, Any]],
    ensembles: list[dict[str, Any]],
    baselines: list[dict[str, Any]] | None = None,
) -> list[Row]:
    """Write ``results.md`` (with ``baselines`` as reference rows), ``results.csv``, ``results.png``,
    ``jobs.csv`` and ``ensembles.csv``."""
    none = no_augmentation_label(cfg)
    rows = aggregate(results, ensembles, none)
    atomic.write_text(out_dir / "results.md", to_markdown(rows, cfg, baselines))
    atomic.write_text(out_dir / "results.csv", to_csv([dict(r.__dict__) for r in rows]))
    skip = {"val_scores", "train_scores", "val_rejection", "cost"}
    flat = [
        {**{k: v for k, v in r.items() if k not in skip}, **{f"cost_{k}": v for k, v in r["cost"].items()}}
        for r in results
    ]
    atomic.write_text(out_dir / "jobs.csv", to_csv(flat))
    if ensembles:
        ens_flat = [
            {**{k: v for k, v in e.items() if k not in skip}, **{f"cost_{k}": v for k, v in e["cost"].items()}}
            for e in ensembles
        ]
        atomic.write_text(out_dir / "ensembles.csv", to_csv(ens_flat))
    if rows:
        plot(
            rows,
            out_dir / "results.png",
            none,
            f"augmentation study: {cfg.data.source} maps, {cfg.train.epochs} epochs",
        )
    return rows
