"""The fit search on a tiny model: choice rule, budget error, chosen config round trip, C-sim identity."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from baseline_inputs import write_baselines_json

from fpgaflow.config.strict import from_mapping, load_yaml
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.estimate import estimate_model
from fpgaflow.estimate.table import RESOURCES
from fpgaflow.fit import FitConfig, FitError, FitResult, fit_model
from fpgaflow.fit.pareto import pareto_front, plot_pareto
from fpgaflow.fit.report import write_fit_report
from fpgaflow.fit.search import accuracy_of, choose, convert_chosen, tradeoff
from fpgaflow_board.boards import get_board

SCALE = 1.0 / 256.0
SMALL = FitConfig(
    reuse_factors=(1, 8),
    reuse_modes=("uniform", "balanced"),
    strategies=("Latency", "Resource"),
    trim_bits=(0, 12),
    csim_maps=0,
)


def _tiny_model() -> Any:
    import tensorflow as tf

    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    tf.keras.utils.set_random_seed(3)  # Keras initialisers draw from TF's global generator
    return build_model(ModelConfig(conv_filters=(3,)), (16, 16, 1))


@pytest.fixture(scope="module")
def tiny() -> tuple[Any, np.ndarray, np.ndarray]:
    return tiny_model_and_maps()


def tiny_model_and_maps() -> tuple[Any, np.ndarray, np.ndarray]:
    """A random-weight 16×16 model (conv1 3×3×1 → 3, output_dense 147 → 1), 300 sparse hit maps (network units)
    labelled by the model itself."""
    from fpgaflow.convert.hls import split_output_activation

    model = _tiny_model()
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 256, size=(300, 16, 16, 1)) * (rng.random((300, 16, 16, 1)) < 0.3)
    maps = (counts * SCALE).astype(np.float32)
    logit, _ = split_output_activation(model)
    labels = (np.asarray(logit.predict(maps, verbose=0))[:, 0] >= 0).astype(np.int8)
    return model, maps, labels


@pytest.fixture(scope="module")
def result(tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    model, maps, labels = tiny
    return fit_model(model, SMALL, tmp_path_factory.mktemp("work"), maps, labels, calibration=maps, input_scale=SCALE)


def test_exact_plan_scores_like_qkeras_and_trimming_costs_accuracy(result: FitResult) -> None:
    # Labels are QKeras's own classes and the untrimmed plan is bit-exact with QKeras: accuracy exactly 1.
    assert result.reference_accuracy == 1.0
    by_trim = {p.candidate.precision.trim_bits: p.accuracy for p in result.points}
    assert by_trim[0] == 1.0
    assert by_trim[12] is not None and by_trim[12] < 1.0
    # Accuracy depends on the precision variant only (reuse and strategy do not change arithmetic).
    for p in result.points:
        assert p.accuracy == by_trim[p.candidate.precision.trim_bits]
        assert p.accuracy_source == (
            "emulator" if p.candidate.strategy == "Latency" else "emulator (Latency twin: same arithmetic)"
        )


def test_chosen_point_is_the_most_accurate_within_budget_with_fewest_luts(result: FitResult) -> None:
    board = get_board("pynq-z2")
    c = result.chosen
    assert c.fits and c.verdict == "fits"
    assert all(c.ranges[r][1] <= 0.70 * board.resources[r] for r in RESOURCES)  # the whole range fits
    fitting = [p for p in result.points if p.fits]
    best = max(p.accuracy or 0.0 for p in fitting)
    assert c.accuracy == best == 1.0
    # Of the equally accurate points, the cheapest one that reaches the 100 kHz target rate.
    meets = [p for p in fitting if p.accuracy == best and p.maps_per_s >= 100_000]
    assert meets and c.maps_per_s >= 100_000
    assert c.resources["lut"] == min(p.resources["lut"] for p in meets)
    for p in result.points:
        assert p.utilisation["lut"] == pytest.approx(p.resources["lut"] / board.lut)
        low_ok = all(p.ranges[r][0] <= 0.70 * board.resources[r] for r in RESOURCES)
        high_ok = all(p.ranges[r][1] <= 0.70 * board.resources[r] for r in RESOURCES)
        assert p.ranges["lut"][0] <= p.resources["lut"] <= p.ranges["lut"][1]
        assert p.verdict == ("fits" if high_ok else ("fits only if the estimate is high" if low_ok else "does not fit"))
        assert p.fits == (p.verdict == "fits")
    # 2 variants × 2 strategies × 4 distinct reuse settings.
    assert len(result.points) == 16
    assert len({p.label for p in result.points}) == 16


def test_ties_prefer_the_target_rate_and_the_report_says_what_fewer_luts_cost(
    result: FitResult, tmp_path: Path
) -> None:
    tied = [p for p in result.points if p.fits and p.accuracy == result.chosen.accuracy]
    slow, fast = min(p.maps_per_s for p in tied), max(p.maps_per_s for p in tied)
    assert fast > 2 * slow  # reuse 8 is several times slower than reuse 1 at the same accuracy
    cheapest = min(tied, key=lambda p: p.resources["lut"])
    # A target above every point: the fastest equally accurate point (then fewest LUTs) is chosen.
    unreachable = replace(result.config, target_maps_per_s=10 * fast)
    high = choose(result.points, unreachable, result.board)
    assert high.maps_per_s == fast
    assert high.resources["lut"] == min(p.resources["lut"] for p in tied if p.maps_per_s == fast)
    # No target: the cheapest equally accurate point, whatever its speed.
    free = choose(result.points, replace(result.config, target_maps_per_s=0.0), result.board)
    assert free.resources["lut"] == cheapest.resources["lut"]
    # The trade-off against the cheapest equally accurate point is stated in numbers.
    chosen = replace(result, chosen=high, config=unreachable)
    t = tradeoff(chosen)
    assert not t.meets_target and t.tied == len(tied) and t.cheapest is not None
    assert t.lut_saved == high.resources["lut"] - cheapest.resources["lut"] > 0
    assert t.cheapest.resources["lut"] == cheapest.resources["lut"]  # of equal LUTs, the faster one
    assert t.cheapest.maps_per_s == max(p.maps_per_s for p in tied if p.resources["lut"] == cheapest.resources["lut"])
    assert t.throughput_factor == pytest.approx(high.maps_per_s / t.cheapest.maps_per_s)
    assert t.throughput_factor > 2
    text = t.sentence(high)
    assert f"choosing it gives up {t.throughput_factor:.1f}x the throughput" in text
    assert f"none reaches the {10 * fast:,.0f} maps/s target" in text
    md = write_fit_report(chosen, tmp_path, extra={"model": "tiny"})["markdown"].read_text()
    assert f"- what the choice trades: {text}" in md
    assert tradeoff(replace(result, chosen=free)).cheapest is None
    # One point at its accuracy: said so, not "the fastest of the 1 equally accurate points".
    alone = replace(t, tied=1, cheapest=None, lut_saved=0.0, throughput_factor=1.0).sentence(high)
    assert "is the only point at its accuracy and does not reach the" in alone and "of the 1 " not in alone


def test_pareto_front_is_not_dominated(result: FitResult) -> None:
    front = pareto_front(result.points)
    c = result.chosen
    # The chosen point is on the accuracy-vs-LUT front, or it bought throughput with LUTs: every front point of
    # its accuracy with fewer LUTs misses the target rate that the chosen one meets.
    cheaper = [f for f in front if f.accuracy == c.accuracy and f.resources["lut"] < c.resources["lut"]]
    assert c in front or (cheaper and all(f.maps_per_s < 100_000 <= c.maps_per_s for f in cheaper))
    for f in front:
        for p in result.points:
            dominates = (p.accuracy or 0) >= (f.accuracy or 0) and p.resources["lut"] <= f.resources["lut"]
            strictly = (p.accuracy or 0) > (f.accuracy or 0) or p.resources["lut"] < f.resources["lut"]
            assert not (dominates and strictly), f"{p.label} dominates front point {f.label}"


def test_written_config_loads_and_reproduces_the_estimate(
    result: FitResult, tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    paths = write_fit_report(result, tmp_path, extra={"model": "tiny"})
    section = yaml.safe_load(paths["run_section"].read_text())
    assert set(section) == {"convert"}
    cfg = from_mapping(ConvertConfig, section["convert"], "convert")
    assert cfg == result.chosen.config == load_yaml(ConvertConfig, paths["convert_config"])
    assert {name: o.reuse_factor for name, o in cfg.layers.items()} == result.chosen.candidate.layer_reuse
    # Converting the written config (no calibration data needed) gives the estimated design again.
    conv = convert_chosen(tiny[0], result, tmp_path / "project")
    table = estimate_model(conv.hls_model, get_board("pynq-z2"))
    assert {r: table.total.get(r) for r in RESOURCES} == result.chosen.resources
    assert conv.hls4ml_changes == []
    assert "| **chosen** |" in paths["markdown"].read_text()
    png = plot_pareto(result, tmp_path / "fit_pareto.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_fits_names_the_over_budget_resources(tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    cfg = FitConfig(
        budget=0.001, reuse_factors=(1,), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,), csim_maps=0
    )
    with pytest.raises(
        FitError,
        match=r"no configuration fits the pynq-z2 within the 0 % budget \(1 points "
        r"searched\); the closest, R1-uniform/Latency/trim0/margin1, needs lut \d+ %.*"
        r"over budget: lut, ff.*\)",
    ):
        fit_model(tiny[0], cfg, tmp_path, input_scale=SCALE)


def test_throughput_floor_is_enforced(
    result: FitResult, tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    fastest = max(p.maps_per_s for p in result.points if p.fits)
    cfg = FitConfig(
        min_maps_per_s=fastest * 2,
        reuse_factors=(1,),
        reuse_modes=("uniform",),
        strategies=("Latency",),
        trim_bits=(0,),
        csim_maps=0,
    )
    with pytest.raises(FitError, match="none reaches"):
        fit_model(tiny[0], cfg, tmp_path, input_scale=SCALE)


def test_without_maps_the_fastest_fitting_point_is_chosen(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    cfg = FitConfig(reuse_factors=(1, 8), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,))
    res = fit_model(tiny[0], cfg, tmp_path, input_scale=SCALE)
    assert all(p.accuracy is None for p in res.points)
    assert res.chosen.interval_cycles == min(p.interval_cycles for p in res.points if p.fits)
    assert accuracy_of(np.array([[0.0], [-0.5], [2.0]]), np.array([1, 1, 1])) == pytest.approx(2 / 3)


def test_resource_point_csim_is_bit_identical_to_the_latency_twin_emulator(
    result: FitResult, tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """The assumption behind scoring Resource points: same arithmetic as Latency, checked on the real C-sim."""
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.fit.confirm import confirm_with_csim

    model, maps, _ = tiny
    point = next(
        p
        for p in result.points
        if p.candidate.strategy == "Resource"
        and p.candidate.precision.trim_bits == 12
        and max(p.candidate.layer_reuse.values()) > 1
    )
    logit, _ = split_output_activation(model)
    conv = convert(logit, point.config, tmp_path / "prj", SCALE)
    assert {
        layer.name: str(layer.get_attr("strategy")).lower()
        for layer in conv.hls_model.get_layers()
        if layer.name in point.candidate.layer_reuse
    } == dict.fromkeys(point.candidate.layer_reuse, "resource")
    check = confirm_with_csim(logit, conv, point.candidate, maps[:100], tmp_path / "twin")
    assert check.emulated.startswith("its Latency-strategy twin")
    assert (check.n_maps, check.n_identical, check.max_abs_diff) == (100, 100, 0.0)


def test_pruning_levels_are_fine_tuned_copies_scored_bit_exactly(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    from fpgaflow.compress.prune import layer_sparsity
    from fpgaflow.convert.hls import split_output_activation
    from fpgaflow.fit.search import chosen_model

    model, maps, labels = tiny
    before = [w.copy() for w in model.get_weights()]
    cfg = FitConfig(
        reuse_factors=(1,),
        reuse_modes=("uniform",),
        strategies=("Latency",),
        trim_bits=(0,),
        csim_maps=0,
        prune_levels=(0.6,),
        prune_epochs=2,
    )
    res = fit_model(model, cfg, tmp_path, maps, labels, train=(maps, labels), input_scale=SCALE)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))  # a copy is pruned
    pruned = res.models[0.6]
    assert all(s >= 0.59 for s in layer_sparsity(pruned).values()), layer_sparsity(pruned)
    by_sparsity = {p.candidate.sparsity: p for p in res.points}
    assert set(by_sparsity) == {0.0, 0.6}
    assert by_sparsity[0.6].label == "pruned60/R1-uniform/Latency/trim0/margin1"
    # The emulator scores the pruned design exactly as QKeras classifies with the pruned weights.
    logit, _ = split_output_activation(pruned)
    assert by_sparsity[0.6].accuracy == accuracy_of(np.asarray(logit.predict(maps, verbose=0)), labels)
    # Latency skips zero weights: fewer multipliers, fewer LUTs at the same reuse factor.
    assert by_sparsity[0.6].resources["lut"] < by_sparsity[0.0].resources["lut"]
    assert chosen_model(res) is res.models[res.chosen.candidate.sparsity]
    with pytest.raises(FitError, match="prune_levels needs training maps"):
        fit_model(model, cfg, tmp_path / "again", maps, labels, input_scale=SCALE)
    with pytest.raises(FitError, match="prune_levels needs labelled maps to score accuracy"):
        fit_model(model, cfg, tmp_path / "again", train=(maps, labels), input_scale=SCALE)


def test_a_packed_wire_searches_the_vitis_route_at_the_wires_rate(tmp_path: Path) -> None:
    """``fit.wire: adc8 x 4`` (issue 20): every point is a Vitis-route design with fpgaflow's AXI-Stream top; a
    16×16×8 space-to-depth input is 2,048 counts, 512 32-bit words per map (a beat every two words), so the
    fastest point is bound by the wire at 100 MHz / 512 words = 195,312 maps/s, not by its 258-cycle core; one
    float32 per word is 2,048 words.  The estimate carries the top's lane unpacking."""
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model
    from fpgaflow_board.wire_format import WireFormat

    model = build_model(ModelConfig(conv_filters=(3,)), (16, 16, 8))
    base = FitConfig(reuse_factors=(1, 8), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,))
    packed = fit_model(model, replace(base, wire=WireFormat("adc8", 4)), tmp_path / "p", input_scale=SCALE)
    plain = fit_model(model, base, tmp_path / "f", input_scale=SCALE)
    assert {p.config.backend for p in packed.points} == {"Vitis"}
    assert {p.config.wire for p in packed.points} == {WireFormat("adc8", 4)}
    assert {p.config.backend for p in plain.points} == {"VivadoAccelerator"}
    fast = min(packed.points, key=lambda p: p.interval_cycles)
    assert fast.interval_cycles == 258
    assert fast.maps_per_s == pytest.approx(1e8 / 512)
    assert min(plain.points, key=lambda p: p.interval_cycles).maps_per_s == pytest.approx(1e8 / 2048)
    # the adc8 unpacking (4 lanes into 8-channel beats: 64 bits x 2 + 8 x 4 + 4 LUT) is in the estimate
    same = next(q for q in plain.points if q.candidate.label == fast.candidate.label)
    assert fast.resources["lut"] - same.resources["lut"] == pytest.approx(164.0)


