"""Readout electronics: noise, threshold with pixel-to-pixel spread, ADC with saturation, dead and noisy
pixels.  Figures from [SP] (see :mod:`fpgaflow.data.simulate.config`).

The two noise figures play the roles they have in the CMS digitizer [DA]: the readout-chain noise
(350 e⁻) smears the charge of every pixel with signal; the pixel-cell noise (175 e⁻) decides whether an
empty pixel fires on noise alone, with probability Φ(−threshold / 175 e⁻) (≈ 1e-30 at 2000 e⁻: no such hits
at the default threshold, but they appear if the threshold is lowered).  Only pixels holding signal are
digitised one by one; pure-noise hits are drawn as a Poisson count over the empty pixels, which is the
same as drawing noise everywhere at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from fpgaflow.data.simulate.config import MODULE_COLS, ROC_COLS, ROC_ROWS, ElectronicsConfig

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


def noise_hit_probability(cfg: ElectronicsConfig) -> float:
    """Probability that an empty pixel fires on pixel-cell noise alone: Φ(−threshold / pixel noise)."""
    return float(ndtr(-cfg.threshold_e / cfg.pixel_noise_e)) if cfg.pixel_noise_e > 0 else 0.0


def noisy_pixel_hits(
    cfg: ElectronicsConfig, rng: np.random.Generator, n_maps: int, rows: int, cols: int
) -> tuple[Array, Array]:
    """Flat window indices and charge (e⁻) of the noisy pixels firing in each map.

    Each map is a different module with its own mask: ``noisy_pixel_fraction`` of its pixels are noisy
    and each fires with ``noisy_fire_probability``, so a window of ``rows × cols`` pixels holds a binomial
    number of firing noisy pixels at uniform positions.  A firing noisy pixel carries threshold + an
    exponential charge of mean 3 ke⁻ (*assumption*).
    """
    p = cfg.noisy_pixel_fraction * cfg.noisy_fire_probability
    counts = rng.binomial(rows * cols, p, n_maps) if p > 0 else np.zeros(n_maps, np.int64)
    m = np.repeat(np.arange(n_maps), counts)
    flat = m * rows * cols + rng.integers(0, rows * cols, m.size)
    charge = cfg.threshold_e + rng.exponential(3000.0, m.size)
    return flat, charge


def module_pixel(flat: Array, origin_row: Array, origin_col: Array, rows: int, cols: int) -> tuple[Array, Array, Array]:
    """Map index and module (row, col) of flat window indices."""
    m = flat // (rows * cols)
    rem = flat % (rows * cols)
    return m, rem // cols + origin_row[m], rem % cols + origin_col[m]


def digitize(
    hit: Array,
    signal: Array,
    cfg: ElectronicsConfig,
    rng: np.random.Generator,
    *,
    origin_row: Array,
    origin_col: Array,
    rows: int,
    cols: int,
) -> tuple[Array, Array, Array, Array]:
    """Read out the pixels ``hit`` (sorted flat window indices) holding ``signal`` e⁻.

    Steps: noise on pixels with signal; per-pixel threshold N(threshold, spread); dead pixels / double
    columns / ROCs remove hits; ADC = ⌊q / gain⌋ saturating at ``adc_max``; rare pure-noise hits on
    empty pixels are added.  Returns ``(read, adc, noise_flat, noise_adc)``: a mask over ``hit`` of the
    pixels read out and their ADC counts, then the flat indices and counts of the pure-noise hits.
    """
    n_maps = origin_row.size
    size = n_maps * rows * cols
    q = signal + rng.normal(0.0, cfg.readout_noise_e, hit.size) if cfg.readout_noise_e > 0 else signal
    thr = cfg.threshold_e + rng.normal(0.0, cfg.threshold_spread_e, hit.size)

    # Pure-noise hits on empty pixels: Poisson count, charge from the Gaussian tail above threshold.
    p_tail = noise_hit_probability(cfg)
    n_noise = rng.poisson(p_tail * (size - hit.size)) if p_tail > 0 else 0
    noise_flat = rng.integers(0, size, n_noise)
    noise_q = -cfg.pixel_noise_e * ndtri(p_tail * rng.random(n_noise))

    flat = np.concatenate([hit, noise_flat])
    charge = np.concatenate([q, noise_q])
    m, mrow, mcol = module_pixel(flat, origin_row, origin_col, rows, cols)
    dead_roc = rng.random((n_maps, 2 * (MODULE_COLS // ROC_COLS))) < cfg.dead_roc_probability
    dead_dcol = rng.random((n_maps, MODULE_COLS // 2)) < cfg.dead_double_column_probability
    roc = (mrow // ROC_ROWS) * (MODULE_COLS // ROC_COLS) + mcol // ROC_COLS
    alive = ~(dead_roc[m, roc] | dead_dcol[m, mcol // 2] | (rng.random(flat.size) < cfg.dead_pixel_fraction))
    counts = np.minimum(np.floor(charge / cfg.electrons_per_adc), cfg.adc_max).astype(np.float32)
    read = alive[: hit.size] & (q >= thr)
    noise_alive = alive[hit.size :]
    return read, counts[: hit.size][read], noise_flat[noise_alive], counts[hit.size :][noise_alive]
