"""Maps/s of the bit-exact emulator vs hls4ml's C simulation vs Keras float inference.

Usage: PYTHONPATH=. python bench/bench_emulate.py [--workdir DIR] [--emu-maps N] [--csim-maps N]
       PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=2 python bench/bench_emulate.py --run RUN_DIR [--profile N]

``--run RUN_DIR``: the deployed design of a finished ``fpgaflow run`` (the flagship: ``models/default.yaml``), as
deployed — its pinned conversion, Resource layers included — timed against Keras (the QKeras model and its float
twin) on the run's test maps, interleaved best of ``--repeats``; the emulator's raw outputs are compared bit for bit
with the C simulation's of the run's verify step (``verify/scores.npz``, every test map).  ``--profile N``: instead,
microseconds per map of each step of the emulator on the first N test maps (:func:`layer_profile`).

For each model (the study's reduced CNN at 128x128x3 and the default-like QKeras CNN at 32x32x1) the
script converts with hls4ml (VivadoAccelerator, pynq-z2, io_stream, 10 ns), compiles the C simulation,
times ``hls_model.predict``, ``Emulator.predict`` and ``keras_model.predict`` on the same maps, checks
that the emulator agrees bit for bit with the C simulation on every map the C simulation ran, and
prints one Markdown table row per model.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _rate(fn, x: np.ndarray, repeat: int = 1) -> tuple[float, np.ndarray]:  # type: ignore[no-untyped-def]
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(x)
        best = min(best, time.perf_counter() - t0)
    return x.shape[0] / best, np.asarray(out)


def _peak_mib(fn, x: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    """Peak numpy/Python allocation (tracemalloc) while ``fn(x)`` runs, in MiB."""
    tracemalloc.start()
    fn(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench(name: str, keras_model, hls_model, maps: np.ndarray, csim_maps: int) -> str:  # type: ignore[no-untyped-def]
    from fpgaflow.emulate import Emulator

    emu = Emulator.from_hls_model(hls_model)
    sub = maps[:csim_maps]
    csim_rate, y_csim = _rate(hls_model.predict, sub)
    # interleaved best-of-5, so that the load of a shared machine hits both alike
    emu_rate = keras_rate = emu1_rate = 0.0
    y_emu = None
    for _ in range(5):
        r, y_emu = _rate(emu.predict, maps)
        emu_rate = max(emu_rate, r)
        r, _ = _rate(lambda x: emu.predict(x, threads=1), maps)
        emu1_rate = max(emu1_rate, r)
        r, _ = _rate(lambda x: keras_model.predict(x, batch_size=256, verbose=0), maps)
        keras_rate = max(keras_rate, r)
    assert y_emu is not None
    same = np.array_equal(y_csim.reshape(csim_maps, -1), y_emu[:csim_maps])
    agree = f"{csim_maps}/{csim_maps}" if same else "MISMATCH"
    mem = _peak_mib(emu.predict, maps)
    mem4 = _peak_mib(emu.predict, np.concatenate([maps] * 4))
    return (
        f"| {name} | {maps.shape[1:]} | {csim_rate:,.1f} | {emu_rate:,.0f} ({emu1_rate:,.0f}) "
        f"| {keras_rate:,.0f} | "
        f"{emu_rate / csim_rate:,.0f}x | {emu_rate / keras_rate:.2f} | {agree} | "
        f"{mem:,.0f} / {mem4:,.0f} |"
    )


#: The paths :func:`deployed_rates` times, by key: what each runs.
DEPLOYED_PATHS = {
    "emulator": "emulator (default threads)",
    "emulator_1_thread": "emulator (1 thread)",
    "keras_qkeras": "Keras, the QKeras model",
    "keras_float": "Keras, its float twin (quantisers removed)",
}


def deployed_design(run_dir: Path) -> tuple[Any, Any, Any, np.ndarray]:
    """A finished run's deployed model (output activation split off), pinned conversion, its emulator and the run's
    test maps scaled to the network input."""
    from fpgaflow.convert.hls import convert, load_pinned_config, split_output_activation
    from fpgaflow.data.hitmaps import load_npz
    from fpgaflow.emulate import Emulator
    from fpgaflow.modelio import input_scale_for, load_model
    from fpgaflow_board.scaling import scale_inputs

    model_path = next(run_dir.glob("*/model.h5"))
    model, _ = split_output_activation(load_model(model_path))
    scale = input_scale_for(model_path, None, "model.input_scale")
    x = scale_inputs(load_npz(next(run_dir.glob("*/test.npz"))).maps, scale)
    pinned = load_pinned_config(next(p.parent for p in run_dir.glob("*/conversion.json")))
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator.from_hls_model(convert(model, pinned, Path(tmp), scale, None).hls_model)
    return model, pinned, emu, x


def layer_profile(run_dir: Path, n_maps: int, repeats: int) -> str:
    """Markdown: microseconds per map of each step of the emulator on one thread (best of ``repeats`` over the first
    ``n_maps`` test maps, in the default batches): the folded path ``predict`` takes (input cast, each folded conv
    with its ReLU / padding / pooling, the layers after them) and the layer-by-layer path on float codes it replaced
    (folding and the conv-pool fusion off)."""
    from fpgaflow.emulate.emulator import one_blas_thread
    from fpgaflow.emulate.fuse import run_layers

    _, _, emu, x = deployed_design(run_dir)
    x = x[:n_maps]
    bs = emu.default_batch_size()
    stages, first_rest = emu.folded_stages, emu.first_unfolded_layer
    best: dict[str, dict[str, float]] = {"folded": {}, "layer by layer": {}}

    def timed(path: str, step: str, fn, *args):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn(*args)
        spent[path][step] = spent[path].get(step, 0.0) + time.perf_counter() - t0
        return out

    with one_blas_thread():
        for _ in range(repeats):
            spent: dict[str, dict[str, float]] = {"folded": {}, "layer by layer": {}}
            for start in range(0, len(x), bs):
                codes = timed("folded", "input cast", emu.quantise_input, x[start : start + bs], True)
                for stage in stages:
                    codes = timed(
                        "folded", f"{stage.conv.name} (folded)", stage.run, np.ascontiguousarray(codes, np.float32)
                    )
                timed("folded", "the layers after", run_layers, emu.layers[first_rest:], codes)
                q = timed("layer by layer", "input cast", emu.quantise_input, x[start : start + bs], True)
                for layer in emu.layers[1:]:
                    q = timed("layer by layer", layer.name, layer.run_codes, q)
            for path, steps in spent.items():
                for step, t in steps.items():
                    best[path][step] = min(best[path].get(step, float("inf")), t / len(x) * 1e6)
    rows = [
        f"{len(x):,} test maps of `{run_dir}`, one thread, batches of {bs}, best of {repeats}; "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| path | step | us per map |",
        "|---|---|---:|",
    ]
    for path, steps in best.items():
        rows += [f"| {path} | {step} | {us:.1f} |" for step, us in steps.items()]
        rows.append(f"| {path} | **total** | **{sum(steps.values()):.1f}** |")
    return "\n".join(rows)


def deployed_rates(run_dir: Path, repeats: int) -> dict[str, Any]:
    """Maps/s of each of :data:`DEPLOYED_PATHS` on a finished run's deployed design (its pinned conversion, Resource
    layers included) and test maps, interleaved best of ``repeats``; ``bit_exact_maps``: maps on which the emulator
    equals the run's C simulation (``verify/scores.npz``) bit for bit; ``n_maps``, ``strategies``, ``load``."""
    from fpgaflow.verify.float_twin import float_twin

    model, pinned, emu, x = deployed_design(run_dir)
    twin = float_twin(model)
    csim = np.load(next(run_dir.glob("*/scores.npz")))["csim_raw"].reshape(len(x), -1)
    timers = {
        "emulator": lambda: emu.predict(x),
        "emulator_1_thread": lambda: emu.predict(x, threads=1),
        "keras_qkeras": lambda: model.predict(x, batch_size=1024, verbose=0),
        "keras_float": lambda: twin.predict(x, batch_size=1024, verbose=0),
    }
    twin.predict(x[:1024], batch_size=1024, verbose=0)  # graph tracing is not inference
    model.predict(x[:1024], batch_size=1024, verbose=0)
    best = dict.fromkeys(timers, float("inf"))
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, fn in timers.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    same = int(np.all(emu.predict(x) == csim.astype(np.float32), axis=1).sum())
    strategies = sorted({f"{k}: {v.strategy} R{v.reuse_factor}" for k, v in pinned.layers.items() if v.strategy})
    return {name: len(x) / t for name, t in best.items()} | {
        "n_maps": float(len(x)),
        "map": str(x.shape[1:]),
        "bit_exact_maps": float(same),
        "repeats": float(repeats),
        "strategies": f"{pinned.strategy} default; {', '.join(strategies) or 'no overrides'}",
        "load": f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
    }


