"""docs/tasks.md's measured tables (and the ``bench_baselines`` sections of bench/results_baselines.md) are what the
committed JSON of their sub-benchmarks renders (``bench/tasks_doc.py``, ``make tasks-doc``): a table edited by
hand, or a JSON rewritten by a new measurement without the tables following, fails here."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def doc() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tasks_doc", REPO / "bench" / "tasks_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tasks_doc"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def entries(doc: ModuleType) -> dict[str, Any]:
    found: dict[str, Any] = doc._entries()
    return found


@pytest.fixture(scope="module")
def blocks(doc: ModuleType, entries: dict[str, Any]) -> dict[str, str]:
    rendered: dict[str, str] = doc.blocks(entries)
    return rendered


def test_every_table_is_its_json_rendered(doc: ModuleType, blocks: dict[str, str]) -> None:
    assert doc.disagreements(blocks) == []
    assert {
        "tasks:windows",
        "tasks:clusters",
        "tasks:window-models",
        "tasks:cluster-filters",
        "tasks:cluster-positions",
        "tasks:flagship",
        "table:window-128",
        "table:cluster-bib",
    } <= set(blocks)


def test_a_hand_edited_table_fails_the_check(doc: ModuleType, blocks: dict[str, str]) -> None:
    text = (REPO / "docs" / "tasks.md").read_text(encoding="utf-8")
    baselines = {
        name: (REPO / name).read_text(encoding="utf-8") for name in ("bench/results_baselines.md", "README.md")
    }
    start = text.index("<!-- tasks:window-models -->")
    body = text[start : text.index("<!-- /tasks:window-models -->")]
    digit = re.search(r"\d", body[body.index("deployed") :])
    assert digit is not None
    at = start + body.index("deployed") + digit.start()
    edited = text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1 :]
    assert doc.disagreements(blocks, {"docs/tasks.md": edited} | baselines) == [
        "docs/tasks.md: block 'tasks:window-models' disagrees with the JSON it is rendered from"
    ]
    gone = doc.MARKS.mark.sub(lambda m: m.group(0) if m.group("key") != "tasks:flagship" else "", text)
    assert doc.disagreements(blocks, {"docs/tasks.md": gone} | baselines) == [
        "block 'tasks:flagship' is rendered but marked in no document"
    ]
    readme = re.sub(
        r"\*\*[^*]*the trees[^*]*\*\*", "**still trails the trees by 9.9 pp**", baselines["README.md"], count=1
    )
    assert doc.disagreements(blocks, {"docs/tasks.md": text} | baselines | {"README.md": readme}) == [
        "README.md: block 'tasks:flagship-summary' disagrees with the JSON it is rendered from"
    ]
    unknown = text + "\n<!-- tasks:no-such-table -->x<!-- /tasks:no-such-table -->\n"
    assert doc.disagreements(blocks, {"docs/tasks.md": unknown} | baselines) == [
        "docs/tasks.md: block 'tasks:no-such-table' is not rendered from the JSON"
    ]


def test_the_json_holds_three_seeds_of_each_measurement(doc: ModuleType, entries: dict[str, Any]) -> None:
    """The figures the tables quote are 3-seed measurements on the splits the docs name (the flagship: the
    seeds ``FLAGSHIP_SEEDS`` names)."""
    tasks = entries["tasks"]
    assert tasks["settings"]["seeds"] == [1, 2, 3]
    for w in tasks["windows"].values():
        assert len(w["ceiling"]) == 3 and all(0.5 < c < 1.0 for c in w["ceiling"])
        assert w["n_test"] == [900, 900, 900]
    bib = tasks["clusters"]["cluster-bib"]
    assert all(0.7 < s < 0.9 for s in bib["signal"]) and all(c > 0.99 for c in bib["contained"])
    for name, n_test in (("bl-window-128", 4000), ("bl-run3-32", 900)):
        seeds = entries[name]["per_seed"]
        assert list(seeds) == ["1", "2", "3"] and all(s["n_test"] == n_test for s in seeds.values()), name
    for name in ("bl-cluster-bib", "bl-cluster-bib-no-positions"):
        seeds = entries[name]["per_seed"].values()
        assert len(seeds) == 3 and all(2500 < s["n_test"] < 3500 for s in seeds)
    # Without positions no shape table has the position axis; the family best with them may or may not.
    assert not any(n.endswith(":z4") for n in _names(entries["bl-cluster-bib-no-positions"], "shape_table"))
    run3 = entries["deployed-run3-32"]["per_seed"].values()
    assert [d["n_test"] for d in run3] == [900, 900, 900]
    for d in entries["deployed-cluster-bib"]["per_seed"].values():
        assert d["ceiling"] == [1.0, 1.0], "a cluster-bib run reports its truth ceiling: right on every stamp"
    flag = entries["flagship"]["seeds"]
    assert [s["seed"] for s in flag] == doc.FLAGSHIP_SEEDS and all(s["n_test"] == 4000 for s in flag)
    assert all(s["summary"]["csim_bit_exact_fraction"] == 1.0 for s in flag)


def _names(entry: dict[str, Any], family: str) -> list[str]:
    return [s["families"][family]["name"] for s in entry["per_seed"].values()]


def test_the_docs_name_every_sub_benchmark(doc: ModuleType) -> None:
    text = (REPO / "docs" / "tasks.md").read_text(encoding="utf-8")
    for script in ("bench_tasks.py", "bench_baselines.py", "bench_deployed.py", "bench_flagship.py", "make tasks-doc"):
        assert script in text
    assert {j.argv[0] for j in doc.JOBS} == {
        "bench/bench_tasks.py",
        "bench/bench_baselines.py",
        "bench/bench_deployed.py",
        "bench/bench_flagship.py",
    }


def test_the_readme_sentence_says_what_the_flagship_beats_and_trails(doc: ModuleType, entries: dict[str, Any]) -> None:
    """The README's flagship sentence follows the figures: a deployed model above every tree says it beats them."""
    import copy

    e = copy.deepcopy(entries)
    seeds = e["flagship"]["seeds"]
    text = doc.flagship_summary(e)
    trees = [max(r["baselines"]["tree"]["accuracy"], r["baselines"]["two_stage"]["accuracy"]) for r in seeds]
    gap = 100 * (sum(r["summary"]["accuracy_csim"] for r in seeds) - sum(trees)) / len(seeds)
    assert (f"**still trails the trees by {-gap:.1f} pp**" in text) == (round(gap, 1) < 0)
    assert ("**is level with the trees**" in text) == (round(gap, 1) == 0)
    tree = max(trees)
    for r in seeds:
        r["summary"]["accuracy_csim"] = tree + 0.01
    better = doc.flagship_summary(e)
    assert "**beats the trees by" in better and "still trails" not in better
    assert f"scores **{100 * (tree + 0.01):.1f} ± 0.0 %**" in better
