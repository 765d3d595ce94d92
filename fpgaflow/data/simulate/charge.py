"""From particles to charge on pixels: segmentation, drift with Lorentz shift, diffusion, charge sharing.

Each track is cut into segments of at most ``segment_um`` along its path (and at most half a pitch in
projection, so no pixel it crosses is skipped) [DA].  A segment at depth z (distance to the pixel implants)
drifts to the pixels: the magnetic field shifts it along x by z · tan θ_L (tan θ_L = 0.106/T · B ≈ 0.40,
≈ 115 µm over 285 µm), diffusion smears it with σ = 3.7 µm · √(z / 300 µm) [DA].  The charge reaching
each pixel is the integral of that 2-D Gaussian over the pixel, i.e. differences of Gaussian CDFs along x
and y.  Because σ ≤ 3.7 µm while a pixel is ≥ 100 µm, only the nearest pixel boundary on each axis can
receive a measurable share (the far boundary gets Φ(−50/3.7) < 1e-40), so each segment feeds at most
2 × 2 pixels: exact to double precision, and four entries per segment instead of a 3 × 3 stamp.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import erfc, ndtri

from fpgaflow.data.simulate.config import MODULE_COLS, MODULE_ROWS, SensorConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.ionisation import electron_energy_at_range_um
from fpgaflow.data.simulate.tracks import Tracks

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


@dataclass
class Deposits:
    """Charge collected on window pixels, before electronics.

    ``flat``: index ``map × rows × cols + row × cols + col`` in the batch of windows; ``charge`` (e⁻);
    ``track``: index into the :class:`Tracks` it came from.  ``track_total`` / ``track_in_window``: each
    track's charge collected anywhere on the module / inside its window (e⁻).
    """

    flat: npt.NDArray[np.int64]
    charge: npt.NDArray[np.float64]
    track: npt.NDArray[np.int64]
    track_total: npt.NDArray[np.float64]
    track_in_window: npt.NDArray[np.float64]


def segment_counts(tracks: Tracks, sensor: SensorConfig, geom: ModuleGeometry) -> npt.NDArray[np.int64]:
    """Segments per track: path / ``segment_um``, and at least 2 per pitch crossed in projection."""
    depth = tracks.depth1 - tracks.depth0
    path = depth * np.sqrt(1 + tracks.cot_alpha**2 + tracks.cot_beta**2)
    need = np.maximum.reduce(
        [
            path / sensor.segment_um,
            np.abs(tracks.cot_alpha) * depth / (0.5 * geom.pitch_x),
            np.abs(tracks.cot_beta) * depth / (0.5 * geom.pitch_y),
        ]
    )
    counts: npt.NDArray[np.int64] = np.clip(np.ceil(need), 1, sensor.max_segments).astype(np.int64)
    return counts


def lorentz_shift(depth_um: npt.NDArray[np.float64] | float, tan_lorentz: float) -> npt.NDArray[np.float64] | float:
    """Shift along x (µm) of charge drifting ``depth_um`` to the pixels: depth · tan θ_L."""
    return depth_um * tan_lorentz


def diffusion_sigma(depth_um: npt.NDArray[np.float64], sensor: SensorConfig) -> npt.NDArray[np.float64]:
    """Diffusion σ (µm) after drifting ``depth_um``: σ0 · √(depth / d_ref) [DA]."""
    sigma: npt.NDArray[np.float64] = sensor.diffusion_sigma_um * np.sqrt(
        np.maximum(depth_um, 0.0) / sensor.diffusion_ref_um
    )
    return sigma


def range_profile(tracks: Tracks, index: Array, k: Array, n_seg: Array) -> Array:
    """Energy (MeV) a stopping electron ``index`` loses in its segment ``k`` of ``n_seg`` (segments are
    numbered from ``depth0``): E(f_lo) − E(f_hi), E(f) the kinetic energy left after the fraction f of its
    straight reach, from the CSDA range table (so the charge is densest where it stops)."""
    t_lo, t_hi = k / n_seg, (k + 1) / n_seg
    deep = tracks.starts_deep[index]
    f_lo = np.where(deep, 1.0 - t_hi, t_lo) * tracks.range_fraction[index]
    f_hi = np.where(deep, 1.0 - t_lo, t_hi) * tracks.range_fraction[index]
    csda = tracks.csda_um[index]
    return electron_energy_at_range_um(csda * (1.0 - f_lo)) - electron_energy_at_range_um(csda * (1.0 - f_hi))


def _nearest_share(
    pos: npt.NDArray[np.float64],
    index: npt.NDArray[np.int64],
    edges: npt.NDArray[np.float64],
    sigma: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Neighbour index across the nearest pixel boundary, the Gaussian fraction Φ(−d/σ) that crosses it,
    and where that fraction reaches :data:`MIN_SHARE` (elsewhere it is 0 and the charge stays)."""
    d_lo = pos - edges[:-1][index]
    d_hi = edges[1:][index] - pos
    lower = d_lo < d_hi
    dist = np.minimum(d_lo, d_hi)
    neighbour = np.where(lower, index - 1, index + 1)
    share = dist < _MIN_SHARE_SIGMAS * sigma  # erfc only where the share is measurable (~1 in 4 segments)
    frac = np.zeros(pos.size)
    frac[share] = 0.5 * erfc(dist[share] / (sigma[share] * np.sqrt(2.0)))
    return neighbour, frac, share


