"""fpgaflow.modelio: the one saver/loader, the input scale stored in the model file, and Lambda refusal."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fpgaflow.errors import ConfigError, DataError
from fpgaflow.modelio import (
    DEFAULT_INPUT_SCALE,
    INPUT_SCALE_ATTR,
    input_scale_for,
    load_model,
    read_model_config,
    save_model,
    stored_input_scale,
)

tf = pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def qmodel() -> Any:
    from convert_models import tiny_qcnn

    return tiny_qcnn(np.random.default_rng(5))


def test_saved_model_carries_its_input_scale(qmodel: Any, tmp_path: Path) -> None:
    import h5py

    path = save_model(qmodel, tmp_path / "model.h5", 0.01)
    with h5py.File(path, "r") as f:
        assert float(f.attrs[INPUT_SCALE_ATTR]) == 0.01
    assert stored_input_scale(path) == 0.01
    assert input_scale_for(path) == 0.01
    # An override equal once rounded to float32 (the scaling's precision) is accepted; another is refused.
    assert input_scale_for(path, float(np.float32(0.01))) == 0.01
    with pytest.raises(ConfigError, match=r"model\.h5 was trained with input scale 0\.01; --input-scale 0\.00390625"):
        input_scale_for(path, 1 / 256)
    reloaded = load_model(path)
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), qmodel.predict(x, verbose=0))
    assert [p.name for p in tmp_path.iterdir()] == ["model.h5"]  # no temporary file left behind


def test_model_without_a_stored_scale(qmodel: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plain = tmp_path / "plain.h5"
    qmodel.save(plain)  # saved by Keras itself: no attribute
    assert stored_input_scale(plain) is None
    with caplog.at_level(logging.WARNING, logger="fpgaflow.modelio"):
        assert input_scale_for(plain, 0.01) == 0.01  # the override states it: no warning
    assert not [r for r in caplog.records if r.name.startswith("fpgaflow")]
    with caplog.at_level(logging.WARNING, logger="fpgaflow.modelio"):
        assert input_scale_for(plain) == DEFAULT_INPUT_SCALE == 1 / 256
    assert "plain.h5 stores no input scale" in caplog.text
    assert "--input-scale" in caplog.text
    assert stored_input_scale(tmp_path / "model.keras") is None  # .keras files never store one
    with pytest.raises(DataError, match=r"missing\.h5: model file not found"):
        stored_input_scale(tmp_path / "missing.h5")


def test_save_replaces_atomically_with_the_umask_mode(qmodel: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.h5"
    path.write_text("old")
    old = os.umask(0o022)
    try:
        save_model(qmodel, path, None)
    finally:
        os.umask(old)
    assert stored_input_scale(path) is None
    assert path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(ValueError, match=r"saves models as \.h5"):
        save_model(qmodel, tmp_path / "m.keras", 0.01)


def _lambda_model(marker_env: str) -> Any:
    inp = tf.keras.Input((4,), name="x")

    def touch(t: Any) -> Any:
        import os

        marker = os.environ.get("FPGAFLOW_TEST_LAMBDA_MARKER")
        if marker:  # runs whenever Keras calls the layer, i.e. also while it rebuilds a loaded model
            open(marker, "w").close()
        return t

    out = tf.keras.layers.Lambda(touch, name="sneaky")(tf.keras.layers.Dense(2, name="d")(inp))
    assert marker_env not in os.environ
    return tf.keras.Model(inp, out)


def test_lambda_layers_are_refused_before_keras_runs_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lambda.h5"
    _lambda_model("FPGAFLOW_TEST_LAMBDA_MARKER").save(path)
    marker = tmp_path / "marker"
    monkeypatch.setenv("FPGAFLOW_TEST_LAMBDA_MARKER", str(marker))
    with pytest.raises(DataError, match=r"lambda\.h5: layer 'sneaky' is a Lambda layer") as err:
        load_model(path)
    assert "\n" not in str(err.value)
    assert not marker.exists()
    # The premise: Keras itself would have run the stored code (TF 2.15 loads .h5 Lambdas even in safe mode).
    tf.keras.models.load_model(path, compile=False, safe_mode=True)
    assert marker.exists()


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"expected a Keras model file \(\.h5 or \.keras\)"):
        load_model(tmp_path / "notes.txt")
    (tmp_path / "junk.h5").write_bytes(b"not hdf5")
    with pytest.raises(DataError, match=r"junk\.h5: not a readable Keras model file"):
        read_model_config(tmp_path / "junk.h5")
    with pytest.raises(DataError, match=r"absent\.h5: model file not found"):
        load_model(tmp_path / "absent.h5")
