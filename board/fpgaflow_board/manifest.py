"""The board bundle's manifest: what the driver needs to run a design, readable on the board.

A bundle is a directory with ``manifest.json`` plus the files it names (the driver package, the notebook,
test hit maps, expected outputs, and either the ``.bit``/``.hwh`` Vivado built or — while there is no
bitstream — the C-simulation library the simulated board runs on the build host).  Pure Python/JSON so
both the host and the PYNQ-Z2 read it.

The board trusts nothing in the manifest it has not checked (:func:`read_manifest`): every path it names
must be a relative path that stays inside the bundle, and every file it names must carry a SHA-256 in
``files`` that matches the file.  A manifest with no checksums, a path like ``../x.so`` or ``/lib/x.so``,
or a named file without a checksum is refused before anything is opened or loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from fpgaflow_board.atomic import write_text
from fpgaflow_board.boards import BOARDS, DEFAULT_BOARD
from fpgaflow_board.errors import BundleError
from fpgaflow_board.packing import InputPacking
from fpgaflow_board.wire_format import WIRE_ELEMENTS, WireFormat

#: Version 2: ``files`` must cover every file the manifest names (version 1 allowed an empty map), the
#: C-simulation library only in a bundle without a bitstream, and ``.bit``/``.hwh`` side by side.
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
#: Modules of ``fpgaflow_board`` only the build host uses: the simulated board and the C-simulation library
#: (built for the host's CPU).  A bundle with a bitstream leaves them out; one without (written before the
#: Vivado build, to try the flow on the host) carries them and the library.
HOST_ONLY_MODULES = ("simulated", "sim_channel", "sim_devices", "sim_memory", "csim")
#: The manifest fields that name a file of the bundle (each must be listed in ``files``).
PATH_FIELDS = ("bitstream", "hwh", "csim_library", "test_maps", "expected_outputs")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Manifest:
    """Facts about one deployed design.

    ``input_shape`` is one hit map (rows, cols, channels) as the driver takes it (the network input is its
    space-to-depth when ``input_packing``'s block is not [1, 1]); ``input_scale`` converts ADC counts to the
    network input; ``input_precision``/``output_precision`` are the ap_fixed types inside the IP
    (``input_t``/``result_t``); ``output_activation`` is applied to the IP's raw output by the driver (the
    FPGA computes the logit).  ``stream_dtype`` is the element one AXI-Stream word carries, read from the
    design itself (:class:`fpgaflow_board.wire_format.WireFormat`): ``float32`` with hls4ml's
    VivadoAccelerator wrapper (its ``T_in``/``T_out`` are ``float``) and with fpgaflow's Vitis-route top by
    default, ``fixed`` for ``input_precision``/``output_precision`` codes on the Vitis route, ``adc8`` for raw
    8-bit ADC counts in and ``fixed`` outputs back; the driver packs exactly these words, never the network's
    internal types (a ``result_t`` of 40 bits still travels as a float32 word).  ``input_packing`` sits beside
    it: input lanes per word and the space-to-depth block the driver lays hit maps out in
    (:class:`fpgaflow_board.packing.InputPacking`; default one input per word, no block), checked with the
    rest of the manifest before anything is trusted.  ``bitstream``/``hwh`` are file names or ``None`` with
    ``bitstream_note`` saying why.  ``files`` maps each bundled file (relative path) to its SHA-256.
    """

    project_name: str
    input_shape: tuple[int, ...]
    n_in: int
    n_out: int
    input_scale: float
    input_precision: str
    output_precision: str
    output_activation: str = "sigmoid"
    stream_dtype: str = "float32"
    input_packing: dict[str, Any] = field(default_factory=lambda: {"inputs_per_word": 1, "block": [1, 1]})
    class_names: tuple[str, ...] = ("background", "particle")
    threshold: float = 0.5
    board: str = DEFAULT_BOARD
    clock_period_ns: float = BOARDS[DEFAULT_BOARD].clock_period_ns
    bitstream: str | None = None
    hwh: str | None = None
    bitstream_note: str = ""
    csim_library: str | None = None
    test_maps: str | None = None
    expected_outputs: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "manifest") -> Manifest:
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BundleError(f"{source}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise BundleError(f"{source}: expected a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if data.get("format_version") != FORMAT_VERSION:
            raise BundleError(
                f"{source}: manifest format_version {data.get('format_version')} != supported {FORMAT_VERSION} "
                "(write the bundle again with this fpgaflow: fpgaflow run --from package)"
            )
        if unknown:
            raise BundleError(f"{source}: unknown manifest keys {unknown}")
        if not isinstance(data.get("files"), dict):
            raise BundleError(f"{source}: 'files' must map each bundled file to its SHA-256")
        try:
            data["input_shape"] = tuple(data["input_shape"])
            data["class_names"] = tuple(data.get("class_names", ("background", "particle")))
            return cls(**data)
        except (KeyError, TypeError) as exc:
            raise BundleError(f"{source}: incomplete manifest ({exc})") from None

    def named_files(self) -> dict[str, str]:
        """The manifest's path fields that are set: field name -> relative path."""
        return {name: value for name in PATH_FIELDS if (value := getattr(self, name))}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(bundle_dir: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` atomically."""
    return write_text(Path(bundle_dir) / MANIFEST_NAME, manifest.to_json())


def bundle_file(bundle_dir: Path, name: str, what: str = "file") -> Path:
    """``bundle_dir / name`` if ``name`` is a relative path that stays inside the bundle (symbolic links
    resolved); else :class:`BundleError`.  ``what`` names the manifest field in the message."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        raise BundleError(f"{bundle_dir}: manifest {what} {name!r} is not a relative file name")
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise BundleError(f"{bundle_dir}: manifest {what} {name!r} points outside the bundle")
    root = bundle_dir.resolve()
    path = (bundle_dir / pure).resolve()
    if path != root and root not in path.parents:
        raise BundleError(f"{bundle_dir}: manifest {what} {name!r} resolves to {path}, outside the bundle")
    return bundle_dir / pure


def check_paths(bundle_dir: Path, manifest: Manifest) -> None:
    """Every listed file and every path field inside the bundle; every path field covered by a checksum."""
    if not manifest.files:
        raise BundleError(f"{bundle_dir}: the manifest lists no file checksums; refusing an unverifiable bundle")
    for name, digest in manifest.files.items():
        bundle_file(bundle_dir, name, "file")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise BundleError(f"{bundle_dir}: manifest checksum of {name!r} is not a SHA-256 hex digest")
    if manifest.hwh and manifest.bitstream:
        beside = str(PurePosixPath(manifest.bitstream).with_suffix(".hwh"))
        if manifest.hwh != beside:
            raise BundleError(
                f"{bundle_dir}: manifest hwh {manifest.hwh!r} must be {beside!r} (pynq reads the .hwh beside the .bit)"
            )
    for field_name, name in manifest.named_files().items():
        bundle_file(bundle_dir, name, field_name)
        if name not in manifest.files:
            raise BundleError(f"{bundle_dir}: manifest {field_name} {name!r} has no checksum in 'files'")


def check_wire(bundle_dir: Path, manifest: Manifest) -> None:
    """The wire the driver will pack for: ``stream_dtype`` a known element, ``input_packing`` well formed, the
    two compatible, and the map splitting into whole words and blocks (else one :class:`BundleError` line)."""
    if manifest.stream_dtype not in WIRE_ELEMENTS:
        raise BundleError(
            f"{bundle_dir}: manifest stream_dtype {manifest.stream_dtype!r} is not one of {list(WIRE_ELEMENTS)}"
        )
    try:
        packing = InputPacking.from_dict(manifest.input_packing, "manifest input_packing")
        wire = WireFormat.from_dict(
            {"element": manifest.stream_dtype, "inputs_per_word": packing.inputs_per_word}, "manifest stream_dtype"
        )
    except (TypeError, ValueError) as exc:
        raise BundleError(f"{bundle_dir}: {exc}") from None
    try:
        wire.input_words(int(manifest.n_in))
    except (TypeError, ValueError) as exc:
        raise BundleError(f"{bundle_dir}: manifest n_in {manifest.n_in!r} with input_packing: {exc}") from None
    rows, cols = (*manifest.input_shape, 1, 1)[:2]
    by, bx = packing.block
    if rows % by or cols % bx:
        raise BundleError(
            f"{bundle_dir}: manifest input_packing block {list(packing.block)} does not split the "
            f"{rows}x{cols} input_shape into whole blocks"
        )


def read_manifest(bundle_dir: str | Path) -> Manifest:
    """Read ``manifest.json``, confine every path to the bundle and check the SHA-256 of every listed file.

    Raises :class:`BundleError` (one line, naming the bundle and the entry) for a missing or malformed
    manifest, an unknown wire (:func:`check_wire`), a path outside the bundle, a named file without a checksum,
    a missing file or a mismatch.
    """
    bundle_dir = Path(bundle_dir)
    path = bundle_dir / MANIFEST_NAME
    if not path.is_file():
        raise BundleError(f"{bundle_dir}: no {MANIFEST_NAME}; is this an fpgaflow board bundle?")
    manifest = Manifest.from_json(path.read_text(encoding="utf-8"), source=str(path))
    check_paths(bundle_dir, manifest)
    check_wire(bundle_dir, manifest)
    for name, digest in manifest.files.items():
        f = bundle_dir / name
        if not f.is_file():
            raise BundleError(f"{bundle_dir}: manifest lists {name} but it is missing")
        if sha256(f) != digest:
            raise BundleError(f"{bundle_dir}: {name} does not match its manifest checksum (corrupt copy?)")
    return manifest
