"""The steps of ``fpgaflow run``.  Every step has the signature ``step(artefacts, cfg) -> artefacts``,
writes only into ``artefacts.step_dir`` and records what it wrote; the runner checkpoints after each."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fpgaflow.config.run import RunConfig
from fpgaflow.data import HitMapSet, generate_toy, load_npz, split
from fpgaflow.pipeline.artefacts import Artefacts

log = logging.getLogger(__name__)

StepFn = Callable[[Artefacts, RunConfig], Artefacts]


@dataclass(frozen=True)
class Step:
    """A named step: its function, the directory it owns under the run dir, and the config sections
    its result depends on (a change there invalidates its checkpoint and every later one)."""

    name: str
    fn: StepFn
    directory: str
    sections: tuple[str, ...]


def step_data(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Generate or load hit maps and split them train/val/test (stratified, seeded)."""
    c = cfg.data
    rng = np.random.default_rng(c.seed)
    if c.source == "toy":
        data = generate_toy(c.toy, c.n_maps, c.particle_fraction, rng)
    else:
        data = load_npz(c.path)  # type: ignore[arg-type]
    train, val, test = split(data, c.val_fraction, c.test_fraction, rng)
    for name, part in (("train", train), ("val", val), ("test", test)):
        part.save_npz(art.add(f"{name}_maps", f"{name}.npz"))
    art.metrics.update(
        n_train=len(train),
        n_val=len(val),
        n_test=len(test),
        input_shape=list(data.map_shape),
        particle_fraction=float(np.mean(data.labels)),
        data_source=c.source,
    )
    log.info("data: %d train / %d val / %d test maps of %s", len(train), len(val), len(test), data.map_shape)
    return art


