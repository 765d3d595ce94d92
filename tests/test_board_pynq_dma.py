"""pynq's own DMA channel class (pynq 3.1.2, ``pynq.lib.dma._SDMAChannel``) driving the simulated DMA registers.

pynq cannot share the TensorFlow 2.15 environment (it pulls protobuf 5), so this runs in ``.venv-board``
(Python 3.10 + pynq 3.1.2; ``make board-env`` creates it) in a subprocess, and is skipped without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from board_env import needs_board_env, run_json

SCRIPT = """
import json, sys
import numpy as np
import pynq
from fpgaflow_board.errors import DmaTimeoutError
from fpgaflow_board.session import open_bundle

bundle = sys.argv[1]
s = open_bundle(bundle, simulated=True, channels="pynq")
chan = s.classifier.design.dma.sendchannel
with np.load(f"{bundle}/test_maps.npz") as d:
    maps = d["maps"]
raw = s.classifier.classify(maps, batch_size=100).raw
stalled = open_bundle(bundle, simulated=True, channels="pynq", stall="output", timeout_s=0.05)
try:
    stalled.classifier.predict_raw(maps[:2])
    timeout = "no timeout"
except DmaTimeoutError as exc:
    timeout = str(exc)
json.dump({"pynq": pynq.__version__, "channel": type(chan).__module__ + "." + type(chan).__name__,
           "raw": raw[:, 0].tolist(), "timeout": timeout}, sys.stdout)
"""


@needs_board_env
def test_pynq_dma_channels_on_the_simulated_board(tiny_bundle: Path) -> None:
    out = run_json(SCRIPT, str(tiny_bundle))
    assert out["pynq"] == "3.1.2"
    assert out["channel"] == "pynq.lib.dma._SDMAChannel"
    with np.load(tiny_bundle / "expected_outputs.npz") as e:
        np.testing.assert_array_equal(np.array(out["raw"], np.float32), e["csim_raw"])
    assert "S2MM (recv) not idle after 0.05 s" in out["timeout"]
    assert "S2MM_DMASR=0x00000000 [running, busy]" in out["timeout"]
