"""Repair two hls4ml 1.3 slips in its ``Conv2DBatchnorm`` layer (a QKeras ``QConv2DBatchnorm``) before writing.

Applied by :func:`fpgaflow.convert.hls.convert` and whenever a project is rebuilt from its config
(:func:`fpgaflow.convert.project.load_hls_project`), so the graph the emulator and the estimator read is the one
written to the project.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Backends whose Conv2DBatchnorm transposes a Resource-strategy kernel itself (hls4ml 1.3 ``model/layers.py``,
#: ``Conv2DBatchnorm.initialize``), before ``ApplyResourceStrategy`` transposes it again.
_PRE_TRANSPOSING_BACKENDS = ("Vivado", "VivadoAccelerator", "Catapult")


def repair_conv_batchnorm(hls_model: Any) -> list[str]:
    """Two hls4ml 1.3 slips in its ``Conv2DBatchnorm`` layer (QConv2DBatchnorm), repaired before writing:

    * without a bias quantizer the folded bias is kept beside the unfolded Keras bias (``data_unquantized``
      vs ``data``) and the unfolded one would be written: the folded one is written instead, as QKeras computes;
    * under the Resource strategy on the Vivado and VivadoAccelerator backends the layer transposes its kernel to
      (F, H, W, C) itself and hls4ml's ``ApplyResourceStrategy`` transposes it once more, to (C, F, H, W): it is
      put back to (F, H, W, C), the order ``dense_resource`` reads.  On the Vitis backend the layer leaves its
      kernel as Keras has it and the pass transposes it once: nothing to repair.

    Returns what was repaired, one line per fix."""
    fixed = []
    pre_transposed = str(hls_model.config.backend.name) in _PRE_TRANSPOSING_BACKENDS
    for layer in hls_model.get_layers():
        if layer.class_name != "Conv2DBatchnorm":
            continue
        if layer.get_attr("bias_quantizer") is None:
            bias = layer.weights["bias"]
            bias.data = np.asarray(bias.data_unquantized, dtype=np.float64)
            fixed.append(
                f"{layer.name}: folded bias written (hls4ml 1.3 keeps the unfolded one without a bias quantizer)"
            )
        weight = layer.weights["weight"]
        resource = str(layer.get_attr("strategy", "")).lower() == "resource"
        if pre_transposed and resource and layer.get_attr("_weights_transposed"):
            weight.data = np.transpose(weight.data, (1, 2, 3, 0))
            fixed.append(f"{layer.name}: Resource-strategy kernel transposed once, not twice (hls4ml 1.3)")
    return fixed