def test_accuracy_lut_plot_draws_the_baselines_as_horizontal_lines(result: FitResult, tmp_path: Path) -> None:
    from fpgaflow.fit.pareto import accuracy_lut_plot, plot_accuracy_lut
    from fpgaflow.fit.read_baselines import read_baselines
    from fpgaflow.fit.report import render_markdown
    from fpgaflow.pipeline.report.hardware import fit_blocks

    lines = read_baselines(write_baselines_json(tmp_path / "model_vs_baselines.json"))
    assert [(b.label, b.accuracy) for b in lines] == [
        ("best single cut", 0.694),
        ("boosted trees", 0.725),
        ("two-stage", 0.739),
        ("truth ceiling", 0.729),
    ]
    fig = accuracy_lut_plot(result, lines)
    ax = fig.axes[0]
    # axhline: y constant across the axes; the figure's data, not its pixels
    flat = {ln.get_label(): float(ln.get_ydata()[0]) for ln in ax.lines if list(ln.get_xdata()) == [0, 1]}
    assert flat == {
        "best single cut (cut:total_adc): 69.4 %": pytest.approx(69.4),
        "boosted trees (tree:200x15@0.1): 72.5 %": pytest.approx(72.5),
        "two-stage (two_stage:inherited:learned): 73.9 %": pytest.approx(73.9),
        "truth ceiling: 72.9 %": pytest.approx(72.9),
    }
    budget = [ln for ln in ax.lines if ln.get_label().startswith("LUT budget")]
    assert float(budget[0].get_xdata()[0]) == pytest.approx(0.7 * result.board.lut)
    # every scored point is drawn once (at its LUTs and accuracy), the chosen one starred on top
    drawn = np.concatenate([c.get_offsets() for c in ax.collections[:-1]])
    assert len(drawn) == len(result.points)
    expected = sorted((p.resources["lut"], 100 * (p.accuracy or 0.0)) for p in result.points)
    np.testing.assert_allclose(sorted(map(tuple, drawn)), expected)
    star = ax.collections[-1].get_offsets()[0]
    assert tuple(star) == pytest.approx((result.chosen.resources["lut"], 100 * (result.chosen.accuracy or 0.0)))
    png = plot_accuracy_lut(result, lines, tmp_path / "fit" / "fit_accuracy_lut.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    # fit.md says how far the chosen design is from each yardstick; the run report shows the plot
    extra = {"baselines": [b.to_dict() for b in lines]}
    md = render_markdown(result, None, extra)
    delta = 100 * ((result.chosen.accuracy or 0.0) - 0.694)
    assert f"| best single cut (`cut:total_adc`) | 69.40 ± 0.70 % (4000 maps) | {delta:+.2f} pp |" in md
    write_fit_report(result, tmp_path / "fit", None, extra)
    paragraph, figure = fit_blocks(tmp_path / "fit")
    assert "best single cut 69.4 %; boosted trees 72.5 %; two-stage 73.9 %; truth ceiling 72.9 %" in paragraph.text
    assert figure.png == png.read_bytes()
    assert fit_blocks(tmp_path / "no-fit") == ()


def test_a_file_that_is_not_a_baselines_report_is_a_data_error(tmp_path: Path) -> None:
    from fpgaflow.errors import DataError
    from fpgaflow.fit.read_baselines import read_baselines

    bad = tmp_path / "model_vs_baselines.json"
    bad.write_text('{"families": {}}')
    with pytest.raises(
        DataError,
        match=r"model_vs_baselines\.json: not a baselines report \(model_vs_baselines\.json or baselines\.json\)",
    ):
        read_baselines(bad)


def test_fpgaflow_baselines_table_gives_each_familys_best(tmp_path: Path) -> None:
    """`fpgaflow baselines`' baselines.json: each family's best member; the error is half its ±1σ interval."""
    from fpgaflow.fit.read_baselines import read_baselines

    members = [
        {"name": "cut:n_clusters", "family": "single_cut", "accuracy": 0.69425, "accuracy_interval": [0.687, 0.7015]},
        {"name": "cut:total_adc", "family": "single_cut", "accuracy": 0.61, "accuracy_interval": [0.6, 0.62]},
        {"name": "tree:200x15@0.1", "family": "tree", "accuracy": 0.72475, "accuracy_interval": [0.7177, 0.7317]},
    ]
    table = {"n_test": 4000, "best": {"single_cut": "cut:n_clusters", "tree": "tree:200x15@0.1"}, "members": members}
    path = tmp_path / "baselines.json"
    path.write_text(json.dumps(table))
    lines = read_baselines(path)
    assert [(b.label, b.name, b.accuracy, b.n_maps) for b in lines] == [
        ("best single cut", "cut:n_clusters", 0.69425, 4000),
        ("boosted trees", "tree:200x15@0.1", 0.72475, 4000),
    ]
    assert lines[0].error == pytest.approx(0.00725)
