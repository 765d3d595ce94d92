"""Fit a saved model to a board and write the chosen design and the search table (what ``fpgaflow fit`` does)."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.convert.config import ConvertConfig
from fpgaflow.fit.config import FitConfig
from fpgaflow.fit.errors import FitError
from fpgaflow.outdir import staged_output_dir

log = logging.getLogger(__name__)

#: Calibration maps profiled to size result types.
CALIBRATION_MAPS = 2000


@dataclass(frozen=True)
class FitOutcome:
    """The search ``result``, the C-sim ``confirmation`` of the chosen design (``None`` if skipped) and the
    files written to ``out``: ``paths`` (configs and tables), ``plot``, ``project``, ``pruned_model`` and
    ``accuracy_plot`` (accuracy vs LUT with the baselines; ``None`` without baselines or accuracy)."""

    result: Any
    confirmation: Any
    out: Path
    paths: dict[str, Path]
    plot: Path
    pruned_model: Path | None
    accuracy_plot: Path | None = None

    def lines(self) -> list[str]:
        """What the command prints: the chosen point, what it traded, how many fit, the C-sim check, the files."""
        from fpgaflow.fit.search import configured_sentence, tradeoff

        result, c = self.result, self.result.chosen
        acc = "not scored" if c.accuracy is None else f"accuracy {100 * c.accuracy:.2f} % ({result.n_maps} maps)"
        from fpgaflow.fit.report import interval

        util = ", ".join(f"{r} {interval(c, r)}" for r in ("lut", "ff", "dsp", "bram18"))
        n_fit = sum(p.fits for p in result.points)
        n_maybe = sum(p.verdict == "fits only if the estimate is high" for p in result.points)
        lines = [
            f"chosen: {c.label}: {acc}; {c.verdict}; estimate {util}; {c.maps_per_s:.0f} maps/s (modelled)",
            f"traded: {tradeoff(result).sentence(c)}",
            f"configured: {configured_sentence(result)}",
            f"{n_fit}/{len(result.points)} points fit the {100 * result.config.budget:.0f} % budget over the whole "
            f"range of the estimate, {n_maybe} only if the estimate is high (resources are estimates, not synthesis)",
        ]
        if self.confirmation is not None:
            k = self.confirmation
            lines.append(f"C-sim check: {k.n_identical}/{k.n_maps} maps bit-identical to the emulator")
        lines += [
            f"config: {self.paths['run_section']} (convert: section), {self.paths['convert_config']}",
            f"table: {self.paths['markdown']}, {self.paths['json']}",
            f"plot: {self.plot}",
            *([f"accuracy vs LUT with the baselines: {self.accuracy_plot}"] if self.accuracy_plot else []),
            f"project: {self.out / 'project'}",
        ]
        if self.pruned_model is not None:
            lines.append(f"pruned model (the chosen design's weights): {self.pruned_model}")
        return lines


def fit_saved_model(
    model_path: Path,
    cfg: FitConfig,
    out: Path,
    maps: Path | None = None,
    calibration: Path | None = None,
    train: Path | None = None,
    input_scale: float | None = None,
    baselines: Path | None = None,
    configured: ConvertConfig | None = None,
    configured_absent: str = "",
) -> FitOutcome:
    """Search ``cfg``'s space for the model in ``model_path`` (.h5) and write the chosen configuration
    (``fit.yaml``: a ``convert:`` section; ``convert.yaml``), the table of every point, the Pareto plot and
    the chosen hls4ml project into ``out`` (staged, see :mod:`fpgaflow.outdir`).

    ``maps``: labelled hit maps (.npz, ADC counts) scoring accuracy (``None``: resources only, the fastest
    design in budget); ``calibration``: maps profiled to size result types; ``train``: training maps for
    ``cfg.prune_levels``; ``input_scale``: ADC → network input, only for a model that does not store it (a
    different value is refused: :func:`fpgaflow.modelio.input_scale_for`); ``baselines``: a run's
    ``model_vs_baselines.json``: with accuracy scored, the baselines and the truth ceiling go into ``fit.json``/
    ``fit.md`` and ``fit_accuracy_lut.png`` draws the points against them; ``configured``: the run's ``convert:``
    section, scored as the point ``configured`` (``configured_absent``: why there is none, said in ``fit.md`` and
    the output).  When nothing fits, ``fit.json`` still lists every point and :class:`FitError` is raised.
    """
    from fpgaflow.convert.hls import split_output_activation
    from fpgaflow.data import load_file
    from fpgaflow.errors import StepError
    from fpgaflow.fit.confirm import confirm_with_csim
    from fpgaflow.fit.pareto import plot_accuracy_lut, plot_pareto
    from fpgaflow.fit.read_baselines import read_baselines
    from fpgaflow.fit.report import ACCURACY_PLOT_NAME, JSON_NAME, PLOT_NAME, write_fit_report
    from fpgaflow.fit.search import chosen_model, convert_chosen, fit_model
    from fpgaflow.modelio import input_scale_for, load_model, save_model
    from fpgaflow.modelio.input_layout import model_inputs
    from fpgaflow_board.atomic import write_text

    if not model_path.is_file():
        raise StepError(f"{model_path}: model file not found (expected an .h5 or a run directory with a model)")
    scale = input_scale_for(model_path, input_scale)
    model = load_model(model_path)
    shape = tuple(model.input_shape[1:])  # maps go in the model's layout (space-to-depth, issue 20)
    x = labels = x_cal = None
    if maps is not None:
        test = load_file(maps)
        x, labels = model_inputs(test.maps[: cfg.accuracy_maps], scale, shape), test.labels[: cfg.accuracy_maps]
    if calibration is not None:  # as many as the run's convert step profiled, for the configured point
        n_cal = max(CALIBRATION_MAPS, configured.calibration_maps if configured is not None else 0)
        x_cal = model_inputs(load_file(calibration).maps[:n_cal], scale, shape)
    lines = read_baselines(baselines) if baselines is not None and maps is not None else []
    train_set = None
    if cfg.prune_levels and train is not None:
        loaded = load_file(train)
        train_set = (model_inputs(loaded.maps, scale, shape), loaded.labels)
    failure: FitError | None = None
    with staged_output_dir(out, "fit") as staging:
        work = staging / ".work"
        try:
            try:
                result = fit_model(
                    model, cfg, work, x, labels, x_cal, train_set, input_scale=scale, configured=configured
                )
                result.configured_absent = result.configured_absent or configured_absent
            except FitError as exc:
                if not exc.points:
                    raise
                table = [p.to_dict() for p in exc.points]
                write_text(staging / JSON_NAME, json.dumps({"error": str(exc), "points": table}, indent=2) + "\n")
                log.warning("every evaluated point is listed in %s", out / JSON_NAME)
                failure = exc
            else:
                conversion = convert_chosen(model, result, staging / "project")
                confirmation = None
                if x is not None and cfg.csim_maps > 0:
                    logit, _ = split_output_activation(chosen_model(result))
                    confirmation = confirm_with_csim(
                        logit, conversion, result.chosen.candidate, x[: cfg.csim_maps], work / "twin"
                    )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if failure is None:
            extra: dict[str, object] = {"model": str(model_path), "maps": str(maps) if maps else None}
            pruned = None
            if result.chosen.candidate.sparsity:
                save_model(chosen_model(result), staging / "model_pruned.h5", scale)
                pruned = out / "model_pruned.h5"
                extra["pruned_model"] = str(pruned)
            accuracy_plot = None
            if lines and result.chosen.accuracy is not None:
                extra["baselines"] = [b.to_dict() for b in lines]
                accuracy_plot = out / plot_accuracy_lut(result, lines, staging / ACCURACY_PLOT_NAME).relative_to(
                    staging
                )
            written = write_fit_report(result, staging, confirmation, extra)
            plot = plot_pareto(result, staging / PLOT_NAME)
    if failure is not None:
        raise failure
    paths = {k: out / p.relative_to(staging) for k, p in written.items()}
    return FitOutcome(result, confirmation, out, paths, out / Path(plot).relative_to(staging), pruned, accuracy_plot)
