"""A grid PNG of one hit map under every transform at a few magnitudes (``fpgaflow augment show``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fpgaflow.data.hitmaps import MapArray

#: Policy magnitudes (0..10) shown as columns after the original map.
SHOW_MAGNITUDES = (2, 6, 10)


def pick_map(path: Path | None, index: int | None) -> tuple[MapArray, str]:
    from fpgaflow.data.hitmaps import load_npz
    from fpgaflow.data.toy import ToyConfig, generate_toy
    from fpgaflow.errors import DataError

    if path is None:
        data = generate_toy(ToyConfig(), 64, 1.0, np.random.default_rng(0))
        source = "toy map (fpgaflow.data.toy)"
    else:
        data = load_npz(path)
        source = str(path)
    if index is None:
        hits = (data.maps > 0).reshape(len(data), -1).sum(axis=1)
        hits = np.where(data.labels == 1, hits, -1) if (data.labels == 1).any() else hits
        index = int(np.argmax(hits))
    if not 0 <= index < len(data):
        raise DataError(f"{source}: --index {index} out of range 0..{len(data) - 1}")
    return data.maps[index : index + 1], f"{source} #{index} (label {int(data.labels[index])})"


def render_grid(one_map: MapArray, title: str, out: Path, seed: int) -> Path:
    """Draw the grid and write it atomically to ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fpgaflow.augment.registry import TRANSFORMS, make_transform
    from fpgaflow_board.atomic import atomic_file

    rows, cols = one_map.shape[1:3]
    vmax = max(float(one_map.max()), 1.0)  # colour scale of the original, so faint hits stay visible
    names = list(TRANSFORMS)
    fig, axes = plt.subplots(
        len(names), len(SHOW_MAGNITUDES) + 1, figsize=(2.0 * (len(SHOW_MAGNITUDES) + 1), 1.9 * len(names))
    )
    for r, name in enumerate(names):
        axes[r, 0].imshow(one_map[0, ..., 0], cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
        axes[r, 0].set_ylabel(name, fontsize=8)
        axes[r, 0].set_title("original" if r == 0 else "", fontsize=8)
        for c, m in enumerate(SHOW_MAGNITUDES, start=1):
            ax = axes[r, c]
            if name == "rotate90" and rows != cols and m >= 5:
                ax.text(0.5, 0.5, "90° needs\nsquare map", ha="center", va="center", fontsize=7)
            else:
                img = make_transform(name, m, 1.0)(one_map, np.random.default_rng([seed, r, c]))
                ax.imshow(img[0, ..., 0], cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
                ax.set_title(f"M={m}  Σq={img.sum():.0f}", fontsize=7)
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(f"{title}: Σq={one_map.sum():.0f} ADC", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    try:
        with atomic_file(out) as tmp:
            fig.savefig(tmp, dpi=80)
    finally:
        plt.close(fig)
    return out


def show_transforms(out: Path, path: Path | None = None, index: int | None = None, seed: int = 0) -> Path:
    """Write the grid of map ``index`` of the npz ``path`` (default: a toy map; the particle map with most
    hits) under every transform to ``out``; transform draws seeded by ``seed``."""
    one_map, title = pick_map(path, index)
    return render_grid(one_map, title, out, seed)
