"""``python -m fpgaflow_board BUNDLE [--maps FILE|DIR] [--out results.npz] [--simulated] [--batch-size N]``.

Runs on the board (or anywhere, with ``--simulated``): classifies the bundle's test maps (or ``--maps``),
prints timing and accuracy where labels are known, and saves what ``fpgaflow check BUNDLE RESULTS`` reads.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

from fpgaflow_board import driver
from fpgaflow_board.errors import BoardError
from fpgaflow_board.results import design_digest, save_results
from fpgaflow_board.session import open_bundle


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fpgaflow_board", description=__doc__.split("\n\n")[1])
    p.add_argument("bundle", type=Path, help="board bundle directory (with manifest.json)")
    p.add_argument("--maps", type=Path, help="hit maps: .npz/.npy/.h5 file or directory (default: bundled test maps)")
    p.add_argument("--out", type=Path, default=Path("results.npz"), help="results file (default results.npz)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--timeout", type=float, default=2.0, help="seconds per DMA wait")
    board = p.add_mutually_exclusive_group()
    board.add_argument("--simulated", action="store_true", help="use the simulated PYNQ-Z2")
    board.add_argument("--real", action="store_true", help="use the real board (fail if absent)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("fpgaflow_board").info("driver: %s", driver.__file__)  # which copy runs (the bundle's)
    try:
        session = open_bundle(
            args.bundle, simulated=True if args.simulated else False if args.real else None, timeout_s=args.timeout
        )
        source = args.maps or session.bundle_dir / (session.manifest.test_maps or "test_maps.npz")
        with session.classifier as clf:
            result = clf.classify(source, batch_size=args.batch_size)
        m = session.manifest
        save_results(args.out, result, session.board, m.project_name, design_digest(m))
    except (BoardError, OSError, ValueError) as exc:
        print(f"fpgaflow_board: error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"board: {session.board}; {result.timing.summary()}")  # noqa: T201
    if args.maps is None:
        with np.load(source) as data:
            if "labels" in data.files:
                acc = float(np.mean(result.labels == data["labels"]))
                print(f"accuracy on the bundled test maps: {acc:.4f}")  # noqa: T201
    print(f"results: {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
