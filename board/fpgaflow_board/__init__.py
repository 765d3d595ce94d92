"""fpgaflow's on-board side: runs on the PYNQ-Z2 (PYNQ image v3.x, Python 3.10) with numpy + pynq only.

Nothing here imports TensorFlow, hls4ml or the host package ``fpgaflow``; the host imports the shared
pure-numpy pieces from here: the fixed-point type (:mod:`fpgaflow_board.fixed_point`), the ADC → network
input scaling (:mod:`fpgaflow_board.scaling`), the bundle manifest and the C-simulation library.
``pynq`` is imported lazily, only when a real board is driven.

Entry points: :func:`fpgaflow_board.session.open_bundle` (real or simulated board for a bundle),
:class:`fpgaflow_board.driver.HitMapClassifier` (the overlay driver),
:class:`fpgaflow_board.simulated.SimulatedBoard` (the simulated PYNQ-Z2), :mod:`fpgaflow_board.boards` (the board
table the host reads too), :mod:`fpgaflow_board.atomic` (the one atomic file writer, host and board) and
``python -m fpgaflow_board BUNDLE`` (classify, save results for ``fpgaflow check``).
"""

__version__ = "0.1.0"
