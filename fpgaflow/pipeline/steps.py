"""The steps of ``fpgaflow run``.  Every step has the signature ``step(artefacts, cfg) -> artefacts``,
writes only into ``artefacts.step_dir`` and records what it wrote; the runner checkpoints after each."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fpgaflow.data import HitMapSet, load_npz
from fpgaflow.data.config import DataConfig
from fpgaflow.modelio import input_scale_for, load_model, save_model
from fpgaflow.modelio.input_layout import layout_block, model_inputs
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.train.datasets import make_splits
from fpgaflow_board.packing import InputPacking

if TYPE_CHECKING:
    from fpgaflow.convert.axis_wrapper import AxisWrapper

log = logging.getLogger(__name__)

StepFn = Callable[[Artefacts, RunConfig], Artefacts]


@dataclass(frozen=True)
class Step:
    """A named step: its function, the directory it owns under the run dir, the config sections its result
    depends on (a change there invalidates its checkpoint and every later one) and ``inputs``: the content
    hash of files outside the run directory that it reads (a change there does the same)."""

    name: str
    fn: StepFn
    directory: str
    sections: tuple[str, ...]
    inputs: Callable[[RunConfig], str] | None = None


def step_data(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Generate or load hit maps and split them train/val/test (stratified, seeded)."""
    c = cfg.data
    train, val, test = make_splits(c, truth=keeps_truth(c))
    for name, part in (("train", train), ("val", val), ("test", test)):
        part.save_npz(art.add(f"{name}_maps", f"{name}.npz"))
    art.metrics.update(
        n_train=len(train),
        n_val=len(val),
        n_test=len(test),
        input_shape=list(train.map_shape),
        particle_fraction=float(np.mean(np.concatenate([train.labels, val.labels, test.labels]))),
        data_source=c.source,
    )
    log.info("data: %d train / %d val / %d test maps of %s", len(train), len(val), len(test), train.map_shape)
    return art


def keeps_truth(data: DataConfig) -> bool:
    """Simulated maps keep their per-cluster truth in ``data/*.npz`` (the same map bytes), for the baselines
    step's truth ceiling and label ambiguity (and, for windows, the two-stage truth member); cluster stamps
    keep their central cluster's truth; files are stored as they come."""
    return data.source == "simulate"


def data_inputs(cfg: RunConfig) -> str:
    """SHA-256 of the input file(s) the data step reads (``""`` for generated maps)."""
    from fpgaflow.data.source import source_digest

    return source_digest(cfg.data)


