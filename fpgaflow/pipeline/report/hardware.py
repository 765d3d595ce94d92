"""The hardware half of the run report: per-layer precision and reuse, resources against the board budget
(with the estimator's interval when it gives one), modelled throughput and latency, and the verification
chain QKeras ↔ C simulation ↔ emulator ↔ board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow import units
from fpgaflow.estimate.coefficients import RANGE_MEANING
from fpgaflow.estimate.plot import RANGE_LABEL
from fpgaflow.estimate.table import RESOURCE_LABELS, RESOURCES
from fpgaflow.figures import canvas
from fpgaflow.figures.resources import ResourceBar, resources_figure
from fpgaflow.pipeline.report.content import Figure, Paragraph, Section, Table, missing
from fpgaflow.pipeline.report.record import RunRecord


def precision_section(rec: RunRecord) -> Section:
    conv = rec.conversion
    if conv is None:
        return missing("precision", "Per-layer precision and reuse", "No conversion yet (step convert not run).")
    reuse = {r["layer"]: r for r in conv.get("reuse", {}).get("layers", [])}
    sparsity: dict[str, float] = rec.summary.get("layer_sparsity", {})
    rows = []
    for layer in conv["precision"]["layers"]:
        name = layer["layer"]
        r = reuse.get(name)

        def typ(key: str, layer: dict[str, Any] = layer) -> str:
            return str(layer[key]["type"]) if layer.get(key) else "—"

        rows.append(
            (
                name,
                str(layer["kind"]),
                typ("weight"),
                typ("accum"),
                typ("result"),
                str(r["reuse_factor"]) if r else "—",
                str(r["strategy"]) if r else "—",
                units.count(r["multipliers"]) if r else "—",
                units.percent(sparsity[name], 0) if name in sparsity else "—",
            )
        )
    text = (
        f"hls4ml {conv['backend']} project for the {conv['board']} ({conv['part']}), {conv['io_type']}, "
        f"clock {units.quantity(conv['clock_period_ns'], 'ns')}. Types are ap_fixed<W, I> (W bits, I integer "
        "bits, sign included) or ap_ufixed; the reuse factor is how many cycles one multiplier serves "
        "(1 = fully parallel). Why each type and factor was chosen: hls/conversion.md."
    )
    header = (
        "layer",
        "kind",
        "weights",
        "accumulator",
        "result",
        "reuse factor",
        "strategy",
        "multipliers",
        "weights pruned",
    )
    return Section(
        "precision",
        "Per-layer precision and reuse",
        (Paragraph(text), Table(header, tuple(rows), align=(*("left",) * 5, "right", "left", "right", "right"))),
    )


def resource_bars(rec: RunRecord) -> tuple[list[ResourceBar], float, str] | None:
    """The estimate's bars (with the interval when the run's estimate carries one), the budget fraction and
    the board name; ``None`` before conversion."""
    from fpgaflow.estimate.budget import ResourceUse
    from fpgaflow_board.boards import DEFAULT_BUDGET, get_board

    s = rec.summary
    if "estimate" not in s or "board" not in s:
        return None
    board = get_board(str(s["board"]))
    ranges: dict[str, list[float]] = s.get("estimate_range") or {}
    bars = []
    for key in RESOURCES:
        low, high = ranges.get(key, (None, None))
        use = ResourceUse(key, float(s["estimate"][key]), board.resources[key], DEFAULT_BUDGET, low, high)
        bars.append(ResourceBar(RESOURCE_LABELS[key], use.used, use.available, use.verdict, low, high))
    return bars, DEFAULT_BUDGET, board.name


def resources_section(rec: RunRecord) -> Section:
    found = resource_bars(rec)
    if found is None:
        return missing("resources", "Resources against the board budget", "No estimate yet (step convert not run).")
    bars, budget, board = found
    has_interval = any(b.low is not None for b in bars)
    rows = []
    for b in bars:
        interval = units.interval(b.low, b.high) if b.low is not None and b.high is not None else "no interval"
        rows.append(
            (
                b.name,
                units.count(b.used),
                interval,
                units.count(b.available),
                units.percent(b.used / b.available),
                units.count(budget * b.available),
                b.verdict,
            )
        )
    verdict = str(rec.summary.get("estimate_verdict", ""))
    text = (
        f"ESTIMATE (fpgaflow.estimate, no Vivado run): {verdict}. The budget is {100 * budget:.0f} % of each "
        f"resource of the {board}, the margin left for routing and timing closure."
    )
    if has_interval:
        text += f" Interval: {RANGE_MEANING} (leave-one-design-out); the verdict uses the whole interval."
    else:
        text += (
            " This estimate carries no interval; docs/estimate.md gives the model's measured error on held-out "
            "designs. Confirm with `fpgaflow build` (Vivado)."
        )
    header = ("resource", "estimate", "interval", "device", "of the device", "budget", "verdict")
    return Section(
        "resources",
        "Resources against the board budget",
        (
            Paragraph(text),
            Table(header, tuple(rows), align=("left", "right", "right", "right", "right", "right", "left")),
            Figure(
                "resources",
                lambda: canvas.png_bytes(resources_figure(bars, budget, board, RANGE_LABEL if has_interval else None)),
                "Estimated utilisation per resource (% of the device) against the budget line"
                + ("; error bars: the estimator's expected range." if has_interval else "; no interval."),
                "bar chart of estimated resource use against the budget",
            ),
            *fit_blocks(rec.run_dir / FIT_DIR),
        ),
    )


#: Where ``fpgaflow fit RUN --out RUN/fit`` writes; the report shows its accuracy-vs-LUT plot when it is there.
FIT_DIR = "fit"


def fit_blocks(fit_dir: Path) -> tuple[Paragraph | Figure, ...]:
    """The fit's accuracy-vs-LUT plot with the baselines (``fit_accuracy_lut.png``) and a sentence from its
    ``fit.json``, when ``fpgaflow fit`` wrote them into ``fit_dir``; nothing otherwise."""
    import json

    from fpgaflow.fit.report import ACCURACY_PLOT_NAME, JSON_NAME

    plot, table = fit_dir / ACCURACY_PLOT_NAME, fit_dir / JSON_NAME
    if not plot.is_file() or not table.is_file():
        return ()
    data = json.loads(table.read_text(encoding="utf-8"))
    chosen = data["chosen"]
    yardsticks = "; ".join(f"{b['label']} {100 * b['accuracy']:.1f} %" for b in data["baselines"])
    text = (
        f"fpgaflow fit ({fit_dir.name}/): {data['n_points']} configurations, {data['n_within_budget']} within the "
        f"budget; chosen {chosen['label']} at {100 * chosen['accuracy']:.1f} % on {data['n_maps_scored']} test maps "
        f"(bit-exact emulator). Yardsticks on the same test maps: {yardsticks}."
    )
    said = data.get("configured_sentence")  # the run's own design among fit's points: chosen, or why not
    if said:
        text += f" {said[0].upper()}{said[1:]}."
    return (
        Paragraph(text),
        Figure(
            "fit_accuracy_lut",
            plot.read_bytes,
            "Accuracy of every fit configuration against its estimated LUTs; the baselines and the truth ceiling "
            "as horizontal lines, the LUT budget as a vertical line, the chosen design starred, the run's configured "
            "design ringed.",
            "scatter of accuracy against estimated LUTs with baseline lines",
        ),
    )


def throughput_section(rec: RunRecord) -> Section:
    s = rec.summary
    if "modelled_maps_per_second" not in s:
        return missing("throughput", "Throughput and latency", "No estimate yet (step convert not run).")
    conv = rec.conversion or {}
    rows = [
        (
            "modelled board throughput",
            f"{units.quantity(s['modelled_maps_per_second'], 'maps/s')} ({s.get('modelled_bound', '—')}-bound)",
        ),
        ("modelled latency of one map", units.quantity(s.get("modelled_latency_us"), "µs")),
    ]
    if "interval_cycles" in conv:
        rows.append(
            (
                "initiation interval (a new map every)",
                f"{units.count(conv['interval_cycles'])} cycles = {units.quantity(conv['interval_us'], 'µs')}",
            )
        )
    rows.append(("fabric clock", units.quantity(s.get("clock_period_ns"), "ns")))
    if s.get("csim_maps_per_second"):
        rows.append(
            (
                "C simulation on this host (not the board)",
                units.quantity(s["csim_maps_per_second"], "maps/s"),
            )
        )
    return Section(
        "throughput",
        "Throughput and latency",
        (
            Paragraph(
                "Modelled from the design's initiation interval, the clock and the AXI DMA stream (an estimate: "
                "confirm on the board). The C simulation's speed is the host's, given for scale only."
            ),
            Table(("quantity", "value"), tuple(rows), align=("left", "right")),
        ),
    )


def verification_section(rec: RunRecord) -> Section:
    v = rec.verification
    if v is None:
        return missing("verification", "Verification", "Not verified yet (step verify not run).")
    hw_path = str(v["paths"].get("hw", ""))
    cmp = v["comparisons"]
    rows = []
    if "float_vs_qkeras" in cmp:
        c = cmp["float_vs_qkeras"]
        rows.append(_chain_row("float twin ↔ QKeras", c, "what quantising the activations changes"))
    c = cmp["qkeras_vs_hw"]
    rows.append(_chain_row(f"QKeras ↔ {hw_path}", c, "the deployed arithmetic against training's"))
    if hw_path.startswith("emulator"):
        rows.append(("emulator ↔ C simulation", "—", "identical", "identical", "0", hw_path))
    else:
        rows.append(("emulator ↔ C simulation", "—", "—", "—", "—", "not needed: the C simulation ran every map"))
    bitstream = rec.summary.get("bitstream")
    board = (
        "bitstream built: run the bundle's notebook on the board, then `fpgaflow check RUN/board RESULTS`"
        if bitstream
        else "not measured: no bitstream yet (`fpgaflow build RUN/hls`), then the notebook and `fpgaflow check`"
    )
    rows.append(("board ↔ C simulation", "—", "—", "—", "—", board))
    verdict = "PASSED" if v["passed"] else "FAILED"
    trace = v.get("trace")
    blocks: list[Any] = [
        Paragraph(
            f"Verification {verdict}: QKeras ↔ hardware-model class agreement "
            f"{units.percent(c['agreement'], 2)}, required ≥ {units.percent(v['min_agreement'], 2)} "
            "(verify.min_agreement of this run's config).",
            strong=not v["passed"],
        ),
        Table(
            ("comparison", "maps", "class agreement", "raw outputs bit-exact", "max |Δ score|", "note"),
            tuple(rows),
            align=("left", "right", "right", "right", "right", "left"),
        ),
    ]
    if trace:
        blocks.append(
            Paragraph(
                f"Per-layer trace on {trace['n_maps']:,} maps (C simulation against QKeras): bit-exact layers "
                f"{', '.join(trace['exact_layers']) or 'none'}; first layer beyond one LSB: "
                f"{trace['first_departure'] or 'none'}."
            )
        )
    outside = rec.summary.get("values_outside_types") or {}
    if outside:
        blocks.append(
            Paragraph(
                "Values outside their layer's type (QKeras, saturated or wrapped in hardware): "
                + ", ".join(f"{k} {units.count(n)}" for k, n in outside.items())
            )
        )
    blocks.append(Paragraph("Full report: verify/verification.md (one report per run, this run's thresholds)."))
    return Section("verification", "Verification: QKeras ↔ C simulation ↔ emulator ↔ board", tuple(blocks))


def _chain_row(name: str, c: dict[str, Any], note: str) -> tuple[str, ...]:
    return (
        name,
        units.count(c["n"]),
        units.percent(c["agreement"], 2),
        units.percent(c["bit_exact_fraction"], 2) if c.get("bit_exact_fraction") is not None else "—",
        units.number(c["max_abs_diff"]),
        note,
    )
