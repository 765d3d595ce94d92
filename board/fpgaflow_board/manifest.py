"""The board bundle's manifest: what the driver needs to run a design, readable on the board.

A bundle is a directory with ``manifest.json`` plus the files it names (the driver package, the notebook,
test hit maps, expected outputs, the C-simulation library for the simulated board and — once Vivado has
built them — ``.bit`` and ``.hwh``).  Pure Python/JSON so both the host and the PYNQ-Z2 read it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fpgaflow_board.atomic import write_text
from fpgaflow_board.boards import BOARDS, DEFAULT_BOARD

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    """Facts about one deployed design.

    ``input_shape`` is one hit map (rows, cols, channels); ``input_scale`` converts ADC counts to the
    network input; ``input_precision``/``output_precision`` are the ap_fixed types inside the IP;
    ``output_activation`` is applied to the IP's raw output by the driver (the FPGA computes the logit);
    ``stream_dtype`` is the element one AXI-Stream word carries (``float32`` with hls4ml's default float
    wrapper and with fpgaflow's Vitis-route top by default, ``fixed`` for ``input_precision``/``output_precision``
    codes; :class:`fpgaflow_board.wire_format.WireFormat`): the one field both routes fill.
    ``bitstream``/``hwh`` are file names or ``None`` with ``bitstream_note`` saying why.  ``files`` maps each
    bundled file to its SHA-256.
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
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{source}: unknown manifest keys {unknown}")
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{source}: manifest format_version {data.get('format_version')} != supported {FORMAT_VERSION}"
            )
        data["input_shape"] = tuple(data["input_shape"])
        data["class_names"] = tuple(data.get("class_names", ("background", "particle")))
        return cls(**data)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(bundle_dir: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` atomically."""
    return write_text(Path(bundle_dir) / MANIFEST_NAME, manifest.to_json())


def read_manifest(bundle_dir: str | Path, verify_files: bool = True) -> Manifest:
    """Read and (optionally) check the SHA-256 of every listed file."""
    bundle_dir = Path(bundle_dir)
    path = bundle_dir / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{bundle_dir}: no {MANIFEST_NAME}; is this an fpgaflow board bundle?")
    manifest = Manifest.from_json(path.read_text(), source=str(path))
    if verify_files:
        for name, digest in manifest.files.items():
            f = bundle_dir / name
            if not f.is_file():
                raise FileNotFoundError(f"{bundle_dir}: manifest lists {name} but it is missing")
            if sha256(f) != digest:
                raise ValueError(f"{bundle_dir}: {name} does not match its manifest checksum (corrupt copy?)")
    return manifest