#: Shares below this fraction of a segment's charge (< 0.1 e⁻ for a 700 e⁻ segment) stay in the pixel
#: the segment lands in: charge is conserved and three of every four neighbour entries are skipped.
MIN_SHARE = 1e-4
_MIN_SHARE_SIGMAS = float(-ndtri(MIN_SHARE))  # Φ(−3.72) = 1e-4


#: Segments drifted per vectorised step.  Bounding the step keeps every temporary array small enough for
#: the allocator to recycle (fresh multi-MB arrays cost page faults that dominated the run time).
SEGMENTS_PER_STEP = 16_384


def deposit(
    tracks: Tracks,
    rng: np.random.Generator,
    *,
    sensor: SensorConfig,
    geom: ModuleGeometry,
    tan_lorentz: float,
    origin_row: npt.NDArray[np.int64],
    origin_col: npt.NDArray[np.int64],
    rows: int,
    cols: int,
) -> Deposits:
    """Drift every segment of every track and share its charge over the window pixels.

    ``origin_row``/``origin_col``: module pixel at the window's corner, per map; windows are
    ``rows`` × ``cols`` pixels.  Charge falling outside the module is lost; outside the window it is
    counted in ``track_total`` only.  Tracks are processed in steps of whole tracks holding about
    :data:`SEGMENTS_PER_STEP` segments; the random numbers are drawn once for all segments, so the result
    does not depend on the step size.
    """
    n_tracks = len(tracks)
    nseg = segment_counts(tracks, sensor, geom)
    ends = np.cumsum(nseg)
    weight = rng.exponential(1.0, int(ends[-1]) if n_tracks else 0) if sensor.segment_fluctuation else None
    # Track boundaries of the steps: the first track whose segments end past each multiple of the step.
    cuts = np.searchsorted(ends, np.arange(SEGMENTS_PER_STEP, int(ends[-1]) if n_tracks else 0, SEGMENTS_PER_STEP))
    bounds = np.unique(np.concatenate([[0], cuts + 1, [n_tracks]]).clip(0, n_tracks))
    parts = [
        _deposit_tracks(
            tracks,
            int(lo),
            int(hi),
            nseg=nseg,
            ends=ends,
            weight=weight,
            sensor=sensor,
            geom=geom,
            tan_lorentz=tan_lorentz,
        )
        for lo, hi in itertools.pairwise(bounds)
    ]
    trk_all = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    r_all = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    c_all = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
    q_all = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0)
    # A weighted bincount is float64 (numpy's stubs say intp): astype(copy=False) tells mypy and copies nothing.
    track_total = np.bincount(trk_all, q_all, minlength=n_tracks).astype(np.float64, copy=False)
    m_all = tracks.map_index[trk_all]
    if rows == MODULE_ROWS and cols == MODULE_COLS:  # the window is the module
        flat = (m_all * rows + r_all) * cols + c_all
        return Deposits(flat, q_all, trk_all, track_total, track_total)
    r_all -= origin_row[m_all]
    c_all -= origin_col[m_all]
    inside = (r_all >= 0) & (r_all < rows) & (c_all >= 0) & (c_all < cols)
    track_in_window = np.bincount(trk_all[inside], q_all[inside], minlength=n_tracks).astype(np.float64, copy=False)
    flat = (m_all[inside] * rows + r_all[inside]) * cols + c_all[inside]
    return Deposits(flat, q_all[inside], trk_all[inside], track_total, track_in_window)


