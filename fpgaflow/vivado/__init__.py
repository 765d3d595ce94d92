"""Drive Vivado HLS and Vivado: C synthesis and IP export, the PYNQ-Z2 block design, the bitstream.

The TCL in ``vivado_scripts/`` is static; :mod:`fpgaflow.vivado.variables` writes the one ``vars.tcl`` it
reads, :mod:`fpgaflow.vivado.runner` runs the stages in batch mode and resumes after the last finished one.
"""

from fpgaflow.vivado.config import STAGES, BuildConfig

__all__ = ["STAGES", "BuildConfig"]
