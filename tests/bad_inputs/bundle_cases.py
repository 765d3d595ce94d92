"""The board bundle's manifest, as the PYNQ-Z2 reads it (issue 18 item 9): a manifest that skips checksums, names a file
outside the bundle (a foreign ``.so`` would be loaded and its constructor run) or a file it lists no checksum for,
that is of another format, or whose wire (``stream_dtype``, ``input_packing``) is unknown. The command is the board's
own ``python -m fpgaflow_board BUNDLE``; every refusal happens in ``read_manifest``, before any file the manifest
names is opened or loaded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bad_inputs.case import Case, Prepare, Prepared, board_call
from bad_inputs.check_cases import write_bundle


def _board_cli(bundle: Path, out: Path) -> Callable[[], int]:
    def run() -> int:
        from fpgaflow_board.__main__ import main

        return main([str(bundle), "--out", str(out)])

    return run


def _bundle(edit: Callable[[Path], dict[str, Any]] | None = None) -> Prepare:
    """The catalogue's minimal bundle (test maps, expected outputs, checksums); ``edit(bundle)`` changes files and
    returns manifest fields to replace (after the checksums were taken)."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        from fpgaflow_board.manifest import read_manifest, write_manifest

        bundle = tmp / "board"
        write_bundle(bundle)
        if edit is not None:
            manifest = read_manifest(bundle)
            write_manifest(bundle, dataclasses.replace(manifest, **edit(bundle)))
        return Prepared(_board_cli(bundle, tmp / "results.npz"), keep=[bundle])

    return prepare


def _foreign_library(bundle: Path) -> dict[str, Any]:
    (bundle.parent / "evil.so").write_bytes(b"\x7fELF a library from elsewhere")
    return {"csim_library": str(bundle.parent / "evil.so")}


def _unlisted_library(bundle: Path) -> dict[str, Any]:
    (bundle / "lib").mkdir()
    (bundle / "lib" / "other.so").write_bytes(b"\x7fELF not listed")
    return {"csim_library": "lib/other.so"}


def _symlink_out(bundle: Path) -> dict[str, Any]:
    (bundle.parent / "elsewhere.npz").write_bytes(b"PK")
    (bundle / "maps.npz").symlink_to(bundle.parent / "elsewhere.npz")
    return {"test_maps": "maps.npz"}


def _changed_maps(bundle: Path) -> dict[str, Any]:
    with (bundle / "test_maps.npz").open("ab") as fh:
        fh.write(b"\0")
    return {}


def _good(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
    def read() -> None:
        from fpgaflow_board.manifest import read_manifest

        m = read_manifest(tmp / "board")
        print(f"manifest checked: {len(m.files)} files, every path inside the bundle")

    write_bundle(tmp / "board")
    return Prepared(board_call(read), keep=[tmp / "board"])


def _case(id_: str, given: str, exit_: int, message: str, prepare: Prepare) -> Case:
    return Case(id_, "board bundle", given, exit_, message, prepare)


CASES = [
    _case("bundle-good", "an intact bundle", 0, "manifest checked: 2 files, every path inside the bundle", _good),
    _case(
        "bundle-no-checksums",
        'a manifest with an empty `"files": {}`',
        2,
        "the manifest lists no file checksums; refusing an unverifiable bundle",
        _bundle(lambda b: {"files": {}}),
    ),
    _case(
        "bundle-path-outside",
        '`"expected_outputs": "../outside.npz"`',
        2,
        "manifest expected_outputs '../outside.npz' points outside the bundle",
        _bundle(lambda b: {"expected_outputs": "../outside.npz"}),
    ),
    _case(
        "bundle-foreign-library",
        "`csim_library` an absolute path to a `.so` outside the bundle",
        2,
        "evil.so' points outside the bundle",
        _bundle(_foreign_library),
    ),
    _case(
        "bundle-unlisted-file",
        "`csim_library` a file in the bundle without a checksum",
        2,
        "manifest csim_library 'lib/other.so' has no checksum in 'files'",
        _bundle(_unlisted_library),
    ),
    _case(
        "bundle-symlink-out",
        "`test_maps` a symbolic link to a file outside the bundle",
        2,
        "manifest test_maps 'maps.npz' resolves to ",
        _bundle(_symlink_out),
    ),
    _case(
        "bundle-changed-file",
        "a bundled file changed after packaging",
        2,
        "test_maps.npz does not match its manifest checksum (corrupt copy?)",
        _bundle(_changed_maps),
    ),
    _case(
        "bundle-format-1",
        "a version-1 manifest (written before the checks)",
        2,
        "manifest format_version 1 != supported 2 (write the bundle again with this fpgaflow",
        _bundle(lambda b: {"format_version": 1}),
    ),
    _case(
        "bundle-bad-packing",
        '`"input_packing": {"inputs_per_word": 3, ...}` (issue 20: lanes per AXI-Stream word)',
        2,
        "manifest input_packing {'block': [1, 1], 'inputs_per_word': 3}: inputs_per_word must be one of (1, 2, 4, 8)",
        _bundle(lambda b: {"stream_dtype": "adc8", "input_packing": {"inputs_per_word": 3, "block": [1, 1]}}),
    ),
]
