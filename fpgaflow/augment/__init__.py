"""Hit-map-valid augmentation (numpy, batched, seeded) — never applied to validation or test data."""

from fpgaflow.augment.base import BatchTransform, Compose
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.augment.flip import HorizontalFlip, VerticalFlip, flip_maps


def build_pipeline(cfg: AugmentConfig) -> Compose | None:
    """The transform composition a config asks for, or ``None`` for ``strategy: none``."""
    if cfg.strategy == "none":
        return None
    return Compose([HorizontalFlip(cfg.horizontal_flip), VerticalFlip(cfg.vertical_flip)], seed=cfg.seed)


__all__ = [
    "AugmentConfig",
    "BatchTransform",
    "Compose",
    "HorizontalFlip",
    "VerticalFlip",
    "build_pipeline",
    "flip_maps",
]
