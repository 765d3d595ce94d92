"""The README's (and docs') figures of the default run, regenerated from a fresh ``fpgaflow run``.

    .venv/bin/fpgaflow run --out runs/readme --from data                       # models/default.yaml, every step
    .venv/bin/fpgaflow fit runs/readme --out runs/readme-fit                   # optional: the fit figures
    .venv/bin/python bench/readme_figures.py runs/readme --fit runs/readme-fit --write
    make readme                                  # the three commands above, in a removed and remade runs/readme

The run must be fresh: in a reused run directory the train step resumes from its per-epoch checkpoint and the
flow time the README quotes would not be one run's.  ``make readme`` removes ``runs/readme`` first.

``--write`` stores the run's figures in ``bench/default_run.json`` (the snapshot) and rewrites every marked
figure in README.md and docs/ from it; without ``--write`` the script prints what it would write, and with
``--check`` it exits 1 naming every figure a document gets wrong.  A figure is marked in Markdown as
``<!-- fig:NAME -->…<!-- /fig:NAME -->``.  Every figure is rendered from the snapshot and the current default
config (``models/default.yaml``: window size, model, pileup), so a new default run is documented by
``make readme`` alone.  ``tests/test_readme_figures.py`` fails when a document disagrees, when the snapshot
was taken with another ``models/default.yaml``, or when the default data no longer come out of the simulator
byte for byte as they did for the snapshot (then the run must be redone: ``make readme``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from fpgaflow.estimate.coefficients import BAND_SHARE

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from marked_blocks import MarkedBlocks  # noqa: E402

SNAPSHOT = REPO / "bench" / "default_run.json"
#: Documents holding marked figures.
DOCUMENTS = ("README.md", "docs/convert.md", "docs/fit.md", "docs/baselines.md")
MARKS = MarkedBlocks(
    mark=re.compile(r"<!-- fig:(?P<key>[a-z0-9-]+) -->(?P<body>.*?)<!-- /fig:(?P=key) -->", re.DOTALL),
    noun="figure",
    source="the snapshot",
    mismatch="disagrees with the run it documents",
)

#: What each family's best is called in the README's table.
FAMILY_NAMES = {
    "any_pixel": "any pixel read out",
    "single_cut": "best single cut",
    "shape_table": "cluster-shape table",
    "tree": "boosted tree",
    "two_stage": "two-stage tree",
}


# ------------------------------------------------------------------ what the snapshot fingerprints


def config_digest() -> str:
    """SHA-256 (16 hex) of the default run config file, ``models/default.yaml``."""
    from fpgaflow.pipeline.config import default_config_path

    return hashlib.sha256(default_config_path().read_bytes()).hexdigest()[:16]


def data_digest() -> str:
    """SHA-256 (16 hex) of the default run's test maps and labels, made as the run makes them (a few seconds)."""
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.train.datasets import make_splits

    _, _, test = make_splits(load_run_config().data)
    h = hashlib.sha256(test.maps.tobytes())
    h.update(test.labels.astype("int64").tobytes())
    return h.hexdigest()[:16]


# ------------------------------------------------------------------ snapshot from a run


def _accumulators(run: Path) -> dict[str, dict[str, str]]:
    """Accumulator and result types of every Conv2D/Dense layer: fpgaflow's plan (the run's conversion.json)
    and hls4ml's own ``auto`` choice for the same model given the same input type."""
    import hls4ml

    from fpgaflow.convert.hls import split_output_activation
    from fpgaflow.convert.precision import hls4ml_fixed_type
    from fpgaflow.modelio import load_model
    from fpgaflow_board.boards import get_board

    plan = json.loads((run / "hls" / "conversion.json").read_text(encoding="utf-8"))["precision"]["layers"]
    ours = {lp["layer"]: lp for lp in plan if lp.get("accum")}
    source = next(lp for lp in plan if lp["kind"] == "input")
    model, _ = split_output_activation(load_model(run / "model" / "model.h5"))
    board = get_board("pynq-z2")
    # hls4ml's own choice for everything but the input, which gets fpgaflow's type (the same maps go in).
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="VivadoAccelerator")
    config["LayerName"][source["layer"]]["Precision"]["result"] = source["result"]["type"]
    with tempfile.TemporaryDirectory() as tmp:
        auto = hls4ml.converters.convert_from_keras_model(
            model,
            backend="VivadoAccelerator",
            board=board.hls4ml_board,
            io_type="io_stream",
            clock_period=board.clock_period_ns,
            hls_config=config,
            output_dir=str(Path(tmp) / "prj"),
        )
        theirs = {layer.name: layer for layer in auto.get_layers()}
        out = {}
        for name, lp in ours.items():
            types = [hls4ml_fixed_type(theirs[name].get_attr(t).precision) for t in ("accum_t", "result_t")]
            out[name] = {
                "accum": lp["accum"]["type"],
                "result": lp["result"]["type"],
                "auto_accum": types[0].hls() if types[0] else "?",
                "auto_result": types[1].hls() if types[1] else "?",
            }
    return out


