"""Compression: pruning (tensorflow-model-optimization) and quantisation (QKeras). TF is imported lazily."""

from fpgaflow.compress.config import ActivationQuantizerSpec, PruneConfig, QuantizerSpec

__all__ = ["ActivationQuantizerSpec", "PruneConfig", "QuantizerSpec"]
