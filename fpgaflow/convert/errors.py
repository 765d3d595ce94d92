"""Conversion errors: each names the layer and what would have been valid."""

from __future__ import annotations

from fpgaflow.errors import ConfigError, FpgaflowError


class UnconvertibleLayerError(FpgaflowError, ValueError):
    """The model holds a layer (or a layer option) that fpgaflow cannot convert; names layer and type."""


class PrecisionRangeError(ConfigError):
    """A configured fixed-point type cannot hold the values its layer produces (e.g. narrower than the
    layer's QKeras quantiser)."""


class InvalidReuseFactorError(ConfigError):
    """A reuse factor that hls4ml would silently replace; names the layer and the nearest valid choices."""
