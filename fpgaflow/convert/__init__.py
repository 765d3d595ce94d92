"""hls4ml conversion: typed config → typed plans (precision, reuse, FIFOs) → hls4ml project.

hls4ml and TensorFlow are imported lazily, inside the functions that need them.
"""

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.errors import InvalidReuseFactorError, PrecisionRangeError, UnconvertibleLayerError
from fpgaflow.convert.precision import input_type_for_adc

__all__ = [
    "ConvertConfig",
    "InvalidReuseFactorError",
    "LayerOverride",
    "PrecisionRangeError",
    "UnconvertibleLayerError",
    "input_type_for_adc",
]
