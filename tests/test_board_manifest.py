"""The board trusts nothing in a bundle's manifest it has not checked (fpgaflow_board.manifest.read_manifest).

Every path must stay inside the bundle and every named file must carry a matching SHA-256; otherwise one
BundleError line, before anything is opened or loaded (a foreign .so was once loaded and its constructor ran).
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from minimal_bundle import write_minimal_bundle

from fpgaflow.errors import DataError
from fpgaflow.verify.check import check_results
from fpgaflow_board.errors import BundleError
from fpgaflow_board.manifest import read_manifest, write_manifest
from fpgaflow_board.session import open_bundle


def make_bundle(root: Path, **changes: Any) -> Path:
    """A small, valid bundle without a bitstream (C simulation, two 4 × 4 maps, expected outputs); ``changes`` edit
    its manifest after the checksums are computed."""
    bundle = root / "bundle"
    write_minimal_bundle(bundle, np.zeros((2, 1), np.float32), (4, 4, 1), with_library=True, **changes)
    return bundle


def test_a_complete_bundle_reads(tmp_path: Path) -> None:
    m = read_manifest(make_bundle(tmp_path))
    assert set(m.files) == {"expected_outputs.npz", "lib/myproject_csim.so", "test_maps.npz"}
    assert m.named_files() == {
        "csim_library": "lib/myproject_csim.so",
        "test_maps": "test_maps.npz",
        "expected_outputs": "expected_outputs.npz",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"files": {}}, "the manifest lists no file checksums; refusing an unverifiable bundle"),
        (
            {"expected_outputs": "../outside.npz"},
            "manifest expected_outputs '../outside.npz' points outside the bundle",
        ),
        ({"test_maps": "/etc/passwd"}, "manifest test_maps '/etc/passwd' points outside the bundle"),
        ({"csim_library": "/usr/lib/evil.so"}, "manifest csim_library '/usr/lib/evil.so' points outside the bundle"),
        ({"csim_library": "lib/other.so"}, "manifest csim_library 'lib/other.so' has no checksum in 'files'"),
        ({"files": {"../evil.so": "0" * 64}}, "manifest file '../evil.so' points outside the bundle"),
        ({"files": {"test_maps.npz": "not-a-digest"}}, "checksum of 'test_maps.npz' is not a SHA-256 hex digest"),
        ({"bitstream": "a.bit", "hwh": "b.hwh"}, "manifest hwh 'b.hwh' must be 'a.hwh'"),
        # The wire (issue 20): stream_dtype and input_packing, checked before anything is trusted.
        ({"stream_dtype": "int8"}, "manifest stream_dtype 'int8' is not one of ['float32', 'fixed', 'adc8']"),
        (
            {"stream_dtype": "adc8", "input_packing": {"inputs_per_word": 3, "block": [1, 1]}},
            "manifest input_packing {'block': [1, 1], 'inputs_per_word': 3}: inputs_per_word must be one of",
        ),
        (
            {"input_packing": {"inputs_per_word": 4}},
            "manifest input_packing {'inputs_per_word': 4}: expected {'inputs_per_word': 1, 2, 4 or 8",
        ),
        (
            {"input_packing": {"inputs_per_word": 1, "block": 2}},
            "manifest input_packing {'block': 2, 'inputs_per_word': 1}: block 2 is not [rows, cols]",
        ),
        (
            {"input_packing": {"inputs_per_word": 4, "block": [1, 1]}},
            "manifest stream_dtype: float32 lanes fill a 32-bit word: inputs_per_word must be 1",
        ),
        (
            {"stream_dtype": "adc8", "input_packing": {"inputs_per_word": 8, "block": [1, 1]}, "n_in": 12},
            "manifest n_in 12 with input_packing: 12 inputs per map do not fill whole words of 8 lanes",
        ),
        (
            {"stream_dtype": "adc8", "input_packing": {"inputs_per_word": 4, "block": [3, 1]}},
            "manifest input_packing block [3, 1] does not split the 4x4 input_shape into whole blocks",
        ),
    ],
)
def test_untrustworthy_manifests_are_refused(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    bundle = make_bundle(tmp_path, **changes)
    with pytest.raises(BundleError) as info:
        read_manifest(bundle)
    assert str(info.value).startswith(f"{bundle}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_packed_manifest_reads(tmp_path: Path) -> None:
    m = read_manifest(make_bundle(tmp_path, stream_dtype="adc8", input_packing={"inputs_per_word": 8, "block": [2, 4]}))
    assert (m.stream_dtype, m.input_packing) == ("adc8", {"inputs_per_word": 8, "block": [2, 4]})


def test_named_files_missing_from_the_checksums_are_refused(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    m = read_manifest(bundle)
    files = {k: v for k, v in m.files.items() if k != "expected_outputs.npz"}
    write_manifest(bundle, dataclasses.replace(m, files=files))
    with pytest.raises(
        BundleError, match=re.escape("manifest expected_outputs 'expected_outputs.npz' has no checksum")
    ):
        read_manifest(bundle)


def test_a_symlink_out_of_the_bundle_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.so"
    evil.write_bytes(b"\x7fELF foreign code")
    bundle = make_bundle(tmp_path / "b")
    (bundle / "lib" / "myproject_csim.so").unlink()
    (bundle / "lib" / "myproject_csim.so").symlink_to(evil)
    with pytest.raises(BundleError, match=r"manifest file 'lib/myproject_csim.so' resolves to .*evil\.so, outside"):
        read_manifest(bundle)


def test_modified_or_missing_files_are_refused(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    (bundle / "test_maps.npz").write_bytes(b"something else")
    with pytest.raises(BundleError, match=re.escape("test_maps.npz does not match its manifest checksum")):
        read_manifest(bundle)
    (bundle / "test_maps.npz").unlink()
    with pytest.raises(BundleError, match=re.escape("manifest lists test_maps.npz but it is missing")):
        read_manifest(bundle)
    (bundle / "manifest.json").write_text("{not json")
    with pytest.raises(BundleError, match=re.escape("manifest.json: not JSON")):
        read_manifest(bundle)


def test_a_foreign_library_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ctypes.CDLL was called")

    monkeypatch.setattr(ctypes, "CDLL", refuse)
    bundle = make_bundle(tmp_path, csim_library="../../evil.so")
    with pytest.raises(BundleError, match=re.escape("manifest csim_library '../../evil.so' points outside the bundle")):
        open_bundle(bundle, simulated=True)


def test_check_refuses_expected_outputs_outside_the_bundle(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, expected_outputs="../expected.npz")
    results = tmp_path / "results.npz"
    np.savez(results, raw=np.zeros((2, 1), np.float32))
    with pytest.raises(
        DataError, match=re.escape("manifest expected_outputs '../expected.npz' points outside the bundle")
    ):
        check_results(bundle, results)
