"""Save the maps a grid of jobs trains on, once, where every job (in any process or on any dask worker sharing the
file system) reads them: the data config's splits, made exactly as ``fpgaflow run`` makes them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from fpgaflow.config.strict import to_mapping
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import source_digest
from fpgaflow.errors import DataError
from fpgaflow.train.datasets import make_splits

SPLITS = ("train", "val", "test")


def save_splits(
    cfg: DataConfig, out_dir: Path, files: Mapping[str, str], train_maps: int = 0, stream: int = 11, what: str = ""
) -> Path:
    """Save the splits named in ``files`` (split → file stem) as ``OUT/data-<digest>/<stem>.npz``; the training
    split cut to ``train_maps`` maps drawn with stream ``[data.seed, stream]`` (0: all of it; ``what`` names the
    setting in the error).  The digest covers the data settings, ``train_maps`` and the input file's content
    (:func:`~fpgaflow.data.source.source_digest`): changed settings or a replaced input file get a new directory
    (and so new jobs, whose digests hold the path); unchanged ones reuse the saved files."""
    payload = json.dumps(to_mapping([cfg, train_maps]), sort_keys=True) + source_digest(cfg)
    data_dir = Path(out_dir) / f"data-{hashlib.sha256(payload.encode()).hexdigest()[:12]}"
    if all((data_dir / f"{stem}.npz").is_file() for stem in files.values()):
        return data_dir
    splits = dict(zip(SPLITS, make_splits(cfg), strict=True))
    if train_maps:
        train = splits["train"]
        if train_maps > len(train):
            raise DataError(f"{what or 'train_maps'} is {train_maps} but the training split holds {len(train)} maps")
        pick = np.random.default_rng([cfg.seed, stream]).permutation(len(train))[:train_maps]
        splits["train"] = train.subset(np.sort(pick))
    for split, stem in files.items():
        splits[split].save_npz(data_dir / f"{stem}.npz")
    return data_dir
