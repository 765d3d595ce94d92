"""Trained models on disk: the one saver, the one loader, and the input scale stored with the model.

A layer below ``train`` and ``convert``: training saves through it, and convert, estimate, emulate, fit,
verify and the pipeline load through it, so no lower stage imports :mod:`fpgaflow.train`.

* :func:`save_model` writes an ``.h5`` file (QKeras' ``QActivation`` does not round-trip through ``.keras``)
  and stores the input scale (ADC counts → network input) as the HDF5 root attribute
  ``fpgaflow_input_scale``: the scale travels inside the model file.
* :func:`load_model` reads the model's JSON config with h5py first and refuses ``Lambda`` layers (their
  Python bytecode would run while the model is rebuilt) before Keras deserialises anything.
* :func:`input_scale_for` is the rule every stage applies: the stored scale wins; a command-line override
  that disagrees is refused; a model without the attribute (saved before fpgaflow stored it, or by another
  tool) takes the override, else :data:`DEFAULT_INPUT_SCALE` (1/256) with a logged warning.

The scaling itself is :func:`fpgaflow_board.scaling.scale_inputs` (float32), shared with the board driver.
"""

from fpgaflow.modelio.input_scale import (
    DEFAULT_INPUT_SCALE,
    INPUT_SCALE_ATTR,
    OVERRIDE_HELP,
    input_scale_for,
    stored_input_scale,
)
from fpgaflow.modelio.load import custom_objects, load_model, read_model_config
from fpgaflow.modelio.save import save_model

__all__ = [
    "DEFAULT_INPUT_SCALE",
    "INPUT_SCALE_ATTR",
    "OVERRIDE_HELP",
    "custom_objects",
    "input_scale_for",
    "load_model",
    "read_model_config",
    "save_model",
    "stored_input_scale",
]
