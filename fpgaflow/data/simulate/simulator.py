"""The hit-map simulator: windows on a CMS Phase-1 BPix layer-1 module, labelled by physics.

One batch of ``n`` maps is simulated at once, fully vectorised: place the windows, generate the particles
crossing each window (+ margin), drift and share their charge (:mod:`.charge`), digitise it
(:mod:`.electronics`), label it and rebin it (:mod:`.windows`).  Batches draw from independent streams
keyed by (seed, batch index), so a seed gives byte-identical maps whether the set is made in one go, in
chunks, or in shards on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import to_mapping
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.simulate.backgrounds import background_tracks
from fpgaflow.data.simulate.charge import deposit
from fpgaflow.data.simulate.config import GeometryConfig, SimulatorConfig
from fpgaflow.data.simulate.electronics import digitize, hot_pixel_hits, hot_pixel_mask
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.tracks import PRIMARY, Tracks, primary_density_per_cm2, primary_tracks
from fpgaflow.data.simulate.windows import generation_regions, place_windows, rebin

log = logging.getLogger(__name__)

#: Spawn keys of the independent random streams derived from one seed.
_STREAM_BATCH = 0
_STREAM_HOT_PIXELS = 1


@dataclass
class BatchTruth:
    """Simulation truth per map of a batch: in-time primaries and reconstructable tracks whose cluster
    is mostly inside the window, and the crossing particles (all kinds, in the generation region)."""

    n_primary_in_window: npt.NDArray[np.int64]
    n_reco_in_window: npt.NDArray[np.int64]
    tracks: Tracks


@lru_cache(maxsize=8)
def _geometry(cfg: GeometryConfig) -> ModuleGeometry:
    return ModuleGeometry.from_config(cfg)


def batch_rng(seed: int, batch_index: int) -> np.random.Generator:
    """The random stream of batch ``batch_index`` of a set generated with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM_BATCH, batch_index)))


def module_hot_pixels(cfg: SimulatorConfig, seed: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The module's fixed noisy-pixel mask for ``seed`` (the same for every map of a set)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM_HOT_PIXELS,)))
    return hot_pixel_mask(cfg.electronics, rng)


def simulate_batch(
    cfg: SimulatorConfig,
    n: int,
    rng: np.random.Generator,
    hot: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int8], npt.NDArray[np.float32], BatchTruth]:
    """Simulate ``n`` maps: ``(maps (n, rows, cols) float32 ADC, labels int8, soft labels float32,
    truth)``."""
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
    return render(cfg, tracks, origin_row, origin_col, rng=rng, hot=hot)


