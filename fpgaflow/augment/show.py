"""A grid PNG of one hit map under every transform at a few magnitudes (``fpgaflow augment show``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.data.hitmaps import MapArray

#: Policy magnitudes (0..10) shown as columns after the original map.
SHOW_MAGNITUDES = (2, 6, 10)


def pick_map(path: Path | None, index: int | None) -> tuple[MapArray, str]:
    from fpgaflow.data import load_file
    from fpgaflow.data.toy import ToyConfig, generate_toy
    from fpgaflow.errors import DataError

    if path is None:
        data = generate_toy(ToyConfig(), 64, 1.0, np.random.default_rng(0))
        source = "toy map (fpgaflow.data.toy)"
    else:
        data = load_file(path)
        source = str(path)
    if index is None:
        hits = (data.maps > 0).reshape(len(data), -1).sum(axis=1)
        hits = np.where(data.labels == 1, hits, -1) if (data.labels == 1).any() else hits
        index = int(np.argmax(hits))
    if not 0 <= index < len(data):
        raise DataError(f"{source}: --index {index} out of range 0..{len(data) - 1}")
    return data.maps[index : index + 1], f"{source} #{index} (label {int(data.labels[index])})"


def grid_figure(one_map: MapArray, title: str, seed: int) -> Any:
    """One row per transform: the original map, then the map at each of :data:`SHOW_MAGNITUDES`, drawn in mm
    at the true aspect with empty pixels blank (:mod:`fpgaflow.figures.hitmaps`), on the original's colour scale
    so faint hits stay visible (one colour bar in ADC counts and ke⁻)."""
    from fpgaflow.augment.registry import TRANSFORMS, make_transform
    from fpgaflow.figures.canvas import new_figure
    from fpgaflow.figures.hitmaps import PHASE1, charge_colourbar, draw_hitmap

    rows, cols = one_map.shape[1:3]
    geometry = dataclasses.replace(PHASE1, adc_max=max(float(one_map.max()), 1.0))
    names = list(TRANSFORMS)
    wide = (cols * geometry.pitch_col_um) / (rows * geometry.pitch_row_um)
    fig, axes = new_figure(
        2.2 * (len(SHOW_MAGNITUDES) + 1) + 1.0,
        len(names) * (1.9 / wide + 0.45),
        len(names),
        len(SHOW_MAGNITUDES) + 1,
        layout=None,  # 50-odd panels: placed by hand (constrained layout would take seconds)
        squeeze=False,
    )
    fig.subplots_adjust(left=0.05, right=0.88, top=1 - 0.9 / fig.get_size_inches()[1], bottom=0.01, hspace=0.35)
    image = None
    for r, name in enumerate(names):
        image = draw_hitmap(axes[r, 0], one_map[0], geometry, labels=False)
        axes[r, 0].set_ylabel(name, fontsize=8)
        axes[r, 0].set_title("original" if r == 0 else "", fontsize=8)
        for c, m in enumerate(SHOW_MAGNITUDES, start=1):
            ax = axes[r, c]
            if name == "rotate90" and rows != cols and m >= 5:
                ax.text(0.5, 0.5, "90° needs\nsquare map", ha="center", va="center", fontsize=7)
            else:
                img = make_transform(name, m, 1.0)(one_map, np.random.default_rng([seed, r, c]))
                draw_hitmap(ax, img[0], geometry, labels=False)
                ax.set_title(f"M={m}  Σq={img.sum():.0f} ADC", fontsize=7)
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    if image is not None:
        charge_colourbar(fig, image, axes, geometry, pad=0.1)
    left, right, bottom, top = geometry.extent_mm(rows, cols)
    fig.suptitle(f"{title}: Σq={one_map.sum():.0f} ADC; maps {right - left:.1f} mm (z) × {bottom - top:.1f} mm (r-φ)")
    return fig


def render_grid(one_map: MapArray, title: str, out: Path, seed: int) -> Path:
    """Draw the grid (:func:`grid_figure`) and write it atomically to ``out``."""
    from fpgaflow.figures.canvas import save_png

    return save_png(grid_figure(one_map, title, seed), out, dpi=80)


def show_transforms(out: Path, path: Path | None = None, index: int | None = None, seed: int = 0) -> Path:
    """Write the grid of map ``index`` of the npz ``path`` (default: a toy map; the particle map with most
    hits) under every transform to ``out``; transform draws seeded by ``seed``."""
    one_map, title = pick_map(path, index)
    return render_grid(one_map, title, out, seed)
