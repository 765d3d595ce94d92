"""The yardsticks a fit's accuracy is read against: each baseline family's best and the truth ceiling, read from a
run's ``baselines/model_vs_baselines.json`` (written by the run's baselines step), or each family's best from the
``baselines.json`` of ``fpgaflow baselines`` (no truth ceiling there)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fpgaflow.errors import DataError

#: Baseline families drawn, in legend order, with the words a physicist reads.
FAMILIES = (("single_cut", "best single cut"), ("tree", "boosted trees"), ("two_stage", "two-stage"))


@dataclass(frozen=True)
class BaselineLine:
    """One horizontal line of the accuracy-vs-LUT plot: ``label`` (family words), ``name`` (the baseline as
    fpgaflow.baselines names it, or ``truth_ceiling``), test accuracy (fraction) and its standard error, and
    ``n_maps``, the test maps it was measured on."""

    label: str
    name: str
    accuracy: float
    error: float
    n_maps: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_baselines(path: Path) -> list[BaselineLine]:
    """The best single cut, boosted trees, two-stage and (when the run had per-cluster truth) the truth ceiling
    of ``model_vs_baselines.json``, or the families of a ``baselines.json``; families the file lacks are left out.
    A file that is neither is a :class:`DataError` naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        n_maps = int(data["n_test"])
        if "best" in data and "members" in data:  # fpgaflow baselines' own table
            return _from_table(data, n_maps)
        families: dict[str, Any] = data["families"]
        lines = [
            BaselineLine(
                label,
                str(families[key]["name"]),
                float(families[key]["accuracy"]),
                float(families[key]["accuracy_error"]),
                n_maps,
            )
            for key, label in FAMILIES
            if key in families
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a baselines report (model_vs_baselines.json or baselines.json): {exc}") from None
    truth = data["truth"] if isinstance(data.get("truth"), dict) else {}
    if "ceiling" in truth and truth["ceiling"]["accuracy"] is not None:
        c = truth["ceiling"]
        error = c["accuracy_error"] if c["accuracy_error"] is not None else 0.0
        lines.append(
            BaselineLine("truth ceiling", "truth_ceiling", float(c["accuracy"]), float(error), int(c["n_test"]))
        )
    return lines


def _from_table(data: dict[str, Any], n_maps: int) -> list[BaselineLine]:
    """Each family's best member of a ``baselines.json``; the error is half its ±1σ (Wilson) interval."""
    members = {m["name"]: m for m in data["members"]}
    lines = []
    for key, label in FAMILIES:
        if key in data["best"]:
            m = members[data["best"][key]]
            low, high = m["accuracy_interval"]
            lines.append(BaselineLine(label, str(m["name"]), float(m["accuracy"]), (high - low) / 2, n_maps))
    return lines
