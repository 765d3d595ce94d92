"""Compare a deployed classifier with every baseline family on the same test maps, and say the verdict plainly.

:func:`compare_model` takes a measured :class:`~fpgaflow.baselines.table.BaselineTable` and one or more score
vectors of the model on the *same* test maps (e.g. QKeras and the C simulation of the deployed design) and
gives, per family best: the paired comparison (model − baseline in accuracy and AUC, paired bootstrap error,
McNemar mid-p) and a verdict — the model *loses* when it is less accurate and McNemar's mid-p is below
:data:`SIGNIFICANCE`, *beats* the baseline in the mirror case, and is *level* otherwise.
:meth:`ModelStanding.headline` is the one line a run prints, e.g.::

    the deployed CNN (A ± a %) LOSES to the single cut total_adc > T (B ± b %) by D pp, McNemar p < 1e-6;
    it loses to K of 5 baseline families, by up to E pp to the boosted tree on cluster features, C ± c %

The model calls a map *particle* when its score is ≥ 0.5 (as the board driver and ``fpgaflow verify`` do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from fpgaflow.baselines.features import Array
from fpgaflow.baselines.table import BaselineResult, BaselineTable
from fpgaflow.errors import DataError
from fpgaflow.metrics import PairedComparison, binomial_interval, roc_auc

#: A difference in accuracy counts as a win or a loss when McNemar's mid-p is below this.
SIGNIFICANCE = 0.05

#: The score cut that makes ``score > cut`` the same decision as the driver's ``score >= 0.5``.
MODEL_CUT = float(np.nextafter(0.5, 0.0))

Verdict = Literal["loses", "beats", "level"]

#: How a family's best member is named in a sentence.
_FAMILY_WORDS = {
    "any_pixel": "the any-pixel rule",
    "single_cut": "the single cut",
    "shape_table": "the cluster-shape table",
    "tree": "the boosted tree on cluster features",
    "two_stage": "the two-stage cluster tree",
}


def describe(result: BaselineResult) -> str:
    """A family best in words: ``the single cut total_adc > 83``, ``the any-pixel rule``, ..."""
    words = _FAMILY_WORDS.get(result.family, result.family)
    return f"{words} {result.working_point}" if result.family == "single_cut" else words


def p_value(p: float) -> str:
    """A p-value for a table: ``< 1e-6`` below a millionth, else two significant digits."""
    return "< 1e-6" if p < 1e-6 else f"{p:.2g}"


def p_phrase(p: float) -> str:
    """McNemar's p as a sentence says it: ``p < 1e-6`` or ``p = 0.012``."""
    return f"p {p_value(p)}" if p < 1e-6 else f"p = {p_value(p)}"


def verdict_of(c: PairedComparison, significance: float = SIGNIFICANCE) -> Verdict:
    """``loses``/``beats`` when the model (B) is less/more accurate than the baseline (A) with McNemar mid-p
    below ``significance``; ``level`` otherwise."""
    if c.accuracy_p < significance and c.accuracy_diff < 0:
        return "loses"
    if c.accuracy_p < significance and c.accuracy_diff > 0:
        return "beats"
    return "level"


@dataclass(frozen=True)
class ModelScore:
    """The model's own figures on the test maps: accuracy with its binomial (Wilson) interval, ROC AUC."""

    accuracy: float
    accuracy_low: float
    accuracy_high: float
    auc: float

    @property
    def accuracy_error(self) -> float:
        return (self.accuracy_high - self.accuracy_low) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "accuracy_error": self.accuracy_error,
            "accuracy_interval": [self.accuracy_low, self.accuracy_high],
            "roc_auc": self.auc,
        }


