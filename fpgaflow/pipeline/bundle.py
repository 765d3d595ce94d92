"""Write the board bundle: what the PYNQ-Z2 needs to run the design — and nothing it cannot use.

Two shapes, by whether Vivado has built the design:

* **with a bitstream** (after ``fpgaflow build``): ``fpgaflow.bit`` + ``fpgaflow.hwh``, the driver package
  without its host-only modules (:data:`fpgaflow_board.manifest.HOST_ONLY_MODULES`: the simulated board
  and the C-simulation loader), the notebook, the test maps and expected outputs.  This is what goes to
  the board.
* **without one** (before the Vivado build): the same plus the host-only modules and ``lib/`` (the
  C-simulation library, built for the build host's CPU, and its weights), so the notebook and
  ``python -m fpgaflow_board`` run on the simulated board on the host.  The manifest says why there is no
  bitstream.

Every file is listed in ``manifest.json`` with its SHA-256, which the board checks before it uses any.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import fpgaflow_board
from fpgaflow.errors import StepError
from fpgaflow.shipped import shipped_dir
from fpgaflow.vivado.location import Bitstream
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.design_names import OVERLAY_NAME
from fpgaflow_board.manifest import HOST_ONLY_MODULES, Manifest, sha256, write_manifest

BOARD_SRC = Path(fpgaflow_board.__file__).resolve().parent


def check_stream_widths(manifest: Manifest, bitstream: Bitstream) -> None:
    """Refuse a bitstream whose DMA streams other word widths than the manifest's ``stream_dtype`` needs (what
    the driver checks against the ``.hwh`` at start-up, caught here before the bundle goes to the board)."""
    codec = StreamCodec.from_manifest(manifest)
    need = (codec.in_word.itemsize * 8, codec.out_word.itemsize * 8)
    built = (bitstream.record.get("in_bits"), bitstream.record.get("out_bits"))
    if built != need:
        raise StepError(
            f"{bitstream.bit}: built for {built[0]}/{built[1]}-bit stream words, but the design's wire "
            f"(stream_dtype {manifest.stream_dtype!r}) needs {need[0]}/{need[1]}: rebuild with fpgaflow build"
        )


def _driver_package(dest: Path, with_simulator: bool) -> None:
    skip = () if with_simulator else tuple(f"{m}.py" for m in HOST_ONLY_MODULES)
    shutil.copytree(BOARD_SRC, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *skip))


def write_bundle(
    bundle_dir: Path,
    manifest: Manifest,
    csim_library: Path,
    test_maps: np.ndarray,
    test_labels: np.ndarray,
    expected: dict[str, np.ndarray],
    bitstream: Bitstream | None = None,
    bitstream_note: str = "",
) -> Manifest:
    """Populate ``bundle_dir`` (an empty staging directory) and write ``manifest.json`` last.

    ``bitstream``: the finished build to ship (then no simulator, no C-simulation library); ``None``
    ships the simulator instead and records ``bitstream_note`` (why there is no bitstream).
    """
    bundle_dir.mkdir(parents=True, exist_ok=True)
    _driver_package(bundle_dir / "fpgaflow_board", with_simulator=bitstream is None)
    for nb in shipped_dir("notebooks").glob("*.ipynb"):
        shutil.copy2(nb, bundle_dir / nb.name)
    np.savez_compressed(bundle_dir / "test_maps.npz", maps=test_maps, labels=test_labels)
    np.savez_compressed(bundle_dir / "expected_outputs.npz", **expected)
    paths: dict[str, str | None] = {"bitstream": None, "hwh": None, "csim_library": None}
    if bitstream is not None:
        for key, src, suffix in (("bitstream", bitstream.bit, ".bit"), ("hwh", bitstream.hwh, ".hwh")):
            name = OVERLAY_NAME + suffix  # pynq needs the .bit and the .hwh side by side, same basename
            shutil.copy2(src, bundle_dir / name)
            paths[key] = name
    else:
        (bundle_dir / "lib").mkdir(exist_ok=True)
        lib_name = f"lib/{manifest.project_name}_csim.so"
        shutil.copy2(csim_library, bundle_dir / lib_name)
        shutil.copytree(csim_library.parent / "weights", bundle_dir / "lib" / "weights")
        paths["csim_library"] = lib_name
    files = {
        p.relative_to(bundle_dir).as_posix(): sha256(p)
        for p in sorted(bundle_dir.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    final = Manifest(
        **{
            **manifest.__dict__,
            **paths,
            "test_maps": "test_maps.npz",
            "expected_outputs": "expected_outputs.npz",
            "bitstream_note": "" if bitstream is not None else bitstream_note,
            "files": files,
        }
    )
    write_manifest(bundle_dir, final)
    return final