def _architecture(run: Path) -> str:
    """The trained model's layers in words, e.g. ``QConv2D 8 × 3×3 → MaxPool 2×2 → … → QDense 1`` (read from
    the run's model, so any default architecture is described as it is)."""
    from fpgaflow.modelio import load_model

    parts = []
    for layer in load_model(run / "model" / "model.h5").layers:
        c = layer.get_config()
        kind = type(layer).__name__
        if "Conv2D" in kind:
            k, st = c["kernel_size"], c["strides"]
            stride = f" stride {st[0]}" if tuple(st) != (1, 1) else ""
            same = " 'same'" if c.get("padding") == "same" else ""
            parts.append(f"{kind} {c['filters']} × {k[0]}×{k[1]}{stride}{same}")
        elif kind.startswith("Global"):
            parts.append(kind.removesuffix("2D"))
        elif "MaxPooling2D" in kind:
            parts.append(f"MaxPool {c['pool_size'][0]}×{c['pool_size'][1]}")
        elif "Dense" in kind:
            parts.append(f"{kind} {c['units']}")
    return " → ".join(parts)


def _conversion(run: Path) -> dict[str, Any]:
    """The dataflow interval and the FIFO depths of the run's conversion (``hls/conversion.json``)."""
    c = json.loads((run / "hls" / "conversion.json").read_text(encoding="utf-8"))
    return {
        "interval_cycles": c["interval_cycles"],
        "interval_us": c["interval_us"],
        "clock_period_ns": c["clock_period_ns"],
        "fifo_depths": [f["depth"] for f in c["fifo_depths"]],
        "fifo_hls4ml_defaults": [f["hls4ml_default"] for f in c["fifo_depths"]],
    }


def _fit(fit_dir: Path) -> dict[str, Any]:
    data = json.loads((fit_dir / "fit.json").read_text(encoding="utf-8"))
    c = data["chosen"]
    return {
        "n_points": data["n_points"],
        "n_within_budget": data["n_within_budget"],
        "n_maps": data["n_maps_scored"],
        "chosen": c["label"],
        "utilisation": c["utilisation"],
        "lut": c["resources"]["lut"],
        "maps_per_s": c["maps_per_s"],
        "accuracy": c["accuracy"],
        "reference_accuracy": data["reference_accuracy_qkeras"],
        "tradeoff": data["tradeoff"],
        "tradeoff_sentence": data["tradeoff"]["sentence"],
        "cheapest_maps_per_s": next(
            (p["maps_per_s"] for p in data["points"] if p["label"] == data["tradeoff"]["cheapest"]), None
        ),
        "cheapest_lut": next(
            (p["resources"]["lut"] for p in data["points"] if p["label"] == data["tradeoff"]["cheapest"]), None
        ),
        # the run's own design among fit's points (`configured`), and what fit says of it
        "configured": data.get("configured"),
        "configured_sentence": data.get("configured_sentence"),
    }


