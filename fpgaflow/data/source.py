"""The data step's entry point: a :class:`DataConfig` in, a :class:`HitMapSet` out."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np

from fpgaflow.data.config import DataConfig
from fpgaflow.data.dataset import load_file
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.simulate.simulator import iter_batches, simulation_metadata
from fpgaflow.data.toy import generate_toy
from fpgaflow.errors import DataError

log = logging.getLogger(__name__)

#: Selection gives up after simulating this many times the requested number of maps.
MAX_SELECTION_FACTOR = 50


def iter_simulated(cfg: DataConfig) -> Iterator[HitMapSet]:
    """The simulated set of ``cfg`` in chunks (``cfg.n_maps`` maps in total, deterministic in ``cfg.seed``).

    With ``select_particle_fraction`` the simulator's maps are kept in order until ``particle_fraction`` of
    ``n_maps`` particle maps and the rest background maps are collected; labels are never changed.
    """
    sim = cfg.simulate
    if not cfg.select_particle_fraction:
        yield from iter_batches(sim, cfg.n_maps, cfg.seed)
        return
    want_p = round(cfg.particle_fraction * cfg.n_maps)
    want = np.array([cfg.n_maps - want_p, want_p])
    have = np.zeros(2, np.int64)
    budget = MAX_SELECTION_FACTOR * cfg.n_maps
    simulated = 0
    for chunk in iter_batches(sim, budget, cfg.seed):
        simulated += len(chunk)
        lab = chunk.labels.astype(np.int64)
        # Rank of each map within its class in this chunk; keep it while its class still needs maps.
        rank = np.zeros(lab.size, np.int64)
        for cls in (0, 1):
            sel = lab == cls
            rank[sel] = np.arange(int(sel.sum()))
        keep = rank < (want - have)[lab]
        have += np.bincount(lab[keep], minlength=2)
        if keep.any():
            yield chunk.subset(np.flatnonzero(keep))
        if (have == want).all():
            log.info("selected %d maps (%d particle) from %d simulated", cfg.n_maps, want_p, simulated)
            return
    raise DataError(
        f"simulate: only {have[1]} particle / {have[0]} background maps in {budget} simulated maps; "
        f"the physics gives too few of one class for particle_fraction={cfg.particle_fraction} "
        "(change pileup, the pT cut or the window)"
    )


def _simulate(cfg: DataConfig) -> HitMapSet:
    parts = list(iter_simulated(cfg))
    soft = np.concatenate([p.soft_labels for p in parts if p.soft_labels is not None])
    meta = simulation_metadata(cfg.simulate, cfg.n_maps, cfg.seed)
    meta["select_particle_fraction"] = cfg.particle_fraction if cfg.select_particle_fraction else None
    return HitMapSet(np.concatenate([p.maps for p in parts]), np.concatenate([p.labels for p in parts]), soft, meta)


def load_dataset(cfg: DataConfig) -> HitMapSet:
    """Build or load the data set described by ``cfg`` (toy generator, physics simulator, or a file)."""
    if cfg.source == "toy":
        return generate_toy(cfg.toy, cfg.n_maps, cfg.particle_fraction, np.random.default_rng(cfg.seed))
    if cfg.source == "simulate":
        data = _simulate(cfg)
        log.info("simulated %d maps %s, particle fraction %.3f", len(data), data.map_shape, data.labels.mean())
        return data
    assert cfg.path is not None  # checked by DataConfig
    return load_file(cfg.path, cfg.root)
