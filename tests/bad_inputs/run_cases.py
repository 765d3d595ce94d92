"""The run directory (``fpgaflow run --out``): reruns, files the user put there, concurrent runs, interrupted
steps, full or read-only disks.

The real data step (toy maps, no TensorFlow) is followed by stand-in steps that write one file each into
the real step directories, so the runner's checkpoints, fingerprints, staging, locking and summaries are
the real ones and a case takes a fraction of a second.  One slow case trains for real.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bad_inputs.case import Case, Prepare, Prepared, fpgaflow
from bad_inputs.data_cases import maps_and_labels

TOY = "data:\n  n_maps: 200\n  toy: {rows: 8, cols: 8}\n"

#: Called inside the stand-in step of that name (set by a case, cleared by ``stand_in_steps``).
HOOKS: dict[str, Callable[[Path], None]] = {}


def stand_in_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace every step but ``data`` with one that writes ``out.txt`` (and the package step a bitstream-
    less ``manifest.json``) into its directory and runs ``HOOKS[name]`` with the run directory."""
    from fpgaflow.pipeline import runner, steps
    from fpgaflow.pipeline.artefacts import Artefacts
    from fpgaflow.pipeline.config import RunConfig

    HOOKS.clear()

    def make(name: str) -> steps.StepFn:
        def fn(art: Artefacts, cfg: RunConfig) -> Artefacts:
            art.add(f"{name}_out", "out.txt").write_text(f"{name}: epochs {cfg.train.epochs}, seed {cfg.data.seed}\n")
            art.metrics[f"{name}_epochs"] = cfg.train.epochs
            if name in HOOKS:
                HOOKS[name](art.run_dir)
            return art

        return fn

    real = {s.name: s for s in steps.STEPS}
    fake = tuple(
        s if s.name == "data" else steps.Step(s.name, make(s.name), s.directory, s.sections) for s in steps.STEPS
    )
    assert set(real) == {s.name for s in fake}
    monkeypatch.setattr(runner, "STEPS", fake)


def _config(tmp: Path, text: str = TOY, name: str = "run.yaml") -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def _finished_run(tmp: Path, monkeypatch: pytest.MonkeyPatch, text: str = TOY) -> Path:
    """A complete run (stand-in steps) in ``tmp/out``; returns it."""
    stand_in_steps(monkeypatch)
    assert fpgaflow("run", _config(tmp, text, "first.yaml"), "--out", tmp / "out")() == 0
    return tmp / "out"


def _summary(out: Path) -> str:
    from fpgaflow.pipeline.runner import STEP_NAMES

    s = json.loads((out / "summary.json").read_text())
    steps = ", ".join(f"{k}={s['steps_status'][k]}" for k in STEP_NAMES)
    return f"summary.json: complete={s['complete']}; {steps}; files={sorted(s['files'])}\n"