def snapshot(run: Path, fit_dir: Path | None) -> dict[str, Any]:
    """The figures of ``run`` (and of ``fit_dir``) that README.md and docs/ quote."""
    s = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    if not s.get("complete"):
        raise SystemExit(f"{run}: not a complete run (steps {s.get('steps_status')})")
    keep = [
        "n_train",
        "n_val",
        "n_test",
        "input_shape",
        "particle_fraction",
        "n_parameters",
        "sparsity",
        "accuracy_keras",
        "accuracy_csim",
        "val_roc_auc",
        "csim_agreement",
        "csim_bit_exact_fraction",
        "max_abs_diff",
        "estimate",
        "estimate_utilisation",
        "estimate_verdict",
        "estimate_intervals",
        "estimate_status",
        "modelled_maps_per_second",
        "modelled_bound",
        "modelled_latency_us",
        "steps_seconds",
        "baselines_headline",
    ]
    b = s["baselines"]
    out: dict[str, Any] = {
        "command": (
            "make readme: fpgaflow run --out RUN --from data (models/default.yaml); fpgaflow fit RUN --out RUN-fit; "
            "python bench/readme_figures.py RUN --fit RUN-fit --write"
        ),
        "config_sha256": config_digest(),
        "data_sha256": data_digest(),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when the snapshot was taken",
        **{k: s[k] for k in keep},
        "model_roc_auc": b["model_scores"][b["deployed"]]["roc_auc"],
        "model_accuracy_error": b["model_scores"][b["deployed"]]["accuracy_error"],
        "baselines": {
            fam: {k: f[k] for k in ("name", "working_point", "accuracy", "accuracy_error", "roc_auc")}
            | {"verdict": f["vs_model"][b["deployed"]]["verdict"]}
            for fam, f in b["families"].items()
        },
        "accumulators": _accumulators(run),
        "architecture": _architecture(run),
        "conversion": _conversion(run),
        **{k: s[k] for k in ("trace_exact_layers", "values_outside_types")},
    }
    if b.get("truth"):
        out["truth"] = b["truth"]
    if fit_dir is not None:
        out["fit"] = _fit(fit_dir)
    return out


# ------------------------------------------------------------------ figures rendered from the snapshot


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}"


def _steps(s: dict[str, Any]) -> dict[str, float]:
    """The run's step times in the order the steps run."""
    from fpgaflow.pipeline.runner import STEP_NAMES

    return {name: s["steps_seconds"][name] for name in STEP_NAMES if name in s["steps_seconds"]}


def _flow(s: dict[str, Any]) -> str:
    steps = _steps(s)
    parts = ", ".join(f"{name} {sec:.0f}" for name, sec in steps.items())
    return f"{sum(steps.values()):.0f} s (seconds per step: {parts})"


def _estimate(s: dict[str, Any]) -> str:
    """``LUT 17k (14k–25k), …: fits the xc7z020 within the 70 % budget`` (post-implementation, with ranges)."""
    return f"{s['estimate_intervals']}: {s['estimate_verdict'].replace('pynq-z2', 'xc7z020')}"


def _truth_row(s: dict[str, Any]) -> list[str]:
    """The truth ceiling's row of the headline table (simulated maps only)."""
    if "truth" not in s:
        return []
    c, a = s["truth"]["ceiling"], s["truth"]["ambiguity"]
    one = (
        f"; a map holding exactly one in-time track cluster is a particle map {_pct(a['one_track'], 0)} % of the time"
        if a["one_track"] is not None
        else ""
    )
    return [
        f"| truth ceiling on the same maps (told every cluster's source, not its pT) | {_pct(c['accuracy'])} ± "
        f"{_pct(c['accuracy_error'])} % (ROC AUC {c['roc_auc']:.3f}){one} |"
    ]


