"""The physics half of the run report: the data, the training, the test figures with their errors, the ROC
beside the baselines and the confusion matrix."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np

from fpgaflow import units
from fpgaflow.baselines.measure_truth import truth_sentence
from fpgaflow.data.hitmaps import CLASS_NAMES
from fpgaflow.figures import canvas
from fpgaflow.figures.histograms import Binning, draw_class_histograms, score_binning
from fpgaflow.figures.hitmaps import PixelGeometry, class_rows, gallery_figure
from fpgaflow.pipeline.report.content import RIGHT, Figure, Paragraph, Section, Table, missing
from fpgaflow.pipeline.report.measures import CUT, Figures, Rejection, figures_of, working_point
from fpgaflow.pipeline.report.record import RunRecord, TestScores


def geometry_of(rec: RunRecord) -> PixelGeometry:
    """Pitches and gain of the run's maps: the simulator's settings, else the CMS Phase-1 values."""
    cfg = rec.config
    if cfg is None or cfg.data.source != "simulate":
        return PixelGeometry()
    sim = cfg.data.simulate
    w = sim.window
    rebin = (w.rebin_rows, w.rebin_cols) if w.region == "crop" else (1, 1)
    return PixelGeometry(
        pitch_row_um=sim.geometry.pitch_x_um * rebin[0],
        pitch_col_um=sim.geometry.pitch_y_um * rebin[1],
        electrons_per_adc=sim.electronics.electrons_per_adc,
        adc_max=float(sim.electronics.adc_max),
    )


def scenario(rec: RunRecord) -> list[str]:
    """What the maps are, in words: the task preset's description and label, or the data source's settings."""
    cfg = rec.config
    if cfg is None:
        return [
            "The run's config could not be read (.fpgaflow/run.json missing or from another fpgaflow version): "
            "the data source is unknown."
        ]
    d = cfg.data
    if d.task:
        from fpgaflow.data.tasks import load_task

        info = load_task(d.task).info
        return [f"Task {info.name}: {info.description}", f"Label: {info.label}"]
    if d.source == "file":
        return [f"Hit maps read from {d.path}."]
    if d.source == "toy":
        return [
            "Toy hit maps (fpgaflow.data.toy): straight-line clusters over noise hits; not a detector simulation. "
            "Axes below assume the CMS Phase-1 pixel pitch."
        ]
    sim = d.simulate
    w = sim.window
    size = f"{w.crop_rows} × {w.crop_cols}-pixel windows" if w.region == "crop" else f"{w.region} maps"
    return [
        f"Simulated CMS Phase-1 barrel layer 1 (fpgaflow.data.simulate), |η| < {sim.tracks.eta_max:g}, "
        f"pileup {sim.tracks.pileup:g}, {sim.geometry.b_field_t:g} T; {size}.",
        f"Label: 1 = particle (the map holds read-out hits of a primary track with pT ≥ "
        f"{sim.labels.reco_pt_cut_gev:g} GeV, at least {100 * sim.labels.min_charge_fraction:.0f} % of its charge "
        "inside), 0 = background."
        + (
            " Maps kept by their label until the classes are balanced (selection, never relabelling)."
            if d.select_particle_fraction
            else ""
        ),
    ]


def _balance_table(rec: RunRecord) -> Table:
    rows = []
    for split, labels in rec.split_labels.items():
        n, k = int(labels.size), int(np.sum(labels == 1))
        rows.append((split, units.count(n), units.count(k), units.count(n - k), units.percent(k / n if n else None)))
    return Table(
        ("split", "maps", "particle", "background", "particle fraction"),
        tuple(rows),
        align=("left", "right", "right", "right", "right"),
    )


def _distribution_figure(maps: np.ndarray, labels: np.ndarray, geometry: PixelGeometry) -> bytes:
    flat = maps.reshape(maps.shape[0], -1)
    charge_ke = flat.sum(axis=1) * geometry.electrons_per_adc / 1000.0
    pixels = (flat > 0).sum(axis=1)
    by_class = {CLASS_NAMES[c]: labels == c for c in (1, 0)}
    fig, (left, right) = canvas.new_figure(10.0, 3.6, 1, 2)
    top = max(1.0, float(np.quantile(charge_ke, 0.99)) * 1.1)
    draw_class_histograms(
        left,
        {k: charge_ke[m] for k, m in by_class.items()},
        Binning("total charge per map", "ke⁻", 30, 0.0, top),
        log=True,
    )
    most = int(max(1, np.quantile(pixels, 0.99))) + 1
    step = max(1, math.ceil(most / 30))
    bins = math.ceil(most / step)
    draw_class_histograms(
        right,
        {k: pixels[m] for k, m in by_class.items()},
        Binning("pixels read out per map", "pixels", bins, -0.5, -0.5 + bins * step),
        log=True,
    )
    return canvas.png_bytes(fig)


def data_section(rec: RunRecord) -> Section:
    blocks: list[Any] = [Paragraph(t) for t in scenario(rec)]
    if rec.split_labels:
        blocks.append(_balance_table(rec))
    else:
        return missing("data", "Data", "The run has no data split yet (step data not run).")
    if rec.test_maps is not None and rec.scores is not None:
        geometry = geometry_of(rec)
        rows = class_rows(rec.test_maps, rec.scores.labels, rec.scores.deployed, per_class=5)
        blocks.append(
            Figure(
                "gallery",
                lambda: canvas.png_bytes(gallery_figure(rows, geometry)),
                "The first five test maps of each class, with the deployed design's score (red: wrong at "
                f"score ≥ {CUT}). Axes in mm along z (columns, {geometry.pitch_col_um:g} µm) and r-φ (rows, "
                f"{geometry.pitch_row_um:g} µm) at their true aspect; blank pixels were not read out.",
                "gallery of test hit maps per class with label and score",
            )
        )
        blocks.append(
            Figure(
                "distributions",
                partial(_distribution_figure, rec.test_maps, rec.scores.labels, geometry),
                f"Test maps per class ({rec.scores.n:,} maps): total collected charge and pixels read out, "
                "counts per bin with Poisson error bars, log scale.",
                "histograms of total charge and pixels read out per map, per class",
            )
        )
    return Section("data", "Data", tuple(blocks))


def training_section(rec: RunRecord) -> Section:
    s = rec.summary
    if "val_accuracy" not in s:
        return missing("training", "Training", "The model has not been trained yet (step train not run).")
    card = rec.model_card or {}
    quant = card.get("quantisation", {})
    cfg = rec.config
    rows = [
        ("model", f"{cfg.model.name if cfg else '—'}, {units.count(s.get('n_parameters'))} parameters"),
        ("epochs run", f"{s.get('epochs_run', '—')} of {cfg.train.epochs if cfg else '—'}"),
        (
            "batch size, learning rate",
            f"{cfg.train.batch_size}, {cfg.train.learning_rate:g} ({cfg.train.lr_schedule})" if cfg else "—",
        ),
        ("final training accuracy (augmented maps)", units.percent(s.get("train_accuracy"))),
        ("final validation accuracy", units.percent(s.get("val_accuracy"))),
        ("weight sparsity after pruning", units.percent(s.get("sparsity"))),
    ]
    if quant.get("quantized"):
        rows.append(("quantisation (QAT)", f"weights {quant['weights']}; activations {quant['activations']}"))
    blocks: list[Any] = [Table(("quantity", "value"), tuple(rows))]
    if rec.history:
        blocks.append(
            Figure(
                "training_curves",
                partial(_history_png, rec.history),
                "Loss and accuracy per epoch on the training maps (augmented, as the optimiser saw them) and "
                "the validation maps (never augmented).",
                "training and validation loss and accuracy per epoch",
            )
        )
    return Section("training", "Training", tuple(blocks))


def _rejection_text(r: Rejection) -> str:
    if math.isinf(r.value):
        return f"> {units.number(r.low)} (no background map passes)"
    high = "∞" if math.isinf(r.high) else units.number(r.high, 2)
    return f"{units.number(r.value)} ({units.number(r.low, 2)}–{high})"


def model_figures(rec: RunRecord) -> dict[str, Figures]:
    """The deployed design's and QKeras' figures on the verified test maps."""
    if rec.scores is None:
        return {}
    sc = rec.scores
    return {
        "deployed": figures_of("deployed design (" + _hw_name(rec) + ")", sc.labels, sc.deployed),
        "keras": figures_of("QKeras (TensorFlow)", sc.labels, sc.keras),
    }


def _hw_name(rec: RunRecord) -> str:
    path = str(rec.summary.get("verify_hw_path") or "C simulation")
    return "emulator" if path.startswith("emulator") else "C simulation"


def _history_png(history: dict[str, list[float]]) -> bytes:
    from fpgaflow.figures.curves import history_figure

    return canvas.png_bytes(history_figure(history))


def _scores_png(scores: TestScores) -> bytes:
    fig, ax = canvas.new_figure(6.0, 3.8)
    draw_class_histograms(
        ax,
        {CLASS_NAMES[c]: scores.deployed[scores.labels == c] for c in (1, 0)},
        score_binning(),
        log=True,
    )
    ax.axvline(CUT, color="black", ls="--", lw=1)
    return canvas.png_bytes(fig)


def metrics_section(rec: RunRecord, figs: Mapping[str, Figures]) -> Section:
    if not figs:
        return missing("metrics", "Test metrics", "No verified test scores yet (step verify not run).")
    effs = [r.efficiency for r in figs["deployed"].rejections]
    header: tuple[str, ...] = ("classifier", "maps", "accuracy (%)", "68.3 % interval (%)", "ROC AUC")
    header += tuple(f"1/ε_B at ε_S = {100 * e:.0f} % (68.3 % interval)" for e in effs)
    rows = []
    for f in figs.values():
        rows.append(
            (
                f.name,
                units.count(f.n),
                units.measurement(f.accuracy, f.accuracy_error, "", 100),
                f"{100 * f.accuracy_low:.1f}–{100 * f.accuracy_high:.1f}",
                units.measurement(f.auc.auc, f.auc.error),
                *(_rejection_text(r) for r in f.rejections),
            )
        )
    d = figs["deployed"]
    n_pos = int(d.confusion[1].sum())
    text = (
        f"On the {d.n:,} verified test maps ({n_pos:,} particle, {d.n - n_pos:,} background); a map is called "
        f"particle when its score is ≥ {CUT}. The accuracy's error is half the Wilson score interval at one sigma "
        f"(68.3 %) for {d.correct:,} right of {d.n:,}: ± {100 * d.accuracy_error:.1f} pp, so two classifiers "
        "closer than about twice that on these maps are not told apart. The AUC's error is the standard deviation "
        "of a stratified bootstrap (1,000 replicas); the rejection's interval is the Wilson interval of the "
        "background count that passes the cut."
    )
    scores = rec.scores
    assert scores is not None
    return Section(
        "metrics",
        "Test metrics with their uncertainty",
        (
            Paragraph(text),
            Table(header, tuple(rows), align=("left", *[RIGHT] * (len(header) - 1))),
            Figure(
                "scores",
                partial(_scores_png, scores),
                f"The deployed design's score per true class (counts per bin, log scale); dashed: the cut {CUT}.",
                "histogram of classifier scores per class",
            ),
        ),
    )


def baseline_figures(rec: RunRecord) -> dict[str, tuple[str, Figures]]:
    """Each baseline family best's figures on the same maps: family → (member name, figures)."""
    if rec.baselines is None or rec.scores is None:
        return {}
    b, y = rec.baselines, rec.scores.labels
    return {
        fam: (b.names[fam], figures_of(fam, y, b.scores[fam], b.scores[fam] > b.cuts[fam], n_boot=300))
        for fam in b.scores
    }


