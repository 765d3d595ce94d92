"""fpgaflow's on-board side: runs on the PYNQ-Z2 (PYNQ image v3.x, Python 3.10) with numpy + pynq only.

Nothing here imports TensorFlow, hls4ml or the host package ``fpgaflow``; the host imports the shared
pure-numpy pieces (bundle manifest, C-simulation library) from here.
"""

__version__ = "0.1.0"
