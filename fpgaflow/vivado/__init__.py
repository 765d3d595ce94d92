"""Drive Vivado HLS and Vivado: C synthesis and IP export, the PYNQ-Z2 block design, the bitstream.

The TCL in ``vivado_scripts/`` is static; :mod:`fpgaflow.vivado.variables` writes the one ``vars.tcl`` it
reads, :mod:`fpgaflow.vivado.runner` runs the stages in batch mode and resumes after the last finished one,
:mod:`fpgaflow.vivado.location` says where a build lives (``RUN_DIR/vivado`` for a run, outside every step
directory) and whether its bitstream was built from a project's current sources, and
:mod:`fpgaflow.vivado.tools` finds the tools and checks Vivado HLS for Xilinx's y2k22 patch.
"""

from fpgaflow.vivado.config import STAGES, BuildConfig

__all__ = ["STAGES", "BuildConfig"]
