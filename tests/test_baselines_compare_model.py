"""The deployed model against each baseline family: paired figures, verdicts and the plain sentence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.baselines.compare_model import MODEL_CUT, compare_model, p_phrase, verdict_of
from fpgaflow.baselines.table import BaselineTable, measure
from fpgaflow.errors import DataError
from fpgaflow.metrics import ONE_SIGMA, binomial_interval

N = 400
LABELS = np.tile([0, 1], N // 2)


def _scores_right_on(right: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] that classify exactly the maps ``right`` correctly (cut 0.5)."""
    truth = LABELS.astype(float)
    return np.where(right, truth * 0.8 + 0.1, 0.9 - truth * 0.8)


def _table(**right: np.ndarray) -> BaselineTable:
    """A baseline table whose family best is right exactly on the maps ``right[family]``."""
    results = tuple(
        measure(
            fam,
            f"{fam}:x",
            "total_adc > 83" if fam == "single_cut" else "score > 0.5",
            0.5,
            0.9,
            0.9,
            LABELS,
            _scores_right_on(r),
            (0.9,),
            ONE_SIGMA,
            200,
            0,
            0.0,
        )
        for fam, r in right.items()
    )
    return BaselineTable(results, LABELS, 1000, 200, "given", ONE_SIGMA, 200, 0)


def _first(k: int) -> np.ndarray:
    return np.arange(N) < k


def test_loses_to_a_better_cut_and_says_by_how_much() -> None:
    # model right on 320 maps; the cut on 380 (a superset); the any-pixel rule on 300 (a subset of the model's)
    table = _table(any_pixel=_first(300), single_cut=_first(380))
    s = compare_model(table, {"csim": _scores_right_on(_first(320))}, deployed="csim")
    assert s.verdicts() == {"any_pixel": "beats", "single_cut": "loses"}
    c = s.comparisons["csim"]["single_cut"]
    assert c.accuracy_diff == pytest.approx(-60 / N)
    assert (c.mcnemar.only_a, c.mcnemar.only_b) == (60, 0)
    lo, hi = binomial_interval(320, N)
    assert s.model["csim"].accuracy == 0.8
    assert s.model["csim"].accuracy_error == pytest.approx((hi - lo) / 2)
    err = 100 * (hi - lo) / 2
    cut_err = 100 * table.best()["single_cut"].accuracy_error
    assert s.headline() == (
        f"the deployed CNN (80.0 ± {err:.1f} %) LOSES to the single cut total_adc > 83 "
        f"(95.0 ± {cut_err:.1f} %) by 15.0 pp, McNemar p < 1e-6"
    )


def test_loses_to_several_families_names_the_simplest_and_the_worst() -> None:
    table = _table(any_pixel=_first(340), single_cut=_first(360), tree=_first(390))
    s = compare_model(table, {"csim": _scores_right_on(_first(300))}, deployed="csim")
    line = s.headline()
    assert line.startswith("the deployed CNN (75.0 ± ")
    assert "LOSES to the any-pixel rule (85.0 ± " in line and "by 10.0 pp, McNemar p < 1e-6" in line
    assert line.endswith(
        f"it loses to 3 of 3 baseline families, by up to 22.5 pp to the boosted tree on cluster "
        f"features, 97.5 ± {100 * table.best()['tree'].accuracy_error:.1f} %"
    )


def test_beats_every_baseline() -> None:
    table = _table(any_pixel=_first(300), single_cut=_first(340))
    s = compare_model(table, {"csim": _scores_right_on(_first(N))}, deployed="csim")
    assert set(s.verdicts().values()) == {"beats"}
    assert "BEATS every baseline; the closest, the single cut total_adc > 83 (85.0 ± " in s.headline()
    assert s.headline().endswith("by 15.0 pp, McNemar p < 1e-6")


