"""Loaders (npz, HDF5, ROOT via uproot), the streaming Dataset API, sharded/streamed writing, and the
errors for bad input: each names the file, the sample (or entry) index and what was expected."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.data.config import DataConfig
from fpgaflow.data.dataset import H5Dataset, ShardDataset, load_file, open_dataset
from fpgaflow.data.hdf5 import load_h5, save_h5
from fpgaflow.data.hitmaps import HitMapSet, load_npz
from fpgaflow.data.root import RootConfig, decode_bpix_id, encode_bpix_id, load_root
from fpgaflow.data.shards import write_stream
from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig
from fpgaflow.data.source import iter_simulated, load_dataset
from fpgaflow.errors import DataError

SIM = DataConfig(
    source="simulate",
    n_maps=90,
    seed=4,
    simulate=SimulatorConfig(window=WindowConfig(region="crop", crop_rows=16, crop_cols=16), batch_size=32),
)


def _maps(n: int = 6) -> HitMapSet:
    rng = np.random.default_rng(0)
    maps = np.floor(rng.uniform(0, 255, (n, 8, 8, 1))).astype(np.float32)
    labels = (np.arange(n) % 2).astype(np.int8)
    return HitMapSet(maps, labels, np.linspace(0, 1, n).astype(np.float32), {"origin": "test"})


# ---- npz / HDF5 round trips and streaming -------------------------------------------------------------


def test_npz_and_h5_round_trip(tmp_path: Path) -> None:
    data = _maps()
    for loaded in (load_npz(data.save_npz(tmp_path / "a.npz")), load_h5(save_h5(data, tmp_path / "a.h5"))):
        assert np.array_equal(loaded.maps, data.maps)
        assert np.array_equal(loaded.labels, data.labels)
        assert loaded.soft_labels is not None
        assert np.allclose(loaded.soft_labels, data.soft_labels)  # type: ignore[arg-type]
        assert loaded.metadata == {"origin": "test"}


@pytest.mark.parametrize("out", ["set.h5", "shards", "set.npz"])
def test_streamed_writing_and_chunked_reading_reproduce_the_set(tmp_path: Path, out: str) -> None:
    whole = load_dataset(SIM)
    path = write_stream(
        iter_simulated(SIM),
        tmp_path / out,
        n_maps=SIM.n_maps,
        map_shape=whole.map_shape,
        metadata={"seed": 4},
        shard_size=40,
    )
    ds = open_dataset(path)
    assert len(ds) == 90
    assert ds.map_shape == (16, 16, 1)
    assert np.array_equal(ds.labels, whole.labels)
    chunks = list(ds.chunks(25))
    assert [len(c) for c in chunks][:3] == [25, 25, 25] or out == "shards"
    assert np.array_equal(np.concatenate([c.maps for c in chunks]), whole.maps)
    picked = ds.take(np.array([70, 3, 41]))
    assert np.array_equal(picked.maps, whole.maps[[70, 3, 41]])
    assert np.array_equal(load_file(path).labels, whole.labels)
    if out == "shards":
        assert isinstance(ds, ShardDataset)
        assert len(ds.shards) == 3  # 40 + 40 + 10
    if out == "set.h5":
        assert isinstance(ds, H5Dataset)


def test_selection_meets_the_fraction_without_relabelling() -> None:
    cfg = DataConfig(
        source="simulate",
        n_maps=60,
        seed=4,
        select_particle_fraction=True,
        particle_fraction=0.5,
        simulate=SIM.simulate,
    )
    data = load_dataset(cfg)
    assert len(data) == 60
    assert int(data.labels.sum()) == 30
    # Every kept map carries the simulator's own label: particle maps have reconstructed charge.
    assert data.soft_labels is not None
    assert np.all(data.soft_labels[data.labels == 1] > 0)


def test_toy_source_unchanged() -> None:
    a = load_dataset(DataConfig(source="toy", n_maps=40, seed=3))
    b = load_dataset(DataConfig(source="toy", n_maps=40, seed=3))
    assert a.maps.shape == (40, 32, 32, 1)
    assert np.array_equal(a.maps, b.maps)


# ---- ROOT digi ntuples (written with uproot, read back for real) ----------------------------------------


def _write_root(
    path: Path, entries: list[tuple[int, list[int], list[int], list[int], int]], drop: str | None = None
) -> Path:
    import awkward as ak
    import uproot

    branches = {
        "detId": np.array([e[0] for e in entries], dtype=np.uint32),
        "row": ak.Array([e[1] for e in entries]),
        "col": ak.Array([e[2] for e in entries]),
        "adc": ak.Array([e[3] for e in entries]),
        "label": np.array([e[4] for e in entries], dtype=np.int32),
    }
    if drop:
        del branches[drop]
    with uproot.recreate(path) as f:
        f["digis"] = branches
    return path


def test_bpix_module_id_round_trip() -> None:
    raw = np.array([encode_bpix_id(1, 7, 4), encode_bpix_id(3, 21, 8)])
    layer, ladder, module = decode_bpix_id(raw)
    assert layer.tolist() == [1, 3]
    assert ladder.tolist() == [7, 21]
    assert module.tolist() == [4, 5 + 3]


def test_root_digis_become_dense_module_maps(tmp_path: Path) -> None:
    l1m4, l1m5, l1m1, l2m4 = (
        encode_bpix_id(1, 3, 4),
        encode_bpix_id(1, 9, 5),
        encode_bpix_id(1, 3, 1),
        encode_bpix_id(2, 3, 4),
    )
    path = _write_root(
        tmp_path / "digis.root",
        [
            (l1m4, [10, 11, 11], [200, 200, 200], [50, 30, 20], 1),  # two digis on (11, 200) add up to 50
            (l1m1, [5], [5], [90], 1),  # module 1: outside |η| < 0.2, skipped
            (l1m5, [], [], [], 0),  # empty central module
            (l2m4, [1], [1], [10], 0),  # layer 2: skipped
            (l1m5, [159], [415], [255], 1),
        ],
    )
    data = load_root(path, RootConfig(step_entries=2))
    assert data.maps.shape == (3, 160, 416, 1)
    assert data.labels.tolist() == [1, 0, 1]
    assert data.maps[0, 10, 200, 0] == 50.0
    assert data.maps[0, 11, 200, 0] == 50.0
    assert data.maps[0].sum() == 100.0
    assert data.maps[1].sum() == 0.0
    assert data.maps[2, 159, 415, 0] == 255.0
    everything = load_root(path, RootConfig(modules=()))
    assert len(everything) == 4  # all layer-1 modules
    ds = open_dataset(path)
    assert len(ds) == 3
    assert [len(c) for c in ds.chunks(2)] == [2, 1]


def test_root_errors_name_file_entry_and_expectation(tmp_path: Path) -> None:
    good = encode_bpix_id(1, 1, 4)
    missing = _write_root(tmp_path / "nolabel.root", [(good, [1], [1], [10], 1)], drop="label")
    with pytest.raises(DataError, match=r"nolabel\.root: tree 'digis' lacks branches \['label'\]"):
        load_root(missing, RootConfig())
    with pytest.raises(DataError, match=r"no TTree 'pixels'"):
        load_root(missing, RootConfig(tree="pixels"))
    bad_row = _write_root(tmp_path / "badrow.root", [(good, [1], [1], [10], 1), (good, [160], [1], [10], 0)])
    with pytest.raises(DataError, match=r"badrow\.root: entry 1 has row = 160\.0, expected 0\.\.159"):
        load_root(bad_row, RootConfig())
    bad_adc = _write_root(tmp_path / "badadc.root", [(good, [1], [1], [300], 1)])
    with pytest.raises(DataError, match=r"entry 0 has adc = 300\.0, expected 0\.\.255"):
        load_root(bad_adc, RootConfig())
    bad_label = _write_root(tmp_path / "badlabel.root", [(good, [1], [1], [9], 1), (good, [1], [1], [9], 2)])
    with pytest.raises(DataError, match=r"entry 1 has 'label' = 2, expected 0 \(background\) or 1"):
        load_root(bad_label, RootConfig())
    ragged = _write_root(tmp_path / "ragged.root", [(good, [1, 2], [1], [9, 9], 1)])
    with pytest.raises(DataError, match=r"entry 0 has 2 'row' values but 1 'col' values"):
        load_root(ragged, RootConfig())
    truncated = tmp_path / "truncated.root"
    truncated.write_bytes(bad_row.read_bytes()[:300])
    with pytest.raises(DataError, match=r"truncated\.root: .*(truncated or corrupt|no TTree)"):
        load_root(truncated, RootConfig())


# ---- validation of arrays and files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda m, lab: m.__setitem__((3, 1, 1, 0), np.nan), r"sample 3 contains NaN or inf"),
        (lambda m, lab: m.__setitem__((2, 0, 0, 0), -1.0), r"sample 2 has negative charge"),
        (
            lambda m, lab: m.__setitem__((4, 0, 0, 0), 256.0),
            r"sample 4 has charge above the ADC full scale 255",
        ),
        (lambda m, lab: lab.__setitem__(5, 3), r"sample 5 has label 3, expected 0 \(background\) or 1"),
    ],
)
def test_bad_values_are_named_by_file_and_sample(tmp_path: Path, corrupt, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _maps()
    maps, labels = data.maps.copy(), data.labels.copy()
    corrupt(maps, labels)
    npz = tmp_path / "bad.npz"
    np.savez(npz, maps=maps, labels=labels)
    with pytest.raises(DataError, match=rf"bad\.npz: {message}"):
        load_npz(npz)
    import h5py

    h5 = tmp_path / "bad.h5"
    with h5py.File(h5, "w") as f:
        f["maps"], f["labels"] = maps, labels
    with pytest.raises(DataError, match=rf"bad\.h5: {message}"):
        load_h5(h5)
    # Streaming reads report the index in the whole file, not in the chunk.
    with pytest.raises(DataError, match=rf"bad\.h5: {message}"):
        list(H5Dataset(h5).chunks(2))


def test_shape_dtype_and_count_mismatches(tmp_path: Path) -> None:
    data = _maps()
    np.savez(tmp_path / "count.npz", maps=data.maps, labels=data.labels[:-1])
    with pytest.raises(DataError, match=r"count\.npz: 6 maps but labels have shape \(5,\)"):
        load_npz(tmp_path / "count.npz")
    np.savez(tmp_path / "dtype.npz", maps=data.maps.astype(np.float64), labels=data.labels)
    with pytest.raises(DataError, match=r"dtype\.npz: maps must be float32"):
        load_npz(tmp_path / "dtype.npz")
    np.savez(tmp_path / "shape.npz", maps=data.maps[:, :, :, 0][..., None, None], labels=data.labels)
    with pytest.raises(DataError, match=r"shape\.npz: maps must have shape \(n, rows, cols, 1\)"):
        load_npz(tmp_path / "shape.npz")
    np.savez(tmp_path / "soft.npz", maps=data.maps, labels=data.labels, soft_labels=np.full(6, 1.5, np.float32))
    with pytest.raises(DataError, match=r"soft\.npz: sample 0 has soft label 1\.5"):
        load_npz(tmp_path / "soft.npz")
    np.savez(tmp_path / "names.npz", images=data.maps)
    with pytest.raises(DataError, match=r"names\.npz: expected arrays 'maps' and 'labels', found \['images'\]"):
        load_npz(tmp_path / "names.npz")
    import h5py

    with h5py.File(tmp_path / "count.h5", "w") as f:
        f["maps"], f["labels"] = data.maps, data.labels[:4]
    with pytest.raises(DataError, match=r"count\.h5: 6 maps but 4 labels"):
        load_h5(tmp_path / "count.h5")


def test_truncated_and_corrupt_files(tmp_path: Path) -> None:
    data = _maps(50)
    npz = data.save_npz(tmp_path / "t.npz")
    (tmp_path / "cut.npz").write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    with pytest.raises(DataError, match=r"cut\.npz: not a readable npz file, truncated or corrupt"):
        load_npz(tmp_path / "cut.npz")
    h5 = save_h5(data, tmp_path / "t.h5")
    (tmp_path / "cut.h5").write_bytes(h5.read_bytes()[: h5.stat().st_size // 2])
    with pytest.raises(DataError, match=r"cut\.h5: (not a readable HDF5 file|cannot read samples)"):
        load_h5(tmp_path / "cut.h5")
    (tmp_path / "junk.h5").write_bytes(b"not hdf5 at all" * 10)
    with pytest.raises(DataError, match=r"junk\.h5: not a readable HDF5 file"):
        load_h5(tmp_path / "junk.h5")
    with pytest.raises(DataError, match=r"missing\.npz: file not found"):
        load_file(tmp_path / "missing.npz")
    (tmp_path / "x.csv").write_text("1,2")
    with pytest.raises(DataError, match=r"unknown hit-map format '\.csv'"):
        open_dataset(tmp_path / "x.csv")


def test_shard_manifest_mismatch_is_reported(tmp_path: Path) -> None:
    path = write_stream(
        iter_simulated(SIM),
        tmp_path / "sh",
        n_maps=SIM.n_maps,
        map_shape=(16, 16, 1),
        metadata={},
        shard_size=40,
    )
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["shards"][1]["n_maps"] = 41
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"shard-00001\.npz: holds 40 maps, the manifest says 41"):
        list(open_dataset(path).chunks(100))
    with pytest.raises(DataError, match="already holds shards"):
        write_stream(iter_simulated(SIM), path, n_maps=SIM.n_maps, map_shape=(16, 16, 1), metadata={}, shard_size=40)


def test_shuffled_batches_cover_each_map_once_in_a_seeded_order(tmp_path: Path) -> None:
    from fpgaflow.data.dataset import shuffled_batches

    n = 90
    maps = np.zeros((n, 4, 4, 1), np.float32)
    maps[:, 0, 0, 0] = np.arange(n)  # each map carries its own index
    ds = open_dataset(save_h5(HitMapSet(maps, (np.arange(n) % 2).astype(np.int8)), tmp_path / "s.h5"))
    subset = np.arange(5, 80)
    batches = list(shuffled_batches(ds, 16, np.random.default_rng(1), index=subset, buffer_maps=32))
    assert [len(b) for b in batches].count(16) >= 3
    order = np.concatenate([b.maps[:, 0, 0, 0] for b in batches]).astype(int)
    labels = np.concatenate([b.labels for b in batches])
    assert sorted(order.tolist()) == subset.tolist()  # every selected map exactly once
    assert np.array_equal(labels, order % 2)  # labels travel with their maps
    assert not np.array_equal(order, subset)  # shuffled
    again = np.concatenate(
        [b.maps[:, 0, 0, 0] for b in shuffled_batches(ds, 16, np.random.default_rng(1), index=subset, buffer_maps=32)]
    )
    assert np.array_equal(order, again.astype(int))  # the seed fixes the order


def test_selection_that_physics_cannot_meet_is_an_error() -> None:
    # No pileup: no reconstructable track ever, so a 50 % particle selection is impossible.
    quiet = SimulatorConfig(
        window=WindowConfig(region="crop", crop_rows=16, crop_cols=16),
        tracks=TrackConfig(pileup=0.0),
    )
    cfg = DataConfig(source="simulate", n_maps=20, select_particle_fraction=True, simulate=quiet)
    with pytest.raises(DataError, match=r"only 0 particle / 10 background maps in 1000 simulated maps"):
        load_dataset(cfg)


def test_load_maps_reads_unlabelled_npz_and_names_bad_charge(tmp_path: Path) -> None:
    from fpgaflow.data import load_maps

    counts = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4) * 7
    path = tmp_path / "raw.npz"
    np.savez(path, maps=counts)
    maps = load_maps(path)
    assert maps.dtype == np.float32 and maps.shape == (2, 4, 4, 1)
    np.testing.assert_array_equal(maps[..., 0], counts.astype(np.float32))
    bad = counts.astype(np.float32)
    bad[1, 2, 3] = 300.0
    np.savez(path, maps=bad)
    with pytest.raises(DataError, match=r"raw.npz: sample 1 has charge above the ADC full scale 255"):
        load_maps(path)
    np.savez(path, images=counts)
    with pytest.raises(DataError, match=r"expected an array 'maps'"):
        load_maps(path)
