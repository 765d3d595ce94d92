"""Training benchmarks (issue 5).

1. ``throughput``: training maps/s of each reference model for a few optimizer steps (after one warm-up
   step that traces the graph) on random maps: the study's base and reduced CNNs at 128×128×3, the FPGA
   QKeras CNN at 32×32×1 (``models/quick.yaml``) and at 128×128×1 (``models/qcnn_128.yaml``).
2. ``qat``: the default FPGA model pruned (50 %) and quantised (8-bit) vs the same architecture in float
   (no pruning, no quantisers), trained the same way on the default simulated data; validation accuracy
   of both and the delta (target: ≤ 1 percentage point).

    PYTHONPATH=$PWD:$PWD/board python bench/bench_train.py throughput
    PYTHONPATH=$PWD:$PWD/board python bench/bench_train.py qat [--epochs N]

Threads: TensorFlow uses every visible core; run with ``taskset -c 0,1`` to pin to 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def throughput(steps: int, batch_size: int) -> list[dict[str, object]]:
    import tensorflow as tf

    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.shipped import shipped_dir
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    qcnn_128 = load_run_config(shipped_dir("models") / "qcnn_128.yaml").model
    cases = [
        ("base", ModelConfig(name="base"), (128, 128, 3)),
        ("reduced", ModelConfig(name="reduced"), (128, 128, 3)),
        ("qcnn (quick, 32x32)", load_run_config("quick").model, (32, 32, 1)),
        ("qcnn_128", qcnn_128, (128, 128, 1)),
    ]
    rng = np.random.default_rng(0)
    out = []
    for name, cfg, shape in cases:
        tf.keras.utils.set_random_seed(0)
        model = build_model(cfg, shape)
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
        x = rng.random((batch_size, *shape), dtype=np.float32)
        y = (rng.random(batch_size) < 0.5).astype(np.float32)
        model.train_on_batch(x, y)  # trace
        t0 = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(x, y)
        dt = time.perf_counter() - t0
        row = {
            "model": name,
            "input": "x".join(map(str, shape)),
            "parameters": int(model.count_params()),
            "batch": batch_size,
            "steps": steps,
            "maps_per_s": round(steps * batch_size / dt, 1),
        }
        print(json.dumps(row), flush=True)
        out.append(row)
    return out


def qat(epochs: int | None) -> dict[str, object]:
    from fpgaflow.metrics.roc import evaluate
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.datasets import make_splits
    from fpgaflow.train.trainer import predict_scores, train_classifier

    cfg = load_run_config("quick")
    train_cfg = cfg.train if epochs is None else dataclasses.replace(cfg.train, epochs=epochs)
    train, val, _test = make_splits(cfg.data)  # the same maps and split as `fpgaflow run`
    variants = {
        "pruned+quantised": (cfg.model, cfg.prune),
        "float": (dataclasses.replace(cfg.model, quantized=False), dataclasses.replace(cfg.prune, enabled=False)),
    }
    out: dict[str, object] = {
        "data": cfg.data.source,
        "epochs": train_cfg.epochs,
        "n_train": len(train),
        "n_val": len(val),
    }
    for name, (model_cfg, prune_cfg) in variants.items():
        t0 = time.perf_counter()
        result = train_classifier(train, val, model_cfg, train_cfg, prune_cfg, cfg.augment)
        m = evaluate(val.labels, predict_scores(result.model, val.maps, model_cfg.input_scale))
        out[name] = {
            "val_accuracy": m.accuracy,
            "val_roc_auc": m.roc_auc,
            "sparsity": round(result.sparsity, 4),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(json.dumps({name: out[name]}), flush=True)
    q, f = out["pruned+quantised"], out["float"]
    out["delta_pp"] = round(100 * (f["val_accuracy"] - q["val_accuracy"]), 3)  # type: ignore[index]
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("throughput", "qat"))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=None, help="qat: override train.epochs of the default config")
    args = parser.parse_args()
    if args.what == "throughput":
        throughput(args.steps, args.batch_size)
    else:
        qat(args.epochs)


if __name__ == "__main__":
    main()
