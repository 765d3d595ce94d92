"""The layer registry is complete and documented: every accepted row has an emulator identity case and estimator
and emulator rules, every refusal names an alternative, and docs/convert.md holds the table the code generates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("hls4ml")
pytest.importorskip("qkeras")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from layer_models import VITIS_CASES, ZOO, IdentityCase
from published_models import PUBLISHED

from fpgaflow.cli import main
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.inference_graph import rewrite_rules
from fpgaflow.convert.layers import describe_model
from fpgaflow.convert.registry import RULES, LayerRule, accepted_keys, rule
from fpgaflow.emulate.from_hls import emulates
from fpgaflow.estimate.describe import covers
from fpgaflow.pipeline.layer_coverage import BEGIN, END, coverage_markdown, layer_verdicts, replace_in

DOC = Path(__file__).resolve().parents[1] / "docs" / "convert.md"
#: every model the identity tests (tests/test_layer_identity.py) compare with the compiled C simulation
CASES: dict[str, IdentityCase] = {**ZOO, **PUBLISHED}


def rules_met(case: IdentityCase, model: Any) -> set[str]:
    """Registry keys a case meets: its layers' rows, the rewrites' rows, its IO type and its strategies."""
    cfg = ConvertConfig(**case.config, layers=case.layers)
    keys = {k for spec in describe_model(model) for k in spec.rules} | set(rewrite_rules(model))
    keys.add(cfg.io_type)
    keys.add(f"backend.{cfg.backend}")
    if case.name in VITIS_CASES:  # converted again with backend Vitis
        keys.add("backend.Vitis")
    keys |= {cfg.strategy} | {ov.strategy for ov in cfg.layers.values() if ov.strategy}
    return keys


@pytest.fixture(scope="module")
def met() -> dict[str, set[str]]:
    return {name: rules_met(case, case.build(0)) for name, case in CASES.items()}


def test_every_accepted_rule_is_met_by_an_identity_case(met: dict[str, set[str]]) -> None:
    covered = set().union(*met.values())
    missing = [k for k in accepted_keys() if k not in covered]
    assert not missing, f"accepted registry rows without a model in tests/layer_models.py: {missing}"
    assert covered <= set(accepted_keys())  # cases meet no refused row (they convert)


def test_every_accepted_rule_has_estimator_and_emulator_rules() -> None:
    for r in RULES:
        if not r.accepted:
            continue
        for cls, act in r.hls4ml:
            assert covers(cls, act), f"{r.key}: the estimator has no rule for {cls}({act})"
            assert emulates(cls, act), f"{r.key}: the emulator does not model {cls}({act})"


def test_refusals_name_an_alternative_and_keys_are_unique() -> None:
    assert len({r.key for r in RULES}) == len(RULES)
    for r in RULES:
        assert bool(r.refused) != bool(r.note), r.key  # exactly one of: how it converts, why it is refused
        if r.refused:
            assert "use " in r.refused, f"{r.key}: a refusal names the nearest supported alternative"
    with pytest.raises(KeyError):
        rule("NoSuchLayer")


def test_docs_table_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    documented = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert documented == coverage_markdown(), "regenerate with: fpgaflow layers --write docs/convert.md"
    assert replace_in(text) == text


def test_the_table_has_a_row_per_rule_and_says_no_where_a_stage_lacks_a_rule() -> None:
    table = coverage_markdown()
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Keras")]
    assert len(rows) == len(RULES)
    assert sum("refused:" in row for row in rows) == sum(not r.accepted for r in RULES)
    # a class a stage has no rule for is named in its column, not marked yes
    probe = LayerRule("probe", "X", hls4ml=(("DepthwiseConv2D", ""), ("NoSuchClass", "")), note="n")
    assert layer_verdicts(probe) == ("no rule for NoSuchClass", "not modelled: DepthwiseConv2D, NoSuchClass")


def test_cli_prints_and_rewrites_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers"]) == 0
    assert capsys.readouterr().out.strip() == coverage_markdown()
    stale = tmp_path / "convert.md"
    stale.write_text(f"# before\n\n{BEGIN}\n| old |\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["layers", "--write", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == f"# before\n\n{coverage_markdown()}\n\nafter\n"
