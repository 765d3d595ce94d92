"""Model files whose loading would run code: a Keras ``.h5`` with a ``Lambda`` layer, given to every command
that loads a model.  The Lambda's bytecode (marshalled as Keras stores it) would create a marker file if it
ran; each case checks the command refused and the marker does not exist.  No TensorFlow is imported: the
architecture is read with h5py and refused before Keras sees the file.
"""

from __future__ import annotations

import base64
import json
import marshal
from pathlib import Path

import numpy as np
import pytest

from bad_inputs.case import Case, Prepare, Prepared, fpgaflow

MESSAGE = "layer 'evil' is a Lambda layer, whose Python code would run on load"


def write_lambda_model(path: Path, marker: Path) -> Path:
    """A Keras 2 ``.h5`` file whose Lambda layer writes ``marker`` when Keras rebuilds the model."""
    import h5py

    fn = eval(compile(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]", "<evil>", "eval"))
    layers = [
        {
            "class_name": "InputLayer",
            "config": {"batch_input_shape": [None, 8, 8, 1], "dtype": "float32", "name": "in"},
        },
        {
            "class_name": "Lambda",
            "config": {
                "name": "evil",
                "function": [base64.b64encode(marshal.dumps(fn.__code__)).decode(), None, None],
                "function_type": "lambda",
                "module": "__main__",
                "output_shape": None,
                "output_shape_type": "raw",
                "arguments": {},
            },
        },
    ]
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "m", "layers": layers}})
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.create_group("model_weights")
    return path


def _command(*argv: str) -> Prepare:
    """``fpgaflow`` with ``argv``; ``MODEL`` is the Lambda model, ``PROJECT`` an hls4ml project holding it,
    ``MAPS`` labelled maps, ``OUT`` a new output directory."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        marker = tmp / "lambda_ran"
        model = write_lambda_model(tmp / "model.h5", marker)
        project = tmp / "project"
        project.mkdir()
        write_lambda_model(project / "keras_model.h5", marker)
        (project / "hls4ml_config.yml").write_text(
            "KerasModel: !keras_model keras_model.h5\nOutputDir: .\nProjectName: myproject\n"
        )
        np.savez(tmp / "maps.npz", maps=np.zeros((4, 8, 8, 1), np.float32), labels=np.array([0, 1, 0, 1], np.int8))
        names = {"MODEL": model, "PROJECT": project, "MAPS": tmp / "maps.npz", "OUT": tmp / "out"}
        command = fpgaflow(*[names.get(a, a) for a in argv])

        def run() -> int:
            status = command()
            assert not marker.exists(), "the Lambda layer's code ran"
            return status

        return Prepared(run, keep=[model, project])

    return prepare


def _case(id_: str, given: str, prepare: Prepare, exit_: int = 2) -> Case:
    return Case(id_, "model file", given, exit_, MESSAGE, prepare)


CASES = [
    _case(
        "lambda-convert",
        "`fpgaflow convert` of an .h5 with a Lambda layer",
        _command("convert", "MODEL", "--out", "OUT"),
    ),
    _case("lambda-estimate", "`fpgaflow estimate` of it", _command("estimate", "MODEL", "--out", "OUT")),
    _case(
        "lambda-estimate-project",
        "`fpgaflow estimate` of an hls4ml project holding it",
        _command("estimate", "PROJECT", "--out", "OUT"),
    ),
    _case("lambda-fit", "`fpgaflow fit` of it", _command("fit", "MODEL", "--out", "OUT", "--no-accuracy")),
    _case(
        "lambda-verify",
        "`fpgaflow verify --model` of it",
        _command("verify", "--model", "MODEL", "--project", "PROJECT", "--maps", "MAPS", "--out", "OUT"),
    ),
    _case(
        "lambda-emulate",
        "`fpgaflow emulate` of a project holding it",
        _command("emulate", "PROJECT", "--maps", "MAPS", "--out", "OUT/e.npz"),
    ),
    Case(
        "flag-input-scale-inf",
        "config",
        "`fpgaflow convert MODEL --input-scale inf` (a model without a stored scale)",
        2,
        "--input-scale must be a finite number > 0, got inf",
        _command("convert", "MODEL", "--out", "OUT", "--input-scale", "inf"),
    ),
]