@dataclass(frozen=True)
class ModelStanding:
    """The model (``name``; its score vectors by kind in ``model``, ``deployed`` the kind the verdict uses)
    against each family's best (``baselines``), compared map by map (``comparisons[kind][family]``)."""

    name: str
    deployed: str
    model: dict[str, ModelScore]
    baselines: dict[str, BaselineResult]
    comparisons: dict[str, dict[str, PairedComparison]]
    strongest: str
    n_test: int
    confidence: float
    significance: float = SIGNIFICANCE

    def verdicts(self, kind: str | None = None) -> dict[str, Verdict]:
        """Per family: does the model (scores ``kind``, default the deployed ones) lose, beat or draw?"""
        return {f: verdict_of(c, self.significance) for f, c in self.comparisons[kind or self.deployed].items()}

    def headline(self) -> str:
        """One plain sentence: whom the deployed model loses to (the simplest such family first) and by how
        much, or that it beats every baseline, or that it is level with the closest."""
        me = self.model[self.deployed]
        own = f"{self.name} ({_pct(me.accuracy, me.accuracy_error)})"
        cmp = self.comparisons[self.deployed]
        verdicts = self.verdicts()
        lost = [f for f in self.baselines if verdicts[f] == "loses"]
        n = len(self.baselines)
        if lost:
            first = lost[0]
            line = f"{own} LOSES to {self._them(first)} by {-100 * cmp[first].accuracy_diff:.1f} pp, McNemar "
            line += p_phrase(cmp[first].accuracy_p)
            if len(lost) > 1:
                worst = min(lost, key=lambda f: cmp[f].accuracy_diff)
                r = self.baselines[worst]
                line += f"; it loses to {len(lost)} of {n} baseline families, by up to "
                line += (
                    f"{-100 * cmp[worst].accuracy_diff:.1f} pp to {describe(r)}, {_pct(r.accuracy, r.accuracy_error)}"
                )
            return line
        closest = min(self.baselines, key=lambda f: cmp[f].accuracy_diff)
        c = cmp[closest]
        if all(v == "beats" for v in verdicts.values()):
            return (
                f"{own} BEATS every baseline; the closest, {self._them(closest)}, by "
                f"{100 * c.accuracy_diff:.1f} pp, McNemar {p_phrase(c.accuracy_p)}"
            )
        beaten = sum(v == "beats" for v in verdicts.values())
        return (
            f"{own} is LEVEL with {self._them(closest)}: {100 * c.accuracy_diff:+.1f} pp, McNemar "
            f"{p_phrase(c.accuracy_p)} (not significant at {self.significance:g}); it beats {beaten} of {n} "
            "baseline families"
        )

    def _them(self, family: str) -> str:
        r = self.baselines[family]
        return f"{describe(r)} ({_pct(r.accuracy, r.accuracy_error)})"

    def to_dict(self) -> dict[str, Any]:
        """What ``summary.json`` carries: the model's figures, every family best with its working point, and
        the paired comparison of each model score kind with it (and the verdict)."""
        families: dict[str, Any] = {}
        for fam, r in self.baselines.items():
            d = r.to_dict()
            families[fam] = {
                "name": r.name,
                "working_point": r.working_point,
                "accuracy": r.accuracy,
                "accuracy_error": r.accuracy_error,
                "accuracy_interval": d["accuracy_interval"],
                "roc_auc": r.auc.auc,
                "roc_auc_error": r.auc.error,
                "signal_efficiency": r.tpr,
                "background_efficiency": r.fpr,
                "background_rejection": d["background_rejection"],
                "vs_model": {
                    kind: {**cmps[fam].to_dict(), "verdict": verdict_of(cmps[fam], self.significance)}
                    for kind, cmps in self.comparisons.items()
                },
            }
        return {
            "model": self.name,
            "deployed": self.deployed,
            "n_test": self.n_test,
            "confidence": self.confidence,
            "significance": self.significance,
            "model_scores": {k: m.to_dict() for k, m in self.model.items()},
            "strongest": self.strongest,
            "families": families,
            "headline": self.headline(),
        }

    def to_markdown(self) -> str:
        """The model's rows and one row per family best, with the paired differences of the deployed scores."""
        pct = f"{100 * self.confidence:.0f} %"
        lines = [
            f"On the same {self.n_test} test maps.  Accuracy ± half the Wilson {pct} interval; Δ = model − "
            f"baseline with its paired-bootstrap error; McNemar mid-p; verdict at p < {self.significance:g}.",
            "",
            "| classifier | working point | accuracy (%) | ROC AUC | Δ accuracy (pp) | McNemar p | Δ AUC | verdict |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for kind, m in self.model.items():
            lines.append(
                f"| {self.name} ({kind}) | score ≥ 0.5 | {_pct(m.accuracy, m.accuracy_error, unit=False)} "
                f"| {m.auc:.3f} | | | | |"
            )
        cmp = self.comparisons[self.deployed]
        verdicts = self.verdicts()
        for fam, r in self.baselines.items():
            c = cmp[fam]
            lines.append(
                f"| {fam}: `{r.name}` | `{r.working_point}` | {_pct(r.accuracy, r.accuracy_error, unit=False)} "
                f"| {r.auc.auc:.3f} ± {r.auc.error:.3f} | {100 * c.accuracy_diff:+.1f} ± {100 * c.accuracy_error:.1f} "
                f"| {p_value(c.accuracy_p)} "
                f"| {c.auc_diff:+.3f} ± {c.auc_error:.3f} | model {verdicts[fam].upper()} |"
            )
        lines += ["", f"**{self.headline()}**"]
        return "\n".join(lines) + "\n"


def _pct(value: float, error: float, unit: bool = True) -> str:
    return f"{100 * value:.1f} ± {100 * error:.1f}" + (" %" if unit else "")


def compare_model(
    table: BaselineTable,
    scores: dict[str, Array],
    deployed: str,
    name: str = "the deployed CNN",
    significance: float = SIGNIFICANCE,
) -> ModelStanding:
    """The model's score vectors ``scores`` (by kind, e.g. ``{"csim": ..., "keras": ...}``; particle when
    ≥ 0.5) on the table's test maps, in the same order, against each family's best; ``deployed`` names the
    kind the verdict speaks for."""
    if deployed not in scores:
        raise DataError(f"the deployed scores {deployed!r} are not among {sorted(scores)}")
    y = table.test_labels.astype(bool)
    model: dict[str, ModelScore] = {}
    comparisons: dict[str, dict[str, PairedComparison]] = {}
    for kind, given in scores.items():
        s = np.asarray(given, dtype=np.float64).reshape(-1)
        if s.shape != y.shape:
            raise DataError(f"{kind} scores: {s.size} maps, the baselines were measured on {y.size}")
        k = int(np.sum((s > MODEL_CUT) == y))
        lo, hi = binomial_interval(k, y.size, table.confidence)
        model[kind] = ModelScore(k / y.size, lo, hi, roc_auc(y, s))
        comparisons[kind] = table.compare(s, MODEL_CUT)
    return ModelStanding(
        name=name,
        deployed=deployed,
        model=model,
        baselines=table.best(),
        comparisons=comparisons,
        strongest=table.strongest().family,
        n_test=int(y.size),
        confidence=table.confidence,
        significance=significance,
    )
