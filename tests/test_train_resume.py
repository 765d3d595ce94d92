"""Kill a training process mid-run (SIGKILL after the first epoch checkpoint) and resume it: the final
state matches an uninterrupted run within float tolerance."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]

SETUP = """
import numpy as np
from fpgaflow.augment import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data import generate_toy, split
from fpgaflow.data.toy import ToyConfig
from fpgaflow.train.config import ModelConfig, TrainConfig

rng = np.random.default_rng(21)
train, val, _ = split(generate_toy(ToyConfig(rows=16, cols=16), 2000, 0.5, rng), 0.2, 0.1, rng)
ARGS = (ModelConfig(conv_filters=(4,)), TrainConfig(epochs=4, batch_size=16, lr_schedule="cosine", seed=5),
        PruneConfig(target_sparsity=0.5), AugmentConfig(strategy="mixing_systematic", seed=6))
"""


@pytest.mark.slow
def test_sigkill_mid_training_then_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    ckpt = tmp_path / "ckpt"
    script = tmp_path / "train.py"
    script.write_text(
        SETUP
        + textwrap.dedent(f"""
        from pathlib import Path
        from fpgaflow.train.trainer import train_classifier
        train_classifier(train, val, *ARGS, checkpoint_dir=Path({str(ckpt)!r}))
        """)
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'board'}", "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.PIPE)
    state_file = ckpt / "state.json"
    try:
        while not state_file.exists():
            try:
                proc.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"training exited (rc {proc.returncode}) before its first checkpoint: {proc.stderr.read()!r}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    done = json.loads(state_file.read_text())["epochs_done"]
    assert 1 <= done < 4, "the kill must land before the last epoch"

    namespace: dict[str, object] = {}
    exec(SETUP, namespace)  # the same data and configs as the killed process
    from fpgaflow.train.trainer import train_classifier

    train, val, args = namespace["train"], namespace["val"], namespace["ARGS"]
    resumed = train_classifier(train, val, *args, checkpoint_dir=ckpt)  # type: ignore[arg-type, misc]
    reference = train_classifier(train, val, *args)  # type: ignore[arg-type, misc]
    assert resumed.resumed_from == done
    assert resumed.epochs_run == reference.epochs_run == 4
    # Same data order, same restored optimizer state: only float summation order can differ.
    for a, b in zip(resumed.model.get_weights(), reference.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(resumed.history["val_loss"], reference.history["val_loss"], atol=1e-5)
    assert resumed.layer_sparsity == reference.layer_sparsity