def bench_run(run_dir: Path, repeats: int) -> str:
    """Markdown: emulator vs Keras maps/s on a finished run's deployed design and test maps, and bit-exactness."""
    r = deployed_rates(run_dir, repeats)
    keras_float = r["keras_float"]
    rows = [
        f"Design: `{run_dir}` as deployed ({r['strategies']}); {r['n_maps']:,.0f} test maps of {r['map']}; "
        f"best of {repeats}, interleaved; {r['load']}.",
        "",
        "| path | maps/s | / Keras float |",
        "|---|---:|---:|",
        *(f"| {label} | {r[key]:,.0f} | {r[key] / keras_float:.2f}x |" for key, label in DEPLOYED_PATHS.items()),
        "",
        f"Emulator = C simulation (the run's verify step) bit for bit on {r['bit_exact_maps']:,.0f} / "
        f"{r['n_maps']:,.0f} maps.",
    ]
    return "\n".join(rows)


def main() -> None:
    from fpgaflow.emulate.reference_models import convert, default_like, reduced

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--emu-maps", type=int, default=2048, help="maps for emulator and Keras timing (32x32 model)")
    ap.add_argument("--csim-maps", type=int, default=300, help="maps through the C simulation (32x32 model)")
    ap.add_argument("--run", type=Path, default=None, help="a finished run directory: time its deployed design")
    ap.add_argument("--repeats", type=int, default=5, help="timing repeats with --run (best of)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="with --run: per-step times on N maps instead")
    args = ap.parse_args()
    if args.run is not None:
        print(
            layer_profile(args.run, args.profile, args.repeats) if args.profile else bench_run(args.run, args.repeats)
        )
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_emulate_"))
    rng = np.random.default_rng(0)
    rows = [
        "| model | map | C-sim maps/s | emulator maps/s (1 thread) | Keras maps/s | emu/C-sim | emu/Keras "
        "| identical | emulator peak MiB (N / 4N maps) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    small = default_like(seed=1)
    hls_small = convert(small, work / "default_like", trace=False)
    maps = (
        rng.integers(0, 256, (args.emu_maps, 32, 32, 1)) * (rng.random((args.emu_maps, 32, 32, 1)) < 0.2) / 256
    ).astype(np.float32)
    rows.append(bench("default-like QKeras", small, hls_small, maps, args.csim_maps))

    big = reduced(seed=1)
    hls_big = convert(big, work / "reduced", input_precision=None, trace=False)
    n_big = max(8, args.emu_maps // 8)
    maps = (rng.integers(0, 256, (n_big, 128, 128, 3)) * (rng.random((n_big, 128, 128, 3)) < 0.2) / 256).astype(
        np.float32
    )
    rows.append(bench("reduced (Keras, <16,6>)", big, hls_big, maps, max(4, args.csim_maps // 40)))

    print("\n".join(rows))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole benchmark process: {peak:.0f} MiB")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{os.cpu_count()} CPU cores; load average at the end (1, 5, 15 min): {load}")


if __name__ == "__main__":
    main()
