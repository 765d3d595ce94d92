"""``fpgaflow augment show`` writes the transform grid PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.cli import augment as cli_augment
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.errors import DataError


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="fpgaflow")
    cli_augment.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_show_toy_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "grid.png"
    assert run(["augment", "show", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(out) in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_show_npz_non_square(tmp_path: Path) -> None:
    maps = np.zeros((3, 16, 24, 1), np.float32)
    maps[1, 5:8, 10:12] = 60.0
    HitMapSet(maps, np.array([0, 1, 0], np.int8)).save_npz(tmp_path / "m.npz")
    out = tmp_path / "g.png"
    assert run(["augment", "show", "--input", str(tmp_path / "m.npz"), "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    with pytest.raises(DataError, match=r"--index 7 out of range 0\.\.2"):
        run(["augment", "show", "--input", str(tmp_path / "m.npz"), "--index", "7", "--out", str(out)])


def test_grid_draws_hit_maps_with_empty_pixels_blank() -> None:
    from fpgaflow.augment.show import grid_figure
    from fpgaflow.figures.canvas import close

    one = np.zeros((1, 16, 24, 1), np.float32)
    one[0, 5:8, 10:12] = 60.0
    fig = grid_figure(one, "m", seed=0)
    try:
        first = next(ax for ax in fig.axes if ax.images)
        data = first.images[0].get_array()
        assert data.mask.sum() == 16 * 24 - 6  # only the 6 read-out pixels are drawn
        assert first.images[0].get_extent() == pytest.approx((0.0, 3.6, 1.6, 0.0)) and first.get_aspect() == 1.0
        assert any(ax.get_ylabel() == "charge per pixel (ADC counts)" for ax in fig.axes)
    finally:
        close(fig)
