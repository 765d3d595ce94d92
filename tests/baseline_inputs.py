"""A run's baselines report as the baselines step writes it, for the tests of what reads it."""

from __future__ import annotations

import json
from pathlib import Path


def write_baselines_json(path: Path) -> Path:
    """A run's model_vs_baselines.json as the baselines step writes it (the fields the plot reads)."""
    fam = {
        "any_pixel": ("any_pixel", 0.600, 0.008),
        "single_cut": ("cut:total_adc", 0.694, 0.007),
        "tree": ("tree:200x15@0.1", 0.725, 0.007),
        "two_stage": ("two_stage:inherited:learned", 0.739, 0.007),
    }
    data = {
        "n_test": 4000,
        "families": {k: {"name": n, "accuracy": a, "accuracy_error": e} for k, (n, a, e) in fam.items()},
        "truth": {"ceiling": {"accuracy": 0.729, "accuracy_error": 0.007, "n_test": 4000}},
    }
    path.write_text(json.dumps(data))
    return path