def roc_section(rec: RunRecord, figs: Mapping[str, Figures]) -> Section:
    from fpgaflow.figures.roc import RocCurve, WorkingPoint, roc_figure

    if not figs:
        return missing("roc", "ROC and the baselines", "No verified test scores yet (step verify not run).")
    scores = rec.scores
    assert scores is not None
    d = figs["deployed"]
    curves = [RocCurve(d.name, d.fpr, d.tpr, d.auc.auc, d.auc.error)]
    if not np.array_equal(scores.deployed, scores.keras):
        k = figs["keras"]
        curves.append(RocCurve(k.name, k.fpr, k.tpr, k.auc.auc, k.auc.error, dashed=True))
    eff_s, eff_b = working_point(scores.labels, scores.deployed >= CUT)
    points = [WorkingPoint(f"deployed design at score ≥ {CUT}", eff_s, eff_b)]
    bases = baseline_figures(rec)
    for fam, (name, f) in bases.items():
        b = rec.baselines
        assert b is not None  # baseline_figures is empty without them
        s_eff, b_eff = working_point(scores.labels, b.scores[fam] > b.cuts[fam])
        points.append(WorkingPoint(f"{fam}: {name}", s_eff, b_eff))
        if np.unique(b.scores[fam]).size > 2:  # a score, not a yes/no rule: it has a curve
            curves.append(RocCurve(f"{fam} (baseline)", f.fpr, f.tpr, f.auc.auc, f.auc.error, dashed=True))
    n_bkg = int(np.sum(scores.labels == 0))
    rejections = {r.efficiency: r.value for r in d.rejections}
    blocks: list[Any] = []
    headline = rec.summary.get("baselines_headline")
    if headline:
        blocks.append(Paragraph(f"Against the baselines: {headline}.", strong=True))
    blocks.append(
        Figure(
            "roc",
            lambda: canvas.png_bytes(roc_figure(curves, points, rejections, n_background=n_bkg)),
            "Left: signal against background efficiency, AUC ± bootstrap error. Right: background rejection "
            "against signal efficiency (log scale) with the deployed design's rejection at 90 % and 95 %. "
            "Markers: working points (open: baselines' chosen cuts), all on the same test maps.",
            "ROC curves and background rejection with baseline working points",
        )
    )
    if bases:
        blocks.append(_baseline_table(rec, d, bases))
    elif "baseline_any_hit_accuracy" in rec.summary:
        blocks.append(
            Paragraph(
                "Baseline 'particle if any pixel is read out': "
                f"{units.percent(rec.summary['baseline_any_hit_accuracy'])} on the same maps. The other baseline "
                "families were not measured for this run: `fpgaflow baselines RUN --out RUN/baselines`, then "
                "`fpgaflow report RUN`."
            )
        )
    else:
        blocks.append(Paragraph("No baselines measured for this run: `fpgaflow baselines RUN --out RUN/baselines`."))
    truth = (rec.summary.get("baselines") or {}).get("truth")
    if truth:  # simulated maps: the ceiling of the same split and the label (or stamp) ambiguity
        blocks.append(Paragraph(truth_sentence(truth).replace("**", "")))
    return Section("roc", "ROC and the baselines", tuple(blocks))


