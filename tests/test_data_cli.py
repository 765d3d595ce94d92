"""``fpgaflow data simulate`` and ``fpgaflow data show`` end to end (real files, real PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow import cli
from fpgaflow.data.dataset import open_dataset


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # Only the data command: the test must not depend on other stages' modules.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("data",))
    return cli.main


CONFIG = """\
data:
  source: simulate
  n_maps: 120
  seed: 5
  simulate:
    window: {region: crop, crop_rows: 32, crop_cols: 32}
    batch_size: 50
train: {epochs: 3}
"""


def test_simulate_then_show(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "sim.yaml"
    cfg.write_text(CONFIG)
    out = tmp_path / "maps.h5"
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(out)]) == 0
    ds = open_dataset(out)
    assert len(ds) == 120
    assert ds.map_shape == (32, 32, 1)
    # The same config and seed again: byte-identical maps.
    again = tmp_path / "again.npz"
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(again)]) == 0
    first = np.concatenate([c.maps for c in ds.chunks(1000)])
    assert np.array_equal(first, open_dataset(again).take(np.arange(120)).maps)

    png = tmp_path / "gallery.png"
    capsys.readouterr()
    assert run_cli(["data", "show", str(out), "--out", str(png)]) == 0
    text = capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "background" in text
    assert "particle" in text
    assert "occupancy" in text
    n_particle = int(ds.labels.sum())
    particle_row = next(line for line in text.splitlines() if line.startswith("particle"))
    assert int(particle_row.split()[1]) == n_particle


def test_user_errors_are_one_line(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "typo.yaml"
    cfg.write_text("data:\n  source: simulate\n  simulate: {tracks: {pilup: 50}}\n")
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(tmp_path / "x.h5")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'pileup'" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.h5").exists()
    toy = tmp_path / "toy.yaml"
    toy.write_text("data: {source: toy}\n")
    assert run_cli(["data", "simulate", "--config", str(toy), "--out", str(tmp_path / "y.h5")]) == 2
    assert "needs 'simulate'" in capsys.readouterr().err
    assert run_cli(["data", "show", str(tmp_path / "missing.h5")]) == 2
    assert "missing.h5: file not found" in capsys.readouterr().err


def test_simulate_to_a_directory_follows_the_output_policy(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "sim.yaml"
    cfg.write_text(CONFIG)
    shards = tmp_path / "shards"
    argv = ["data", "simulate", "--config", str(cfg), "--out", str(shards), "--n-maps", "40", "--shard-size", "25"]
    assert run_cli(argv) == 0
    assert sorted(p.name for p in shards.glob("shard-*.npz")) == ["shard-00000.npz", "shard-00001.npz"]
    assert len(open_dataset(shards)) == 40
    assert run_cli([*argv[:-4], "--n-maps", "30", "--shard-size", "25"]) == 0  # an earlier output is replaced
    assert len(open_dataset(shards)) == 30
    assert not (tmp_path / "shards.partial").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    capsys.readouterr()
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(foreign), "--n-maps", "40"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "holds files that are not an fpgaflow shards output" in err
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


def test_simulate_with_truth_keeps_the_maps(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import h5py

    from fpgaflow.data.truth import load_truth

    cfg = tmp_path / "sim.yaml"
    cfg.write_text(CONFIG)
    plain, rich = tmp_path / "plain.h5", tmp_path / "truth.h5"
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(plain)]) == 0
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(rich), "--truth"]) == 0
    assert "with per-cluster truth" in capsys.readouterr().out
    with h5py.File(plain, "r") as a, h5py.File(rich, "r") as b:
        assert a["maps"][:].tobytes() == b["maps"][:].tobytes()
        assert a["labels"][:].tobytes() == b["labels"][:].tobytes()
        assert "clusters" not in a
        assert b["clusters/offsets"].shape == (121,)
    truth = load_truth(rich)
    assert len(truth) == int(h5py.File(rich, "r")["clusters/offsets"][-1]) > 0
    # A task preset through the CLI: cluster stamps with their groups and module positions.
    bib = tmp_path / "bib.yaml"
    bib.write_text("data: {task: cluster-bib, n_maps: 300}\n")
    stamps = tmp_path / "stamps.npz"
    assert run_cli(["data", "simulate", "--config", str(bib), "--out", str(stamps)]) == 0
    with np.load(stamps) as z:
        assert z["maps"].shape == (300, 16, 16, 1)
        assert z["groups"].shape == (300,) and z["positions"].shape == (300, 2)


def test_convert_round_trip_is_byte_identical(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from fpgaflow.data import load_npz

    cfg = tmp_path / "sim.yaml"
    cfg.write_text(CONFIG)
    start = tmp_path / "maps.npz"
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(start)]) == 0
    h5, shards, back = tmp_path / "maps.h5", tmp_path / "shards", tmp_path / "back.npz"
    capsys.readouterr()
    assert run_cli(["data", "convert", str(start), str(h5)]) == 0
    assert f"wrote 120 maps of 32x32 from {start} to {h5}" in capsys.readouterr().out
    assert run_cli(["data", "convert", str(h5), str(shards), "--shard-size", "50"]) == 0
    assert sorted(p.name for p in shards.glob("shard-*.npz")) == [f"shard-0000{i}.npz" for i in range(3)]
    assert run_cli(["data", "convert", str(shards), str(back)]) == 0
    a, b = load_npz(start), load_npz(back)
    assert a.maps.tobytes() == b.maps.tobytes() and a.maps.dtype == b.maps.dtype == np.float32
    assert a.labels.tobytes() == b.labels.tobytes() and a.labels.dtype == b.labels.dtype
    assert a.soft_labels is not None and b.soft_labels is not None
    assert a.soft_labels.tobytes() == b.soft_labels.tobytes()
    assert a.metadata == b.metadata and a.metadata["seed"] == 5
    assert open_dataset(h5).metadata == a.metadata == open_dataset(shards).metadata


def test_convert_without_soft_labels_and_errors(tmp_path: Path, run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from fpgaflow.data import HitMapSet, load_npz

    maps = np.zeros((6, 4, 4, 1), np.float32)
    maps[::2, 1, 2] = 40.0
    plain = HitMapSet(maps, np.array([1, 0] * 3, np.int8)).save_npz(tmp_path / "plain.npz")
    assert run_cli(["data", "convert", str(plain), str(tmp_path / "plain.h5")]) == 0
    assert run_cli(["data", "convert", str(tmp_path / "plain.h5"), str(tmp_path / "again.npz")]) == 0
    again = load_npz(tmp_path / "again.npz")
    assert again.soft_labels is None and again.maps.tobytes() == maps.tobytes()
    capsys.readouterr()
    assert run_cli(["data", "convert", str(plain), str(plain)]) == 2
    assert "the output is the input" in capsys.readouterr().err
    assert run_cli(["data", "convert", str(plain), str(tmp_path / "x.csv")]) == 2
    assert "unknown output format '.csv'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_convert_keeps_groups_and_positions(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from fpgaflow.data import load_npz

    cfg = tmp_path / "bib.yaml"
    cfg.write_text("data: {task: cluster-bib, n_maps: 120}\n")
    start, h5, back = tmp_path / "stamps.npz", tmp_path / "stamps.h5", tmp_path / "back.npz"
    assert run_cli(["data", "simulate", "--config", str(cfg), "--out", str(start)]) == 0
    assert run_cli(["data", "convert", str(start), str(h5)]) == 0
    assert run_cli(["data", "convert", str(h5), str(back)]) == 0
    a, b = load_npz(start), load_npz(back)
    assert a.groups is not None and b.groups is not None and a.positions is not None and b.positions is not None
    assert a.maps.tobytes() == b.maps.tobytes() and a.labels.tobytes() == b.labels.tobytes()
    assert a.groups.tobytes() == b.groups.tobytes() and a.positions.tobytes() == b.positions.tobytes()
