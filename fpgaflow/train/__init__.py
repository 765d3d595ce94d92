"""Models and training. TensorFlow/QKeras are imported lazily inside functions."""

from fpgaflow.train.config import ModelConfig, TrainConfig

__all__ = ["ModelConfig", "TrainConfig"]