def figures(s: dict[str, Any]) -> dict[str, str]:
    """Every marked figure's text, from the snapshot ``s``."""
    from fpgaflow.baselines.config import FAMILIES
    from fpgaflow.pipeline.config import load_run_config

    cfg = load_run_config()
    m, sim = cfg.model, cfg.data.simulate
    rows, cols, _ = s["input_shape"]
    order = [f for f in FAMILIES if f in s["baselines"]]
    bl = ", ".join(
        f"{FAMILY_NAMES[f]} `{s['baselines'][f]['working_point']}` {_pct(s['baselines'][f]['accuracy'])} %"
        if f == "single_cut"
        else f"{FAMILY_NAMES[f]} {_pct(s['baselines'][f]['accuracy'])} %"
        for f in order
    )
    acc = s["accumulators"]
    table = [
        "| quantity | value |",
        "|---|---|",
        f"| maps train / val / test ({rows} × {cols} windows of the simulated CMS BPix layer 1, pileup "
        f"{sim.tracks.pileup:g}, pT cut {sim.labels.reco_pt_cut_gev:g} GeV) "
        f"| {s['n_train']} / {s['n_val']} / {s['n_test']} |",
        f"| model | QKeras CNN: {s['architecture']} (each convolution + quantized_relu); {m.weights.bits}-bit weights "
        f"and activations; {s['n_parameters']} parameters |",
        f"| weight sparsity after pruning | {_pct(s['sparsity'])} % in every layer |",
        f"| test accuracy, QKeras in TensorFlow / hls4ml C simulation | {_pct(s['accuracy_keras'])} ± "
        f"{_pct(s['model_accuracy_error'])} % / {_pct(s['accuracy_csim'])} % (ROC AUC {s['model_roc_auc']:.3f}) |",
        f"| baselines on the same {s['n_test']} maps (each family's best, measured in every run) | {bl} |",
        f"| **the deployed model against them** | **{s['baselines_headline']}** |",
        *_truth_row(s),
        f"| QKeras ↔ C-sim class agreement | {_pct(s['csim_agreement'], 0)} % (outputs bit-identical on "
        f"{_pct(s['csim_bit_exact_fraction'], 0)} % of the {s['n_test']} maps) |",
        "| resources (estimate after implementation of the whole block design, with the range the real figure "
        f"fell in for {BAND_SHARE} designs; no Vivado) | {_estimate(s)} |",
        f"| modelled board throughput | ≈ {s['modelled_maps_per_second'] / 1000:.0f} k maps/s "
        f"({s['modelled_bound']}-bound), latency {s['modelled_latency_us']:.1f} µs per map |",
        f"| whole flow ({', '.join(_steps(s))}), `fpgaflow run` | {_flow(s)}; {s['machine']} |",
    ]
    acc_rows = [
        "| tensor | fpgaflow | hls4ml auto |",
        "|---|---|---|",
        *(
            f"| {name} accum / result | `{t['accum']}` / `{t['result']}` | `{t['auto_accum']}` / `{t['auto_result']}` |"
            for name, t in acc.items()
        ),
    ]
    last_conv = ([n for n in acc if "conv" in n] or list(acc))[-1]
    out = {
        "headline": "\n" + "\n".join(table) + "\n",
        "flow-time": f"{sum(s['steps_seconds'].values()):.0f} s",
        "estimate": (f"default model: {_estimate(s)}; ≈ {s['modelled_maps_per_second'] / 1000:.0f} k maps/s modelled"),
        "accumulator": (
            f"the default model's {last_conv} accumulator is `{acc[last_conv]['accum']}` where hls4ml's auto choice is "
            f"`{acc[last_conv]['auto_accum']}`"
        ),
        "accumulators": "\n" + "\n".join(acc_rows) + "\n",
        "interval": (
            f"{s['conversion']['interval_cycles']} cycles, {s['conversion']['interval_us']:.2f} µs per map at "
            f"{s['conversion']['clock_period_ns']:g} ns"
        ),
        "fifo-depths": (
            f"{', '.join(map(str, s['conversion']['fifo_depths']))} entries against hls4ml's "
            f"{', '.join(map(str, s['conversion']['fifo_hls4ml_defaults']))}"
        ),
        "convert-measured": (
            f"\n| | QKeras | C-sim |\n|---|---|---|\n| accuracy on the {s['n_test']} test maps | "
            f"{_pct(s['accuracy_keras'], 2)} % | {_pct(s['accuracy_csim'], 2)} % |\n\n"
            f"QKeras ↔ C-sim: class agreement {_pct(s['csim_agreement'], 2)} %, raw logits bit-exact on "
            f"{_pct(s['csim_bit_exact_fraction'], 0)} % of maps, max |Δ| = {s['max_abs_diff']:g}. Layers bit-exact "
            f"in the trace: {', '.join(s['trace_exact_layers']) or 'none'}; QKeras values outside a layer's type: "
            f"{', '.join(f'{k} {v}' for k, v in s['values_outside_types'].items()) or 'none'}.\n"
        ),
        "baselines-default": (
            f"On the default run's own test maps (data seed {cfg.data.seed}) the family bests score "
            + ", ".join(
                f"{FAMILY_NAMES[f]} (`{s['baselines'][f]['working_point' if f == 'single_cut' else 'name']}`) "
                f"{_pct(s['baselines'][f]['accuracy'])} %"
                for f in order
            )
            + f", where the deployed QKeras CNN scores {_pct(s['accuracy_csim'])} %; the run says: "
            f"*{s['baselines_headline']}*"
        ),
    }
    if "fit" in s:
        f = s["fit"]
        u = f["utilisation"]
        util = " / ".join(f"{100 * u[r]:.1f}" for r in ("lut", "ff", "dsp", "bram18"))
        same = " (= QKeras)" if f["accuracy"] == f["reference_accuracy"] else ""
        configured = f.get("configured") is not None and f["chosen"] == f["configured"]
        chosen = "`configured` (models/default.yaml's `convert:`)" if configured else f["chosen"]
        out["fit-default-row"] = (
            f"| trained default run, {rows}×{cols}×1 | {f['n_points']} ({f['n_within_budget']}) | {chosen} | "
            f"{util} | {f['maps_per_s']:,.0f} | {_pct(f['accuracy'], 2)} %{same} | `make readme` |"
        )
        t = f["tradeoff"]
        cheaper = (
            f"; the cheapest equally accurate point ({t['cheapest']}, {f['cheapest_lut']:,.0f} LUT instead of "
            f"{f['lut']:,.0f}) would give up {t['cheapest_throughput_factor']:.0f}× the throughput "
            f"({f['cheapest_maps_per_s']:,.0f} maps/s)"
            if t["cheapest"]
            else ""
        )
        out["fit-tradeoff"] = f["tradeoff_sentence"]
        kept = (
            f"keeps its {_pct(f['accuracy'])} % accuracy"
            if f["accuracy"] == f["reference_accuracy"]
            else f"its chosen point scores {_pct(f['accuracy'])} % where the trained model scores "
            f"{_pct(f['reference_accuracy'])} % (no more accurate point of fit's space fits for certain above the "
            "throughput floor)"
        )
        if configured:  # fit's answer is the design the run already has
            scores = (
                f"keeps the trained model's {_pct(f['accuracy'])} % accuracy"
                if f["accuracy"] == f["reference_accuracy"]
                else f"scores {_pct(f['accuracy'])} % where the trained model scores {_pct(f['reference_accuracy'])} %"
            )
            out["fit-default"] = (
                f"the trained {rows} × {cols} default run fits at {f['n_within_budget']} of {f['n_points']} points, "
                "and the one fit chooses is the run's own configured design (`configured`: the per-layer reuse "
                f"factors and strategies of models/default.yaml), which {scores} at {f['maps_per_s']:,.0f} maps/s "
                f"(modelled){cheaper}"
            )
        else:
            out["fit-default"] = (
                f"the trained {rows} × {cols} default run fits at {f['n_within_budget']} of {f['n_points']} points "
                f"and {kept}; the chosen {f['chosen']} runs at "
                f"{f['maps_per_s']:,.0f} maps/s (modelled){cheaper}"
                + (f"; {f['configured_sentence']}" if f.get("configured") is not None else "")
            )
    return out


