"""The baseline table: every member measured on the test maps, the best member of each family (chosen on
the validation maps), uncertainties, and paired comparisons on the same test maps."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fpgaflow.baselines.config import FAMILIES
from fpgaflow.baselines.features import Array
from fpgaflow.metrics import (
    AucInterval,
    PairedComparison,
    auc_interval,
    background_rejection,
    binomial_interval,
    paired_comparison,
)
from fpgaflow.metrics.stats import p_text


@dataclass(frozen=True)
class BaselineResult:
    """One fitted baseline on the test maps.

    ``accuracy`` with its binomial (Wilson) interval ``accuracy_low``–``accuracy_high`` at the table's
    confidence; ``auc`` with a stratified-bootstrap error; ``rejection`` = 1/FPR at each signal efficiency
    (``inf`` when no test noise map passes); the working point ``cut`` on the score (``working_point`` in
    words) with its signal efficiency ``tpr`` and background efficiency ``fpr`` on the test maps, the point
    to mark on a ROC plot.  ``val_accuracy`` (then ``val_auc`` on a tie) chose the family's best member.
    ``test_scores`` are kept for paired comparisons (not written to JSON).
    """

    family: str
    name: str
    working_point: str
    cut: float
    val_accuracy: float
    val_auc: float
    accuracy: float
    accuracy_low: float
    accuracy_high: float
    auc: AucInterval
    rejection: dict[float, float]
    tpr: float
    fpr: float
    seconds: float
    test_scores: Array = field(repr=False)

    @property
    def accuracy_error(self) -> float:
        """Half the width of the accuracy interval (a symmetric ± for tables)."""
        return (self.accuracy_high - self.accuracy_low) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "name": self.name,
            "working_point": self.working_point,
            "cut": self.cut,
            "val_accuracy": self.val_accuracy,
            "val_roc_auc": self.val_auc,
            "accuracy": self.accuracy,
            "accuracy_interval": [self.accuracy_low, self.accuracy_high],
            "roc_auc": self.auc.to_dict(),
            "background_rejection": {f"{e:.2f}": (None if math.isinf(r) else r) for e, r in self.rejection.items()},
            "signal_efficiency": self.tpr,
            "background_efficiency": self.fpr,
            "seconds": self.seconds,
        }


def measure(
    family: str,
    name: str,
    working_point: str,
    cut: float,
    val_accuracy: float,
    val_auc: float,
    labels: Array,
    scores: Array,
    efficiencies: tuple[float, ...],
    confidence: float,
    n_boot: int,
    seed: int,
    seconds: float,
) -> BaselineResult:
    """Every figure of one baseline's test ``scores`` against ``labels``."""
    y = labels.astype(bool)
    called = scores > cut
    k = int(np.sum(called == y))
    lo, hi = binomial_interval(k, y.size, confidence)
    return BaselineResult(
        family=family,
        name=name,
        working_point=working_point,
        cut=float(cut),
        val_accuracy=val_accuracy,
        val_auc=val_auc,
        accuracy=k / y.size,
        accuracy_low=lo,
        accuracy_high=hi,
        auc=auc_interval(y, scores, confidence, n_boot, seed),
        rejection={e: background_rejection(y, scores, e) for e in efficiencies},
        tpr=float(called[y].mean()),
        fpr=float(called[~y].mean()),
        seconds=seconds,
        test_scores=scores,
    )


