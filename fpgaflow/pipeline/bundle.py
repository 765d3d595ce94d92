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

:func:`bundle_design` bundles a design converted and verified from Python (``convert_saved_model`` then
``verify_saved_design``); the run's package step writes the same bundle through :func:`write_bundle`, with the
manifest facts of :func:`manifest_for` that its convert step recorded.  A run's bundle also carries
``baselines.json`` (each baseline family's figures and decisions on the test maps, for the notebook).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

import fpgaflow_board
from fpgaflow.data import HitMapSet
from fpgaflow.errors import OutputDirError, StepError
from fpgaflow.shipped import shipped_dir
from fpgaflow.vivado.location import Bitstream
from fpgaflow_board.atomic import atomic_directory, write_json
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.design_names import OVERLAY_NAME
from fpgaflow_board.manifest import HOST_ONLY_MODULES, Manifest, sha256, write_manifest

BOARD_SRC = Path(fpgaflow_board.__file__).resolve().parent
#: The baselines' figures and test-map decisions in a bundle (read by the board notebook).
BASELINES_JSON = "baselines.json"


def manifest_for(conversion: Any, output_activation: str) -> Manifest:
    """The manifest facts of a converted design (a :class:`~fpgaflow.convert.hls.Conversion`): its project name,
    input shape and sizes, the ``ap_fixed`` types of its input and output, the output activation the driver
    applies, the input scale it was planned for, the wire element of its AXI-Stream top (hls4ml's
    VivadoAccelerator wrapper streams float words; on the Vitis route fpgaflow's own top records its wire
    format), its board and clock."""
    hls_model = conversion.hls_model
    inp, out = hls_model.get_input_variables()[0], hls_model.get_output_variables()[0]
    if conversion.input_scale is None:
        raise StepError(f"{conversion.output_dir}: the design was converted without an input scale; cannot bundle it")
    return Manifest(
        project_name=conversion.config.project_name,
        input_shape=tuple(int(v) for v in inp.shape),
        n_in=int(np.prod(inp.shape)),
        n_out=int(np.prod(out.shape)),
        input_scale=float(conversion.input_scale),
        input_precision=next(lp for lp in conversion.precision.layers if lp.kind == "input").result.type.hls(),
        output_precision=str(out.type.precision.definition_cpp()),
        output_activation=output_activation,
        stream_dtype=conversion.axis.wire.stream_dtype if conversion.axis is not None else "float32",
        board=conversion.config.board,
        clock_period_ns=conversion.config.clock_ns,
    )


def bundle_design(
    bundle_dir: Path, converted: Any, test: HitMapSet, verified: Any, baselines: dict[str, Any] | None = None
) -> Manifest:
    """Write the board bundle of a design converted by :func:`~fpgaflow.convert.convert_saved_model` (with its
    C-simulation library) and verified by :func:`~fpgaflow.verify.verify_saved_design` on ``test``: the
    verified maps become the bundle's test maps, the QKeras and C-sim outputs its expected outputs, and the
    project's Vivado build (``fpgaflow build``) its bitstream when one was made from its current sources.
    ``bundle_dir`` must be new or empty; the bundle appears whole or not at all."""
    from fpgaflow.vivado.location import find_bitstream

    report = verified.report
    if converted.csim_library is None:
        raise StepError(f"{converted.project}: no C-simulation library (convert with csim=True) to bundle")
    if bundle_dir.exists() and any(bundle_dir.iterdir()):
        raise OutputDirError(f"{bundle_dir} is not empty; a bundle goes into a new or empty directory")
    n = report.n_maps
    manifest = manifest_for(converted.conversion, report.output_activation)
    bitstream, note = find_bitstream(converted.project)
    if bitstream is not None:
        check_stream_widths(manifest, bitstream)
    with atomic_directory(bundle_dir) as staging:
        return write_bundle(
            staging,
            manifest,
            converted.csim_library,
            test.maps[:n],
            test.labels[:n],
            report.expected_outputs(),
            bitstream=bitstream,
            bitstream_note=note,
            baselines=baselines,
        )


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
    baselines: dict[str, Any] | None = None,
) -> Manifest:
    """Populate ``bundle_dir`` (an empty staging directory) and write ``manifest.json`` last.

    ``bitstream``: the finished build to ship (then no simulator, no C-simulation library); ``None``
    ships the simulator instead and records ``bitstream_note`` (why there is no bitstream).
    ``baselines``: written as ``baselines.json`` (each baseline family's figures and decisions on the test
    maps, for the notebook).
    """
    bundle_dir.mkdir(parents=True, exist_ok=True)
    _driver_package(bundle_dir / "fpgaflow_board", with_simulator=bitstream is None)
    for nb in shipped_dir("notebooks").glob("*.ipynb"):
        shutil.copy2(nb, bundle_dir / nb.name)
    np.savez_compressed(bundle_dir / "test_maps.npz", maps=test_maps, labels=test_labels)
    np.savez_compressed(bundle_dir / "expected_outputs.npz", **expected)
    if baselines is not None:
        write_json(bundle_dir / BASELINES_JSON, baselines, allow_nan=False, sort_keys=False)
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
