"""The run report's first and last sections: the headline numbers, and the provenance (the model card:
configs, seeds, versions, augmentation) with the steps that ran."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fpgaflow import units
from fpgaflow.pipeline.report.content import Code, Paragraph, Section, Table
from fpgaflow.pipeline.report.measures import Figures
from fpgaflow.pipeline.report.record import RunRecord


def in_step_order(status: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(step, status)`` in the order the pipeline runs them (summary.json stores them sorted by name);
    a step this version does not know goes last."""
    from fpgaflow.pipeline.steps import STEPS

    order = {s.name: i for i, s in enumerate(STEPS)}
    return sorted(status.items(), key=lambda item: order.get(item[0], len(order)))


def headline_section(rec: RunRecord, figs: Mapping[str, Figures]) -> Section:
    s = rec.summary
    rows: list[tuple[str, str]] = []
    d = figs.get("deployed")
    if d is not None:
        rows.append(
            (
                f"test accuracy, {d.name}",
                f"{units.measurement(d.accuracy, d.accuracy_error, '%', 100)} on {units.count(d.n)} maps",
            )
        )
        rej = ", ".join(
            f"{units.number(r.value)} at {100 * r.efficiency:.0f} %"
            if r.value != float("inf")
            else f"> {units.number(r.low)} at {100 * r.efficiency:.0f} %"
            for r in d.rejections
        )
        rows.append(
            (
                "ROC AUC; background rejection at signal efficiency",
                f"{units.measurement(d.auc.auc, d.auc.error)}; {rej}",
            )
        )
    if s.get("baselines_headline"):
        rows.append(("against the baselines", str(s["baselines_headline"])))
    if "csim_agreement" in s:
        verdict = "passed" if s.get("verify_passed") else "FAILED"
        rows.append(("QKeras ↔ hardware model class agreement", f"{units.percent(s['csim_agreement'], 2)} ({verdict})"))
    if "estimate_verdict" in s:
        rows.append(("resources (estimate)", str(s["estimate_verdict"])))
    if "modelled_maps_per_second" in s:
        rows.append(
            (
                "modelled board throughput, latency",
                f"{units.quantity(s['modelled_maps_per_second'], 'maps/s')}, "
                f"{units.quantity(s.get('modelled_latency_us'), 'µs')}",
            )
        )
    status: Mapping[str, str] = s.get("steps_status", {})
    unfinished: dict[str, list[str]] = {}  # status (running, failed, interrupted, not run) → steps
    for step, state in in_step_order(status):
        if state not in ("ran", "skipped"):
            unfinished.setdefault(state, []).append(step)
    blocks: list[Any] = []
    if unfinished:
        said = "; ".join(f"steps {state}: {', '.join(steps)}" for state, steps in unfinished.items())
        blocks.append(Paragraph(f"Incomplete run: {said}.", strong=True))
    cfg = rec.config
    if cfg is not None:
        blocks.append(
            Paragraph(
                f"Board {cfg.convert.board}, backend {cfg.convert.backend}, {cfg.convert.io_type}, clock "
                f"{units.quantity(cfg.convert.clock_ns, 'ns')}, reuse factor {cfg.convert.reuse_factor}."
            )
        )
    blocks.append(Table(("quantity", "value"), tuple(rows)))
    return Section("summary", "At a glance", tuple(blocks))


def _versions(rec: RunRecord) -> dict[str, str]:
    """The versions the model card recorded at training, plus hls4ml's (installed when the report is written)."""
    from importlib import metadata

    versions = dict((rec.model_card or {}).get("versions", {}))
    versions.setdefault("fpgaflow", str(rec.summary.get("fpgaflow_version", "—")))
    for dist in ("hls4ml",):
        try:
            versions[f"{dist} (at report time)"] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def provenance_section(rec: RunRecord) -> Section:
    import yaml

    cfg = rec.config
    rows: list[tuple[str, str]] = [("versions", ", ".join(f"{k} {v}" for k, v in _versions(rec).items()))]
    blocks: list[Any] = []
    if cfg is not None:
        a = cfg.augment
        transforms = [f"{t.op} (p {t.p:g}, magnitude {t.magnitude})" for t in a.transforms]
        rows += [
            ("seeds", f"data {cfg.data.seed}, augmentation {a.seed}, training {cfg.train.seed}"),
            (
                "augmentation (training maps only)",
                f"strategy {a.strategy}; flips horizontal {a.horizontal_flip:g}, vertical {a.vertical_flip:g}; "
                f"policy {a.policy}"
                + (f"; transforms {', '.join(transforms)}" if transforms else "")
                + f"; class weighting {a.class_weighting}",
            ),
            (
                "pruning",
                f"target {units.percent(cfg.prune.target_sparsity, 0)}" if cfg.prune.enabled else "off",
            ),
            (
                "quantisation",
                f"weights {cfg.model.weights.bits} bits ({cfg.model.weights.integer} integer), activations "
                f"{cfg.model.activations.bits} bits ({cfg.model.activations.integer} integer)",
            ),
        ]
        blocks.append(Table(("what", "value"), tuple(rows)))
        blocks.append(
            Code(yaml.safe_dump(cfg.to_dict(), sort_keys=False), "the run config (checked, defaults filled in)")
        )
    else:
        blocks.append(Table(("what", "value"), tuple(rows)))
    status: Mapping[str, str] = rec.summary.get("steps_status", {})
    seconds: Mapping[str, float] = rec.summary.get("steps_seconds", {})
    blocks.append(
        Table(
            ("step", "status", "time"),
            tuple((k, v, units.quantity(seconds.get(k), "s", 2)) for k, v in in_step_order(status)),
            align=("left", "left", "right"),
        )
    )
    blocks.append(
        Paragraph(
            "Files: model/model_card.json (the model card), hls/conversion.md, verify/verification.md, "
            "summary.json (every number above), board/ (the bundle for the PYNQ-Z2)."
        )
    )
    return Section("provenance", "Provenance: the model card", tuple(blocks))