def _deposit_tracks(
    tracks: Tracks,
    lo: int,
    hi: int,
    *,
    nseg: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64] | None,
    sensor: SensorConfig,
    geom: ModuleGeometry,
    tan_lorentz: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Charge entries (track, module row, module col, e⁻) of tracks ``lo:hi`` that land on the module."""
    counts = nseg[lo:hi]
    local = np.repeat(np.arange(hi - lo), counts)  # track of each segment, relative to ``lo``
    seg_track = local + lo
    first_seg = int(ends[lo] - nseg[lo]) if hi > lo else 0
    k = np.arange(local.size) - (ends[lo:hi] - counts - first_seg)[local]  # segment number along its track
    # Per track: segment centres at depth z = z0 + k·h; position at depth z is a + b·z (the straight track
    # plus the Lorentz drift z·tan θ_L towards the pixels).
    d0, d1 = tracks.depth0[lo:hi], tracks.depth1[lo:hi]
    h = (d1 - d0) / counts
    cot_a, cot_b = tracks.cot_alpha[lo:hi], tracks.cot_beta[lo:hi]
    half = 0.5 * geom.thickness
    z = (d0 + 0.5 * h)[local] + k * h[local]
    x = (tracks.x[lo:hi] - half * cot_a)[local] + z * (cot_a + lorentz_shift(1.0, tan_lorentz))[local]
    y = (tracks.y[lo:hi] - half * cot_b)[local] + z * cot_b[local]
    sigma = diffusion_sigma(z, sensor)
    w = weight[first_seg : first_seg + local.size] if weight is not None else None
    stopping_track = tracks.csda_um[lo:hi] > 0
    if stopping_track.any():  # stopping electrons: charge follows their energy loss along the range
        seg = np.flatnonzero(stopping_track[local])
        profile = np.ones(local.size)
        profile[seg] = range_profile(tracks, seg_track[seg], k[seg], counts[local[seg]])
        w = profile if w is None else w * profile
    if w is not None:
        norm = np.bincount(local, w, minlength=hi - lo)
        q = tracks.charge[seg_track] * w / np.where(norm > 0, norm, 1.0)[local]
    else:
        q = (tracks.charge[lo:hi] / counts)[local]

    on = (x >= 0) & (x < geom.width_x) & (y >= 0) & (y < geom.width_y)
    if not on.all():
        seg_track, x, y, sigma, q = seg_track[on], x[on], y[on], sigma[on], q[on]
    row = geom.rows_of(x)
    col = geom.cols_of(y)
    nrow, fx, sx = _nearest_share(x, row, geom.x_edges, sigma)
    ncol, fy, sy = _nearest_share(y, col, geom.y_edges, sigma)
    sxy = sx & sy
    # Entries: own pixel, x-neighbour, y-neighbour, diagonal (only where the share is measurable).
    r_all = np.concatenate([row, nrow[sx], row[sy], nrow[sxy]])
    c_all = np.concatenate([col, col[sx], ncol[sy], ncol[sxy]])
    q_all = np.concatenate(
        [q * (1 - fx) * (1 - fy), (q * fx * (1 - fy))[sx], (q * (1 - fx) * fy)[sy], (q * fx * fy)[sxy]]
    )
    trk_all = np.concatenate([seg_track, seg_track[sx], seg_track[sy], seg_track[sxy]])
    # Shares into a neighbour beyond the module edge are lost with the rest of the off-sensor charge.
    on_module = (r_all >= 0) & (r_all < MODULE_ROWS) & (c_all >= 0) & (c_all < MODULE_COLS)
    if on_module.all():
        return trk_all, r_all, c_all, q_all
    return trk_all[on_module], r_all[on_module], c_all[on_module], q_all[on_module]
