"""A PYNQ-Z2 reached over a fake ``ssh``/``scp``, for testing ``fpgaflow deploy`` without a board.

:func:`install` writes executables into a folder that the test puts first on ``PATH``:

* ``ssh`` and ``scp`` record their argument lists (one JSON line each in ``FAKE_BOARD_CALLS``) and emulate
  the remote side locally: ``ssh HOST CMD`` runs ``CMD`` with ``bash -c`` in the board's home folder
  (``FAKE_BOARD_HOME``), ``scp`` copies between local paths and ``HOST:PATH`` (relative paths from the
  board's home).  ``FAKE_SSH_UNREACHABLE=1`` makes ``ssh`` fail as OpenSSH does without a connection (255).
* on the "board", ``sudo`` drops its options and runs the command as is (``bash -lc`` as ``bash -c``: the
  login profile of a PYNQ image, which puts its Python on the path, is this ``PATH``), and ``python3`` is
  the test's Python with a stand-in ``pynq`` first on its path.

The stand-in ``pynq`` (``<folder>/pynq_standin/pynq``) is a board that loads whatever overlay the driver
asks for: it reads the ``.hwh`` beside the bitstream and runs the design on the simulated PYNQ-Z2's DMA,
GPIO and network models with the run's C-simulation library (``FAKE_PYNQ_CSIM``).  The board bundle carries
none of the simulator's modules, so the stand-in takes them from the host's ``fpgaflow_board``
(``FAKE_PYNQ_HOST_BOARD``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

SSH = """#!{python}
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_BOARD_CALLS"], "a") as fh:
    fh.write(json.dumps({{"tool": "ssh", "argv": args}}) + "\\n")
if os.environ.get("FAKE_SSH_UNREACHABLE"):
    print("ssh: connect to host pynq port 22: No route to host", file=sys.stderr)
    sys.exit(255)
i = 0
while args[i].startswith("-"):
    i += 2 if args[i] in ("-o", "-p", "-i", "-F", "-l", "-J") else 1
command = " ".join(args[i + 1:])
env = dict(os.environ, PATH=os.environ["FAKE_BOARD_BIN"] + ":" + os.environ["PATH"])
env.pop("PYTHONPATH", None)
sys.exit(subprocess.run(["bash", "-c", command], cwd=os.environ["FAKE_BOARD_HOME"], env=env).returncode)
"""

SCP = """#!{python}
import json, os, shutil, sys
from pathlib import Path
args = sys.argv[1:]
with open(os.environ["FAKE_BOARD_CALLS"], "a") as fh:
    fh.write(json.dumps({{"tool": "scp", "argv": args}}) + "\\n")
operands, i = [], 0
while i < len(args):
    if args[i] in ("-o", "-P", "-i", "-F", "-J"):
        i += 2
        continue
    if not args[i].startswith("-"):
        operands.append(args[i])
    i += 1
home = Path(os.environ["FAKE_BOARD_HOME"])

def local(operand):
    if ":" in operand and "@" in operand.split(":", 1)[0]:
        path = Path(operand.split(":", 1)[1])
        return path if path.is_absolute() else home / path
    return Path(operand)

*sources, dest = operands
target = local(dest)
for src in map(local, sources):
    if not src.is_file():
        print(f"scp: {{src}}: No such file or directory", file=sys.stderr)
        sys.exit(1)
    shutil.copy2(src, target / src.name if dest.endswith("/") or target.is_dir() else target)
"""

SUDO = """#!/bin/bash
while [[ "$1" == -* ]]; do shift; done
if [[ "$1" == bash && "$2" == -lc ]]; then shift 2; exec bash -c "$@"; fi
exec "$@"
"""

PYTHON3 = """#!/bin/bash
PYTHONPATH="{standin}" exec "{python}" "$@"
"""

#: Imported at the board Python's start-up: drop the finder of this checkout's editable install, so only the
#: bundle's own fpgaflow_board (and no host package) can be imported, as on a board.
SITECUSTOMIZE = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
"""

PYNQ = '''"""Stand-in for pynq on the fake board (see tests/fake_board.py)."""

import os
from pathlib import Path

import fpgaflow_board

# The board bundle has no simulator: take its modules from the host's package (same code as the bundle's).
fpgaflow_board.__path__.append(os.environ["FAKE_PYNQ_HOST_BOARD"])

from fpgaflow_board.csim import CSimLibrary  # noqa: E402
from fpgaflow_board.manifest import read_manifest  # noqa: E402
from fpgaflow_board.simulated import SimulatedBoard  # noqa: E402

__version__ = "3.1.2-standin"
_board = None


class Device:
    devices = ["fake PYNQ-Z2"]


def Overlay(bitfile_name, **kwargs):  # noqa: N802 - pynq's name
    global _board
    bundle = Path(bitfile_name).parent
    m = read_manifest(bundle)
    _board = SimulatedBoard(m, CSimLibrary(os.environ["FAKE_PYNQ_CSIM"], m.n_in, m.n_out, m.project_name))
    return _board.pynq.Overlay(bitfile_name, **kwargs)


def allocate(shape, dtype, **kwargs):
    return _board.memory.allocate(shape, dtype, **kwargs)
'''


def install(folder: Path, home: Path, calls: Path, csim_library: Path) -> dict[str, str]:
    """Write the fakes into ``folder``; return the environment variables a test sets (``PATH`` included)."""
    local_bin, board_bin, standin = folder / "bin", folder / "board_bin", folder / "pynq_standin" / "pynq"
    for d in (local_bin, board_bin, standin, home):
        d.mkdir(parents=True, exist_ok=True)
    scripts = {
        local_bin / "ssh": SSH.format(python=sys.executable),
        local_bin / "scp": SCP.format(python=sys.executable),
        board_bin / "sudo": SUDO,
        board_bin / "python3": PYTHON3.format(python=sys.executable, standin=standin.parent),
    }
    for path, text in scripts.items():
        path.write_text(text)
        path.chmod(0o755)
    (standin / "__init__.py").write_text(PYNQ)
    (standin.parent / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {
        "PATH": f"{local_bin}:{os.environ['PATH']}",
        "FAKE_BOARD_BIN": str(board_bin),
        "FAKE_BOARD_HOME": str(home),
        "FAKE_BOARD_CALLS": str(calls),
        "FAKE_PYNQ_CSIM": str(csim_library),
        "FAKE_PYNQ_HOST_BOARD": str(Path(__file__).resolve().parents[1] / "board" / "fpgaflow_board"),
    }


def recorded(calls: Path) -> list[dict[str, object]]:
    """The recorded ssh/scp calls, in order."""
    if not calls.is_file():
        return []
    return [json.loads(line) for line in calls.read_text().splitlines()]