def _baseline_table(rec: RunRecord, model: Figures, bases: Mapping[str, tuple[str, Figures]]) -> Table:
    """Each family's best beside the deployed model; with the run's paired comparison when it made one."""
    standing = rec.summary.get("baselines") or {}
    deployed_kind = standing.get("deployed", "csim")
    paired = bool(standing.get("families"))
    header: tuple[str, ...] = ("classifier", "working point", "accuracy (%)", "ROC AUC", "ε_S (%)", "ε_B (%)")
    if paired:
        header += ("Δ accuracy, model − baseline (pp)", "McNemar p", "deployed model")
    s_eff, b_eff = (
        model.confusion[1, 1] / max(1, model.confusion[1].sum()),
        model.confusion[0, 1] / max(1, model.confusion[0].sum()),
    )
    first: tuple[str, ...] = (
        model.name,
        f"score ≥ {CUT}",
        units.measurement(model.accuracy, model.accuracy_error, "", 100),
        units.measurement(model.auc.auc, model.auc.error),
        f"{100 * s_eff:.1f}",
        f"{100 * b_eff:.1f}",
    )
    rows = [first + (("", "", "") if paired else ())]
    for fam, (name, f) in bases.items():
        wp = standing.get("families", {}).get(fam, {})
        row: tuple[str, ...] = (
            f"{fam}: {name}",
            str(wp.get("working_point", f"score > {rec.baselines.cuts[fam]:.4g}" if rec.baselines else "")),
            units.measurement(f.accuracy, f.accuracy_error, "", 100),
            units.measurement(f.auc.auc, f.auc.error),
            f"{100 * f.confusion[1, 1] / max(1, f.confusion[1].sum()):.1f}",
            f"{100 * f.confusion[0, 1] / max(1, f.confusion[0].sum()):.1f}",
        )
        if paired:
            c = wp.get("vs_model", {}).get(deployed_kind)
            if c is None:
                row += ("—", "—", "—")
            else:
                p = c["accuracy_p"]
                row += (
                    units.measurement(c["accuracy_diff"], c["accuracy_error"], "", 100),
                    "< 1e-6" if p < 1e-6 else f"{p:.2g}",
                    str(c["verdict"]).upper(),
                )
        rows.append(row)
    caption = "Each baseline family's best member (chosen on the validation maps) on the same test maps; ± as above."
    if paired:
        caption += (
            " Δ: paired bootstrap error; McNemar mid-p; a verdict needs p < "
            + str(standing.get("significance", 0.05))
            + "."
        )
    return Table(header, tuple(rows), caption, align=("left", "left", *[RIGHT] * (len(header) - 2)))


def confusion_section(figs: Mapping[str, Figures]) -> Section:
    from fpgaflow.figures.confusion import confusion_figure

    if not figs:
        return missing("confusion", "Confusion matrix", "No verified test scores yet (step verify not run).")
    d = figs["deployed"]
    m = d.confusion
    text = (
        f"Of {int(m[1].sum()):,} particle maps {int(m[1, 1]):,} are called particle; of {int(m[0].sum()):,} "
        f"background maps {int(m[0, 1]):,} are called particle (score ≥ {CUT}, deployed design)."
    )
    return Section(
        "confusion",
        "Confusion matrix",
        (
            Paragraph(text),
            Figure(
                "confusion",
                lambda: canvas.png_bytes(confusion_figure(m)),
                "Rows: true class; columns: the deployed design's call; each cell the count and the percentage "
                "of its true class.",
                "confusion matrix of the deployed design",
            ),
        ),
    )
