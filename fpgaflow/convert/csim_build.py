"""Build a relocatable C-simulation library from a written hls4ml project.

hls4ml's own ``compile()`` bakes the project's absolute ``firmware/weights`` path into the library, and
the C++ calls ``exit(1)`` — killing the Python process — when that directory has moved.  fpgaflow builds
the library itself with ``WEIGHTS_DIR="weights"`` (relative), so the ``.so`` works wherever it sits next
to a ``weights/`` directory; :class:`fpgaflow_board.csim.CSimLibrary` loads the weights from there.
Flags follow hls4ml's ``build_lib.sh``: ``-O3 -fPIC -std=c++11`` (+ ``-fno-gnu-unique`` so several
libraries can be loaded into one process).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from fpgaflow.errors import StepError, ToolNotFoundError
from fpgaflow_board.atomic import atomic_file

log = logging.getLogger(__name__)


def _cxx_flags(cxx: str) -> list[str]:
    flags = ["-O3", "-fPIC", "-std=c++11"]
    probe = subprocess.run(
        [cxx, "-Werror", "-fsyntax-only", "-fno-gnu-unique", "-xc++", "-", "-o", "/dev/null"],
        input=b"",
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        flags.append("-fno-gnu-unique")
    return flags


def build_csim_library(project_dir: Path, output: Path, project_name: str = "myproject") -> Path:
    """Compile ``project_dir``'s firmware into ``output`` (a ``.so``) with relative weights.

    Sources: ``firmware/<p>.cpp``, ``firmware/<p>_axi.cpp`` (the AXI-Stream top: hls4ml's VivadoAccelerator
    wrapper or fpgaflow's own on the Vitis route), ``<p>_bridge.cpp`` and, on the Vitis route, ``<p>_axi_bridge.cpp``
    (``<p>_axis``, the top on raw DMA bytes); the translation units compile in parallel (one g++ per unit).
    """
    cxx = shutil.which("g++")
    if cxx is None:
        raise ToolNotFoundError("g++ not found on PATH: the C simulation needs a C++ compiler")
    project_dir = Path(project_dir).resolve()  # g++ runs in the project directory: sources by absolute path
    sources = [project_dir / "firmware" / f"{project_name}.cpp", project_dir / f"{project_name}_bridge.cpp"]
    axi = project_dir / "firmware" / f"{project_name}_axi.cpp"
    if axi.is_file():
        sources.insert(1, axi)
    axis_bridge = project_dir / f"{project_name}_axi_bridge.cpp"
    if axis_bridge.is_file():
        sources.append(axis_bridge)
    for src in sources:
        if not src.is_file():
            raise StepError(f"{project_dir}: {src.name} missing; is this an hls4ml project written by write()?")
    flags = [*_cxx_flags(cxx), f"-I{project_dir / 'firmware' / 'ap_types'}", '-DWEIGHTS_DIR="weights"']
    with tempfile.TemporaryDirectory(prefix="fpgaflow-csim-") as tmp:
        objs = [Path(tmp) / f"{s.stem}.o" for s in sources]
        procs = [
            subprocess.Popen([cxx, *flags, "-c", str(s), "-o", str(o)], cwd=project_dir, stderr=subprocess.PIPE)
            for s, o in zip(sources, objs, strict=False)
        ]
        errors = [(s, p.communicate()[1], p.returncode) for s, p in zip(sources, procs, strict=False)]
        for src, err, rc in errors:
            if rc != 0:
                first = next((ln for ln in err.decode(errors="replace").splitlines() if "error" in ln), "")
                raise StepError(f"g++ failed on {src}: {first}")
        with atomic_file(output) as tmp_out:
            res = subprocess.run(
                [cxx, *flags, "-shared", *map(str, objs), "-o", str(tmp_out)], capture_output=True, check=False
            )
            if res.returncode != 0:
                raise StepError(f"g++ link failed: {res.stderr.decode(errors='replace').strip()[:500]}")
    log.info("C simulation library built: %s", output)
    return output
