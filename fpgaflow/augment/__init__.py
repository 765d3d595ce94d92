"""Hit-map-valid augmentation (numpy, batched, seeded) and training strategies — never applied to
validation or test data.

Training calls :func:`build_strategy` and either iterates ``strategy.epoch_batches(...)`` or wraps it in
:class:`fpgaflow.augment.keras_adapter.StrategySequence` for ``model.fit``.  :func:`build_pipeline`
returns the transform composition alone (kept for callers that augment batches themselves).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.augment.base import BatchTransform, Compose
from fpgaflow.augment.config import AugmentConfig, TransformSpec
from fpgaflow.augment.flip import HorizontalFlip, VerticalFlip, flip_maps
from fpgaflow.augment.imbalance import balanced_indices, class_weights
from fpgaflow.augment.policies import RandAugment, SubPolicyAugment, TrivialAugment, load_policy
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS, TRANSFORMS, make_transform
from fpgaflow.augment.strategies import STRATEGIES, BatchPlan, Strategy
from fpgaflow.config.strict import to_mapping
from fpgaflow.data.hitmaps import TargetArray


def _transforms(cfg: AugmentConfig) -> list[BatchTransform]:
    out: list[BatchTransform] = []
    if cfg.horizontal_flip > 0:
        out.append(HorizontalFlip(cfg.horizontal_flip))
    if cfg.vertical_flip > 0:
        out.append(VerticalFlip(cfg.vertical_flip))
    ops = cfg.policy_ops or DEFAULT_POLICY_OPS
    if cfg.policy == "list":
        out.extend(make_transform(t.op, t.magnitude, t.p) for t in cfg.transforms)
    elif cfg.policy == "randaugment":
        out.append(RandAugment(cfg.randaugment_n, cfg.randaugment_m, ops))
    elif cfg.policy == "trivialaugment":
        out.append(TrivialAugment(ops))
    else:
        out.append(load_policy(Path(cfg.policy_file)))
    return out


def build_pipeline(cfg: AugmentConfig) -> Compose | None:
    """The transform composition a config asks for, or ``None`` for ``strategy: none``."""
    if cfg.strategy == "none":
        return None
    return Compose(_transforms(cfg), seed=cfg.seed)


def build_strategy(cfg: AugmentConfig) -> Strategy:
    """The training strategy a config asks for (its augmenter is :func:`build_pipeline`'s composition)."""
    cls = STRATEGIES[cfg.strategy]
    pipeline = build_pipeline(cfg)
    if cfg.strategy == "mixing_systematic":
        return cls(pipeline, cfg.seed, cfg.balance_threshold, shards=cfg.shards)  # type: ignore[call-arg]
    if cfg.strategy in ("mixing_random_full", "mixing_random_in_batch"):
        return cls(pipeline, cfg.seed, cfg.balance_threshold, fraction=cfg.fraction)  # type: ignore[call-arg]
    return cls(pipeline, cfg.seed, cfg.balance_threshold)


def build_class_weights(cfg: AugmentConfig, labels: TargetArray) -> dict[int, float] | None:
    """Keras ``class_weight`` for the training labels, or ``None`` when ``class_weighting: none``."""
    if cfg.class_weighting == "none":
        return None
    return class_weights(labels, cfg.class_weighting, cfg.ens_beta)


def augment_provenance(cfg: AugmentConfig) -> dict[str, Any]:
    """What a model's provenance card records about its training data augmentation (config, seed, ops)."""
    pipeline = build_pipeline(cfg)
    return {
        "config": to_mapping(cfg),
        "strategy": cfg.strategy,
        "seed": cfg.seed,
        "pipeline": repr(pipeline) if pipeline is not None else None,
        "evaluation_data_augmented": False,
    }


__all__ = [
    "STRATEGIES",
    "TRANSFORMS",
    "AugmentConfig",
    "BatchPlan",
    "BatchTransform",
    "Compose",
    "HorizontalFlip",
    "RandAugment",
    "Strategy",
    "SubPolicyAugment",
    "TransformSpec",
    "TrivialAugment",
    "VerticalFlip",
    "augment_provenance",
    "balanced_indices",
    "build_class_weights",
    "build_pipeline",
    "build_strategy",
    "class_weights",
    "flip_maps",
    "load_policy",
    "make_transform",
]
