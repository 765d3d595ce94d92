"""Hit-map inputs of ``data.source: file``: npz, HDF5, ROOT files and shard directories, good and bad.

Each is run through the data step (``fpgaflow run CFG --out OUT --to data``), which loads, validates and
splits the maps; no TensorFlow is involved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bad_inputs.case import Case, Prepare, Prepared, fpgaflow

N = 120


def maps_and_labels(n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 8 x 8 maps of small ADC counts, labels alternating 0/1."""
    rng = np.random.default_rng(seed)
    return (rng.random((n, 8, 8, 1)) * 20).astype(np.float32), (np.arange(n) % 2).astype(np.int8)


def run_data_step(tmp: Path, data: Path, keep: tuple[Path, ...] = ()) -> Prepared:
    """``fpgaflow run`` up to the data step on ``data``."""
    cfg = tmp / "run.yaml"
    cfg.write_text(f"data:\n  source: file\n  path: {data}\n")
    return Prepared(fpgaflow("run", cfg, "--out", tmp / "out", "--to", "data"), keep=(data, *keep))


def _npz(make: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]]) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        maps, labels = maps_and_labels()
        np.savez(tmp / "maps.npz", **make(maps, labels))
        return run_data_step(tmp, tmp / "maps.npz")

    return prepare


def _with_nan(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    maps[7, 2, 3, 0] = np.nan
    return {"maps": maps, "labels": labels}


def _negative(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    maps[9, 0, 0, 0] = -1.0
    return {"maps": maps, "labels": labels}


def _label_two(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    labels[4] = 2
    return {"maps": maps, "labels": labels}


def _one_particle(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    labels[:] = 0
    labels[5] = 1
    return {"maps": maps, "labels": labels}


def _truncated_npz(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
    maps, labels = maps_and_labels()
    np.savez_compressed(tmp / "maps.npz", maps=maps, labels=labels)
    data = (tmp / "maps.npz").read_bytes()
    (tmp / "maps.npz").write_bytes(data[: len(data) // 2])
    return run_data_step(tmp, tmp / "maps.npz")


def _h5(meta: str | None) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        import h5py

        maps, labels = maps_and_labels()
        with h5py.File(tmp / "maps.h5", "w") as f:
            f["maps"], f["labels"] = maps, labels
            if meta is not None:
                f.attrs["metadata"] = meta
        return run_data_step(tmp, tmp / "maps.h5")

    return prepare


def _root(cut: int | None) -> Prepare:
    """A ROOT digi ntuple (written with uproot), whole or cut after ``cut`` bytes."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        import awkward as ak
        import uproot

        from fpgaflow.data.root import encode_bpix_id

        rng = np.random.default_rng(1)
        n = 60
        with uproot.recreate(tmp / "digis.root") as f:
            f["digis"] = {
                "detId": np.full(n, encode_bpix_id(1, 3, 4), dtype=np.uint32),
                "row": ak.Array([rng.integers(0, 160, 4).tolist() for _ in range(n)]),
                "col": ak.Array([rng.integers(0, 416, 4).tolist() for _ in range(n)]),
                "adc": ak.Array([rng.integers(1, 60, 4).tolist() for _ in range(n)]),
                "label": (np.arange(n) % 2).astype(np.int32),
            }
        if cut is not None:
            (tmp / "digis.root").write_bytes((tmp / "digis.root").read_bytes()[:cut])
        return run_data_step(tmp, tmp / "digis.root")

    return prepare


def write_shard_dir(directory: Path, n_shards: int = 3, per_shard: int = 40) -> dict[str, object]:
    """A shard directory as ``write_shards`` makes it; returns its manifest (already written)."""
    from fpgaflow.data.hitmaps import HitMapSet
    from fpgaflow.data.shards import write_shards

    maps, labels = maps_and_labels(n_shards * per_shard)
    chunks = [HitMapSet(maps[i::n_shards], labels[i::n_shards]) for i in range(n_shards)]
    write_shards(chunks, directory, n_maps=len(labels), map_shape=(8, 8, 1), metadata={}, shard_size=per_shard)
    manifest: dict[str, object] = json.loads((directory / "manifest.json").read_text())
    return manifest


def _shards(edit: Callable[[dict, Path], None] | None) -> Prepare:
    """A shard directory whose manifest ``edit`` tampers with."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        directory = tmp / "shards"
        manifest = write_shard_dir(directory)
        if edit is not None:
            edit(manifest, tmp)
            (directory / "manifest.json").write_text(json.dumps(manifest))
        return run_data_step(tmp, directory)

    return prepare


def _flip_label(m: dict, _: Path) -> None:
    m["labels"][17] = 1 - m["labels"][17]


def _short_labels(m: dict, _: Path) -> None:
    m["labels"] = m["labels"][:-5]


def _label_out_of_range(m: dict, _: Path) -> None:
    m["labels"][3] = 7


def _drop_shard(m: dict, _: Path) -> None:
    dropped = m["shards"].pop()
    m["n_maps"] -= dropped["n_maps"]
    m["labels"] = m["labels"][: m["n_maps"]]


def _escape(m: dict, tmp: Path) -> None:
    maps, labels = maps_and_labels(40, seed=5)
    np.savez(tmp / "other.npz", maps=maps, labels=labels)
    (tmp / "shards" / "shard-00002.npz").unlink()
    m["shards"][2]["file"] = "../other.npz"


def _absolute(m: dict, tmp: Path) -> None:
    m["shards"][0]["file"] = str(tmp / "shards" / "shard-00000.npz")


def _count(m: dict, _: Path) -> None:
    m["shards"][1]["n_maps"] = 41


def _empty(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    return {"maps": maps[:0], "labels": labels[:0]}


def _one_class(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    return {"maps": maps, "labels": np.zeros_like(labels)}


def _good(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    return {"maps": maps, "labels": labels}


def _wrong_shape(maps: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    return {"maps": maps.reshape(N, 64), "labels": labels}


def _missing(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
    cfg = tmp / "run.yaml"
    cfg.write_text(f"data:\n  source: file\n  path: {tmp / 'nope.npz'}\n")
    return Prepared(fpgaflow("run", cfg, "--out", tmp / "out", "--to", "data"))


CASES = [
    Case("npz-good", "data", "a valid .npz (maps + 0/1 labels)", 0, "summary:", _npz(_good)),
    Case("h5-good", "data", "a valid HDF5 file without metadata", 0, "summary:", _h5(None)),
    Case("root-good", "data", "a valid ROOT digi ntuple", 0, "summary:", _root(None)),
    Case("shards-good", "shards", "a shard directory as `fpgaflow data` writes it", 0, "summary:", _shards(None)),
    Case(
        "npz-one-class", "data", "an .npz whose maps are all background", 2, "none particle (label 1)", _npz(_one_class)
    ),
    Case(
        "npz-zero-maps",
        "data",
        "an .npz with 0 maps",
        2,
        "0 hit maps; training needs maps of both classes",
        _npz(_empty),
    ),
    Case(
        "npz-rare-class",
        "data",
        "1 particle map among 120",
        2,
        "only 1 particle maps (label 1) of 120: too few",
        _npz(_one_particle),
    ),
    Case("npz-nan-charge", "data", "NaN charge in map 7", 2, "sample 7 contains NaN or inf charge", _npz(_with_nan)),
    Case("npz-negative-charge", "data", "negative charge in map 9", 2, "sample 9 has negative charge", _npz(_negative)),
    Case(
        "npz-label-2",
        "data",
        "label 2 on map 4",
        2,
        "sample 4 has label 2, expected 0 (background) or 1",
        _npz(_label_two),
    ),
    Case(
        "npz-flat-maps",
        "data",
        "maps of shape (n, 64)",
        2,
        "maps must have shape (n, rows, cols, 1)",
        _npz(_wrong_shape),
    ),
    Case(
        "npz-truncated",
        "data",
        "an .npz cut in half",
        2,
        "not a readable npz file, truncated or corrupt",
        _truncated_npz,
    ),
    Case("npz-missing", "data", "`data.path` that does not exist", 2, "nope.npz: file not found", _missing),
    Case(
        "h5-metadata-not-json",
        "data",
        "HDF5 `metadata` attribute that is not JSON",
        2,
        "the 'metadata' attribute is not JSON",
        _h5("{not json"),
    ),
    Case(
        "root-truncated",
        "data",
        "a ROOT file cut after 2,000 bytes",
        2,
        "not a readable ROOT file (truncated or corrupt?)",
        _root(2000),
    ),
    Case(
        "shards-flipped-label",
        "shards",
        "manifest label of map 17 flipped",
        2,
        "label of map 17 is",
        _shards(_flip_label),
    ),
    Case(
        "shards-short-labels",
        "shards",
        "manifest label list 5 short",
        2,
        "labels must list one 0/1 label per map (120), got 115",
        _shards(_short_labels),
    ),
    Case(
        "shards-label-range",
        "shards",
        "manifest label 7",
        2,
        "label of map 3 is 7, expected 0 (background) or 1",
        _shards(_label_out_of_range),
    ),
    Case(
        "shards-dropped-entry",
        "shards",
        "last shard entry removed from the manifest",
        2,
        "shard-00002.npz is in the directory but not in the manifest",
        _shards(_drop_shard),
    ),
    Case(
        "shards-escape",
        "shards",
        '`"file": "../other.npz"`',
        2,
        "file '../other.npz' points outside the shard directory",
        _shards(_escape),
    ),
    Case(
        "shards-absolute",
        "shards",
        "an absolute shard path",
        2,
        "points outside the shard directory",
        _shards(_absolute),
    ),
    Case(
        "shards-count",
        "shards",
        "a shard's `n_maps` off by one",
        2,
        "shard-00001.npz: holds 40 maps, the manifest says 41",
        _shards(_count),
    ),
]
