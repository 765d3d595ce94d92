"""The data step's entry point: a :class:`DataConfig` in, a :class:`HitMapSet` out."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from fpgaflow.data.config import DataConfig
from fpgaflow.data.dataset import concat, load_file
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.simulate.simulator import iter_batches, simulation_metadata
from fpgaflow.data.stamps import cut_stamps
from fpgaflow.data.toy import generate_toy
from fpgaflow.errors import DataError
from fpgaflow.progress import Progress
from fpgaflow_board.manifest import sha256

log = logging.getLogger(__name__)

#: Selection gives up after simulating this many times the requested number of maps.
MAX_SELECTION_FACTOR = 50
#: Spawn key of the random stream that thins the over-represented class during selection (the simulator's
#: batch streams use spawn key (0, batch)).
SELECTION_STREAM = 2


def _simulated_chunks(cfg: DataConfig, budget: int, truth: bool) -> Iterator[HitMapSet]:
    """The simulator's output for ``cfg`` chunk by chunk, lazily, from at most ``budget`` simulated maps:
    the maps themselves, or (``stamps.enabled``) one stamp per cluster of each module map."""
    if not cfg.stamps.enabled:
        yield from iter_batches(cfg.simulate, budget, cfg.seed, truth=truth)
        return
    events = 0
    for chunk in iter_batches(cfg.simulate, budget, cfg.seed, truth=True):
        stamps = cut_stamps(chunk, cfg.stamps, first_group=events)
        events += len(chunk)
        yield stamps if truth else replace(stamps, truth=None)


def iter_simulated(cfg: DataConfig, *, truth: bool = False) -> Iterator[HitMapSet]:
    """The simulated set of ``cfg`` in chunks (``cfg.n_maps`` maps in total, deterministic in ``cfg.seed``).

    With ``select_particle_fraction`` the simulator's maps are kept until ``particle_fraction`` of ``n_maps``
    particle maps and the rest background maps are collected, the more common class thinned at random so
    both are drawn from the whole simulated stream; labels are never changed.
    ``truth``: attach the per-cluster truth to each chunk (the maps are the same either way).  With
    ``stamps.enabled`` the maps are cluster stamps and ``n_maps`` counts stamps.
    """
    if not cfg.select_particle_fraction:
        budget = cfg.n_maps if not cfg.stamps.enabled else MAX_SELECTION_FACTOR * cfg.n_maps
        have = 0
        for chunk in _simulated_chunks(cfg, budget, truth):
            take = min(len(chunk), cfg.n_maps - have)
            yield chunk if take == len(chunk) else chunk.subset(np.arange(take))
            have += take
            if have == cfg.n_maps:
                return
        raise DataError(f"simulate: only {have} stamps from {budget} module maps (need {cfg.n_maps})")
    want_p = round(cfg.particle_fraction * cfg.n_maps)
    want = np.array([cfg.n_maps - want_p, want_p])
    have_cls = np.zeros(2, np.int64)
    natural = np.zeros(2)
    budget = MAX_SELECTION_FACTOR * cfg.n_maps
    simulated = 0
    thin = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(SELECTION_STREAM,)))
    for chunk in _simulated_chunks(cfg, budget, truth):
        simulated += len(chunk)
        lab = chunk.labels.astype(np.int64)
        # Thin the class that is more common than wanted (acceptance from the natural rates seen so far),
        # so kept maps of both classes are spread over the whole simulation and the set's order carries no
        # label; then keep each class in order until its quota is met.
        natural += np.bincount(lab, minlength=2)
        need = np.divide(want, natural, out=np.zeros(2), where=natural > 0)  # a class not seen yet: no limit
        accept = need / need.max()
        candidate = np.flatnonzero(thin.random(lab.size) < accept[lab])
        rank = np.zeros(candidate.size, np.int64)
        for cls in (0, 1):
            sel = lab[candidate] == cls
            rank[sel] = np.arange(int(sel.sum()))
        keep = candidate[rank < (want - have_cls)[lab[candidate]]]
        have_cls += np.bincount(lab[keep], minlength=2)
        if keep.size:
            yield chunk.subset(keep)
        if (have_cls == want).all():
            log.info("selected %d maps (%d particle) from %d simulated", cfg.n_maps, want_p, simulated)
            return
    raise DataError(
        f"simulate: only {have_cls[1]} particle / {have_cls[0]} background maps in {budget} simulated maps; "
        f"the physics gives too few of one class for particle_fraction={cfg.particle_fraction} "
        "(change pileup, the pT cut or the window)"
    )


def simulated_metadata(cfg: DataConfig) -> dict[str, object]:
    """Provenance of the simulated set of ``cfg`` (the simulator's, plus the class selection)."""
    meta = simulation_metadata(cfg.simulate, cfg.n_maps, cfg.seed)
    meta["select_particle_fraction"] = cfg.particle_fraction if cfg.select_particle_fraction else None
    return meta


def simulate_set(cfg: DataConfig, *, truth: bool = False) -> HitMapSet:
    """The simulated set of ``cfg`` in memory (with per-cluster truth if ``truth``)."""
    parts = []
    with Progress(cfg.n_maps, "simulate", "maps", logger=log) as bar:
        for part in iter_simulated(cfg, truth=truth):
            parts.append(part)
            bar.update(len(part))
    return replace(concat(parts), metadata=simulated_metadata(cfg))


def source_name(cfg: DataConfig) -> str:
    """How errors name the data of ``cfg``: the file, or the generator and its seed."""
    return str(cfg.path) if cfg.source == "file" else f"data.source {cfg.source} (seed {cfg.seed})"


def source_digest(cfg: DataConfig) -> str:
    """SHA-256 of the bytes ``cfg`` reads: the input file, or every file of a shard directory (by relative
    name).  Empty for the toy generator and the simulator, whose maps the config alone determines.

    The pipeline puts it into the data step's fingerprint, so replacing the input file reruns the flow.
    """
    if cfg.source != "file":
        return ""
    assert cfg.path is not None  # checked by DataConfig
    path = Path(cfg.path)
    if not path.exists():
        raise DataError(f"{path}: file not found (data.path)")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.relative_to(path).as_posix() if path.is_dir() else ''}\0{sha256(f)}\0".encode())
    return h.hexdigest()


def load_dataset(cfg: DataConfig, *, truth: bool = False) -> HitMapSet:
    """Build or load the data set described by ``cfg`` (toy generator, physics simulator, or a file);
    ``truth``: the simulator attaches per-cluster truth (a file keeps whatever truth it holds)."""
    if cfg.source == "toy":
        return generate_toy(cfg.toy, cfg.n_maps, cfg.particle_fraction, np.random.default_rng(cfg.seed))
    if cfg.source == "simulate":
        data = simulate_set(cfg, truth=truth)
        log.info("simulated %d maps %s, particle fraction %.3f", len(data), data.map_shape, data.labels.mean())
        return data
    assert cfg.path is not None  # checked by DataConfig
    return load_file(cfg.path, cfg.root)
