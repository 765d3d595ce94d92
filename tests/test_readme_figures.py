"""The README's and docs' figures of the default run agree with the run they document.

``bench/readme_figures.py`` renders every figure marked ``<!-- fig:NAME -->`` from ``bench/default_run.json``, the
snapshot of a fresh ``fpgaflow run`` (``make readme`` regenerates both).  A hand-edited figure, a snapshot of
another default config, or default maps that the simulator no longer makes as it did fail here.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fpgaflow.pipeline.config import load_run_config
from fpgaflow.pipeline.runner import STEP_NAMES

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


@pytest.fixture(scope="module")
def figs(figures_script: ModuleType, snapshot: dict[str, Any]) -> dict[str, str]:
    rendered: dict[str, str] = figures_script.figures(snapshot)
    return rendered


def test_every_marked_figure_is_the_snapshot_rendered(figures_script: ModuleType, figs: dict[str, str]) -> None:
    assert figures_script.disagreements(figs) == []
    # The README's headline table, its flow time, the estimate, the conversion's figures in docs/convert.md and
    # the fit figures are among the checked ones.
    assert {"headline", "flow-time", "estimate", "accumulators", "baselines-default", "fit-default"} <= set(figs)
    assert {"interval", "fifo-depths", "convert-measured"} <= set(figs)


def test_a_hand_edited_figure_fails_the_check(figures_script: ModuleType, figs: dict[str, str]) -> None:
    """The check above can fail: a changed digit in the headline table, a figure removed from the README,
    and an unknown mark are each reported, naming the document and the figure."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    mark = figures_script.MARKS.mark.search(readme[readme.index("<!-- fig:headline -->") :])
    body = mark.group("body")
    digit = re.search(r"\d", body)
    assert digit is not None
    edited_body = body[: digit.start()] + str((int(digit.group()) + 1) % 10) + body[digit.end() :]
    edited = readme.replace(body, edited_body, 1)
    assert figures_script.disagreements(figs, {"README.md": edited} | _others(figures_script)) == [
        "README.md: figure 'headline' disagrees with the run it documents"
    ]
    gone = readme.replace(f"<!-- fig:headline -->{body}<!-- /fig:headline -->", body, 1)
    assert figures_script.disagreements(figs, {"README.md": gone} | _others(figures_script)) == [
        "figure 'headline' is rendered but marked in no document"
    ]
    unknown = readme + "\n<!-- fig:no-such-figure -->1 s<!-- /fig:no-such-figure -->\n"
    assert figures_script.disagreements(figs, {"README.md": unknown} | _others(figures_script)) == [
        "README.md: figure 'no-such-figure' is not rendered from the snapshot"
    ]


def _others(figures_script: ModuleType) -> dict[str, str]:
    return {d: (REPO / d).read_text(encoding="utf-8") for d in figures_script.DOCUMENTS if d != "README.md"}


def test_the_snapshot_is_of_the_default_config_and_the_headline_adds_up(
    figures_script: ModuleType, snapshot: dict[str, Any]
) -> None:
    assert snapshot["config_sha256"] == figures_script.config_digest(), "models/default.yaml changed: `make readme`"
    s, data = snapshot, load_run_config().data
    assert s["n_train"] + s["n_val"] + s["n_test"] == data.n_maps
    assert s["input_shape"][:2] == list(data.map_shape)
    assert s["csim_agreement"] == 1.0 and s["accuracy_csim"] == s["accuracy_keras"]
    assert set(s["baselines"]) == set(load_run_config().baselines.families)
    assert s["baselines_headline"].startswith(f"the deployed CNN ({100 * s['accuracy_csim']:.1f} ± ")
    assert set(s["steps_seconds"]) == set(STEP_NAMES)
    fit = s["fit"]
    assert 0 < fit["n_within_budget"] <= fit["n_points"]
    assert fit["accuracy"] <= 1.0 and fit["maps_per_s"] > 0


def test_the_default_maps_are_still_the_ones_the_snapshot_was_made_from(
    figures_script: ModuleType, snapshot: dict[str, Any]
) -> None:
    assert snapshot["data_sha256"] == figures_script.data_digest(), (
        "the simulator makes other default maps than the README's run: `make readme`"
    )


def test_the_fit_sentence_says_when_fit_chose_the_runs_configured_design(
    figures_script: ModuleType, snapshot: dict[str, Any]
) -> None:
    """When fit's chosen point is `configured` (the run's own per-layer design) the README says so, with its
    accuracy against the trained model's; when a grid point is chosen, fit's sentence on the configured design
    (why it was not chosen) follows."""
    fit = snapshot["fit"]
    mine = fit | {"chosen": "configured", "configured": "configured", "accuracy": fit["reference_accuracy"]}
    figs = figures_script.figures(snapshot | {"fit": mine})
    ref = f"{100 * fit['reference_accuracy']:.1f}"
    assert figs["fit-default"].endswith(
        "and the one fit chooses is the run's own configured design (`configured`: the per-layer reuse factors and "
        f"strategies of models/default.yaml), which keeps the trained model's {ref} % accuracy at "
        f"{fit['maps_per_s']:,.0f} maps/s (modelled)"
    )
    assert "| `configured` (models/default.yaml's `convert:`) |" in figs["fit-default-row"]
    # a grid point chosen: fit's own sentence on the configured design (why not) follows
    no_configured = {k: v for k, v in fit.items() if k not in ("configured", "configured_sentence")}
    grid_fit = no_configured | {"chosen": "R1-balanced/Latency/trim6/margin1", "accuracy": 0.662}
    why = "the configured design (the run's convert: section; 71.80 %, does not fit, 6,103 maps/s) is not chosen: no"
    figs = figures_script.figures(
        snapshot | {"fit": grid_fit | {"configured": "configured", "configured_sentence": why}}
    )
    assert figs["fit-default"].endswith(f"; {why}") and grid_fit["chosen"] in figs["fit-default-row"]
    # a fit without a configured point (a bare model file) names none
    assert "configured" not in figures_script.figures(snapshot | {"fit": grid_fit})["fit-default"]
