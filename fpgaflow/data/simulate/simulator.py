"""The hit-map simulator: windows on a CMS Phase-1 BPix layer-1 module, labelled by physics.

One batch of ``n`` maps is simulated at once, fully vectorised: place the windows, generate the particles
crossing each window (+ margin) with their species and energy loss (:mod:`.tracks`, :mod:`.backgrounds`) and
their knock-on electrons (:mod:`.delta_rays`), drift and share their charge (:mod:`.charge`), digitise it
(:mod:`.electronics`), label it and rebin it (:mod:`.windows`); on request, attribute every cluster to its
source (:mod:`.attribute`).  Batches draw from independent streams
keyed by (seed, batch index), so a seed gives byte-identical maps whether the set is made in one go, in
chunks, or in shards on disk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import to_mapping
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.simulate.attribute import PixelCharge, attribute_clusters, track_sources
from fpgaflow.data.simulate.backgrounds import background_tracks
from fpgaflow.data.simulate.charge import deposit
from fpgaflow.data.simulate.config import GeometryConfig, SimulatorConfig
from fpgaflow.data.simulate.delta_rays import knock_on_electrons
from fpgaflow.data.simulate.electronics import digitize, noisy_pixel_hits
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.tracks import PRIMARY, Tracks, primary_density_per_cm2, primary_tracks
from fpgaflow.data.simulate.windows import generation_regions, place_windows, rebin
from fpgaflow.data.truth import ClusterTruth

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


log = logging.getLogger(__name__)

#: Spawn key of the batch streams derived from one seed.
_STREAM_BATCH = 0


@dataclass
class BatchTruth:
    """Simulation truth per map of a batch: in-time primaries and reconstructable tracks whose charge is
    mostly inside the window, the crossing particles (all kinds, in the generation region, knock-on
    electrons last) and, when asked for, the per-cluster truth."""

    n_primary_in_window: Array
    n_reco_in_window: Array
    tracks: Tracks
    clusters: ClusterTruth | None = None


_SCRATCH = threading.local()
#: Batches up to this many window pixels reuse the scratch arrays (5 bytes per pixel: 42 MB at 2^23; an
#: automatic batch holds about 2^22).
_SCRATCH_MAX_PIXELS = 1 << 23


def _scratch(size: int) -> tuple[Array, Array]:
    """Per-thread work arrays over a batch's window pixels: a boolean mask that is all False on return
    (callers reset what they set) and an index table (no content promised).  Reusing them saves two
    allocations of up to tens of MB per batch and the page faults of touching them."""
    if size > _SCRATCH_MAX_PIXELS:  # a very large batch: do not hold its memory for the thread's lifetime
        return np.zeros(size, bool), np.empty(size, np.int32)
    cached = getattr(_SCRATCH, "arrays", None)
    if cached is None or cached[0].size < size:
        cached = (np.zeros(size, bool), np.empty(size, np.int32))
        _SCRATCH.arrays = cached
    return cached[0][:size], cached[1][:size]


@lru_cache(maxsize=8)
def _geometry(cfg: GeometryConfig) -> ModuleGeometry:
    return ModuleGeometry.from_config(cfg)


def batch_rng(seed: int, batch_index: int) -> np.random.Generator:
    """The random stream of batch ``batch_index`` of a set generated with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM_BATCH, batch_index)))


def simulate_batch(
    cfg: SimulatorConfig, n: int, rng: np.random.Generator, *, truth: bool = False
) -> tuple[Array, Array, Array, BatchTruth]:
    """Simulate ``n`` maps: ``(maps (n, rows, cols) float32 ADC, labels int8, soft labels float32,
    truth)``.  ``truth``: also attribute every cluster (:attr:`BatchTruth.clusters`); it draws no random
    numbers, so the maps do not depend on it."""
    geom = _geometry(cfg.geometry)
    g = cfg.geometry
    rows, cols = cfg.window.pixel_shape
    origin_row, origin_col = place_windows(cfg.window, n, rng)
    regions = generation_regions(
        geom, origin_row, origin_col, rows=rows, cols=cols, margin_um=cfg.backgrounds.margin_um
    )
    density = primary_density_per_cm2(cfg.tracks, g.radius_mm)
    primaries = primary_tracks(
        rng,
        regions,
        density,
        cfg=cfg.tracks,
        sensor=cfg.sensor,
        geom=geom,
        radius_mm=g.radius_mm,
        b_field_t=g.b_field_t,
        reco_pt_cut=cfg.labels.reco_pt_cut_gev,
    )
    tracks = Tracks.concatenate([primaries, *background_tracks(rng, regions, cfg, geom)])
    tracks = Tracks.concatenate([tracks, knock_on_electrons(rng, tracks, cfg, geom)])
    return render(cfg, tracks, origin_row, origin_col, rng=rng, noisy_pixels=True, truth=truth)


