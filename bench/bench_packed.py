"""Issue 20: packed 8-bit input at 128 × 128 — accuracy, modelled maps/s and resources, the driver's packing cost.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_packed.py accuracy --seeds 3 4 5 \
        --work /tmp/packed
    PYTHONPATH=$PWD:$PWD/board .venv/bin/python bench/bench_packed.py exact /tmp/packed/default_seed*.h5 \
        --work /tmp/packed
    PYTHONPATH=$PWD:$PWD/board .venv/bin/python bench/bench_packed.py throughput --model MODEL.h5 --work /tmp/thr
    PYTHONPATH=$PWD:$PWD/board .venv/bin/python bench/bench_packed.py host

``accuracy`` (``--pair flagship``, the default) trains ``models/default.yaml`` (the flagship, 128×128×1, window-128)
and ``models/default_packed.yaml`` (the same network on 2×2 space-to-depth blocks, 64×64×4) on the same maps with
each training seed (augmentation seed = training seed − 1; seed 3 is the default run's), packs the trained
flagship's weights exactly (:func:`fpgaflow.convert.pack_first_conv.pack_first_conv`) and compares its score with
the flagship's on every test map, and prints test accuracy and ROC AUC per seed, their means and the paired
difference of the packed model trained from scratch with its standard error.  Each finished seed is cached as
``--work/<pair>_seed<s>.json`` (a rerun reuses it; training epochs are checkpointed, so a killed run resumes);
``--pair toy`` is the first comparison, ``models/qcnn_128.yaml`` vs ``models/qcnn_128_packed.yaml``.
``exact`` packs trained flagships and compares their scores map by map on the same test split.
``throughput`` takes one trained flagship and the same weights packed for 2×2 and 2×4 blocks, converts each on the
Vitis route with ``fit``'s balanced reuse for several wires and prints the estimator's resources against the
PYNQ-Z2's 70 % budget, the core interval and the modelled maps/s at 100 MHz (the slower of the core and the wire,
one input word per clock).  ``host`` times the board driver's per-batch host work (encode, decode, DMA calls) on
the simulated PYNQ-Z2 with a network that costs nothing: float32 words vs adc8 words in space-to-depth order (x86
host, not the board's Cortex-A9).  Prints Markdown (bench/results_packed.md).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
#: (unpacked preset, packed preset) per task: the flagship on window-128, and the first toy pair
PAIRS = {
    "flagship": (ROOT / "models" / "default.yaml", ROOT / "models" / "default_packed.yaml"),
    "toy": (ROOT / "models" / "qcnn_128.yaml", ROOT / "models" / "qcnn_128_packed.yaml"),
}


def _splits(cfg: Any, work: Path) -> tuple[Any, Any, Any]:
    """The presets' (train, val, test) maps, made once and kept in ``work/data`` (both presets of a pair read
    the same data config; the digest printed with the table proves it)."""
    from fpgaflow.data.hitmaps import load_npz
    from fpgaflow.train.datasets import make_splits

    files = [work / "data" / f"{name}.npz" for name in ("train", "val", "test")]
    if all(f.is_file() for f in files):
        return tuple(load_npz(f) for f in files)  # type: ignore[return-value]
    splits = make_splits(cfg.data)
    files[0].parent.mkdir(parents=True, exist_ok=True)
    for part, f in zip(splits, files, strict=True):
        part.save_npz(f)
    return splits


def _metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {"accuracy": float(np.mean((scores >= 0.5) == labels)), "auc": _auc(scores, labels)}


def _train(preset: Path, seed: int, work: Path) -> tuple[Any, np.ndarray, dict[str, Any]]:
    """Train ``preset`` with training seed ``seed`` and augmentation seed ``seed - 1`` (the flagship's own pair
    is seed 3 / augmentation 2); epochs checkpointed in ``work`` (a killed run resumes).  (model, test
    scores, metrics)."""
    from fpgaflow.modelio import save_model
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.trainer import predict_scores, train_classifier

    cfg = load_run_config(preset)
    train_cfg = dataclasses.replace(cfg.train, seed=seed)
    augment = dataclasses.replace(cfg.augment, seed=seed - 1)
    train, val, test = _splits(cfg, work)
    t0 = time.perf_counter()
    epochs = work / f"{preset.stem}_seed{seed}.epochs"
    result = train_classifier(train, val, cfg.model, train_cfg, cfg.prune, augment, checkpoint_dir=epochs)
    seconds = time.perf_counter() - t0
    save_model(result.model, work / f"{preset.stem}_seed{seed}.h5", cfg.model.input_scale)
    scores = predict_scores(result.model, test.maps, cfg.model.input_scale)
    info = {
        **_metrics(scores, test.labels.astype(bool)),
        "seconds": seconds,
        "n_test": len(test),
        "digest": test.digest(),
        "params": int(result.model.count_params()),
    }
    return result.model, scores, info


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC = P(score of a particle map > score of a background map), ties counted half."""
    pos, neg = scores[labels], scores[~labels]
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(order.size)
    ranks[order] = np.arange(1, order.size + 1)
    allv = np.concatenate([pos, neg])
    for v in np.unique(allv):  # average ranks of ties
        tie = allv == v
        ranks[tie] = ranks[tie].mean()
    return float((ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size))


