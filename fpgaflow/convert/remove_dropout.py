"""Remove the layers that are the identity at inference (Dropout and its relatives) from a layer chain.

hls4ml 1.3 skips ``Dropout`` itself but refuses ``SpatialDropout1D/2D/3D`` and the noise layers; all of them
pass their input through unchanged when not training, so removing them changes no output.
"""

from __future__ import annotations

from fpgaflow.convert.inference_graph import LayerRecipe

#: Keras layers that return their input unchanged at inference
INFERENCE_IDENTITY = (
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
)


def remove_dropout(recipes: list[LayerRecipe]) -> list[LayerRecipe]:
    """``recipes`` without the inference-identity layers."""
    return [r for r in recipes if r.class_name not in INFERENCE_IDENTITY]
