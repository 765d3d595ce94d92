"""Repair two hls4ml 1.3 slips in its ``Conv2DBatchnorm`` layer (a QKeras ``QConv2DBatchnorm``) before writing.

Applied by :func:`fpgaflow.convert.hls.convert` and whenever a project is rebuilt from its config
(:func:`fpgaflow.convert.project.load_hls_project`), so the graph the emulator and the estimator read is the one
written to the project.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def repair_conv_batchnorm(hls_model: Any) -> list[str]:
    """Two hls4ml 1.3 slips in its ``Conv2DBatchnorm`` layer (QConv2DBatchnorm), repaired before writing:

    * without a bias quantizer the folded bias is kept beside the unfolded Keras bias (``data_unquantized``
      vs ``data``) and the unfolded one would be written: the folded one is written instead, as QKeras computes;
    * under the Resource strategy the layer transposes its kernel to (F, H, W, C) itself and hls4ml's
      ``ApplyResourceStrategy`` transposes it once more, to (C, F, H, W): it is put back to (F, H, W, C), the
      order ``dense_resource`` reads.

    Returns what was repaired, one line per fix."""
    fixed = []
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
        if str(layer.get_attr("strategy", "")).lower() == "resource" and layer.get_attr("_weights_transposed"):
            weight.data = np.transpose(weight.data, (1, 2, 3, 0))
            fixed.append(f"{layer.name}: Resource-strategy kernel transposed once, not twice (hls4ml 1.3)")
    return fixed
