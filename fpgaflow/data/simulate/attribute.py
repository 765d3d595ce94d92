"""Attribute every cluster of the simulated maps to the particle that made it (per-cluster truth).

Runs after digitisation and draws no random numbers, so maps are byte-identical whether or not truth is
attributed.  A cluster is 8-connected read-out pixels of one map (:func:`~fpgaflow.data.clusters.find_clusters`,
on the window before rebinning); its charge is split by *owner* — a particle (knock-on electrons count as
their parent), the map's noisy pixels, or pixel-cell noise — and the owner with the most charge is its
source (codes of :data:`fpgaflow.data.truth.SOURCE_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.clusters import find_clusters, label_clusters
from fpgaflow.data.simulate.tracks import HALO, LOOPER, OUT_OF_TIME, PRIMARY, Tracks
from fpgaflow.data.truth import (
    SP_NONE,
    SRC_BELOW_PT_CUT,
    SRC_DELTA_RAY,
    SRC_EDGE_FRAGMENT,
    SRC_HALO,
    SRC_LOOPER,
    SRC_NOISE,
    SRC_NOISY_PIXEL,
    SRC_OUT_OF_TIME,
    SRC_PRIMARY,
    SRC_SPILL_OVER,
    ClusterTruth,
)

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


#: A particle counts in ``n_particles`` when it gives at least this share of a cluster's charge.
PARTICLE_SHARE = 0.05


@dataclass
class PixelCharge:
    """Signal charge entries of the read-out pixels: ``flat`` window pixel, ``owner`` (track index; the
    two ids after the last track are noisy pixels and noise), ``charge`` (e⁻), ``delta`` (from a knock-on
    electron)."""

    flat: Array
    owner: Array
    charge: Array
    delta: Array


def track_sources(tracks: Tracks, owner_in_window: Array, inside: Array, min_charge_fraction: float) -> Array:
    """Source code of every track as an owner: ``owner_in_window`` is the share of its charge collected in
    its window, ``inside`` whether it crosses the sensor mid-plane inside the window."""
    source = np.full(len(tracks), SRC_DELTA_RAY, np.int8)
    primary = tracks.kind == PRIMARY
    mostly_in = owner_in_window >= min_charge_fraction
    source[primary & mostly_in & tracks.reco] = SRC_PRIMARY
    source[primary & mostly_in & ~tracks.reco] = SRC_BELOW_PT_CUT
    source[primary & ~mostly_in & inside] = SRC_EDGE_FRAGMENT
    source[primary & ~mostly_in & ~inside] = SRC_SPILL_OVER
    source[tracks.kind == LOOPER] = SRC_LOOPER
    source[tracks.kind == HALO] = SRC_HALO
    source[tracks.kind == OUT_OF_TIME] = SRC_OUT_OF_TIME
    return source


def attribute_clusters(
    adc: Array,
    pixels: PixelCharge,
    tracks: Tracks,
    *,
    track_source: Array,
    owner_in_window: Array,
    electrons_per_adc: float,
) -> ClusterTruth:
    """Per-cluster truth of the window maps ``adc`` (n, rows, cols; read-out ADC counts).

    ``pixels`` holds the signal charge of the pixels (entries on pixels not read out are ignored); a
    read-out pixel without any is a pure-noise hit, owned by noise with its ADC charge.
    """
    n_tracks = len(tracks)
    noisy_id, noise_id = n_tracks, n_tracks + 1
    labels, n_clusters = label_clusters(adc)
    cl = find_clusters(adc, (labels, n_clusters))
    flat_labels = labels.reshape(-1)
    cluster = flat_labels[pixels.flat] - 1
    on = cluster >= 0
    signal_pixels = np.zeros(flat_labels.size, bool)
    signal_pixels[pixels.flat[on]] = True
    noise_flat = np.flatnonzero((flat_labels > 0) & ~signal_pixels)
    c_all = np.concatenate([cluster[on], flat_labels[noise_flat] - 1])
    o_all = np.concatenate([pixels.owner[on], np.full(noise_flat.size, noise_id)])
    q_all = np.concatenate([pixels.charge[on], adc.reshape(-1)[noise_flat] * electrons_per_adc])
    d_all = np.concatenate([pixels.delta[on], np.zeros(noise_flat.size, bool)])

    total = np.bincount(c_all, q_all, minlength=n_clusters)
    delta = np.bincount(c_all, q_all * d_all, minlength=n_clusters)
    key = c_all.astype(np.int64) * (n_tracks + 2) + o_all
    pairs, inverse = np.unique(key, return_inverse=True)
    pair_q = np.bincount(inverse, q_all)
    pair_c = pairs // (n_tracks + 2)
    pair_o = pairs % (n_tracks + 2)
    order = np.lexsort((-pair_q, pair_c))  # by cluster, largest share first
    first = order[np.flatnonzero(np.r_[True, pair_c[order][1:] != pair_c[order][:-1]])]
    owner = pair_o[first]
    share = pair_q / np.maximum(total[pair_c], 1e-9)
    n_particles = np.bincount(pair_c[share >= PARTICLE_SHARE], minlength=n_clusters)

    is_track = owner < n_tracks
    t = np.where(is_track, owner, 0)
    source = np.where(is_track, track_source[t], np.where(owner == noisy_id, SRC_NOISY_PIXEL, SRC_NOISE))
    return ClusterTruth(
        map_index=cl.map_index.astype(np.int64),
        source=source.astype(np.int8),
        species=np.where(is_track, tracks.species[t], SP_NONE).astype(np.int8),
        in_time=is_track & (tracks.kind[t] != OUT_OF_TIME),
        pt=np.where(is_track, tracks.pt[t], 0.0).astype(np.float32),
        charge_fraction=(pair_q[first] / np.maximum(total, 1e-9)).astype(np.float32),
        in_window_fraction=np.where(is_track, owner_in_window[t], 1.0).astype(np.float32),
        delta_fraction=(delta / np.maximum(total, 1e-9)).astype(np.float32),
        n_particles=n_particles.astype(np.int16),
        n_pixels=cl.n_pixels.astype(np.int32),
        adc=cl.adc.astype(np.float32),
        row=cl.centroid_x.astype(np.float32),
        col=cl.centroid_y.astype(np.float32),
        size_rows=cl.size_x.astype(np.int16),
        size_cols=cl.size_y.astype(np.int16),
    )
