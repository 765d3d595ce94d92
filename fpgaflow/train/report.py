"""After training: evaluate on held-out sets, draw the curves, write the provenance card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.metrics.roc import ClassifierMetrics, evaluate
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.train.plots import plot_history, plot_roc
from fpgaflow.train.provenance import ModelCard
from fpgaflow.train.trainer import TrainResult, predict_scores


def write_training_report(
    directory: Path,
    result: TrainResult,
    eval_sets: dict[str, HitMapSet],
    data_info: dict[str, Any],
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    prune_cfg: PruneConfig,
    augment_cfg: AugmentConfig,
    model_file: str = "model.h5",
) -> dict[str, Any]:
    """Write ``history.png``, ``roc_<set>.png``, ``model_card.{json,md}`` into ``directory``.

    Returns the metrics per evaluation set as JSON-safe dicts (``val``/``test`` are never augmented).
    """
    metrics: dict[str, ClassifierMetrics] = {}
    for name, data in eval_sets.items():
        scores = predict_scores(result.model, data.maps, model_cfg.input_scale)
        metrics[name] = evaluate(data.labels, scores)
        if metrics[name].n_signal and metrics[name].n_background:
            plot_roc(data.labels, scores, directory / f"roc_{name}.png", title=f"ROC ({name})")
    if result.history:
        plot_history(result.history, directory / "history.png")
    notes = [f"resumed from a checkpoint after epoch {result.resumed_from}"] if result.resumed_from else []
    card = ModelCard(
        model_file=model_file,
        data=data_info,
        augment=augment_cfg,
        model=model_cfg,
        train=train_cfg,
        prune=prune_cfg,
        metrics=metrics,
        n_parameters=int(result.model.count_params()),
        sparsity=result.sparsity,
        layer_sparsity=result.layer_sparsity,
        history=result.history,
        notes=notes,
    )
    card.write(directory)
    return {name: m.to_dict() for name, m in metrics.items()}