def render(
    cfg: SimulatorConfig,
    tracks: Tracks,
    origin_row: Array,
    origin_col: Array,
    *,
    rng: np.random.Generator,
    noisy_pixels: bool = False,
    truth: bool = False,
) -> tuple[Array, Array, Array, BatchTruth]:
    """Turn given particles into labelled maps: drift and share their charge, digitise, label, rebin.

    ``origin_row``/``origin_col`` place each map's window on the module (one entry per map);
    ``noisy_pixels``: fire each map's noisy pixels (:func:`~.electronics.noisy_pixel_hits`).  Used by
    :func:`simulate_batch` and by physics checks that shoot chosen tracks.
    """
    geom = _geometry(cfg.geometry)
    n = origin_row.size
    rows, cols = cfg.window.pixel_shape
    tan_lorentz = cfg.sensor.lorentz_tan_per_t * cfg.geometry.b_field_t
    dep = deposit(
        tracks,
        rng,
        sensor=cfg.sensor,
        geom=geom,
        tan_lorentz=tan_lorentz,
        origin_row=origin_row,
        origin_col=origin_col,
        rows=rows,
        cols=cols,
    )

    size = n * rows * cols
    if noisy_pixels:
        hot_flat, hot_q = noisy_pixel_hits(cfg.electronics, rng, n, rows, cols)
    else:
        hot_flat, hot_q = np.zeros(0, np.int64), np.zeros(0)
    # Sparse aggregation: the pixels holding charge, and each deposit's index among them.
    touched, lookup = _scratch(size)
    touched[dep.flat] = True
    touched[hot_flat] = True
    hit = np.flatnonzero(touched)
    touched[hit] = False  # leave the scratch all False for the next batch
    lookup[hit] = np.arange(hit.size)
    pix = lookup[dep.flat]
    signal = np.bincount(pix, dep.charge, minlength=hit.size) + np.bincount(lookup[hot_flat], hot_q, minlength=hit.size)
    read, read_adc, noise_flat, noise_adc = digitize(
        hit, signal, cfg.electronics, rng, origin_row=origin_row, origin_col=origin_col, rows=rows, cols=cols
    )
    adc = np.zeros(size, np.float32)
    adc[hit[read]] = read_adc
    np.maximum.at(adc, noise_flat, noise_adc)  # a noise hit on a pixel with signal: the larger is read

    # Labels: reconstructable tracks (in-time primaries above the pT cut) with most of their charge (their
    # knock-on electrons included) in this window; a read-out pixel belongs to them when they gave it at
    # least half of its signal.
    owner = tracks.owner
    owner_total = np.bincount(owner, dep.track_total, minlength=len(tracks))
    owner_in = np.bincount(owner, dep.track_in_window, minlength=len(tracks))
    frac_in = np.divide(owner_in, owner_total, out=np.zeros(len(tracks)), where=owner_total > 0)
    assigned = tracks.reco & (frac_in >= cfg.labels.min_charge_fraction)
    dep_owner = owner[dep.track]
    from_reco = assigned[dep_owner]
    reco_signal = np.bincount(pix[from_reco], dep.charge[from_reco], minlength=hit.size)
    read_map = hit[read] // (rows * cols)
    num = np.bincount(read_map, reco_signal[read], minlength=n)
    den = np.bincount(read_map, signal[read], minlength=n)
    # reco_signal ≤ signal per pixel; the clip only guards the last bit of float rounding.
    soft = np.minimum(np.divide(num, den, out=np.zeros(n), where=den > 0), 1.0).astype(np.float32)
    owned = (reco_signal[read] > 0) & (reco_signal[read] >= 0.5 * signal[read])
    labels = np.zeros(n, np.int8)
    labels[read_map[owned]] = 1

    window = adc.reshape(n, rows, cols)
    in_window = frac_in >= cfg.labels.min_charge_fraction
    top = tracks.parent < 0
    batch_truth = BatchTruth(
        n_primary_in_window=np.bincount(tracks.map_index[in_window & top & (tracks.kind == PRIMARY)], minlength=n),
        n_reco_in_window=np.bincount(tracks.map_index[assigned], minlength=n),
        tracks=tracks,
    )
    if truth:
        x_lo = geom.x_edges[origin_row][tracks.map_index]
        x_hi = geom.x_edges[origin_row + rows][tracks.map_index]
        y_lo = geom.y_edges[origin_col][tracks.map_index]
        y_hi = geom.y_edges[origin_col + cols][tracks.map_index]
        crosses = (tracks.x >= x_lo) & (tracks.x < x_hi) & (tracks.y >= y_lo) & (tracks.y < y_hi)
        pixels = PixelCharge(
            flat=np.concatenate([dep.flat, hot_flat]),
            owner=np.concatenate([dep_owner, np.full(hot_flat.size, len(tracks))]),
            charge=np.concatenate([dep.charge, hot_q]),
            delta=np.concatenate([tracks.parent[dep.track] >= 0, np.zeros(hot_flat.size, bool)]),
        )
        batch_truth.clusters = attribute_clusters(
            window,
            pixels,
            tracks,
            track_source=track_sources(tracks, frac_in, crosses, cfg.labels.min_charge_fraction),
            owner_in_window=frac_in,
            electrons_per_adc=cfg.electronics.electrons_per_adc,
        )
    maps = rebin(window, cfg.window.rebin_rows, cfg.window.rebin_cols, cfg.electronics.adc_max)
    return maps, labels, soft, batch_truth


