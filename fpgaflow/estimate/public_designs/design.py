"""One public hls4ml design with real reports: its model facts and where its reports are.

A :class:`PublicDesign` is rebuilt as a Keras model from its ``MODEL.md`` facts (architecture, weights from
``weights/<name>.npz``, per-layer precisions, reuse factors, strategy, I/O type) and converted by hls4ml 1.3
into the graph the estimator reads (:mod:`fpgaflow.estimate.public_designs.build`).  Report paths are relative
to the calibration folder (:func:`fpgaflow.estimate.calibration.find_calibration_root`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

#: The weight arrays of a design, keyed ``layer/kind`` (``kernel``, ``bias``, ``scale``, ...).
Weights = Mapping[str, npt.NDArray[np.float32]]


@dataclass(frozen=True)
class LayerSettings:
    """hls4ml per-layer settings that differ from the model defaults.

    ``precision``: hls4ml precision entries (``result``, ``accum``, ``weight``, ``bias``, ``scale``, ``table``,
    ``exp_table``, ``inv_table``) as ``fixed<W,I>`` strings; ``reuse``/``strategy``: the layer's reuse factor
    and strategy; ``extra``: other hls4ml layer keys (``TableSize``, ``Implementation``).
    """

    precision: Mapping[str, str] = field(default_factory=dict)
    reuse: int | None = None
    strategy: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reports:
    """Report files of one design (relative to the calibration folder); ``None`` where there is none.

    ``hls``: the Vivado/Vitis HLS C-synthesis report of the network core; ``synth``: Vivado's
    post-synthesis utilisation of the core; ``impl``: post-implementation utilisation (core or whole block
    design, as ``impl_scope`` says).
    """

    hls: str
    synth: str | None = None
    impl: str | None = None
    impl_scope: str = "core"


@dataclass(frozen=True)
class PublicDesign:
    """A public design rebuilt from its facts.  ``build(weights)`` returns the Keras model (layer names as in
    the original project); ``precision``/``reuse``/``strategy`` are the hls4ml model-level defaults (every
    ``auto`` type of hls4ml 1.3 is set to ``precision``, as the hls4ml versions that built these designs did);
    ``tool``: the HLS tool and version of the reports; ``notes``: what differs from the original flow."""

    name: str
    build: Callable[[Weights], Any]
    reports: Reports
    io_type: str
    part: str
    clock_ns: float
    precision: str = "fixed<16,6>"
    reuse: int = 1
    strategy: str = "Latency"
    layers: Mapping[str, LayerSettings] = field(default_factory=dict)
    tool: str = "Vivado HLS 2020.1"
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``network`` for every design here: whole networks, not single-layer baselines."""
        return "network"


def pick(weights: Weights, layer: str, kind: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    """The ``layer/kind`` array reshaped (row-major) to the Keras shape ``shape``."""
    data = np.asarray(weights[f"{layer}/{kind}"], dtype=np.float32)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{layer}/{kind}: {data.size} values, Keras shape {shape} needs {int(np.prod(shape))}")
    return data.reshape(shape)
