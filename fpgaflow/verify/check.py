"""Check what a board produced against the bundle's expected C-simulation and QKeras outputs.

The board's raw outputs (the IP's logits) must reproduce the C simulation bit for bit: the C++ model is
bit-accurate for the same ``ap_fixed`` arithmetic, so any difference means a broken bitstream, a driver
fault or a different input.  The QKeras comparison is reported beside it (QKeras and the C-sim may differ
on a few maps through rounding) and enters the verdict only with ``min_keras_agreement``.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow.verify.compare import ScoreComparison, compare_scores
from fpgaflow.verify.config import CheckConfig
from fpgaflow_board.manifest import read_manifest, sha256
from fpgaflow_board.scores import apply_output_activation

RESULT_KEYS = ("raw",)


@dataclass(frozen=True)
class Disagreement:
    """One map where the board's decision (or raw output) differs from the C simulation."""

    index: int
    label: int
    board_score: float
    csim_score: float
    keras_score: float
    board_raw: float
    csim_raw: float


@dataclass(frozen=True)
class CheckReport:
    """``vs_csim``/``vs_keras``: :class:`ScoreComparison` of board scores (a) with each reference (b)."""

    n: int
    board: str
    vs_csim: ScoreComparison
    vs_keras: ScoreComparison
    accuracy_board: float
    accuracy_csim: float
    accuracy_keras: float
    raw_max_abs_diff: float
    raw_bit_exact_fraction: float
    passed: bool
    reasons: tuple[str, ...]
    first_disagreements: tuple[Disagreement, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def format(self) -> str:
        """Human-readable report ending in the verdict line."""
        c, k = self.vs_csim, self.vs_keras
        lines = [
            f"maps: {self.n} (board: {self.board})",
            f"accuracy   board {self.accuracy_board:.4f}   C-sim {self.accuracy_csim:.4f}   "
            f"QKeras {self.accuracy_keras:.4f}",
            f"board vs C-sim : class agreement {c.agreement:.4f}, raw bit-exact {self.raw_bit_exact_fraction:.4f}, "
            f"max |Δraw| {self.raw_max_abs_diff:.6g}, max |Δscore| {c.max_abs_diff:.6g}",
            f"board vs QKeras: class agreement {k.agreement:.4f}, max |Δscore| {k.max_abs_diff:.6g}",
        ]
        if self.first_disagreements:
            lines.append("first disagreeing maps (index, label, board/C-sim/QKeras score, board/C-sim raw):")
            lines += [
                f"  {d.index:6d}  {d.label}  {d.board_score:.6f} {d.csim_score:.6f} {d.keras_score:.6f}  "
                f"{d.board_raw:.8g} {d.csim_raw:.8g}"
                for d in self.first_disagreements
            ]
        verdict = "PASS" if self.passed else "FAIL: " + "; ".join(self.reasons)
        lines.append(f"verdict: {verdict}")
        return "\n".join(lines)


def _load(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            missing = [k for k in keys if k not in data.files]
            if missing:
                raise DataError(f"{path}: missing array(s) {missing} (has {sorted(data.files)})")
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: not a readable .npz file, truncated or corrupt ({exc})") from None


def _nonfinite(name: str, values: np.ndarray) -> str | None:
    """The FAIL reason for NaN/inf among ``values`` (a NaN compares false with every threshold), or None."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    return f"{int(bad.sum())} {name} are NaN or inf (first: map {int(np.argmax(bad))})"


def check_results(bundle_dir: str | Path, results: str | Path, cfg: CheckConfig | None = None) -> CheckReport:
    """Compare ``results`` (written by ``fpgaflow_board.results.save_results``) with ``bundle_dir``.

    Passes when board-vs-C-sim class agreement ≥ ``cfg.min_agreement`` and max |Δraw| ≤ ``cfg.tolerance``
    (default 0: bit-exact), and, if set, board-vs-QKeras agreement ≥ ``cfg.min_keras_agreement``.  Any NaN
    or inf among the board's (or the expected) raw outputs is a FAIL.  Results of another design (other
    project name, other expected outputs, another number of maps) and unreadable files are
    :class:`DataError`.
    """
    cfg = cfg or CheckConfig()
    tolerance, min_agreement, min_keras_agreement, show = (
        cfg.tolerance,
        cfg.min_agreement,
        cfg.min_keras_agreement,
        cfg.show,
    )
    bundle_dir, results = Path(bundle_dir), Path(results)
    try:
        manifest = read_manifest(bundle_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise DataError(str(exc)) from None
    if not manifest.expected_outputs or not manifest.test_maps:
        raise DataError(f"{bundle_dir}: the manifest names no expected outputs / test maps")
    expected = _load(bundle_dir / manifest.expected_outputs, ("csim_raw", "keras_raw"))
    labels = _load(bundle_dir / manifest.test_maps, ("labels",))["labels"].reshape(-1)
    got = _load(results, RESULT_KEYS)
    if "project_name" in got and str(got["project_name"]) != manifest.project_name:
        raise DataError(
            f"{results}: results of another design ({str(got['project_name'])!r}), but {bundle_dir} holds "
            f"{manifest.project_name!r}"
        )
    ours = manifest.files.get(manifest.expected_outputs) or sha256(bundle_dir / manifest.expected_outputs)
    theirs = str(got.get("design", ""))
    if theirs and theirs != ours:
        raise DataError(
            f"{results}: results of another design: made with a bundle whose expected outputs are "
            f"{theirs[:12]}…, {bundle_dir} has {ours[:12]}… (run the board on this bundle)"
        )
    raw = np.asarray(got["raw"], dtype=np.float32).reshape(len(got["raw"]), -1)[:, 0]
    csim_raw = np.asarray(expected["csim_raw"], np.float32).reshape(-1)
    keras_raw = np.asarray(expected["keras_raw"], np.float32).reshape(-1)
    if raw.shape != csim_raw.shape:
        raise DataError(
            f"{results}: {raw.size} board outputs but the bundle expects {csim_raw.size} "
            f"(one per test map in {manifest.test_maps}): results of another design or other maps"
        )
    act = manifest.output_activation
    s_board, s_csim, s_keras = (apply_output_activation(r, act) for r in (raw, csim_raw, keras_raw))
    vs_csim = compare_scores(s_board, s_csim, labels, manifest.threshold, show)
    vs_keras = compare_scores(s_board, s_keras, labels, manifest.threshold, show)
    raw_diff = np.abs(raw.astype(np.float64) - csim_raw)
    reasons = [
        r for r in (_nonfinite("board outputs", raw), _nonfinite("expected C-sim outputs", csim_raw)) if r is not None
    ]
    if vs_csim.agreement < min_agreement:
        reasons.append(f"board/C-sim class agreement {vs_csim.agreement:.4f} < {min_agreement}")
    if raw.size and raw_diff.max() > tolerance:
        reasons.append(f"board/C-sim max |Δraw| {raw_diff.max():.6g} > tolerance {tolerance:g}")
    if min_keras_agreement is not None and vs_keras.agreement < min_keras_agreement:
        reasons.append(f"board/QKeras class agreement {vs_keras.agreement:.4f} < {min_keras_agreement}")
    bad = list(vs_csim.first_disagreements) or [int(i) for i in np.flatnonzero(raw_diff > tolerance)[:show]]
    return CheckReport(
        n=int(raw.size),
        board=str(got.get("board", "unknown")),
        vs_csim=vs_csim,
        vs_keras=vs_keras,
        accuracy_board=vs_csim.accuracy_a,
        accuracy_csim=vs_csim.accuracy_b,
        accuracy_keras=vs_keras.accuracy_b,
        raw_max_abs_diff=float(raw_diff.max()) if raw.size else 0.0,
        raw_bit_exact_fraction=float(np.mean(raw == csim_raw)) if raw.size else 1.0,
        passed=not reasons,
        reasons=tuple(reasons),
        first_disagreements=tuple(
            Disagreement(
                i,
                int(labels[i]),
                float(s_board[i]),
                float(s_csim[i]),
                float(s_keras[i]),
                float(raw[i]),
                float(csim_raw[i]),
            )
            for i in bad
        ),
    )
