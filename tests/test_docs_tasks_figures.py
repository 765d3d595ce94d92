"""docs/tasks.md quotes the deployed model's and the cluster filters' figures from the committed results files
(bench/results_deployed.md, bench/results_baselines.md): a figure edited by hand, or a results file rewritten
by a new measurement without the docs following, fails here."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TASKS = (REPO / "docs" / "tasks.md").read_text(encoding="utf-8")


def _section(path: str, heading: str) -> str:
    text = (REPO / path).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def _row(text: str, first_cell: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| {first_cell} |"))
    return [c.strip() for c in line.strip("|").split("|")][1:]


def test_the_deployed_model_rows_are_the_measured_ones() -> None:
    run3 = _section("bench/results_deployed.md", "## `run3-32` with `default.yaml` (data seeds 1, 2, 3)")
    acc, auc, _ = _row(run3, "deployed model (C-sim)")
    assert f"| **{acc}** | **{auc}** |" in TASKS
    stamps = _section("bench/results_deployed.md", "## `cluster-bib` with `default.yaml` (data seeds 1, 2, 3)")
    acc, auc, _ = _row(stamps, "deployed model (C-sim)")
    filters = stamps.split("| rejection @ 90 %", 1)[1].splitlines()[2]
    rej90, rej95, red90, red95 = (c.strip() for c in filters.strip("|").split("|"))
    row = _row(TASKS, "deployed model (C-sim)")
    assert row == [acc, auc, rej90, rej95, f"{red90} %", f"{red95} %"]


def test_the_cluster_filter_rows_are_the_measured_ones() -> None:
    section = _section("bench/results_baselines.md", "## 8. Cluster stamps")
    summary = section.split("### Over data seeds [1, 2, 3]", 1)[1]
    names = {
        "any_pixel": "keep everything (any pixel)",
        "single_cut": "best single cut (total ADC)",
        "shape_table": "cluster-shape look-up table",
        "tree": "boosted tree (per-stamp features)",
        "two_stage": "two-stage tree",
    }
    for family, shown in names.items():
        acc, auc = _row(summary.split("### As a cluster filter", 1)[0], family)
        rejections_reductions = _row(summary.split("### As a cluster filter", 1)[1], family)
        got = _row(TASKS, shown)
        assert got[0] == acc, family
        if family != "any_pixel":
            assert got[1:] == [auc, *rejections_reductions], family