@dataclass(frozen=True)
class BaselineTable:
    """All members (``results``), the test labels they were measured on, the validation accuracy that
    picked each family's best, and how the validation maps were obtained (``validation``)."""

    results: tuple[BaselineResult, ...]
    test_labels: Array
    n_train: int
    n_val: int
    validation: str
    confidence: float
    n_boot: int
    seed: int

    def best(self) -> dict[str, BaselineResult]:
        """The member of highest validation accuracy in each family (then highest validation AUC, then
        first listed), in :data:`FAMILIES` order."""
        out: dict[str, BaselineResult] = {}
        for fam in FAMILIES:
            members = [r for r in self.results if r.family == fam]
            if members:
                out[fam] = max(members, key=_validation_rank)
        return out

    def strongest(self) -> BaselineResult:
        """The family best of highest validation accuracy (then AUC): the yardstick a model must beat."""
        return max(self.best().values(), key=_validation_rank)

    def compare(self, scores: Array, cut: float = 0.5) -> dict[str, PairedComparison]:
        """A classifier's test ``scores`` (same maps, same order) against each family's best: B = the
        classifier, A = the baseline, so a negative difference means the classifier loses."""
        return {
            fam: paired_comparison(self.test_labels, r.test_scores, scores, r.cut, cut, self.n_boot, self.seed)
            for fam, r in self.best().items()
        }

    def against_strongest(self) -> dict[str, PairedComparison]:
        """Each family's best (B) against the strongest baseline (A), on the test maps."""
        top = self.strongest()
        return {
            fam: paired_comparison(
                self.test_labels, top.test_scores, r.test_scores, top.cut, r.cut, self.n_boot, self.seed
            )
            for fam, r in self.best().items()
            if r is not top
        }

    def score_arrays(self) -> dict[str, Array]:
        """Test ``labels`` and, per family, ``<family>_scores``, ``<family>_cut`` and ``<family>_name`` of its
        best member: what a report needs to draw ROC curves and working points, or to compare a model."""
        out: dict[str, Array] = {"labels": self.test_labels}
        for fam, r in self.best().items():
            out[f"{fam}_scores"] = r.test_scores
            out[f"{fam}_cut"] = np.array(r.cut)
            out[f"{fam}_name"] = np.array(r.name)
        return out

    def to_dict(self) -> dict[str, Any]:
        y = self.test_labels.astype(bool)
        return {
            "n_train": self.n_train,
            "n_val": self.n_val,
            "n_test": int(y.size),
            "n_test_particle": int(y.sum()),
            "validation": self.validation,
            "confidence": self.confidence,
            "n_bootstrap": self.n_boot,
            "seed": self.seed,
            "best": {fam: r.name for fam, r in self.best().items()},
            "strongest": self.strongest().name,
            "members": [r.to_dict() for r in self.results],
            "against_strongest": {fam: c.to_dict() for fam, c in self.against_strongest().items()},
        }

    def to_markdown(self) -> str:
        """The family table (best members) and the table of every member."""
        n = int(self.test_labels.size)
        pct = f"{100 * self.confidence:.0f} %"
        vs = self.against_strongest()
        top = self.strongest()
        effs = sorted(next(iter(self.results)).rejection) if self.results else []
        rej_head = " | ".join(f"rejection @ {100 * e:.0f} %" for e in effs)
        lines = [
            f"Test maps: {n} ({int(self.test_labels.sum())} particle); training maps: {self.n_train}; validation "
            f"maps: {self.n_val} ({self.validation}).  Accuracy ± half the Wilson {pct} interval; AUC ± bootstrap "
            f"standard error ({self.n_boot} stratified replicas); rejection = 1/(background efficiency) at the "
            f"given signal efficiency.  Δ vs strongest: this family's best minus `{top.name}` on the same maps "
            "(paired bootstrap error, McNemar mid-p).",
            "",
            f"| family | best member | working point | accuracy (%) | ROC AUC | {rej_head} | signal eff. | "
            "background eff. | Δ accuracy vs strongest (pp) |",
            "|---|---|---|---:|---:|" + "---:|" * len(effs) + "---:|---:|---:|",
        ]
        for fam, r in self.best().items():
            rej = " | ".join(_rejection_text(r.rejection[e], n - int(self.test_labels.sum())) for e in effs)
            c = vs.get(fam)
            delta = (
                "(strongest)"
                if c is None
                else f"{100 * c.accuracy_diff:+.1f} ± {100 * c.accuracy_error:.1f} (p {p_text(c.accuracy_p)})"
            )
            lines.append(
                f"| {fam} | `{r.name}` | `{r.working_point}` | {100 * r.accuracy:.1f} ± {100 * r.accuracy_error:.1f} "
                f"| {r.auc.auc:.3f} ± {r.auc.error:.3f} | {rej} | {r.tpr:.3f} | {r.fpr:.3f} | {delta} |"
            )
        lines += [
            "",
            "| member | validation accuracy (%) | validation AUC | test accuracy (%) | test ROC AUC "
            "| fit + score (s) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in self.results:
            lines.append(
                f"| `{r.name}` | {100 * r.val_accuracy:.1f} | {r.val_auc:.3f} "
                f"| {100 * r.accuracy:.1f} ± {100 * r.accuracy_error:.1f} "
                f"| {r.auc.auc:.3f} | {r.seconds:.1f} |"
            )
        return "\n".join(lines) + "\n"


def _validation_rank(r: BaselineResult) -> tuple[float, float]:
    return (r.val_accuracy, -1.0 if math.isnan(r.val_auc) else r.val_auc)


def _rejection_text(r: float, n_background: int) -> str:
    return f"> {n_background}" if math.isinf(r) else f"{r:.3g}"
