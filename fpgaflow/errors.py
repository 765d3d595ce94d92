"""Exception types raised by fpgaflow.

Every error a user can cause (bad config, bad input file, missing tool) is a subclass of
:class:`FpgaflowError`.  The CLI prints such errors as one line and exits non-zero; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class FpgaflowError(Exception):
    """Base class of every user-facing fpgaflow error."""


class ConfigError(FpgaflowError, ValueError):
    """A configuration value or key is invalid (names the key path and what was expected)."""


class DataError(FpgaflowError, ValueError):
    """Hit-map input is malformed (names the file, the sample index and what was expected)."""


class ToolNotFoundError(FpgaflowError, RuntimeError):
    """An external tool (Vivado, Vivado HLS, g++) is not available."""


class StepError(FpgaflowError, RuntimeError):
    """A pipeline step failed or its preconditions are not met."""


class OutputDirError(FpgaflowError, RuntimeError):
    """The output directory cannot be used (exists with foreign content, not writable)."""


class MissingExtraError(FpgaflowError, ImportError):
    """An optional dependency is missing; the message carries the pip command that installs it."""


def require(module: str, extra: str) -> None:
    """Import ``module`` or raise :class:`MissingExtraError` with an install hint for ``extra``."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingExtraError(f"{module!r} is required for this feature: pip install 'fpgaflow[{extra}]'") from exc
