"""Simulate labelled hit maps straight to a file (what ``fpgaflow data simulate`` does).

Memory stays at one simulator batch whatever ``data.n_maps`` is: the maps are streamed to ``.h5``/``.hdf5``,
collected for ``.npz``, or written as npz shards to a directory (staged, see :mod:`fpgaflow.outdir`).
"""

from __future__ import annotations

from pathlib import Path

from fpgaflow.data.config import DataConfig
from fpgaflow.data.shards import SHARD_SIZE, write_shards, write_stream
from fpgaflow.errors import ConfigError
from fpgaflow.outdir import staged_output_dir


def write_simulated(cfg: DataConfig, out: Path, shard_size: int = SHARD_SIZE, *, truth: bool = False) -> Path:
    """Simulate ``cfg.n_maps`` maps with ``cfg.seed`` and write them to ``out`` (its suffix picks the format;
    no suffix = a directory of npz shards of ``shard_size`` maps).  ``truth``: also save the per-cluster
    simulation truth (:mod:`fpgaflow.data.truth`); the maps are byte-identical either way."""
    from fpgaflow.data.simulate.allocator import keep_freed_memory
    from fpgaflow.data.source import iter_simulated, simulated_metadata

    if cfg.source != "simulate":
        raise ConfigError(f"data.source is {cfg.source!r}; simulating to a file needs 'simulate'")
    keep_freed_memory()
    rows, cols = cfg.map_shape
    meta = simulated_metadata(cfg)
    if out.suffix:
        return write_stream(
            iter_simulated(cfg, truth=truth), out, n_maps=cfg.n_maps, map_shape=(rows, cols, 1), metadata=meta
        )
    with staged_output_dir(out, "shards") as staging:
        write_shards(
            iter_simulated(cfg, truth=truth),
            staging,
            n_maps=cfg.n_maps,
            map_shape=(rows, cols, 1),
            metadata=meta,
            shard_size=shard_size,
        )
    return out