def rewrite(text: str, figs: dict[str, str]) -> str:
    """``text`` with every marked figure replaced by its rendering (unknown names are an error)."""
    return MARKS.rewrite(text, figs)


def disagreements(figs: dict[str, str], documents: dict[str, str] | None = None) -> list[str]:
    """Every way the marked figures of ``documents`` (name → text; default: :data:`DOCUMENTS` as committed)
    differ from ``figs`` (:meth:`MarkedBlocks.disagreements`)."""
    if documents is None:
        documents = {doc: (REPO / doc).read_text(encoding="utf-8") for doc in DOCUMENTS}
    return MARKS.disagreements(figs, documents)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", type=Path, nargs="?", help="a complete `fpgaflow run` of models/default.yaml")
    p.add_argument("--fit", type=Path, help="`fpgaflow fit RUN --out FIT` of the same run")
    p.add_argument("--write", action="store_true", help="write bench/default_run.json and the marked figures")
    p.add_argument("--check", action="store_true", help="exit 1 when a document disagrees with the snapshot")
    args = p.parse_args(argv)
    if args.run is not None:
        s = snapshot(args.run, args.fit)
        if args.write:
            SNAPSHOT.write_text(json.dumps(s, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        s = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    figs = figures(s)
    if args.check:
        problems = disagreements(figs)
        for line in problems:
            print(f"readme_figures: {line}; regenerate with `make readme`", file=sys.stderr)
        return 1 if problems else 0
    for doc in DOCUMENTS:
        path = REPO / doc
        new = rewrite(path.read_text(encoding="utf-8"), figs)
        if args.write:
            path.write_text(new, encoding="utf-8")
    for name, text in figs.items():
        print(f"--- {name}\n{text.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