def step_train(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Train the quantised CNN on augmented training maps, prune it, strip the pruning wrappers; write the
    curves and the provenance card next to the model.  Epochs are checkpointed in ``model.epochs/``."""
    from fpgaflow.config.strict import to_mapping
    from fpgaflow.train.fit import train_classifier
    from fpgaflow.train.report import write_training_report

    train = load_npz(art.path("train_maps"))
    val = load_npz(art.path("val_maps"))
    assert art.step_dir is not None
    epochs_dir = art.run_dir / "model.epochs"
    result = train_classifier(train, val, cfg.model, cfg.train, cfg.prune, cfg.augment, checkpoint_dir=epochs_dir)
    result.model.save(art.add("model", "model.h5"))
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
    """Write the hls4ml project (VivadoAccelerator, pynq-z2, io_stream) and compile its C simulation."""
    from fpgaflow.convert.csim_build import build_csim_library
    from fpgaflow.convert.hls import convert_model, split_output_activation
    from fpgaflow.convert.precision import input_type_for_adc
    from fpgaflow.train.models import load_model

    model, output_activation = split_output_activation(load_model(str(art.path("model"))))
    assert art.step_dir is not None
    input_type = input_type_for_adc(cfg.model.input_scale)
    hls_model = convert_model(model, cfg.convert, art.step_dir, input_type)
    hls_model.write()
    t0 = time.perf_counter()
    name = cfg.convert.project_name
    build_csim_library(art.step_dir, art.add("csim_library", f"firmware/{name}_csim.so"), name)
    log.info("convert: C simulation compiled in %.1f s", time.perf_counter() - t0)
    art.files["hls_project"] = art.step_final  # type: ignore[assignment]
    out_layer = hls_model.get_output_variables()[0]
    art.metrics.update(
        hls_backend=cfg.convert.backend,
        board=cfg.convert.board,
        clock_period_ns=cfg.convert.clock_ns,
        input_precision=input_type.hls() if input_type else cfg.convert.default_precision,
        output_precision=str(out_layer.type.precision.definition_cpp()),
        n_in=int(np.prod(model.input_shape[1:])),
        n_out=int(np.prod(model.output_shape[1:])),
        output_activation=output_activation,
    )
    return art


def step_verify(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """QKeras vs C-sim on the test maps: accuracy of each, class agreement, score differences."""
    from fpgaflow_board.csim import CSimLibrary
    from fpgaflow_board.scores import apply_output_activation

    from fpgaflow.convert.hls import split_output_activation
    from fpgaflow.train.models import load_model
    from fpgaflow.train.sequence import scale_inputs
    from fpgaflow.verify.compare import compare_scores

    test = load_npz(art.path("test_maps"))
    n = len(test) if cfg.verify.max_csim_maps == 0 else min(len(test), cfg.verify.max_csim_maps)
    maps, labels = test.maps[:n], test.labels[:n]
    x = scale_inputs(maps, cfg.model.input_scale)
    activation = art.metrics["output_activation"]
    deployed, _ = split_output_activation(load_model(str(art.path("model"))))
    keras_out = np.asarray(deployed.predict(x, batch_size=1024, verbose=0), dtype=np.float32).reshape(-1)
    lib = CSimLibrary(art.path("csim_library"), art.metrics["n_in"], art.metrics["n_out"], cfg.convert.project_name)
    t0 = time.perf_counter()
    csim_out = lib.predict(x).reshape(-1)
    dt = time.perf_counter() - t0
    # Raw outputs (the logit when the sigmoid is applied off-chip) must agree bit for bit; the decision
    # compares scores after the activation.
    keras_scores = apply_output_activation(keras_out, activation)
    csim_scores = apply_output_activation(csim_out, activation)
    cmp = compare_scores(keras_scores, csim_scores, labels)
    raw_exact = float(np.mean(keras_out == csim_out))
    np.savez_compressed(
        art.add("scores", "scores.npz"),
        keras=keras_scores,
        csim=csim_scores,
        keras_raw=keras_out,
        csim_raw=csim_out,
        labels=labels,
    )
    art.add("comparison", "comparison.json").write_text(json.dumps(cmp.to_dict(), indent=2))
    art.metrics.update(
        n_test=n,
        accuracy_keras=cmp.accuracy_a,
        accuracy_csim=cmp.accuracy_b,
        csim_agreement=cmp.agreement,
        max_abs_diff=cmp.max_abs_diff,
        mean_abs_diff=cmp.mean_abs_diff,
        csim_maps_per_second=n / dt if dt > 0 else None,
        csim_bit_exact_fraction=raw_exact,
        verify_passed=cmp.agreement >= cfg.verify.min_agreement,
    )
    log.info(
        "verify: %d maps, QKeras acc %.4f, C-sim acc %.4f, agreement %.4f, max |Δ| %.4g, bit-exact %.4f",
        n,
        cmp.accuracy_a,
        cmp.accuracy_b,
        cmp.agreement,
        cmp.max_abs_diff,
        raw_exact,
    )
    return art


def step_package(art: Artefacts, cfg: RunConfig) -> Artefacts:
    """Write the board bundle (driver, notebook, test maps, expected outputs, manifest)."""
    from fpgaflow_board.manifest import Manifest

    from fpgaflow.pipeline.bundle import write_bundle

    test: HitMapSet = load_npz(art.path("test_maps"))
    scores = np.load(art.path("scores"))
    n = int(scores["csim"].shape[0])
    assert art.step_dir is not None
    manifest = Manifest(
        project_name=cfg.convert.project_name,
        input_shape=tuple(art.metrics["input_shape"]),
        n_in=art.metrics["n_in"],
        n_out=art.metrics["n_out"],
        input_scale=cfg.model.input_scale,
        input_precision=art.metrics["input_precision"],
        output_precision=art.metrics["output_precision"],
        output_activation=art.metrics["output_activation"],
        board=cfg.convert.board,
        clock_period_ns=cfg.convert.clock_ns,
    )
    final = write_bundle(
        art.step_dir,
        manifest,
        art.path("csim_library"),
        test.maps[:n],
        test.labels[:n],
        {k: scores[k] for k in ("keras", "csim", "keras_raw", "csim_raw")},
    )
    art.files["bundle"] = art.step_final  # type: ignore[assignment]
    art.metrics["bitstream"] = final.bitstream
    art.metrics["bundle_files"] = len(final.files)
    return art


STEPS: tuple[Step, ...] = (
    Step("data", step_data, "data", ("data",)),
    Step("train", step_train, "model", ("augment", "model", "train", "prune")),
    Step("convert", step_convert, "hls", ("convert",)),
    Step("verify", step_verify, "verify", ("verify",)),
    Step("package", step_package, "board", ()),
)
