"""Rewrite a trained (Q)Keras chain into the inference graph that is converted layer for layer.

Three rewrites, each its own module, run in this order on the layer chain:

1. :mod:`~fpgaflow.convert.remove_dropout`: Dropout and its relatives are the identity at inference;
2. :mod:`~fpgaflow.convert.split_activations`: an activation fused into a Dense/Conv layer becomes its own
   layer ``<layer>_<activation>``, the name hls4ml gives it, so its precision is planned like any other (and a
   ``Softmax()`` layer an ``Activation("softmax")``, which hls4ml 1.3 compiles);
3. :mod:`~fpgaflow.convert.fold_batchnorm`: a BatchNormalization right after a Dense/Conv without kernel/bias
   quantizers is folded into its weights, exactly where hls4ml 1.3's ``FuseBatchNormalization`` folds it.

The rebuilt model holds new layer objects (same names, classes, configs and weights); the input model is not
touched.  A model none of the rewrites changes is returned as is (so rewriting twice is free), and so is a model
that is not a chain (conversion then refuses it, naming the branching layer).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LayerRecipe:
    """A layer to rebuild: its Keras class, ``get_config()`` and weights (set once the layer is built)."""

    cls: type
    config: dict[str, Any]
    weights: list[np.ndarray]

    @classmethod
    def of(cls, layer: Any) -> LayerRecipe:
        return cls(type(layer), layer.get_config(), [np.asarray(w) for w in layer.get_weights()])

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def class_name(self) -> str:
        return self.cls.__name__


def layer_chain(model: Any) -> list[Any] | None:
    """The model's layers after its input if they form one chain (each reads the one before), else ``None``.

    Read from the model's own graph (its config's inbound nodes), not from each layer's first call: a model
    rebuilt around the same layer objects (tfmot's ``strip_pruning``, ``clone_model`` with shared layers) is a
    chain even though its layers were first called on another model's tensors."""
    layers = list(model.layers)
    if not layers or type(layers[0]).__name__ != "InputLayer" or len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    try:
        graph = model.get_config()
    except NotImplementedError:  # a subclassed model: no graph to read
        return None
    nodes = {entry["name"]: entry.get("inbound_nodes", []) for entry in graph.get("layers", [])}
    for prev, layer in itertools.pairwise(layers):
        inbound = nodes.get(layer.name)
        if not inbound or len(inbound) != 1 or len(inbound[0]) != 1 or inbound[0][0][0] != prev.name:
            return None
    if [list(o)[:1] for o in graph.get("output_layers", [])] != [[layers[-1].name]]:
        return None
    return layers[1:]


def rebuild(model: Any, recipes: list[LayerRecipe], input_shape: tuple[int, ...] | None = None) -> Any:
    """A new functional model: ``model``'s input (of ``input_shape`` where given), then ``recipes`` in order."""
    import tensorflow as tf

    from fpgaflow.modelio import custom_objects

    first = model.layers[0]
    shape = tuple(first.output.shape[1:]) if input_shape is None else input_shape
    inp = tf.keras.Input(shape=shape, name=first.name, dtype=first.dtype)
    x = inp
    built = []
    with tf.keras.utils.custom_object_scope(custom_objects()):
        for recipe in recipes:
            layer = recipe.cls.from_config(dict(recipe.config))  # type: ignore[attr-defined]
            x = layer(x)
            built.append((layer, recipe.weights))
    for layer, weights in built:
        layer.set_weights(weights)
    return tf.keras.Model(inp, x, name=model.name)


def _rewrite(chain: list[Any]) -> tuple[list[LayerRecipe], tuple[str, ...]]:
    """(the rewritten recipes of ``chain``, registry keys of the rewrites that changed something)."""
    from fpgaflow.convert.fold_batchnorm import fold_batchnorm
    from fpgaflow.convert.remove_dropout import remove_dropout
    from fpgaflow.convert.split_activations import split_activations

    r0 = [LayerRecipe.of(layer) for layer in chain]
    r1 = remove_dropout(r0)
    r2 = split_activations(r1)
    r3 = fold_batchnorm(r2)
    found = (len(r1) < len(r0), len(r2) > len(r1) or any(r.class_name == "Softmax" for r in r1), len(r3) < len(r2))
    keys = ("Dropout", "fused_activation", "BatchNormalization.folded")
    return r3, tuple(k for k, hit in zip(keys, found, strict=True) if hit)


def to_inference_graph(model: Any) -> Any:
    """``model`` with dropout removed, fused activations split and batch-norm folded where hls4ml folds it (see
    the module docstring); the same object when nothing changes or the model is not a chain."""
    chain = layer_chain(model)
    if chain is None:
        return model
    rewritten, applied = _rewrite(chain)
    if not applied:
        return model
    return rebuild(model, rewritten)


def rewrite_rules(model: Any) -> tuple[str, ...]:
    """The :mod:`~fpgaflow.convert.registry` rows the rewrites apply to ``model`` (``Dropout``,
    ``fused_activation``, ``BatchNormalization.folded``)."""
    chain = layer_chain(model)
    return () if chain is None else _rewrite(chain)[1]
