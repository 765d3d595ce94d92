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
    "convert",
    "layers",
    "emulate",
    "verify",
    "estimate",
    "fit",
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


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    # TensorFlow's C++ logging and Python warnings drown the flow's own progress lines.
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
