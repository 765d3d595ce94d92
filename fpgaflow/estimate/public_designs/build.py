"""Convert a :class:`PublicDesign` with hls4ml 1.3 and describe the graph for the estimator.

The conversion writes no project (hls4ml's graph only); a design takes well under a second once TensorFlow
is imported.  :func:`describe_public_designs` caches the descriptions in ``designs.json`` beside this module
so that the calibration and its tests run without TensorFlow; ``bench/calibrate_estimator.py --rebuild``
regenerates the cache and a slow test checks that it matches a fresh conversion.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import from_mapping, to_mapping
from fpgaflow.errors import DataError, require
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.estimate.public_designs.design import PublicDesign
from fpgaflow.estimate.spec import DesignSpec

WEIGHTS_DIR = Path(__file__).with_name("weights")
CACHE_PATH = Path(__file__).with_name("designs.json")


def load_weights(name: str) -> dict[str, npt.NDArray[np.float32]]:
    """The committed weight arrays of design ``name`` (empty when the design has none)."""
    path = WEIGHTS_DIR / f"{name}.npz"
    if not path.is_file():
        return {}
    with np.load(path) as data:
        return {k: np.asarray(data[k]) for k in data.files}


def hls_config(design: PublicDesign, model: Any) -> dict[str, Any]:
    """hls4ml's per-layer config for ``model`` with the design's defaults and per-layer settings applied."""
    import hls4ml

    cfg: dict[str, Any] = hls4ml.utils.config_from_keras_model(
        model,
        granularity="name",
        backend="Vivado",
        default_precision=design.precision,
        default_reuse_factor=design.reuse,
    )
    cfg["Model"]["Strategy"] = design.strategy
    cfg["Model"]["Precision"] = {"default": design.precision}
    unknown = set(design.layers) - set(cfg["LayerName"])
    if unknown:
        raise DataError(f"{design.name}: settings for layers the model does not have: {sorted(unknown)}")
    for name, layer in cfg["LayerName"].items():
        precision = layer.setdefault("Precision", {})
        if isinstance(precision, dict):
            for key, value in list(precision.items()):
                if value == "auto":  # hls4ml 1.3 infers these; the hls4ml that built the design used the default
                    precision[key] = design.precision
        settings = design.layers.get(name)
        if settings is None:
            continue
        if isinstance(layer["Precision"], dict):
            layer["Precision"].update(settings.precision)
        if settings.reuse is not None:
            layer["ReuseFactor"] = settings.reuse
        if settings.strategy is not None:
            layer["Strategy"] = settings.strategy
        layer.update(settings.extra)
    return cfg


def convert_public(design: PublicDesign) -> Any:
    """The hls4ml ``ModelGraph`` of ``design`` (Vivado backend; nothing written but a temporary folder)."""
    require("hls4ml", "rebuilding the public calibration designs")
    import hls4ml

    model = design.build(load_weights(design.name))
    with tempfile.TemporaryDirectory(prefix="fpgaflow-public-") as tmp:
        return hls4ml.converters.convert_from_keras_model(
            model,
            backend="Vivado",
            io_type=design.io_type,
            part=design.part,
            clock_period=design.clock_ns,
            hls_config=hls_config(design, model),
            output_dir=tmp,
        )


def describe_public(design: PublicDesign) -> DesignSpec:
    """The estimator's description of ``design``, from a fresh hls4ml conversion."""
    spec = describe_hls_model(convert_public(design), name=design.name)
    return DesignSpec(
        name=spec.name,
        layers=spec.layers,
        io_type=spec.io_type,
        clock_period_ns=design.clock_ns,
        part=design.part,
        input_elements=spec.input_elements,
        notes=design.notes,
    )


def write_cache(specs: list[DesignSpec], path: Path = CACHE_PATH) -> Path:
    """Store the descriptions (JSON, one entry per design)."""
    from fpgaflow_board.atomic import write_text

    payload = {s.name: to_mapping(s) for s in specs}
    return write_text(path, json.dumps(payload, indent=1, sort_keys=True) + "\n")


def read_cache(path: Path = CACHE_PATH) -> dict[str, DesignSpec]:
    """The cached descriptions by design name (``DataError`` if the cache is missing or malformed)."""
    if not path.is_file():
        raise DataError(f"{path}: no cached design descriptions; run bench/calibrate_estimator.py --rebuild")
    payload = json.loads(path.read_text(encoding="utf-8"))
    return {name: from_mapping(DesignSpec, data, name) for name, data in payload.items()}
