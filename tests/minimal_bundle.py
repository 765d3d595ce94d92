"""The one minimal board bundle the host tests build: a manifest with checksums, test maps and expected outputs
(optionally a stand-in C-simulation library), without a bitstream.  Enough for ``read_manifest``, the board's
``python -m fpgaflow_board`` refusals and ``fpgaflow check``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow_board.manifest import Manifest, sha256, write_manifest


def write_minimal_bundle(
    bundle: Path, raw: np.ndarray, map_shape: tuple[int, int, int], with_library: bool = False, **changes: Any
) -> Manifest:
    """Write a bundle of ``len(raw)`` all-zero maps of ``map_shape`` (labels alternate 0, 1) whose C simulation and
    QKeras both gave ``raw`` (and its sigmoid); ``with_library``: add ``lib/myproject_csim.so`` (not a real
    library).  ``changes`` edit the manifest after the checksums are taken; returns the manifest written."""
    bundle.mkdir(parents=True)
    n_maps = len(raw)
    labels = (np.arange(n_maps) % 2).astype(np.int8)
    np.savez(bundle / "test_maps.npz", maps=np.zeros((n_maps, *map_shape), np.float32), labels=labels)
    score = (1.0 / (1.0 + np.exp(-raw.astype(np.float64)))).astype(np.float32)
    np.savez(bundle / "expected_outputs.npz", csim_raw=raw, keras_raw=raw, csim=score, keras=score)
    if with_library:
        (bundle / "lib").mkdir()
        (bundle / "lib" / "myproject_csim.so").write_bytes(b"\x7fELF not really a library")
    files = {p.relative_to(bundle).as_posix(): sha256(p) for p in sorted(bundle.rglob("*")) if p.is_file()}
    manifest = Manifest(
        project_name="myproject",
        input_shape=map_shape,
        n_in=int(np.prod(map_shape)),
        n_out=int(raw.shape[1]) if raw.ndim == 2 else 1,
        input_scale=1 / 256,
        input_precision="ap_ufixed<8,0>",
        output_precision="ap_fixed<16,6>",
        csim_library="lib/myproject_csim.so" if with_library else None,
        test_maps="test_maps.npz",
        expected_outputs="expected_outputs.npz",
        files=files,
    )
    manifest = dataclasses.replace(manifest, **changes)
    write_manifest(bundle, manifest)
    return manifest
