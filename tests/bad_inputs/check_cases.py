"""``fpgaflow check BUNDLE RESULTS``: board results that are NaN, truncated, or of another design.

The bundle is a minimal one (manifest with checksums, test maps, expected outputs), enough for ``check``;
the results file is what ``fpgaflow_board.results.save_results`` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from minimal_bundle import write_minimal_bundle

from bad_inputs.case import Case, Prepare, Prepared, fpgaflow

N_MAPS = 20


def write_bundle(directory: Path) -> tuple[np.ndarray, str]:
    """A bundle with 20 test maps; returns the expected raw outputs and the design digest."""
    raw = np.random.default_rng(3).normal(size=(N_MAPS, 1)).astype(np.float32)
    manifest = write_minimal_bundle(directory, raw, (8, 8, 1))
    return raw, manifest.files["expected_outputs.npz"]


def _results(
    edit: Callable[[dict[str, np.ndarray]], None] | None, after: Callable[[Path], None] | None = None
) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        raw, design = write_bundle(tmp / "board")
        arrays = {"raw": raw.copy(), "project_name": np.str_("myproject"), "design": np.str_(design)}
        if edit is not None:
            edit(arrays)
        np.savez(tmp / "results.npz", **arrays)
        if after is not None:
            after(tmp)
        return Prepared(
            fpgaflow("check", tmp / "board", tmp / "results.npz"), keep=[tmp / "board", tmp / "results.npz"]
        )

    return prepare


def _nan(a: dict[str, np.ndarray]) -> None:
    a["raw"][[2, 5]] = np.nan


def _inf(a: dict[str, np.ndarray]) -> None:
    a["raw"][0] = np.inf


def _other_design(a: dict[str, np.ndarray]) -> None:
    a["design"] = np.str_("0" * 64)


def _other_project(a: dict[str, np.ndarray]) -> None:
    a["project_name"] = np.str_("otherproject")


def _fewer(a: dict[str, np.ndarray]) -> None:
    a["raw"] = a["raw"][:12]
    del a["design"]


def _off_by_one_lsb(a: dict[str, np.ndarray]) -> None:
    a["raw"][4] += 2.0**-10


def _truncate(tmp: Path) -> None:
    data = (tmp / "results.npz").read_bytes()
    (tmp / "results.npz").write_bytes(data[: len(data) // 2])


def _corrupt_bundle(tmp: Path) -> None:
    with (tmp / "board" / "test_maps.npz").open("ab") as fh:
        fh.write(b"\0")


def _case(id_: str, given: str, exit_: int, message: str, prepare: Prepare) -> Case:
    return Case(id_, "board results", given, exit_, message, prepare)


CASES = [
    _case("check-good", "the board reproduced the C simulation", 0, "verdict: PASS", _results(None)),
    _case(
        "check-one-lsb",
        "one raw output off by one LSB",
        1,
        "max |Δraw| 0.000976562 > tolerance 0",
        _results(_off_by_one_lsb),
    ),
    _case(
        "check-nan",
        "board outputs NaN on maps 2 and 5",
        1,
        "2 board outputs are NaN or inf (first: map 2)",
        _results(_nan),
    ),
    _case("check-inf", "a board output +inf", 1, "1 board outputs are NaN or inf (first: map 0)", _results(_inf)),
    _case(
        "check-truncated",
        "results.npz cut in half",
        2,
        "not a readable .npz file, truncated or corrupt",
        _results(None, _truncate),
    ),
    _case(
        "check-other-design",
        "results of another design with the same project name",
        2,
        "results of another design: made with a bundle",
        _results(_other_design),
    ),
    _case(
        "check-other-project",
        "results of design 'otherproject'",
        2,
        "results of another design ('otherproject')",
        _results(_other_project),
    ),
    _case(
        "check-other-maps",
        "12 results for a 20-map bundle",
        2,
        "results of another design or other maps",
        _results(_fewer),
    ),
    _case(
        "check-corrupt-bundle",
        "a bundle file changed after packaging",
        2,
        "test_maps.npz does not match its manifest checksum",
        _results(None, _corrupt_bundle),
    ),
]
