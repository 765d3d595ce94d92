"""Split an activation fused into a Dense/Conv layer (``Conv2D(..., activation="relu")``) into its own layer.

The layer keeps its name with ``activation="linear"``; the activation follows it as ``<layer>_<activation>``
(``Activation`` for a Keras function, ``QActivation`` for a QKeras quantizer, named by the quantizer's class):
the names hls4ml 1.3 gives the activation layers it splits off, so the planned precision of each reaches the
right hls4ml layer.  The outputs are unchanged: the fused layer applies the same function to the same sums.

A Keras ``Softmax()`` layer over the last axis becomes ``Activation("softmax")`` of the same name: hls4ml 1.3
declares the config struct of a ``Softmax`` layer class under another name than the one its call uses, and such
a project does not compile.
"""

from __future__ import annotations

from typing import Any

from fpgaflow.convert.inference_graph import LayerRecipe


def _activation_recipe(owner: str, activation: Any) -> LayerRecipe:
    import tensorflow as tf

    if isinstance(activation, dict) or (isinstance(activation, str) and activation.startswith("quantized_")):
        from qkeras import QActivation
        from qkeras.quantizers import get_quantizer

        quantizer = get_quantizer(activation)
        name = f"{owner}_{type(quantizer).__name__}"
        return LayerRecipe(QActivation, QActivation(quantizer, name=name).get_config(), [])
    name = f"{owner}_{activation}"
    return LayerRecipe(tf.keras.layers.Activation, {"name": name, "activation": activation}, [])


def split_activations(recipes: list[LayerRecipe]) -> list[LayerRecipe]:
    """``recipes`` with every fused non-linear activation moved into its own layer."""
    import tensorflow as tf

    out: list[LayerRecipe] = []
    for r in recipes:
        if r.class_name == "Softmax" and r.config.get("axis", -1) in (-1, [-1]):
            out.append(LayerRecipe(tf.keras.layers.Activation, {"name": r.name, "activation": "softmax"}, []))
            continue
        activation = r.config.get("activation", "linear")
        if r.class_name in ("Activation", "QActivation") or activation in ("linear", None):
            out.append(r)
            continue
        out.append(LayerRecipe(r.cls, {**r.config, "activation": "linear"}, r.weights))
        out.append(_activation_recipe(r.name, activation))
    return out