def test_identical_decisions_are_level_with_p_one() -> None:
    same = _first(350)
    table = _table(any_pixel=same, tree=_first(360))
    s = compare_model(table, {"csim": _scores_right_on(same), "keras": _scores_right_on(same)}, deployed="csim")
    c = s.comparisons["csim"]["any_pixel"]
    assert c.accuracy_diff == 0.0 and c.accuracy_p == 1.0
    assert verdict_of(c) == "level"
    # 10 maps only the tree gets right: mid-p = 2·2^-10 − 2^-10 ≈ 0.001 → the model loses to the tree
    assert s.verdicts()["tree"] == "loses"
    assert p_phrase(s.comparisons["csim"]["tree"].accuracy_p) == "p = 0.00098"


def test_level_when_the_difference_is_not_significant() -> None:
    # 3 maps only the model gets right, 1 only the baseline: mid-p = 0.375
    base = _first(340)
    model = base.copy()
    model[[341, 342, 343]] = True
    model[0] = False
    s = compare_model(_table(tree=base), {"csim": _scores_right_on(model)}, deployed="csim")
    assert s.verdicts() == {"tree": "level"}
    assert "is LEVEL with the boosted tree on cluster features (85.0 ± " in s.headline()
    assert "+0.5 pp, McNemar p = 0.38 (not significant at 0.05); it beats 0 of 1 baseline families" in s.headline()


def test_a_score_of_exactly_one_half_is_particle_as_on_the_board() -> None:
    scores = np.where(LABELS == 1, 0.5, 0.25)  # the driver: score >= 0.5 → particle
    s = compare_model(_table(tree=_first(200)), {"csim": scores}, deployed="csim")
    assert s.model["csim"].accuracy == 1.0
    assert s.comparisons["csim"]["tree"].accuracy_b == 1.0
    assert np.nextafter(MODEL_CUT, 1.0) == 0.5  # the largest double below one half


def test_summary_dict_is_plain_json_and_markdown_has_every_family() -> None:
    table = _table(any_pixel=_first(300), single_cut=_first(380))
    s = compare_model(
        table, {"csim": _scores_right_on(_first(320)), "keras": _scores_right_on(_first(321))}, deployed="csim"
    )
    d = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert d["headline"] == s.headline()
    assert set(d["families"]) == {"any_pixel", "single_cut"}
    cut = d["families"]["single_cut"]
    assert cut["working_point"] == "total_adc > 83" and cut["accuracy"] == 0.95
    assert cut["vs_model"]["csim"]["verdict"] == "loses"
    assert cut["vs_model"]["keras"]["accuracy_b"] == pytest.approx(321 / N)
    md = s.to_markdown()
    assert "| single_cut: `single_cut:x` | `total_adc > 83` | 95.0 ± " in md
    assert "| -15.0 ± " in md and "| model LOSES |" in md


def test_scores_on_other_maps_are_refused() -> None:
    table = _table(tree=_first(300))
    with pytest.raises(DataError, match="399 maps, the baselines were measured on 400"):
        compare_model(table, {"csim": np.zeros(N - 1)}, deployed="csim")
    with pytest.raises(DataError, match="deployed scores 'board'"):
        compare_model(table, {"csim": np.zeros(N)}, deployed="board")


