"""The provenance card written next to every trained model (``model_card.json`` + ``model_card.md``).

The study's lesson: a model's numbers mean nothing unless its user knows what data it saw.  The card
records the data set (config and seed, or file), the augmentation strategy and its seed, the pruning and
quantisation settings, the training settings, the achieved sparsity, the metrics, and the versions.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpgaflow import __version__
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import to_mapping
from fpgaflow.metrics.roc import ClassifierMetrics
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow_board import atomic

CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"fpgaflow": __version__, "python": platform.python_version()}
    for dist in ("tensorflow-cpu", "tensorflow", "qkeras", "tensorflow-model-optimization", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def quantisation_summary(model_cfg: ModelConfig) -> dict[str, Any]:
    """The QAT settings with the hardware types they correspond to."""
    if model_cfg.name != "qcnn" or not model_cfg.quantized:
        return {"quantized": False, "note": "float model (no QAT)"}
    w, a = model_cfg.weights, model_cfg.activations
    return {
        "quantized": True,
        "weights": f"quantized_bits({w.bits},{w.integer},alpha=1) = ap_fixed<{w.bits},{w.integer + 1}>",
        "activations": f"quantized_relu({a.bits},{a.integer}) = ap_ufixed<{a.bits},{a.integer}>",
        "batch_norm": "QConv2DBatchnorm (folded into conv)" if model_cfg.batch_norm else "none",
    }


def _flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@dataclass
class ModelCard:
    """Everything a user of the model must know about how it was made."""

    model_file: str
    data: dict[str, Any]
    augment: AugmentConfig
    model: ModelConfig
    train: TrainConfig
    prune: PruneConfig
    metrics: dict[str, ClassifierMetrics]
    n_parameters: int
    sparsity: float
    layer_sparsity: dict[str, float]
    history: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_file": self.model_file,
            "data": self.data,
            "augmentation": to_mapping(self.augment),
            "model": to_mapping(self.model),
            "training": to_mapping(self.train),
            "pruning": to_mapping(self.prune),
            "quantisation": quantisation_summary(self.model),
            "n_parameters": self.n_parameters,
            "sparsity": {"total": self.sparsity, "per_layer": self.layer_sparsity},
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "epochs_run": len(self.history.get("loss", [])),
            "final_epoch": {k: v[-1] for k, v in self.history.items() if v},
            "versions": _versions(),
            "notes": self.notes,
        }

    def to_markdown(self) -> str:
        a, p = self.augment, self.prune
        lines = [
            f"# Model card: `{self.model_file}`",
            "",
            f"- **Model**: `{self.model.name}`, {self.n_parameters:,} parameters",
            f"- **Data**: {', '.join(f'{k}={v}' for k, v in _flatten(self.data).items())}",
            f"- **Augmentation** (training data only): strategy `{a.strategy}`, seed {a.seed}, policy `{a.policy}`, "
            f"flips h={a.horizontal_flip} v={a.vertical_flip}, class weighting `{a.class_weighting}`, "
            f"balance threshold {a.balance_threshold}",
            f"- **Pruning**: {'on' if p.enabled and p.target_sparsity > 0 else 'off'}, target {p.target_sparsity}, "
            f"layers {list(p.layers) or 'all conv/dense'}; achieved {self.sparsity:.3f}",
            f"- **Quantisation**: {', '.join(f'{k}: {v}' for k, v in quantisation_summary(self.model).items())}",
            f"- **Training**: {self.train.epochs} epochs max ({len(self.history.get('loss', []))} run), batch "
            f"{self.train.batch_size}, lr {self.train.learning_rate} ({self.train.lr_schedule}), "
            f"seed {self.train.seed}",
            "",
            "| set | accuracy | ROC AUC | " + " | ".join(f"1/FPR @ {e:.0%} sig." for e in self._effs()) + " |",
            "|---|---|---|" + "---|" * len(self._effs()),
        ]
        for name, m in self.metrics.items():
            rej = " | ".join(m.rejection_text(e) if e in m.rejection else "-" for e in self._effs())
            lines.append(f"| {name} | {m.accuracy:.4f} | {m.roc_auc:.4f} | {rej} |")
        lines += ["", "Per-layer sparsity: " + ", ".join(f"{k} {v:.3f}" for k, v in self.layer_sparsity.items())]
        lines += [f"- {n}" for n in self.notes]
        lines.append(f"\nfpgaflow {__version__}")
        return "\n".join(lines) + "\n"

    def _effs(self) -> list[float]:
        return sorted({e for m in self.metrics.values() for e in m.rejection})

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write both files atomically into ``directory``."""
        return (
            atomic.write_json(directory / CARD_JSON, self.to_dict(), allow_nan=False),
            atomic.write_text(directory / CARD_MD, self.to_markdown()),
        )
