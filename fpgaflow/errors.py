"""Exception types raised by fpgaflow.

Every error a user can cause (bad config, bad input file, missing tool) is a subclass of
:class:`FpgaflowError`.  The CLI prints such errors as one line and exits non-zero; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import errno


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


#: The extra of ``pyproject.toml`` that installs each optional third-party module (by top-level import name).
EXTRA_OF_MODULE: dict[str, str] = {
    "tensorflow": "host",
    "qkeras": "host",
    "tensorflow_model_optimization": "host",
    "hls4ml": "host",
    "scipy": "host",
    "h5py": "host",
    "uproot": "host",
    "matplotlib": "host",
    "jinja2": "host",
    "hist": "host",
    "mplhep": "host",
    "tqdm": "host",
    "sklearn": "host",
    "dask": "study",
    "skactiveml": "active",
    "distributed": "study",
    "pynq": "board",
}


def install_hint(modules: list[str] | tuple[str, ...], feature: str = "this feature") -> MissingExtraError:
    """The one-line error for missing ``modules``: which of them are missing and the pip command."""
    extras = sorted({EXTRA_OF_MODULE.get(m.split(".")[0], "host") for m in modules})
    pip = " ".join(f"'fpgaflow[{e}]'" for e in extras)
    return MissingExtraError(f"{feature} needs {', '.join(modules)} (not installed): pip install {pip}")


def missing_extra(exc: ImportError, feature: str = "this command") -> MissingExtraError | None:
    """:func:`install_hint` for an import error of an optional module; ``None`` for any other import error."""
    name = (exc.name or "").split(".")[0]
    return install_hint([name], feature) if name in EXTRA_OF_MODULE else None


def require(module: str, feature: str = "this feature") -> None:
    """Import ``module`` or raise :func:`install_hint`'s :class:`MissingExtraError`."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise install_hint([module], feature) from exc


#: Why a file operation failed that the user, not fpgaflow, must fix: the disk, the permissions.
_ENVIRONMENT_ERRNOS: dict[int, str] = {
    errno.ENOSPC: "the disk is full: free space (or choose another --out) and rerun; finished steps are kept",
    errno.EDQUOT: "the disk quota is exceeded: free space (or choose another --out) and rerun",
    errno.EROFS: "the file system is read-only: choose a writable --out",
    errno.EACCES: "permission denied: check the permissions or choose another --out",
    errno.EPERM: "operation not permitted: check the permissions or choose another --out",
}


def environment_error_line(exc: OSError) -> str | None:
    """One line for a file-system error the user must fix (full disk, read-only or unwritable directory),
    naming the file; ``None`` for any other :class:`OSError` (a bug: its traceback is kept)."""
    why = _ENVIRONMENT_ERRNOS.get(exc.errno or -1)
    if why is None:
        return None
    where = exc.filename if exc.filename is not None else "a file"
    return f"cannot write {where}: {why}" if exc.errno not in (errno.EACCES, errno.EPERM) else f"{where}: {why}"