def _convert(pair: str, seed: int, work: Path, scores: np.ndarray | None = None) -> dict[str, Any]:
    """The trained unpacked model of ``seed`` (as saved) packed exactly for the packed preset's blocks, scored on
    the test maps and compared with the unpacked model map by map (``error`` when its first conv does not allow
    it)."""
    from fpgaflow.convert.pack_first_conv import pack_first_conv
    from fpgaflow.errors import ConfigError
    from fpgaflow.modelio import load_model
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.trainer import predict_scores

    unpacked_preset, packed_preset = PAIRS[pair]
    cfg = load_run_config(packed_preset)
    _, _, test = _splits(cfg, work)
    model = load_model(work / f"{unpacked_preset.stem}_seed{seed}.h5")
    if scores is None:
        scores = predict_scores(model, test.maps, cfg.model.input_scale)
    try:
        converted = pack_first_conv(model, cfg.model.space_to_depth)
    except ConfigError as exc:
        return {"error": str(exc)}
    c_scores = predict_scores(converted, test.maps, cfg.model.input_scale)
    return {
        **_metrics(c_scores, test.labels.astype(bool)),
        "identical_maps": int(np.count_nonzero(c_scores == scores)),
        "max_abs_diff": float(np.max(np.abs(c_scores - scores))),
    }


def _measure_seed(pair: str, seed: int, work: Path) -> dict[str, Any]:
    """One seed of a pair: the unpacked preset trained, its weights packed exactly (where its first conv
    allows: :func:`fpgaflow.convert.pack_first_conv.pack_first_conv`) and compared map by map, the packed
    preset trained from scratch.  Cached as ``work/<pair>_seed<s>.json`` (a cached row whose conversion failed
    is converted again from the saved model)."""
    cache = work / f"{pair}_seed{seed}.json"
    if cache.is_file():
        row = dict(json.loads(cache.read_text()))
        if "error" in row["converted"]:
            row["converted"] = _convert(pair, seed, work)
            cache.write_text(json.dumps(row, indent=1))
        return row
    unpacked_preset, packed_preset = PAIRS[pair]
    _, scores, unpacked = _train(unpacked_preset, seed, work)
    row: dict[str, Any] = {"seed": seed, "unpacked": unpacked, "load": os.getloadavg()[0]}
    row["converted"] = _convert(pair, seed, work, scores)
    row["packed"] = _train(packed_preset, seed, work)[2]
    cache.write_text(json.dumps(row, indent=1))
    logging.warning("%s seed %d: %s", pair, seed, row)
    return row


