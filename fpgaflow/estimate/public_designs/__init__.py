"""The public hls4ml designs with real reports, rebuilt as hls4ml graphs for calibrating the estimator.

Each design is transcribed from ``shared/calibration/public-designs/<name>/MODEL.md`` (and, for the older
ones, ``shared/calibration/<name>/MODEL.md``): architecture, per-layer precisions, reuse factors, strategy,
I/O type, part and clock, with its real weights (``weights/<name>.npz``, extracted by
``bench/extract_public_weights.py`` from the repository and commit the reports come from).
"""

from __future__ import annotations

from fpgaflow.errors import DataError
from fpgaflow.estimate.public_designs.cnns import CNN_DESIGNS
from fpgaflow.estimate.public_designs.design import LayerSettings, PublicDesign, Reports
from fpgaflow.estimate.public_designs.mlps import MLP_DESIGNS
from fpgaflow.estimate.public_designs.recurrent import RECURRENT_DESIGNS

PUBLIC_DESIGNS: tuple[PublicDesign, ...] = (*MLP_DESIGNS, *CNN_DESIGNS, *RECURRENT_DESIGNS)

#: Public designs rebuilt and estimated, but left out of the fit and of the error statistics, with the reason.
NOT_MODELLED: dict[str, str] = {
    "dnos_sepcnn_cifar_rf16_xc7z020": (
        "not the stock flow: built at a commit named 'new_separable_conv_config', its separable convolutions "
        "ignore the reuse factor (661 DSP48s for a layer whose multiplier limit is 228) and it is seven times "
        "the xc7z020 (2.5 ns target, 19 ns reached)"
    ),
    "ece226_har_cnn1d_parallel_u250": (
        "synthesised with the whole 128 x 9 input tensor as top-level ports (18,541 I/O buffers, each "
        "registered): its 306k LUTs and 377k FFs are the port logic of an io_parallel convolution that no "
        "board design would instantiate"
    ),
}
#: Designs in the calibration folder not rebuilt at all, with the reason.
NOT_REBUILT: dict[str, str] = {
    "yolov3tiny_modhls4ml_z020": "built with hand-modified hls4ml layers (not stock hls4ml); far over the device",
    "hls4ml-vivado-2020.1": "hls4ml's single-layer test baselines: not whole networks",
}


def get_design(name: str) -> PublicDesign:
    """The design called ``name`` (``DataError`` naming the known ones otherwise)."""
    for design in PUBLIC_DESIGNS:
        if design.name == name:
            return design
    raise DataError(f"unknown public design {name!r}; known: {', '.join(d.name for d in PUBLIC_DESIGNS)}")


__all__ = ["NOT_MODELLED", "NOT_REBUILT", "PUBLIC_DESIGNS", "LayerSettings", "PublicDesign", "Reports", "get_design"]
