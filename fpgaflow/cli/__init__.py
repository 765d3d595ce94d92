"""The ``fpgaflow`` command line.

Each subcommand lives in its own module under :mod:`fpgaflow.cli` and exposes
``register(subparsers) -> None``; every one follows the pattern of :mod:`fpgaflow.cli.handler` (a thin
handler: typed config from ``--config`` and flags, one library function, result lines on stdout).
Stage modules are imported lazily inside each handler, so ``fpgaflow --help`` does not load TensorFlow.
User errors (:class:`~fpgaflow.errors.FpgaflowError`) print one line and exit with status 2; so does a
missing optional dependency (the line says which extra to install), and so does a full, read-only or
unwritable disk (:func:`~fpgaflow.errors.environment_error_line`).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from fpgaflow import __version__
from fpgaflow.cli.handler import missing_modules
from fpgaflow.errors import FpgaflowError, environment_error_line, install_hint, missing_extra

#: Subcommand modules, in help order.  A module missing its optional dependencies still registers.
COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "report",
    "data",
    "baselines",
    "augment",
    "study",
    "active",
    "convert",
    "layers",
    "emulate",
    "verify",
    "estimate",
    "fit",
    "search",
    "build",
    "check",
    "deploy",
)

log = logging.getLogger("fpgaflow")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fpgaflow", description="From pixel-detector hit maps to a classifier on a PYNQ-Z2 FPGA."
    )
    parser.add_argument("--version", action="version", version=f"fpgaflow {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"fpgaflow.cli.{name}").register(sub)
    return parser


#: Python modules whose warnings ``-q`` silences (Keras' UserWarnings about HDF5 and constraints, ...).
CHATTY_MODULES = r"(tensorflow|keras|tf_keras|qkeras|tensorflow_model_optimization|hls4ml|absl|h5py)(\.|$)"


class OnlyOwnChatter(logging.Filter):
    """Pass fpgaflow's own records at the configured level, other libraries' only from ``others_from`` up:
    TensorFlow, Keras, absl, hls4ml and QKeras (which logs ``keras dict linear`` through the root logger)."""

    def __init__(self, others_from: int) -> None:
        super().__init__()
        self.others_from = others_from

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "fpgaflow" or record.name.startswith("fpgaflow.") or record.levelno >= self.others_from


def _setup_logging(verbose: bool, quiet: bool) -> None:
    """INFO by default (other libraries' WARNINGs too), DEBUG with ``-v`` (everything), WARNING with ``-q``
    (other libraries' ERRORs only, their Python warnings and TensorFlow's C++ log off)."""
    import os
    import warnings

    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    root = logging.getLogger()
    root.setLevel(level)
    others_from = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, OnlyOwnChatter)]:
            handler.removeFilter(old)
        handler.addFilter(OnlyOwnChatter(others_from))
    # TensorFlow's C++ logging (read when TensorFlow is imported, which handlers do lazily, after this).
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3" if quiet else os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")
    if quiet:
        warnings.filterwarnings("ignore", module=CHATTY_MODULES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    try:
        missing = missing_modules(args.needs)
        if missing:
            raise install_hint(missing, "this command")
        return int(args.func(args))
    except FpgaflowError as exc:
        print(f"fpgaflow {args.command}: error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except OSError as exc:
        line = environment_error_line(exc)
        if line is None:
            raise
        print(f"fpgaflow {args.command}: error: {line}", file=sys.stderr)  # noqa: T201
        return 2
    except ImportError as exc:
        hint = missing_extra(exc)  # an optional module the command did not declare in `needs`
        if hint is None:
            raise
        print(f"fpgaflow {args.command}: error: {hint}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        print("fpgaflow: interrupted; finished steps are checkpointed, rerun to resume", file=sys.stderr)  # noqa: T201
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