def _documented_shape() -> dict[str, list[str]]:
    """The block of docs/baselines.md's "What a run's reader finds": path → documented keys."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "baselines.md").read_text(encoding="utf-8")
    block = doc.split("### What a run's reader finds", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    shape = {}
    for line in block.strip().splitlines():
        path, keys = line.rsplit(": ", 1) if line.count(": ") > 1 else line.split(": ", 1)
        shape[path] = [k.strip() for k in keys.split(",")]
    return shape


def test_the_documented_summary_shape_is_what_the_code_writes() -> None:
    """docs/baselines.md names every key report.html reads from summary.json and the npz files; the keys are
    exactly those the run writes (a renamed key fails here before it breaks a reader)."""
    from dataclasses import fields

    from fpgaflow.baselines.ceiling import Ambiguity, Ceiling, StampAmbiguity

    shape = _documented_shape()
    table = _table(any_pixel=_first(300), single_cut=_first(380))
    d = compare_model(
        table, {"csim": _scores_right_on(_first(320)), "keras": _scores_right_on(_first(321))}, deployed="csim"
    ).to_dict()
    assert shape["summary.json baselines"] == [*d, "truth"]
    assert set(d["model_scores"]) == {"csim", "keras"}
    assert shape["baselines.model_scores.<kind>"] == list(d["model_scores"]["keras"])
    assert shape["baselines.families.<family>"] == list(d["families"]["single_cut"])
    assert shape["baselines.families.<family>.vs_model.<kind>"] == list(d["families"]["any_pixel"]["vs_model"]["csim"])
    assert shape["baselines.truth.ceiling"] == [f.name for f in fields(Ceiling)]
    assert shape["baselines.truth.ambiguity"] == [f.name for f in fields(Ambiguity)]
    assert shape["baselines.truth.stamp_ambiguity"] == [f.name for f in fields(StampAmbiguity)]
    scores = table.score_arrays()
    assert set(scores) == {"labels"} | {
        f"{fam}_{k}" for fam in ("any_pixel", "single_cut") for k in ("scores", "cut", "name")
    }
    assert shape["DIR/baselines/baseline_scores.npz"] == ["labels", "<family>_scores", "<family>_cut", "<family>_name"]
    assert shape["DIR/verify/scores.npz"] == ["keras", "csim", "keras_raw", "csim_raw", "labels"]


def test_the_run_report_reads_what_the_baselines_step_writes(tmp_path: Path) -> None:
    """The files and summary keys the run's baselines step writes (write_table, compare_model) are the ones the
    run report reads: every family's row, its working point, the paired Δ, McNemar p and the verdict."""
    from report_run import make_run

    from fpgaflow.baselines.write_baselines import WrittenBaselines, write_table
    from fpgaflow.data.hitmaps import HitMapSet
    from fpgaflow.pipeline.report import write_reports
    from fpgaflow.pipeline.report.record import BASELINE_SCORES, RunRecord

    run = tmp_path / "run"
    summary = make_run(run, baselines=False)
    model = {"csim": _scores_right_on(_first(320)), "keras": _scores_right_on(_first(321))}
    np.savez(run / "verify" / "scores.npz", **model, labels=LABELS)
    maps = np.zeros((N, 16, 16, 1), dtype=np.float32)
    maps[LABELS == 1, 3, 4, 0] = 50.0
    HitMapSet(maps, LABELS).save_npz(run / "data" / "test.npz")
    table = _table(any_pixel=_first(300), single_cut=_first(380))
    write_table(WrittenBaselines(table, "test maps", run / "baselines"), (run / "baselines"))
    standing = compare_model(table, model, deployed="csim")
    summary.update(baselines=standing.to_dict(), baselines_headline=standing.headline())
    summary["files"]["baseline_scores"] = BASELINE_SCORES
    (run / "summary.json").write_text(json.dumps(summary))
    rec = RunRecord.read(run)
    assert rec.baselines is not None and sorted(rec.baselines.scores) == ["any_pixel", "single_cut"]
    assert rec.baselines.names == {"any_pixel": "any_pixel:x", "single_cut": "single_cut:x"}
    md = write_reports(run).markdown.read_text(encoding="utf-8")
    assert f"**Against the baselines: {standing.headline()}.**" in md
    rows = {
        line.split(" | ")[0][2:]: line
        for line in md.splitlines()
        if line.startswith("| any_pixel:") or line.startswith("| single_cut:")
    }
    assert set(rows) == {"any_pixel: any_pixel:x", "single_cut: single_cut:x"}
    assert "| total_adc > 83 |" in rows["single_cut: single_cut:x"]
    assert "| -15.0 ± " in rows["single_cut: single_cut:x"] and rows["single_cut: single_cut:x"].endswith("| LOSES |")
    assert "| 5.0 ± " in rows["any_pixel: any_pixel:x"] and rows["any_pixel: any_pixel:x"].endswith("| BEATS |")
