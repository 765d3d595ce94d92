"""The README's and docs' figures of the default run agree with the run they document.

``bench/readme_figures.py`` renders every figure marked ``<!-- fig:NAME -->`` from ``bench/default_run.json``, the
snapshot of a fresh ``fpgaflow run`` (``make readme`` regenerates both).  A hand-edited figure, a snapshot of
another default config, or default maps that the simulator no longer makes as it did fail here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def figures_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_figures", REPO / "bench" / "readme_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def snapshot(figures_script: ModuleType) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(figures_script.SNAPSHOT.read_text(encoding="utf-8"))
    return data


def test_every_marked_figure_is_the_snapshot_rendered(figures_script: ModuleType, snapshot: dict[str, Any]) -> None:
    figs = figures_script.figures(snapshot)
    seen: set[str] = set()
    for doc in figures_script.DOCUMENTS:
        for m in figures_script.MARK.finditer((REPO / doc).read_text(encoding="utf-8")):
            name = m.group("name")
            assert name in figs, f"{doc}: unknown figure {name!r}"
            assert m.group("body") == figs[name], f"{doc}: figure {name!r} disagrees with the run; run `make readme`"
            seen.add(name)
    assert seen == set(figs), f"figures rendered but shown nowhere: {sorted(set(figs) - seen)}"


def test_the_snapshot_is_of_the_default_config_and_the_headline_adds_up(
    figures_script: ModuleType, snapshot: dict[str, Any]
) -> None:
    assert snapshot["config_sha256"] == figures_script.config_digest(), "models/default.yaml changed: `make readme`"
    s = snapshot
    assert s["n_train"] + s["n_val"] + s["n_test"] == 6000
    assert s["csim_agreement"] == 1.0 and s["accuracy_csim"] == s["accuracy_keras"]
    assert set(s["baselines"]) == {"any_pixel", "single_cut", "shape_table", "tree", "two_stage"}
    assert s["baselines_headline"].startswith(f"the deployed CNN ({100 * s['accuracy_csim']:.1f} ± ")
    assert set(s["steps_seconds"]) == {"data", "train", "convert", "verify", "baselines", "package"}


def test_the_default_maps_are_still_the_ones_the_snapshot_was_made_from(
    figures_script: ModuleType, snapshot: dict[str, Any]
) -> None:
    assert snapshot["data_sha256"] == figures_script.data_digest(), (
        "the simulator makes other default maps than the README's run: `make readme`"
    )
