"""fpgaflow: from pixel-detector hit maps to a classifier on a PYNQ-Z2 FPGA.

Stages (one package each, importable alone): ``data`` → ``augment`` → ``compress``/``train`` (``study``
above train) → ``convert`` → ``emulate``/``estimate`` → ``fit``/``verify`` → ``vivado``; ``pipeline`` and
``cli`` sit on top, ``config`` and ``errors`` at the bottom.  Imports run downward only: the contract is
``[tool.importlinter]`` in ``pyproject.toml``.
Importing this package does not import TensorFlow or hls4ml.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
