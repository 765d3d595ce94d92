"""Label-efficiency curves: test accuracy and ROC AUC against labelled maps, mean ± spread over seeds, and the
labels each method needs to reach the control's accuracy at the full budget.

The *target* is the mean test accuracy, over seeds, of the control (random acquisition with the control
augmentation) at the full budget.  A method's labels-to-reach is where its mean curve first reaches the
target, linearly interpolated between the two rounds around the crossing; it is also given per seed (each
seed's own curve against the same target), which shows how much of it is noise.  ``None``: not reached
within the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow.metrics.stats import sample_std


@dataclass(frozen=True)
class CurvePoint:
    """One method at one labelled count, over ``n_seeds`` seeds (std: sample standard deviation)."""

    augment: str
    acquisition: str
    n_labelled: int
    n_seeds: int
    accuracy_mean: float
    accuracy_std: float
    roc_auc_mean: float | None
    roc_auc_std: float | None
    val_accuracy_mean: float


def method_key(result: dict[str, Any]) -> tuple[str, str]:
    return str(result["augment"]), str(result["acquisition"])


def curve_points(results: list[dict[str, Any]]) -> list[CurvePoint]:
    """Every (augmentation, acquisition, labelled count), in the order the methods first appear."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for res in results:
        for rnd in res["rounds"]:
            groups.setdefault((*method_key(res), int(rnd["n_labelled"])), []).append(rnd)
    points = []
    for (aug, acq, n), rounds in groups.items():
        acc = [r["test_accuracy"] for r in rounds]
        aucs = [r["test_roc_auc"] for r in rounds if r["test_roc_auc"] is not None]
        points.append(
            CurvePoint(
                aug,
                acq,
                n,
                len(rounds),
                float(np.mean(acc)),
                sample_std(acc),
                float(np.mean(aucs)) if aucs else None,
                sample_std(aucs) if aucs else None,
                float(np.mean([r["val_accuracy"] for r in rounds])),
            )
        )
    return points


def crossing(n_labelled: Sequence[int], accuracy: Sequence[float], target: float) -> float | None:
    """Labelled maps at which the curve ``accuracy(n_labelled)`` first reaches ``target`` (linear between
    rounds; the first count if it starts above), ``None`` if it never does."""
    for i, (n, a) in enumerate(zip(n_labelled, accuracy, strict=True)):
        if a >= target:
            if i == 0:
                return float(n)
            n0, a0 = n_labelled[i - 1], accuracy[i - 1]
            return float(n0 + (target - a0) / (a - a0) * (n - n0))
    return None


def control_target(results: list[dict[str, Any]], control: tuple[str, str]) -> tuple[float, float, int]:
    """(mean, std over seeds, labelled maps) of the control's test accuracy in its last round."""
    finals = [res["rounds"][-1] for res in results if method_key(res) == control]
    if not finals:
        raise DataError(f"no results for the control (augmentation {control[0]!r}, {control[1]} acquisition)")
    acc = [r["test_accuracy"] for r in finals]
    return float(np.mean(acc)), sample_std(acc), int(finals[0]["n_labelled"])


#: A round whose test accuracy lies within this of 0.5 learnt nothing (a collapsed, constant-output model).
CHANCE_BAND = 0.05


@dataclass(frozen=True)
class MethodSummary:
    """A method at the full budget and its labels-to-reach (mean curve; per seed); ``rounds_at_chance``: rounds
    (over all seeds) whose model scored within :data:`CHANCE_BAND` of 50 % — training that collapsed."""

    augment: str
    acquisition: str
    n_seeds: int
    budget: int
    accuracy_mean: float
    accuracy_std: float
    roc_auc_mean: float | None
    roc_auc_std: float | None
    delta_mean: float
    delta_sem: float
    labels_to_reach: float | None
    labels_to_reach_per_seed: tuple[float | None, ...]
    rounds_at_chance: int
    cpu_seconds: float


def summarise(results: list[dict[str, Any]], control: tuple[str, str]) -> tuple[float, list[MethodSummary]]:
    """The target accuracy and one summary per method (in the order the methods first appear).

    ``delta``: test accuracy at the full budget minus the control's, paired by seed (same initial labelled
    maps and initial weights), mean ± standard error over seeds.
    """
    target, _, _ = control_target(results, control)
    control_final = {int(r["seed"]): r["rounds"][-1]["test_accuracy"] for r in results if method_key(r) == control}
    by_method: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for res in results:
        by_method.setdefault(method_key(res), []).append(res)
    points = curve_points(results)
    out = []
    for (aug, acq), runs in by_method.items():
        mine = [p for p in points if (p.augment, p.acquisition) == (aug, acq)]
        last = mine[-1]
        per_seed = tuple(
            crossing([r["n_labelled"] for r in run["rounds"]], [r["test_accuracy"] for r in run["rounds"]], target)
            for run in sorted(runs, key=lambda r: int(r["seed"]))
        )
        deltas = [
            run["rounds"][-1]["test_accuracy"] - control_final[int(run["seed"])]
            for run in runs
            if int(run["seed"]) in control_final
        ]
        out.append(
            MethodSummary(
                aug,
                acq,
                len(runs),
                last.n_labelled,
                last.accuracy_mean,
                last.accuracy_std,
                last.roc_auc_mean,
                last.roc_auc_std,
                float(np.mean(deltas)) if deltas else float("nan"),
                sample_std(deltas) / np.sqrt(len(deltas)) if deltas else float("nan"),
                crossing([p.n_labelled for p in mine], [p.accuracy_mean for p in mine], target),
                per_seed,
                sum(1 for run in runs for r in run["rounds"] if abs(r["test_accuracy"] - 0.5) < CHANCE_BAND),
                float(sum(run["cpu_seconds"] for run in runs)),
            )
        )
    return target, out
