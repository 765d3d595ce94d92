"""hls4ml conversion: typed config → typed plans (precision, reuse, FIFOs) → hls4ml project.

hls4ml and TensorFlow are imported lazily, inside the functions that need them.
"""

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.convert_saved_model import ConvertedProject, convert_saved_model
from fpgaflow.convert.errors import InvalidReuseFactorError, PrecisionRangeError, UnconvertibleLayerError
from fpgaflow.convert.precision import input_type_for_adc

__all__ = [
    "ConvertConfig",
    "ConvertedProject",
    "InvalidReuseFactorError",
    "LayerOverride",
    "PrecisionRangeError",
    "UnconvertibleLayerError",
    "convert_saved_model",
    "input_type_for_adc",
]