def step_train(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Train the quantised CNN on augmented training maps, prune it, strip the pruning wrappers; write the
    curves and the provenance card next to the model.  Epochs are checkpointed in ``model.epochs/``."""
    from fpgaflow.config.strict import to_mapping
    from fpgaflow.train.report import write_training_report
    from fpgaflow.train.trainer import train_classifier

    train = load_npz(art.path("train_maps"))
    val = load_npz(art.path("val_maps"))
    assert art.step_dir is not None
    epochs_dir = art.run_dir / "model.epochs"
    result = train_classifier(train, val, cfg.model, cfg.train, cfg.prune, cfg.augment, checkpoint_dir=epochs_dir)
    save_model(result.model, art.add("model", "model.h5"), cfg.model.input_scale)
    art.add("history", "history.json").write_text(json.dumps(result.history, indent=2))
    test = load_npz(art.path("test_maps"))
    data_info = {**to_mapping(cfg.data), "n_train": len(train), "n_val": len(val), "n_test": len(test)}
    eval_metrics = write_training_report(
        art.step_dir, result, {"val": val, "test": test}, data_info, cfg.model, cfg.train, cfg.prune, cfg.augment
    )
    art.add("model_card", "model_card.json")
    art.metrics.update(
        sparsity=result.sparsity,
        layer_sparsity=result.layer_sparsity,
        train_accuracy=result.history["accuracy"][-1],
        val_accuracy=result.history["val_accuracy"][-1],
        epochs_run=len(result.history["accuracy"]),
        n_parameters=int(result.model.count_params()),
        val_roc_auc=eval_metrics["val"]["roc_auc"],
        val_background_rejection=eval_metrics["val"]["background_rejection"],
    )
    log.info("train: val accuracy %.4f, sparsity %.3f", art.metrics["val_accuracy"], result.sparsity)
    return art


def step_convert(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Plan precisions (quantisers + profiling on training maps), reuse factors and FIFO depths, write the
    hls4ml project (VivadoAccelerator, or Vitis with fpgaflow's AXI-Stream top; pynq-z2, io_stream) and its
    conversion report, compile the C-sim."""
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.convert.report import write_conversion_report
    from fpgaflow.pipeline.bundle import manifest_for

    model, output_activation = split_output_activation(load_model(art.path("model")))
    assert art.step_dir is not None
    scale = _input_scale(art, cfg)
    train = load_npz(art.path("train_maps"))
    input_shape = tuple(model.input_shape[1:])
    calibration = model_inputs(train.maps[: cfg.convert.calibration_maps], scale, input_shape)
    conversion = convert(model, cfg.convert, art.step_dir, scale, calibration)
    write_conversion_report(conversion)
    art.add("conversion_report", "conversion.json")
    hls_model = conversion.hls_model
    t0 = time.perf_counter()
    name = cfg.convert.project_name
    build_csim_library(art.step_dir, art.add("csim_library", f"firmware/{name}_csim.so"), name)
    log.info("convert: C simulation compiled in %.1f s", time.perf_counter() - t0)
    art.files["hls_project"] = art.step_final  # type: ignore[assignment]
    art.metrics.update(_estimate_metrics(hls_model, cfg, conversion.axis))
    facts = manifest_for(conversion, output_activation)
    art.metrics.update(
        hls_backend=cfg.convert.backend,
        board=cfg.convert.board,
        clock_period_ns=cfg.convert.clock_ns,
        input_precision=facts.input_precision,
        output_precision=facts.output_precision,
        n_in=facts.n_in,
        n_out=facts.n_out,
        output_activation=output_activation,
        multipliers=conversion.reuse.multipliers,
        reuse_factors={lr.layer: lr.reuse_factor for lr in conversion.reuse.layers},
        hls4ml_changes=conversion.hls4ml_changes,
        stream_dtype=facts.stream_dtype,  # the wire element of the AXI-Stream top (see manifest_for)
        # How the driver lays hit maps out on the wire: lanes per word, and the space-to-depth block the model
        # was trained on (the block follows from the map and model shapes).
        input_packing=InputPacking(
            conversion.axis.wire.inputs_per_word if conversion.axis is not None else 1,
            layout_block(train.map_shape, input_shape),
        ).to_dict(),
    )
    return art


def _input_scale(art: Artefacts, cfg: RunConfig) -> float:
    """The trained model's input scale (stored in model.h5; the run config's for a model saved without it)."""
    return input_scale_for(art.path("model"), cfg.model.input_scale, "model.input_scale")


def _estimate_metrics(hls_model: object, cfg: RunConfig, top: AxisWrapper | None = None) -> dict[str, object]:
    """Resources and modelled throughput of the deployed design (estimates, no Vivado); ``top``: the Vitis
    route's AXI-Stream top (its adc8 unpacking is estimated too)."""
    from fpgaflow.estimate import check_budget, estimate_model, throughput
    from fpgaflow.estimate.describe import describe_hls_model
    from fpgaflow_board.boards import get_board

    board = get_board(cfg.convert.board)
    table = estimate_model(hls_model, board, top=top)
    budget = check_budget(table, board)
    n_in = describe_hls_model(hls_model).input_elements
    words = cfg.convert.wire.input_words(n_in) if cfg.convert.backend == "Vitis" else n_in
    rate = throughput(table, board, n_in, words_per_map=words)
    return {
        "estimate": {r: round(table.total.get(r), 1) for r in ("lut", "ff", "dsp", "bram18")},
        "estimate_range": {u.resource: [round(u.low or u.used, 1), round(u.high or u.used, 1)] for u in budget.rows},
        "estimate_intervals": ", ".join(u.interval() for u in budget.rows),
        "estimate_utilisation": {u.resource: round(u.utilisation, 4) for u in budget.rows},
        "estimate_status": budget.status,
        "estimate_verdict": budget.verdict(),
        "modelled_maps_per_second": round(rate.maps_per_s, 1),
        "modelled_bound": rate.bound,
        "modelled_latency_us": round(rate.latency_us, 3),
    }


def step_verify(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Float twin vs QKeras vs C-sim on the test maps (accuracy of each, class agreement, score differences)
    and a per-layer trace of the C-sim against QKeras with saturation counts."""
    from fpgaflow.verify.compare_paths import verify_design
    from fpgaflow.verify.report import write_verify_report

    test = load_npz(art.path("test_maps"))
    model = load_model(art.path("model"))
    x = model_inputs(test.maps, _input_scale(art, cfg), tuple(model.input_shape[1:]))
    rep = verify_design(model, art.path("hls_project"), x, test.labels, cfg.verify, art.path("csim_library"))
    assert art.step_dir is not None
    write_verify_report(rep, art.step_dir)
    art.add("verification", "verification.json")
    n = rep.n_maps
    np.savez_compressed(art.add("scores", "scores.npz"), **rep.expected_outputs(), labels=test.labels[:n])
    cmp = rep.comparisons["qkeras_vs_hw"]
    art.add("comparison", "comparison.json").write_text(json.dumps(cmp.to_dict(), indent=2))
    art.metrics.update(
        n_test=n,
        accuracy_keras=cmp.accuracy_a,
        accuracy_csim=cmp.accuracy_b,
        accuracy_float=rep.accuracy.get("float"),
        csim_agreement=cmp.agreement,
        max_abs_diff=cmp.max_abs_diff,
        mean_abs_diff=cmp.mean_abs_diff,
        csim_maps_per_second=rep.hw_maps_per_second,
        csim_bit_exact_fraction=rep.hw_bit_exact_fraction,
        axis_top=rep.axis_top.to_dict() if rep.axis_top else None,
        verify_hw_path=rep.paths["hw"],
        trace_exact_layers=list(rep.trace.exact_layers) if rep.trace else None,
        trace_first_departure=rep.trace.first_departure if rep.trace else None,
        values_outside_types={r.layer: r.outside for r in rep.ranges if r.outside},
        verify_passed=rep.passed,
    )
    log.info(
        "verify: %d maps, QKeras acc %.4f, C-sim acc %.4f, agreement %.4f, max |Δ| %.4g, bit-exact %.4f",
        n,
        cmp.accuracy_a,
        cmp.accuracy_b,
        cmp.agreement,
        cmp.max_abs_diff,
        rep.hw_bit_exact_fraction,
    )
    return art


def step_baselines(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Fit the baselines (any-pixel rule, single cuts, cluster-shape table, boosted trees, two-stage) on the
    run's own training maps, choose each family's best on its validation maps, measure them on the maps the
    model was verified on, and compare the deployed model (C-sim scores, and QKeras') with each, map by map.

    Writes ``baselines.md``/``.json``, ``baseline_scores.npz`` (as ``fpgaflow baselines``) and
    ``model_vs_baselines.md``/``.json``; the summary gets every family's best and the verdict sentence."""
    from fpgaflow.baselines import evaluate_baselines
    from fpgaflow.baselines.compare_model import compare_model
    from fpgaflow.baselines.inputs import module_positions
    from fpgaflow.baselines.measure_truth import (
        aligned_cluster_labels,
        load_with_truth,
        measure_truth,
        truth_sentence,
    )
    from fpgaflow.baselines.write_baselines import WrittenBaselines, write_table
    from fpgaflow_board.atomic import write_json, write_text

    assert art.step_dir is not None
    train, val, test = (load_with_truth(art.path(f"{s}_maps")) for s in ("train", "val", "test"))
    with np.load(art.path("scores")) as z:
        scores = {"csim": z["csim"], "keras": z["keras"]}
    n = int(scores["csim"].shape[0])  # verify may have run a prefix of the test maps: measure on the same ones
    test = test.subset(np.arange(n))
    with_truth = train.truth is not None and test.truth is not None
    stamps = cfg.data.stamps
    stamp_shape = (stamps.rows, stamps.cols) if stamps.enabled else None
    table = evaluate_baselines(
        train.maps,
        train.labels,
        test.maps,
        test.labels,
        val.maps,
        val.labels,
        # A stamp's truth names its central cluster only, not every cluster the baselines find in it.
        train_cluster_labels=None if stamp_shape else aligned_cluster_labels(train),
        cfg=cfg.baselines,
        positions=module_positions(train, val, test),
    )
    maps = f"the run's data/{{train,val,test}}.npz (first {n} test maps, as verified)"
    write_table(WrittenBaselines(table, maps, art.run_dir / "baselines"), art.step_dir)
    for key, name in (("baselines_table", "baselines.md"), ("baselines_json", "baselines.json")):
        art.add(key, name)
    art.add("baseline_scores", "baseline_scores.npz")
    standing = compare_model(table, scores, deployed="csim")
    measured = standing.to_dict()
    truth_md = ""
    if with_truth:
        measured["truth"] = measure_truth(train, test, stamp_shape)
        truth_md = f"\n{truth_sentence(measured['truth'])}\n"
    write_json(art.add("model_vs_baselines", "model_vs_baselines.json"), measured, allow_nan=False)
    write_text(
        art.add("model_vs_baselines_md", "model_vs_baselines.md"),
        f"# The deployed model against the baselines\n\n{standing.to_markdown()}{truth_md}",
    )
    art.metrics.update(baselines=measured, baselines_headline=standing.headline())
    log.info("baselines: %s", standing.headline())
    return art


def step_package(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Write the board bundle (driver, notebook, test maps, expected outputs, manifest) and, when the run's
    Vivado build (``RUN_DIR/vivado``, from ``fpgaflow build``) was made from the current hls4ml project, its
    ``.bit``/``.hwh`` (on both routes: VivadoAccelerator and Vitis).  The wire element (``stream_dtype``) is the
    one the convert step recorded for the design's AXI-Stream top."""
    from fpgaflow.pipeline.bundle import check_stream_widths, write_bundle
    from fpgaflow.vivado.location import find_bitstream
    from fpgaflow_board.manifest import Manifest

    test: HitMapSet = load_npz(art.path("test_maps"))
    scores = np.load(art.path("scores"))
    n = int(scores["csim"].shape[0])
    assert art.step_dir is not None
    bitstream, note = find_bitstream(art.path("hls_project"))
    manifest = Manifest(
        project_name=cfg.convert.project_name,
        input_shape=tuple(art.metrics["input_shape"]),
        n_in=art.metrics["n_in"],
        n_out=art.metrics["n_out"],
        input_scale=_input_scale(art, cfg),
        input_precision=art.metrics["input_precision"],
        output_precision=art.metrics["output_precision"],
        output_activation=art.metrics["output_activation"],
        stream_dtype=art.metrics["stream_dtype"],
        # A convert step carried over from before issue 20 recorded no packing: one input per word, no block.
        input_packing=dict(art.metrics.get("input_packing", InputPacking().to_dict())),
        board=cfg.convert.board,
        clock_period_ns=cfg.convert.clock_ns,
    )
    if bitstream is not None:
        check_stream_widths(manifest, bitstream)
        log.info("package: bitstream %s (built from this hls4ml project)", bitstream.bit)
    final = write_bundle(
        art.step_dir,
        manifest,
        art.path("csim_library"),
        test.maps[:n],
        test.labels[:n],
        {k: scores[k] for k in ("keras", "csim", "keras_raw", "csim_raw")},
        bitstream=bitstream,
        bitstream_note=note,
        baselines=_bundle_baselines(art),
    )
    art.files["bundle"] = art.step_final  # type: ignore[assignment]
    art.metrics["bitstream"] = final.bitstream
    art.metrics["bundle_files"] = len(final.files)
    return art


def _bundle_baselines(art: Artefacts) -> dict[str, Any]:
    """What the board needs to show the model beside the baselines: numbers, not models (the board has numpy
    only) — each family best's figures and its decision on every bundled test map."""
    standing = art.metrics["baselines"]
    with np.load(art.path("baseline_scores")) as z:
        decisions = {fam: (z[f"{fam}_scores"] > z[f"{fam}_cut"]).astype(int).tolist() for fam in standing["families"]}
    keep = (
        "name",
        "working_point",
        "accuracy",
        "accuracy_error",
        "roc_auc",
        "signal_efficiency",
        "background_efficiency",
    )
    return {
        "about": "baselines fitted on the host on the run's training maps (fpgaflow run, step baselines) and "
        "measured on these test maps; decisions: 1 = particle, in test_maps.npz order",
        "n_test": standing["n_test"],
        "confidence": standing["confidence"],
        "headline": standing["headline"],
        "host_model": standing["model_scores"],
        "families": {
            fam: {**{k: b[k] for k in keep}, "decisions": decisions[fam]} for fam, b in standing["families"].items()
        },
    }


STEPS: tuple[Step, ...] = (
    Step("data", step_data, "data", ("data",), data_inputs),
    Step("train", step_train, "model", ("augment", "model", "train", "prune")),
    Step("convert", step_convert, "hls", ("convert",)),
    Step("verify", step_verify, "verify", ("verify",)),
    Step("baselines", step_baselines, "baselines", ("baselines",)),
    Step("package", step_package, "board", ()),
)