def iter_batches(
    cfg: SimulatorConfig, n: int, seed: int, first_batch: int = 0, *, truth: bool = False
) -> Iterator[HitMapSet]:
    """Yield the set ``(cfg, n, seed)`` as :class:`HitMapSet` batches of ``cfg.effective_batch_size`` maps,
    starting at batch ``first_batch`` (for resuming or sharding).  ``truth``: attach the per-cluster truth
    (:attr:`HitMapSet.truth`); the maps are the same either way."""
    batch = cfg.effective_batch_size
    n_batches = -(-n // batch)
    for b in range(first_batch, n_batches):
        size = min(batch, n - b * batch)
        maps, labels, soft, bt = simulate_batch(cfg, size, batch_rng(seed, b), truth=truth)
        yield HitMapSet(maps[..., np.newaxis], labels, soft, {}, truth=bt.clusters)


def simulation_metadata(cfg: SimulatorConfig, n: int, seed: int) -> dict[str, object]:
    """Provenance stored with a simulated set (enough to regenerate it)."""
    return {"generator": "fpgaflow.data.simulate", "n_maps": n, "seed": seed, "config": to_mapping(cfg)}


def simulate(cfg: SimulatorConfig, n: int, seed: int, *, truth: bool = False) -> HitMapSet:
    """Simulate ``n`` labelled maps in memory; the same ``(cfg, n, seed)`` gives byte-identical arrays
    (with or without ``truth``, the per-cluster truth)."""
    from fpgaflow.data.dataset import concat

    parts = list(iter_batches(cfg, n, seed, truth=truth))
    if not parts:
        rows, cols = cfg.window.output_shape
        return HitMapSet(np.zeros((0, rows, cols, 1), np.float32), np.zeros(0, np.int8), None, {})
    data = concat(parts)
    log.debug("simulated %d maps (%d particle)", n, int(data.labels.sum()))
    return replace(data, metadata=simulation_metadata(cfg, n, seed))