def render(
    cfg: SimulatorConfig,
    tracks: Tracks,
    origin_row: npt.NDArray[np.int64],
    origin_col: npt.NDArray[np.int64],
    *,
    rng: np.random.Generator,
    hot: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int8], npt.NDArray[np.float32], BatchTruth]:
    """Turn given particles into labelled maps: drift and share their charge, digitise, label, rebin.

    ``origin_row``/``origin_col`` place each map's window on the module (one entry per map); ``hot`` is
    the noisy-pixel mask (none if ``None``).  Used by :func:`simulate_batch` and by physics checks that
    shoot chosen tracks.
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
    if hot is None:
        hot = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    hot_flat, hot_q = hot_pixel_hits(
        cfg.electronics, rng, hot, origin_row=origin_row, origin_col=origin_col, rows=rows, cols=cols
    )
    # Sparse aggregation: the pixels holding charge, and each deposit's index among them.
    touched = np.zeros(size, bool)
    touched[dep.flat] = True
    touched[hot_flat] = True
    hit = np.flatnonzero(touched)
    lookup = np.empty(size, np.int32)
    lookup[hit] = np.arange(hit.size)
    pix = lookup[dep.flat]
    signal = np.bincount(pix, dep.charge, minlength=hit.size) + np.bincount(lookup[hot_flat], hot_q, minlength=hit.size)
    read, read_adc, noise_flat, noise_adc = digitize(
        # weighted bincounts are float64 (numpy's stubs say intp): astype(copy=False) copies nothing
        hit,
        signal.astype(np.float64, copy=False),
        cfg.electronics,
        rng,
        origin_row=origin_row,
        origin_col=origin_col,
        rows=rows,
        cols=cols,
    )
    adc = np.zeros(size, np.float32)
    adc[hit[read]] = read_adc
    np.maximum.at(adc, noise_flat, noise_adc)  # a noise hit on a pixel with signal: the larger is read

    # Labels: reconstructable tracks (in-time primaries above the pT cut) with most of their charge in this
    # window; a read-out pixel belongs to them when they gave it at least half of its signal.
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_in = np.where(dep.track_total > 0, dep.track_in_window / dep.track_total, 0.0)
    assigned = tracks.reco & (frac_in >= cfg.labels.min_charge_fraction)
    from_reco = assigned[dep.track]
    reco_signal = np.bincount(pix[from_reco], dep.charge[from_reco], minlength=hit.size)
    read_map = hit[read] // (rows * cols)
    num = np.bincount(read_map, reco_signal[read], minlength=n)
    den = np.bincount(read_map, signal[read], minlength=n)
    # reco_signal ≤ signal per pixel; the clip only guards the last bit of float rounding.
    soft = np.minimum(np.divide(num, den, out=np.zeros(n), where=den > 0), 1.0).astype(np.float32)
    owned = (reco_signal[read] > 0) & (reco_signal[read] >= 0.5 * signal[read])
    labels = np.zeros(n, np.int8)
    labels[read_map[owned]] = 1

    maps = rebin(adc.reshape(n, rows, cols), cfg.window.rebin_rows, cfg.window.rebin_cols, cfg.electronics.adc_max)
    in_window = frac_in >= cfg.labels.min_charge_fraction
    truth = BatchTruth(
        n_primary_in_window=np.bincount(tracks.map_index[in_window & (tracks.kind == PRIMARY)], minlength=n),
        n_reco_in_window=np.bincount(tracks.map_index[assigned], minlength=n),
        tracks=tracks,
    )
    return maps, labels, soft, truth


def iter_batches(cfg: SimulatorConfig, n: int, seed: int, first_batch: int = 0) -> Iterator[HitMapSet]:
    """Yield the set ``(cfg, n, seed)`` as :class:`HitMapSet` batches of ``cfg.effective_batch_size`` maps,
    starting at batch ``first_batch`` (for resuming or sharding)."""
    hot = module_hot_pixels(cfg, seed)
    batch = cfg.effective_batch_size
    n_batches = -(-n // batch)
    for b in range(first_batch, n_batches):
        size = min(batch, n - b * batch)
        maps, labels, soft, _ = simulate_batch(cfg, size, batch_rng(seed, b), hot)
        yield HitMapSet(maps[..., np.newaxis], labels, soft, {})


def simulation_metadata(cfg: SimulatorConfig, n: int, seed: int) -> dict[str, object]:
    """Provenance stored with a simulated set (enough to regenerate it)."""
    return {"generator": "fpgaflow.data.simulate", "n_maps": n, "seed": seed, "config": to_mapping(cfg)}


def simulate(cfg: SimulatorConfig, n: int, seed: int) -> HitMapSet:
    """Simulate ``n`` labelled maps in memory; the same ``(cfg, n, seed)`` gives byte-identical arrays."""
    parts = list(iter_batches(cfg, n, seed))
    rows, cols = cfg.window.output_shape
    maps = np.concatenate([p.maps for p in parts]) if parts else np.zeros((0, rows, cols, 1), np.float32)
    labels = np.concatenate([p.labels for p in parts]) if parts else np.zeros(0, np.int8)
    soft = np.concatenate([p.soft_labels for p in parts if p.soft_labels is not None]) if parts else None
    log.debug("simulated %d maps (%d particle)", n, int(labels.sum()))
    return HitMapSet(maps, labels, soft, simulation_metadata(cfg, n, seed))
