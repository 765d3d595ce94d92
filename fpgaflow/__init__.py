"""fpgaflow: from pixel-detector hit maps to a classifier on a PYNQ-Z2 FPGA.

Stages (one package each, importable alone): ``data`` → ``augment`` → ``train``/``compress`` →
``convert`` → ``emulate``/``estimate``/``verify`` → ``build``; ``pipeline`` and ``cli`` sit on top.
Importing this package does not import TensorFlow or hls4ml.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