def accuracy(pair: str, seeds: list[int], work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    rows = [_measure_seed(pair, seed, work) for seed in seeds]
    assert all(r["unpacked"]["digest"] == r["packed"]["digest"] for r in rows)
    n_test = rows[0]["packed"]["n_test"]
    print(
        f"Test maps: {n_test} (`{PAIRS[pair][0].name}`'s data, test digest {rows[0]['packed']['digest'][:12]}); "
        f"training seeds {', '.join(str(s) for s in seeds)} (augmentation seed = training seed − 1).\n"
    )
    print(
        "| seed | unpacked acc | converted acc (maps identical) | packed (trained) acc | Δ trained (pp) | "
        "unpacked AUC | packed AUC | train s (u / p) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    deltas = []
    for r in rows:
        u, p, c = r["unpacked"], r["packed"], r["converted"]
        d = 100 * (p["accuracy"] - u["accuracy"])
        deltas.append(d)
        if "accuracy" in c:
            dc = 100 * (c["accuracy"] - u["accuracy"])
            conv = f"{100 * c['accuracy']:.2f} % ({c['identical_maps']:,}/{n_test:,}, Δ {dc:+.2f})"
        else:
            conv = f"not exact: {c['error']}"
        print(
            f"| {r['seed']} | {100 * u['accuracy']:.2f} % | {conv} | {100 * p['accuracy']:.2f} % | {d:+.2f} | "
            f"{u['auc']:.4f} | {p['auc']:.4f} | {u['seconds']:.0f} / {p['seconds']:.0f} | {r['load']:.1f} |"
        )
    for name in ("unpacked", "packed"):
        acc = [100 * r[name]["accuracy"] for r in rows]
        sd = statistics.stdev(acc) if len(acc) > 1 else float("nan")
        print(f"\n{name}: {rows[0][name]['params']} parameters, accuracy {statistics.mean(acc):.2f} ± {sd:.2f} %")
    se = statistics.stdev(deltas) / len(deltas) ** 0.5 if len(deltas) > 1 else float("nan")
    p = statistics.mean(r[k]["accuracy"] for r in rows for k in ("unpacked", "packed"))
    binom = 100 * (p * (1 - p) / n_test) ** 0.5
    print(
        f"paired Δ (trained packed − unpacked): {statistics.mean(deltas):+.2f} ± {se:.2f} pp (standard error over "
        f"{len(deltas)} seed(s)); one model's test accuracy alone carries ±{binom:.1f} pp binomial error at "
        f"{100 * p:.0f} % on {n_test} maps (the same maps for both models)"
    )


def exact(models: list[Path], work: Path) -> None:
    """Each trained flagship in ``models`` and the same weights packed for ``models/default_packed.yaml``'s
    blocks, on every test map of ``work/data`` (the split ``accuracy`` made): scores compared map by map."""
    from fpgaflow.convert.pack_first_conv import pack_first_conv
    from fpgaflow.modelio import load_model
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.trainer import predict_scores

    cfg = load_run_config(PAIRS["flagship"][1])
    _, _, test = _splits(cfg, work)
    labels = test.labels.astype(bool)
    print(f"Test maps: {len(test):,} (test digest {test.digest()[:12]}); blocks {list(cfg.model.space_to_depth)}.\n")
    print(
        "| trained flagship | accuracy | packed weights: accuracy | Δ (pp) | maps with identical scores | "
        "max abs Δ score |"
    )
    print("|---|---|---|---|---|---|")
    for path in models:
        model = load_model(path)
        packed = pack_first_conv(model, cfg.model.space_to_depth)
        u = predict_scores(model, test.maps, cfg.model.input_scale)
        p = predict_scores(packed, test.maps, cfg.model.input_scale)
        au, ap = _metrics(u, labels)["accuracy"], _metrics(p, labels)["accuracy"]
        same = int(np.count_nonzero(u == p))
        print(
            f"| `{path.name}` | {100 * au:.2f} % | {100 * ap:.2f} % | {100 * (ap - au):+.2f} | "
            f"{same:,} / {len(test):,} | {float(np.max(np.abs(u - p))):.1e} |"
        )


# ---------------------------------------------------------------------------------------------------- throughput
def _design(model: Any, wire: Any, strategy: str, work: Path, mode: str = "balanced") -> dict[str, Any]:
    """``model`` converted on the Vitis route with ``wire``, its layers at ``fit``'s reuse for R = 1 in ``mode``
    (``balanced``: each raised as far as it stays within the slowest layer, ``fit``'s pixels × R model) and
    ``strategy`` after conv1; the estimate (with the adc8 top's unpacking) and the modelled rate."""
    from fpgaflow.convert.config import ConvertConfig, LayerOverride
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.estimate import check_budget, estimate_model, throughput
    from fpgaflow.fit.candidates import layer_reuse
    from fpgaflow.fit.config import FitConfig
    from fpgaflow.fit.search import _variants
    from fpgaflow_board.boards import get_board

    board = get_board("pynq-z2")
    logits, _ = split_output_activation(model)
    base = ConvertConfig(backend="Vitis", wire=wire)
    specs, _ = _variants(logits, FitConfig(), base, None, None)
    reuse = layer_reuse(specs, 1, mode)  # type: ignore[arg-type]
    layers = {
        k: LayerOverride(reuse_factor=v, strategy=strategy if k != "conv1" else "Latency") for k, v in reuse.items()
    }
    cfg = dataclasses.replace(base, layers=layers)
    conv = convert(logits, cfg, work, 1 / 256, None, write=False)
    table = estimate_model(conv.hls_model, board, top=conv.axis)
    budget = check_budget(table, board)
    n_in = int(np.prod(logits.input_shape[1:]))
    assert conv.axis is not None
    rate = throughput(table, board, n_in, words_per_map=conv.axis.in_words)
    return {"reuse": reuse, "table": table, "budget": budget, "rate": rate, "words": conv.axis.in_words}


def throughput_table(model_path: Path, work: Path) -> None:
    """The trained flagship (``model_path``: ``models/default.yaml`` trained) and the same weights packed exactly
    for 2×2 and 2×4 blocks (:func:`fpgaflow.convert.pack_first_conv.pack_first_conv`: its 4×4 stride-4 conv1
    becomes 2×2 stride 2 over 4 channels, or 2×1 stride (2, 1) over 8), side by side."""
    from fpgaflow.convert.pack_first_conv import pack_first_conv
    from fpgaflow.modelio import load_model
    from fpgaflow_board.wire_format import WireFormat

    logging.getLogger("fpgaflow").setLevel(logging.WARNING)
    unpacked = load_model(model_path)
    p22, p24 = pack_first_conv(unpacked, (2, 2)), pack_first_conv(unpacked, (2, 4))
    rows = [
        ("flagship, float32 × 1 (32-bit)", unpacked, WireFormat(), 4, "Latency"),
        ("flagship, float32 × 1 (32-bit), Resource after conv1", unpacked, WireFormat(), 4, "Resource"),
        ("**2×2 blocks, adc8 × 4 (32-bit)** (`models/default_packed.yaml`)", p22, WireFormat("adc8", 4), 1, "Latency"),
        ("2×2 blocks, adc8 × 4 (32-bit), Resource after conv1", p22, WireFormat("adc8", 4), 1, "Resource"),
        ("2×2 blocks, adc8 × 8 (64-bit)", p22, WireFormat("adc8", 8), 1, "Latency"),
        ("2×4 blocks, adc8 × 4 (32-bit)", p24, WireFormat("adc8", 4), 1, "Latency"),
        ("2×4 blocks, adc8 × 8 (64-bit)", p24, WireFormat("adc8", 8), 1, "Latency"),
        ("**2×4 blocks, adc8 × 8 (64-bit), every layer at R = 1**", p24, WireFormat("adc8", 8), 1, "Latency"),
    ]
    print(f"Weights: `{model_path}`; packed with `pack_first_conv(model, block)` (the same trained weights).\n")
    print(
        "| design (weights, wire) | input | DMA bytes/map | words/map | reuse (strategy after conv1) | "
        "core interval (cycles) | maps/s @ 100 MHz | bound | LUT | FF | DSP48 | BRAM18 | 70 % budget |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, (name, model, wire, lane_bytes, strategy) in enumerate(rows):
        n_in = int(np.prod(model.input_shape[1:]))
        mode = "uniform" if "R = 1" in name else "balanced"
        d = _design(model, wire, strategy, work / f"prj{i}", mode)
        u = {r.resource: r for r in d["budget"].rows}
        cells = " | ".join(
            f"{u[k].interval()} ({100 * u[k].utilisation:.1f} %)" for k in ("lut", "ff", "dsp", "bram18")
        )
        reuse = ", ".join(f"{k}={v}" for k, v in d["reuse"].items())
        shape = "×".join(str(v) for v in model.input_shape[1:])
        interval = d["table"].total.interval_cycles
        print(
            f"| {name} | {shape} | {n_in * lane_bytes:,} | {d['words']:,} | {reuse} ({strategy}) | {interval:,.0f} | "
            f"**{d['rate'].maps_per_s:,.0f}** | {d['rate'].bound} | {cells} | {d['budget'].status} |"
        )
    unpack = [r for r in d["table"].layers if r.name.startswith("adc8_unpack")]
    if unpack:
        print(f"\nadc8 unpack row (last design): LUT {unpack[0].lut:.0f}, FF {unpack[0].ff:.0f} (modelled)")


# ---------------------------------------------------------------------------------------------------- host
class _FreeNetwork:
    """A network that costs nothing: one zero output per map (the driver's host work alone is timed)."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.zeros((x.shape[0], 1), np.float32)


def host(repeats: int, batch_size: int) -> None:
    import tempfile

    from fpgaflow_board.driver import HitMapClassifier
    from fpgaflow_board.manifest import Manifest
    from fpgaflow_board.packing import InputPacking
    from fpgaflow_board.simulated import SimulatedBoard

    rng = np.random.default_rng(0)
    counts = rng.integers(0, 256, (batch_size, 128, 128, 1)) * (rng.random((batch_size, 128, 128, 1)) < 0.01)
    maps = {"float32": counts.astype(np.float32), "uint8": counts.astype(np.uint8)}
    base = Manifest("myproject", (128, 128, 1), 16384, 1, 1 / 256, "ap_ufixed<8,0>", "ap_fixed<16,6>")
    variants = {
        "float32 × 1": base,
        "adc8 × 4, 2×4 blocks": dataclasses.replace(
            base, stream_dtype="adc8", input_packing=InputPacking(4, (2, 4)).to_dict()
        ),
        "adc8 × 8, 2×4 blocks": dataclasses.replace(
            base, stream_dtype="adc8", input_packing=InputPacking(8, (2, 4)).to_dict()
        ),
        "adc8 × 4, 2×2 blocks": dataclasses.replace(
            base, stream_dtype="adc8", input_packing=InputPacking(4, (2, 2)).to_dict()
        ),
    }
    print(
        f"Batches of {batch_size} maps of 128×128 (ADC counts, 1 % occupancy); least thread CPU time of {repeats} "
        "runs, ms per batch, the wires measured in turn within each run (so a change of load on the shared machine "
        "falls on all of them alike). *encode*: the codec writing the batch into the DMA buffer; *driver host*: "
        "`predict_raw` on the simulated PYNQ-Z2 with a network that costs nothing, minus the simulated hardware's "
        "own time (DMA engine, copies, the IP model unpacking words).\n"
    )
    print(
        "| wire | encode, float32 maps | encode, uint8 maps | driver host, float32 maps | driver host, uint8 maps "
        "| MM2S bytes/map |"
    )
    print("|---|---|---|---|---|---|")
    inf = float("inf")
    enc = {(name, kind): inf for name in variants for kind in maps}
    drive = dict(enc)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        rigs = {}
        for i, (name, m) in enumerate(variants.items()):
            board = SimulatedBoard(m, _FreeNetwork(), coherent=True, clock=time.thread_time)
            clf = stack.enter_context(HitMapClassifier(board.write_overlay(Path(tmp) / str(i)), m, pynq=board.pynq))
            clf.predict_raw(maps["float32"])  # buffers allocated once
            buf = np.zeros((batch_size, clf.codec.input_words(m.n_in)), clf.codec.in_word)
            rigs[name] = (board, clf, buf)
        for _ in range(repeats):
            for name, (board, clf, buf) in rigs.items():
                for kind, batch in maps.items():
                    t0 = time.thread_time()
                    clf.codec.encode_maps(batch, buf)
                    enc[name, kind] = min(enc[name, kind], 1e3 * (time.thread_time() - t0))
                    hw0 = board.dmas[0].busy_seconds
                    t0 = time.thread_time()
                    clf.predict_raw(batch)
                    host_s = time.thread_time() - t0 - (board.dmas[0].busy_seconds - hw0)
                    drive[name, kind] = min(drive[name, kind], 1e3 * host_s)
        for name, (board, _, _) in rigs.items():
            per_map = board.dmas[0].mm2s_bytes // ((2 * repeats + 1) * batch_size)
            print(
                f"| {name} | {enc[name, 'float32']:.2f} | {enc[name, 'uint8']:.2f} | {drive[name, 'float32']:.2f} | "
                f"{drive[name, 'uint8']:.2f} | {per_map:,} |"
            )
    ref = drive["float32 × 1", "float32"]
    print()
    for name in list(variants)[1:]:
        f32, u8 = drive[name, "float32"] - ref, drive[name, "uint8"] - ref
        print(
            f"- {name}: the driver's host time per batch against the float32 wire's with float32 maps "
            f"({ref:.2f} ms): float32 maps {f32:+.2f} ms ({100 * f32 / ref:+.1f} %), uint8 maps {u8:+.2f} ms "
            f"({100 * u8 / ref:+.1f} %)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    acc = sub.add_parser("accuracy")
    acc.add_argument("--pair", choices=sorted(PAIRS), default="flagship")
    acc.add_argument("--seeds", type=int, nargs="+", default=[3, 4, 5], help="training seeds")
    acc.add_argument("--work", type=Path, required=True)
    exa = sub.add_parser("exact")
    exa.add_argument("models", type=Path, nargs="+", help="trained flagships (.h5)")
    exa.add_argument("--work", type=Path, required=True, help="the accuracy run's --work (its data/ split)")
    thr = sub.add_parser("throughput")
    thr.add_argument("--model", type=Path, required=True, help="the trained flagship (models/default.yaml), .h5")
    thr.add_argument("--work", type=Path, required=True)
    hst = sub.add_parser("host")
    hst.add_argument("--repeats", type=int, default=15)
    hst.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.what == "accuracy":
        accuracy(args.pair, args.seeds, args.work)
    elif args.what == "exact":
        exact(args.models, args.work)
    elif args.what == "throughput":
        throughput_table(args.model, args.work)
    else:
        host(args.repeats, args.batch_size)


if __name__ == "__main__":
    main()
