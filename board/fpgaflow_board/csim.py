"""Run hls4ml's compiled C-simulation library with ctypes — numpy only, no TensorFlow, no hls4ml.

The library (built by ``fpgaflow.convert.csim_build`` from the hls4ml project) exports
``<project>_float(float *in, float *out)``, which runs one map through the bit-accurate C++ model of the
design (for the VivadoAccelerator backend: through the AXI-Stream wrapper, i.e. float → ``input_t`` cast,
network, ``result_t`` → float).  The simulated board and the host verification both call this class.

The C++ reads its weights once, from ``weights/`` relative to the working directory, and calls
``exit(1)`` if they are missing; this class checks ``weights/`` beside the library first, then makes that
first call from the library's directory so the load cannot fail.

The library is built on the build host (x86-64); :func:`check_loadable` compares the ELF header's machine
with this CPU first, so on the PYNQ-Z2's ARM the answer is one line, not an ``OSError`` from the loader.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fpgaflow_board.errors import HostOnlyError

#: ELF e_machine values and the ``platform.machine()`` names of the same CPUs.
ELF_MACHINES = {3: "x86", 40: "ARM (32-bit)", 62: "x86-64", 183: "AArch64"}
_MACHINE_OF_CPU = {
    "x86_64": 62,
    "amd64": 62,
    "i386": 3,
    "i686": 3,
    "armv7l": 40,
    "armv6l": 40,
    "arm": 40,
    "aarch64": 183,
    "arm64": 183,
}


def elf_machine(path: Path) -> int | None:
    """The e_machine field of an ELF file's header, or ``None`` when ``path`` is not ELF."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")


def check_loadable(path: Path, cpu: str | None = None) -> None:
    """Raise :class:`HostOnlyError` if the library at ``path`` is built for another CPU than ``cpu``
    (default: this machine's), e.g. the x86-64 C simulation on the PYNQ-Z2's ARM."""
    cpu = (cpu or platform.machine()).lower()
    if not path.is_file():
        raise FileNotFoundError(f"C-simulation library not found: {path}")
    lib, here = elf_machine(path), _MACHINE_OF_CPU.get(cpu)
    if lib is not None and here is not None and lib != here:
        raise HostOnlyError(
            f"{path.name} is a {ELF_MACHINES.get(lib, f'machine {lib}')} library and this CPU is {cpu}: the C "
            "simulation and the simulated board run on the build host only; on the board, use a bundle with a "
            "bitstream (fpgaflow build RUN_DIR, then fpgaflow deploy RUN_DIR --host USER@BOARD)"
        )


class CSimLibrary:
    """A loaded C-sim shared library with ``n_in`` inputs and ``n_out`` outputs per map."""

    def __init__(self, path: str | Path, n_in: int, n_out: int, project_name: str = "myproject") -> None:
        self.path = Path(path)
        check_loadable(self.path)
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self._lib = ctypes.CDLL(str(self.path.resolve()))
        try:
            fn = getattr(self._lib, f"{project_name}_float")
        except AttributeError:
            raise ValueError(f"{self.path}: no function {project_name}_float (wrong project name?)") from None
        ptr = np.ctypeslib.ndpointer(dtype=np.float32, ndim=1, flags="C_CONTIGUOUS")
        fn.argtypes = [ptr, ptr]
        fn.restype = None
        self._fn = fn
        self._load_weights()

    _chdir_lock = threading.Lock()

    def _load_weights(self) -> None:
        weights = self.path.parent / "weights"
        if not weights.is_dir() or not any(weights.glob("*.txt")):
            raise FileNotFoundError(
                f"{weights}: the C simulation's weight files are missing (they must sit beside {self.path.name})"
            )
        with self._chdir_lock:
            cwd = os.getcwd()
            os.chdir(self.path.parent)
            try:
                self._fn(np.zeros(self.n_in, np.float32), np.zeros(self.n_out, np.float32))
            finally:
                os.chdir(cwd)

    def predict(self, x: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Outputs ``(n, n_out)`` float32 for inputs reshaped to ``(n, n_in)`` (network input units)."""
        flat = np.ascontiguousarray(np.asarray(x, dtype=np.float32).reshape(-1, self.n_in))
        out = np.zeros((flat.shape[0], self.n_out), dtype=np.float32)
        row = np.zeros(self.n_out, dtype=np.float32)
        for i in range(flat.shape[0]):
            self._fn(flat[i], row)
            out[i] = row
        return out
