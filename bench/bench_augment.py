"""Training throughput (maps/s) of a small QKeras CNN per augmentation strategy vs no augmentation.

Same model, same data, same batch size for every variant; the variants are timed *interleaved* (round
robin over ``--repeats`` rounds, one epoch each, order rotated) so that load from other processes on a
shared machine hits all of them alike — only ratios to ``none`` are meaningful on a noisy host.  Both the
best (min) and the median epoch are reported: on a shared machine the min is the better estimate of the
uncontended cost.  Throughput counts maps fed to the network (doubling feeds 2 per training map).
``ovh(cpu)`` compares median process CPU time (all threads) per map, which contention from other
processes disturbs less than wall time.  ``serial est`` is the overhead predicted from the data
pipeline alone (gather + augment, no model):
(time to build a map − time to gather an un-augmented map) / time to train on a map.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_augment.py --threads 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from fpgaflow.augment import AugmentConfig, TransformSpec, build_strategy
from fpgaflow.augment.keras_adapter import fit_with_strategy
from fpgaflow.data.toy import ToyConfig, generate_toy
from fpgaflow.modelio import DEFAULT_INPUT_SCALE
from fpgaflow_board.scaling import scale_inputs


def build_model(rows: int, cols: int):  # type: ignore[no-untyped-def]
    """The skeleton-sized QKeras CNN: 2 × (QConv2D 3×3 + quantized ReLU + max-pool), QDense → sigmoid."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense, quantized_bits

    q = quantized_bits(8, 0, alpha=1)
    inp = tf.keras.layers.Input((rows, cols, 1))
    x = inp
    for f in (4, 8):
        x = QConv2D(f, 3, kernel_quantizer=q, bias_quantizer=q, kernel_initializer="glorot_uniform")(x)
        x = QActivation("quantized_relu(8,3)")(x)
        x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.Flatten()(x)
    x = QDense(1, kernel_quantizer=q, bias_quantizer=q)(x)
    out = tf.keras.layers.Activation("sigmoid")(x)
    model = tf.keras.Model(inp, out)
    model.compile(tf.keras.optimizers.Adam(3e-3), "binary_crossentropy", metrics=["accuracy"])
    return model


RICH = (
    TransformSpec("shift", 0.5, 2),
    TransformSpec("gain", 0.5, 4),
    TransformSpec("gaussian_noise", 0.5, 3),
    TransformSpec("spillover", 0.3, 5),
    TransformSpec("pixel_dropout", 0.3, 2),
)


def variants(seed: int) -> dict[str, AugmentConfig]:
    base = AugmentConfig(seed=seed)  # the default: exclusive, flips 0.5/0.5
    return {
        "none": replace(base, strategy="none"),
        "exclusive (default: flips)": base,
        "exclusive + 5 physics ops": replace(base, transforms=RICH),
        "exclusive + RandAugment(2, 5)": replace(base, policy="randaugment"),
        "mixing_systematic S=3": replace(base, strategy="mixing_systematic", shards=3, transforms=RICH),
        "mixing_random_full 0.5": replace(base, strategy="mixing_random_full", transforms=RICH),
        "mixing_random_in_batch 0.5": replace(base, strategy="mixing_random_in_batch", transforms=RICH),
        "doubling_same_batch": replace(base, strategy="doubling_same_batch", transforms=RICH),
        "doubling_combinational": replace(base, strategy="doubling_combinational", transforms=RICH),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4096, help="training maps")
    ap.add_argument("--size", type=int, default=32, help="map rows = cols")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5, help="timed epochs per variant (interleaved)")
    ap.add_argument("--threads", type=int, default=2, help="TF intra/inter-op threads (2 cores)")
    ap.add_argument("--dataset", action="store_true", help="feed via tf.data with prefetch instead of Sequence")
    args = ap.parse_args()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    data = generate_toy(ToyConfig(rows=args.size, cols=args.size), args.n, 0.5, np.random.default_rng(1))
    runs = {name: build_strategy(cfg) for name, cfg in variants(2).items()}
    models = {name: build_model(args.size, args.size) for name in runs}
    for name, strategy in runs.items():  # warm-up: graph tracing, first-epoch allocations
        fit_with_strategy(
            models[name],
            data.maps[:256],
            data.labels[:256],
            strategy,
            args.batch,
            epochs=1,
            x_transform=lambda x: scale_inputs(x, DEFAULT_INPUT_SCALE),
            verbose=0,
            use_dataset=args.dataset,
        )
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}  # process CPU seconds (all threads)
    names = list(runs)
    for rep in range(args.repeats):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:  # rotate the order each round
            strategy = runs[name]
            t0, c0 = time.perf_counter(), time.process_time()
            fit_with_strategy(
                models[name],
                data.maps,
                data.labels,
                strategy,
                args.batch,
                epochs=rep + 1,
                initial_epoch=rep,
                x_transform=lambda x: scale_inputs(x, DEFAULT_INPUT_SCALE),
                verbose=0,
                use_dataset=args.dataset,
            )
            seconds[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    pipeline: dict[str, float] = {}
    for name, strategy in runs.items():  # data pipeline alone (gather + augment), no model; best of 3
        best = float("inf")
        for rep in range(3):
            t0 = time.perf_counter()
            fed = sum(x.shape[0] for x, _ in strategy.epoch_batches(data.maps, data.labels, rep, args.batch))
            best = min(best, time.perf_counter() - t0)
        pipeline[name] = fed / best
    feed = "tf.data+prefetch" if args.dataset else "keras.utils.Sequence"
    print(
        f"n={args.n} maps {args.size}x{args.size}, batch {args.batch}, {args.threads} threads, {feed}, "
        f"{args.repeats} interleaved epochs per variant (order rotated each round)"
    )
    print(
        f"{'variant':31s} {'maps/epoch':>10s} {'min s':>6s} {'med s':>6s} {'maps/s':>7s} "
        f"{'ovh(min)':>8s} {'ovh(med)':>8s} {'ovh(cpu)':>8s} {'pipe maps/s':>11s} {'serial est':>10s}"
    )
    ref_cpu = statistics.median(cpu["none"]) / args.n
    ref_min = min(seconds["none"]) / args.n
    ref_med = statistics.median(seconds["none"]) / args.n
    for name, strategy in runs.items():
        lo, med = min(seconds[name]), statistics.median(seconds[name])
        fed = strategy.epoch_length(data.labels)
        # serial estimate: time to build a map / time to train on one (the 'none' run's best per-map time)
        est = 100 * (1 / pipeline[name] - 1 / pipeline["none"]) / ref_min
        o_min = 100 * (lo / fed / ref_min - 1)
        o_med = 100 * (med / fed / ref_med - 1)
        o_cpu = 100 * (statistics.median(cpu[name]) / fed / ref_cpu - 1)
        print(
            f"{name:31s} {fed:10d} {lo:6.2f} {med:6.2f} {fed / lo:7.0f} {o_min:+7.1f}% {o_med:+7.1f}% "
            f"{o_cpu:+7.1f}% {pipeline[name]:11.0f} {est:+9.1f}%"
        )


if __name__ == "__main__":
    main()
