"""Unit tests of individual steps and of the pieces they hand to the board."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.data import load_npz, split_indices
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.steps import step_data
from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.errors import BundleError
from fpgaflow_board.manifest import read_manifest


def _run_data(tmp: Path, cfg: RunConfig) -> Artefacts:
    art = Artefacts(tmp)
    art.step_dir, art.step_final = tmp / "data", "data"
    art.step_dir.mkdir(parents=True)
    return step_data(art, cfg)


def test_step_data_is_seeded_stratified_and_disjoint(tmp_path: Path) -> None:
    cfg = from_mapping(RunConfig, {"data": {"n_maps": 400, "toy": {"rows": 8, "cols": 8}, "seed": 5}})
    a = _run_data(tmp_path / "a", cfg)
    b = _run_data(tmp_path / "b", cfg)
    for key in ("train_maps", "val_maps", "test_maps"):
        assert (a.path(key)).read_bytes() == (b.path(key)).read_bytes(), "same seed → identical bytes"
    train, val, test = (load_npz(a.path(k)) for k in ("train_maps", "val_maps", "test_maps"))
    assert (len(train), len(val), len(test)) == (280, 60, 60)
    # Stratified: each split's particle fraction is within one map of the whole set's.
    whole = np.concatenate([train.labels, val.labels, test.labels]).mean()
    for part in (val, test):
        assert abs(part.labels.mean() - whole) <= 1.0 / len(part) + 1e-9
    # Disjoint and complete: every generated map lands in exactly one split.
    labels = np.random.default_rng(0).integers(0, 2, 400)
    parts = split_indices(labels, 0.15, 0.15, np.random.default_rng(1))
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(400))
    assert a.metrics["input_shape"] == [8, 8, 1]


def test_csim_library_is_relocatable_and_never_exits(tiny_run: Path, tmp_path: Path) -> None:
    bundle = tiny_run / "board"
    m = read_manifest(bundle)
    moved = tmp_path / "moved"
    shutil.copytree(bundle / "lib", moved)
    x = np.load(bundle / "test_maps.npz")["maps"][:20] * np.float32(m.input_scale)
    out = CSimLibrary(moved / "myproject_csim.so", m.n_in, m.n_out).predict(x).reshape(-1)
    np.testing.assert_array_equal(out, np.load(bundle / "expected_outputs.npz")["csim_raw"][:20])
    # Without its weights the C++ would call exit(1) and kill Python: the loader refuses first.
    shutil.rmtree(moved / "weights")
    with pytest.raises(FileNotFoundError, match="weight files are missing"):
        CSimLibrary(moved / "myproject_csim.so", m.n_in, m.n_out)


def test_manifest_detects_tampering(tiny_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_run / "board", copy)
    with np.load(copy / "expected_outputs.npz") as z:
        arrays = dict(z)
    arrays["csim"] = arrays["csim"] + 1
    np.savez_compressed(copy / "expected_outputs.npz", **arrays)
    with pytest.raises(BundleError, match=r"expected_outputs.npz does not match its manifest checksum"):
        read_manifest(copy)
    shutil.rmtree(copy)
    shutil.copytree(tiny_run / "board", copy)
    (copy / "test_maps.npz").unlink()
    with pytest.raises(BundleError, match=r"test_maps.npz but it is missing"):
        read_manifest(copy)