def _fresh(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    stand_in_steps(monkeypatch)
    return Prepared(fpgaflow("run", _config(tmp), "--out", tmp / "out"), state=lambda: _summary(tmp / "out"))


def _resume(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)
    return Prepared(fpgaflow("run", _config(tmp), "--out", out), state=lambda: _summary(out))


def _user_files(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)
    added = {
        out / "board" / "results.npz": b"board results",
        out / "verify" / "NOTES.txt": b"checked by hand on 3 May",
        out / "hls" / "fpgaflow.bit": b"\x00bitstream copied back",
        out / "hls" / "vivado" / "logs" / "vivado.log": b"a Vivado build made in hls/",
    }
    for path, data in added.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    changed = _config(tmp, TOY.replace("data:", "train:\n  epochs: 3\ndata:"))
    return Prepared(fpgaflow("run", changed, "--out", out), keep=list(added), state=lambda: _summary(out))


def _edited_artefact(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)
    (out / "model" / "out.txt").write_text("my hand-tuned model\n")
    return Prepared(fpgaflow("run", _config(tmp), "--out", out), keep=[out / "model" / "out.txt"])


def _replaced_input(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    data = tmp / "maps.npz"
    maps, labels = maps_and_labels()
    np.savez(data, maps=maps, labels=labels)
    text = f"data:\n  source: file\n  path: {data}\n"
    out = _finished_run(tmp, monkeypatch, text)
    maps, labels = maps_and_labels(seed=9)  # same shape and count, other maps
    np.savez(data, maps=maps, labels=labels)
    return Prepared(fpgaflow("run", _config(tmp, text), "--out", out), state=lambda: _summary(out))


def _locked(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    from fpgaflow.outdir import hold_lock

    out = _finished_run(tmp, monkeypatch)
    before = (out / "summary.json").read_bytes()

    def second_run() -> int:
        with hold_lock(out):  # the first run, still going (flock: another open file description)
            status = fpgaflow("run", _config(tmp), "--out", out)()
        assert (out / "summary.json").read_bytes() == before
        return status

    return Prepared(second_run, keep=[out])


def _stale_lock(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)
    (out / ".fpgaflow" / "lock").write_text("fpgaflow pid 99999999 on gone-host since 2020-01-01 00:00:00\n")
    return Prepared(fpgaflow("run", _config(tmp), "--out", out), state=lambda: _summary(out))


def _interrupted(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)

    def interrupt(_: Path) -> None:
        raise KeyboardInterrupt

    HOOKS["convert"] = interrupt
    changed = _config(tmp, TOY.replace("data:", "train:\n  epochs: 3\ndata:"))
    return Prepared(fpgaflow("run", changed, "--out", out), state=lambda: _summary(out))


def _while_running(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    out = _finished_run(tmp, monkeypatch)
    seen: list[str] = []
    HOOKS["verify"] = lambda run_dir: seen.append("while verify ran, " + _summary(run_dir))
    changed = _config(tmp, TOY.replace("data:", "verify:\n  min_agreement: 0.5\ndata:"))
    return Prepared(fpgaflow("run", changed, "--out", out), state=lambda: "".join(seen))


def _failed(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    from fpgaflow.errors import StepError

    out = _finished_run(tmp, monkeypatch)

    def fail(_: Path) -> None:
        raise StepError("the C simulation did not compile (stand-in)")

    HOOKS["convert"] = fail
    changed = _config(tmp, TOY.replace("data:", "convert:\n  reuse_factor: 2\ndata:"))
    return Prepared(fpgaflow("run", changed, "--out", out), state=lambda: _summary(out))


def _foreign(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    stand_in_steps(monkeypatch)
    (tmp / "out").mkdir()
    (tmp / "out" / "thesis.tex").write_text("precious")
    return Prepared(fpgaflow("run", _config(tmp), "--out", tmp / "out"), keep=[tmp / "out" / "thesis.tex"])


def _read_only(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    stand_in_steps(monkeypatch)
    real_mkdir = os.mkdir
    target = str(tmp / "ro")

    def mkdir(path: str | os.PathLike[str], mode: int = 0o777, **kwargs: object) -> None:
        if os.fspath(path).startswith(target):  # a read-only mount, as `mount -o ro` gives it
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        real_mkdir(path, mode)

    monkeypatch.setattr(os, "mkdir", mkdir)
    return Prepared(fpgaflow("run", _config(tmp), "--out", tmp / "ro" / "out"))


def _disk_full(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    from fpgaflow_board import atomic

    out = _finished_run(tmp, monkeypatch)

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    changed = _config(tmp, TOY.replace("data:", "train:\n  epochs: 3\ndata:"))
    return Prepared(fpgaflow("run", changed, "--out", out), keep=[out])


def _from_without_checkpoint(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    stand_in_steps(monkeypatch)
    return Prepared(fpgaflow("run", _config(tmp), "--out", tmp / "out", "--from", "train"))


def _unknown_step(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    stand_in_steps(monkeypatch)
    return Prepared(fpgaflow("run", _config(tmp), "--out", tmp / "out", "--to", "verfy"))


def _weights(path: Path) -> dict[str, np.ndarray]:
    """Every weight array of a saved model (the file's bytes also change with HDF5 timestamps)."""
    import h5py

    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        f["model_weights"].visititems(
            lambda name, obj: found.update({name: obj[()]}) if hasattr(obj, "shape") else None
        )
    return found


def _retrain_on_new_data(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
    """Real data + train steps: a new ``data.seed`` must give a new model (the epoch checkpoint is keyed on
    the maps' content, not their shape and count)."""
    text = (
        "data:\n  n_maps: 240\n  toy: {rows: 16, cols: 16}\n  seed: 1\nmodel:\n  conv_filters: [2]\n"
        "train:\n  epochs: 2\n  batch_size: 32\nprune:\n  target_sparsity: 0.0\n"
    )
    out = tmp / "out"
    assert fpgaflow("run", _config(tmp, text, "first.yaml"), "--out", out, "--to", "train")() == 0
    old = _weights(out / "model" / "model.h5")

    def state() -> str:
        new = _weights(out / "model" / "model.h5")
        same = old.keys() == new.keys() and all(np.array_equal(old[k], new[k]) for k in old)
        card = json.loads((out / "model" / "model_card.json").read_text())
        return f"model.h5 retrained: {not same}; model card data seed {card['data']['seed']}\n"

    second = _config(tmp, text.replace("seed: 1", "seed: 2"))
    return Prepared(fpgaflow("run", second, "--out", out, "--to", "train"), state=state)


def _case(id_: str, given: str, exit_: int, message: str, prepare: Prepare, slow: bool = False) -> Case:
    return Case(id_, "run dir", given, exit_, message, prepare, slow)


CASES = [
    _case("run-fresh", "a new `--out`", 0, "summary.json: complete=True", _fresh),
    _case("run-resume", "the same run again", 0, "data=skipped, train=skipped, convert=skipped", _resume),
    _case(
        "run-user-files",
        "a rerun (new `train.epochs`) after the user put results.npz, NOTES.txt, a .bit and a Vivado build "
        "into step directories",
        0,
        "kept 2 file(s) fpgaflow did not write: fpgaflow.bit, vivado/logs/vivado.log",
        _user_files,
    ),
    _case(
        "run-edited-artefact",
        "a rerun after the user edited model/out.txt (a file fpgaflow wrote)",
        0,
        "kept 1 changed file(s) beside the new ones: out.txt → out.txt.kept",
        _edited_artefact,
    ),
    _case(
        "run-input-replaced",
        "a rerun after the `data.path` file was replaced (same shape and count)",
        0,
        "data=ran, train=ran, convert=ran",
        _replaced_input,
    ),
    _case("run-locked", "a second run into an `--out` in use", 2, "is in use by fpgaflow pid", _locked),
    _case("run-stale-lock", "a lock file left by a killed run", 0, "summary.json: complete=True", _stale_lock),
    _case(
        "run-interrupted",
        "Ctrl-C during the convert step of a rerun",
        130,
        "complete=False; data=skipped, train=ran, convert=interrupted, verify=not run",
        _interrupted,
    ),
    _case(
        "run-summary-while-running",
        "summary.json read while a rerun's verify step runs (what a kill -9 leaves)",
        0,
        "while verify ran, summary.json: complete=False; data=skipped, train=skipped, convert=skipped, "
        "verify=running, baselines=not run, package=not run",
        _while_running,
    ),
    _case(
        "run-step-fails",
        "a step failing on a rerun with a new convert config",
        2,
        "convert=failed, verify=not run, baselines=not run, package=not run; "
        "files=['test_maps', 'train_maps', 'train_out', 'val_maps']",
        _failed,
    ),
    _case("run-foreign-out", "`--out` holding the user's thesis.tex", 2, "not an fpgaflow run output", _foreign),
    _case("run-read-only", "`--out` on a read-only file system", 2, "the file system is read-only", _read_only),
    _case("run-disk-full", "a rerun on a full disk", 2, "the disk is full", _disk_full),
    _case(
        "run-from-first",
        "`--from train` on a new `--out`",
        2,
        "step 'data' has no valid checkpoint",
        _from_without_checkpoint,
    ),
    _case("run-unknown-step", "`--to verfy`", 2, "unknown step 'verfy' (did you mean 'verify'?)", _unknown_step),
    _case(
        "run-new-data-retrains",
        "a rerun with a new `data.seed` (real training)",
        0,
        "model.h5 retrained: True; model card data seed 2",
        _retrain_on_new_data,
        slow=True,
    ),
]
