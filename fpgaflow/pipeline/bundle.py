"""Write the board bundle: everything the PYNQ-Z2 (or the simulated board) needs to run the design."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import fpgaflow_board
from fpgaflow.shipped import shipped_dir
from fpgaflow_board.manifest import Manifest, sha256, write_manifest

BOARD_SRC = Path(fpgaflow_board.__file__).resolve().parent


def write_bundle(
    bundle_dir: Path,
    manifest: Manifest,
    csim_library: Path,
    test_maps: np.ndarray,
    test_labels: np.ndarray,
    expected: dict[str, np.ndarray],
    bitstream: Path | None = None,
    hwh: Path | None = None,
) -> Manifest:
    """Populate ``bundle_dir`` (an empty staging directory) and write ``manifest.json`` last.

    Layout: ``fpgaflow_board/`` (driver, numpy + pynq only), ``*.ipynb`` (board notebook),
    ``test_maps.npz`` (ADC maps + labels), ``expected_outputs.npz`` (QKeras and C-sim scores),
    ``lib/<project>.so`` (C simulation, for the simulated board), and ``.bit``/``.hwh`` when built.
    """
    bundle_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(BOARD_SRC, bundle_dir / "fpgaflow_board", ignore=shutil.ignore_patterns("__pycache__"))
    for nb in shipped_dir("notebooks").glob("*.ipynb"):
        shutil.copy2(nb, bundle_dir / nb.name)
    (bundle_dir / "lib").mkdir(exist_ok=True)
    lib_name = f"lib/{manifest.project_name}_csim.so"
    shutil.copy2(csim_library, bundle_dir / lib_name)
    shutil.copytree(csim_library.parent / "weights", bundle_dir / "lib" / "weights")
    np.savez_compressed(bundle_dir / "test_maps.npz", maps=test_maps, labels=test_labels)
    np.savez_compressed(bundle_dir / "expected_outputs.npz", **expected)
    extra: dict[str, str | None] = {"bitstream": None, "hwh": None}
    for key, src in (("bitstream", bitstream), ("hwh", hwh)):
        if src is not None:
            shutil.copy2(src, bundle_dir / src.name)
            extra[key] = src.name
    note = "" if bitstream else "absent: no Vivado build yet (run `fpgaflow build RUN_DIR/hls` where Vivado exists)"
    files = {
        str(p.relative_to(bundle_dir)): sha256(p)
        for p in sorted(bundle_dir.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    final = Manifest(
        **{
            **manifest.__dict__,
            "csim_library": lib_name,
            "test_maps": "test_maps.npz",
            "expected_outputs": "expected_outputs.npz",
            "bitstream": extra["bitstream"],
            "hwh": extra["hwh"],
            "bitstream_note": note,
            "files": files,
        }
    )
    write_manifest(bundle_dir, final)
    return final
