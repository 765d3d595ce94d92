"""Real Vivado HLS / Vitis HLS + Vivado runs: only where the tools are on PATH (skipped elsewhere, e.g. in CI).

A tiny network goes through all three stages on each route; the test checks the bitstream and hardware
handoff exist, that the .hwh names the instances the board driver expects with the DMA length register
the runner asked for, and that the parsed reports fit the xc7z020.  On the Vitis route it also checks that
the network IP has TLAST on both streams (what Vitis HLS gives only to ap_axiu words) — run it once on a new
install: ``pytest -m vivado tests/test_vivado_synthesis.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.runner import run_build
from fpgaflow_board import design_names
from fpgaflow_board.boards import get_board

pytestmark = [pytest.mark.vivado, pytest.mark.slow]


@pytest.fixture
def vivado_tools() -> None:
    missing = [tool for tool in ("vivado_hls", "vivado") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH")


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    hls4ml = pytest.importorskip("hls4ml")
    keras = pytest.importorskip("tensorflow.keras")
    model = keras.Sequential([keras.layers.Input((8,)), keras.layers.Dense(3, name="d1")])
    out = tmp_path / "hls"
    hls4ml.converters.convert_from_keras_model(
        model, backend="VivadoAccelerator", board="pynq-z2", io_type="io_stream", clock_period=10,
        part=get_board("pynq-z2").part, output_dir=str(out),
    ).write()  # fmt: skip
    return out


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_tiny_network_to_bitstream(vivado_tools: None, tiny_project: Path) -> None:
    result = run_build(tiny_project, BuildConfig(jobs=2, max_batch=1024))
    assert result.ran == ("hls", "bd", "bitstream")
    out = result.layout.output_dir
    hwh = (out / f"{design_names.OVERLAY_NAME}.hwh").read_text()
    assert result.bitstream.stat().st_size > 1_000_000  # a full xc7z020 bitstream is ~4 MB
    for name in (design_names.DMA_INSTANCE, design_names.NETWORK_INSTANCE, design_names.PS_INSTANCE):
        assert f'INSTANCE="{name}"' in hwh
    # 1024 samples x 32 bytes = 32 KiB -> 16-bit length register.
    assert 'name="c_sg_length_width" value="16"' in hwh.lower()
    board = get_board("pynq-z2")
    sources = [t.source for t in result.tables]
    assert sources == ["vivado_hls csynth", "vivado synth", "vivado impl"]
    impl = result.tables[-1].total
    assert 0 < impl.lut < board.lut
    assert 0 <= impl.dsp <= board.dsp
    assert run_build(tiny_project, BuildConfig(jobs=2, max_batch=1024)).ran == ()


@pytest.fixture
def vitis_tools() -> None:
    missing = [
        " or ".join(names) for names in (("vitis-run", "vitis_hls"), ("vivado",)) if not any(map(shutil.which, names))
    ]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH")


@pytest.fixture
def tiny_vitis_project(tmp_path: Path) -> Path:
    pytest.importorskip("hls4ml")
    from convert_models import tiny_qcnn

    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.convert.hls import convert, split_output_activation

    model, _ = split_output_activation(tiny_qcnn(np.random.default_rng(3)))
    out = tmp_path / "hls"
    convert(model, ConvertConfig(backend="Vitis"), out, 1 / 256)
    return out


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_tiny_network_to_bitstream_on_the_vitis_route(vitis_tools: None, tiny_vitis_project: Path) -> None:
    result = run_build(tiny_vitis_project, BuildConfig(jobs=2, max_batch=1024))
    assert result.ran == ("hls", "bd", "bitstream")
    out = result.layout.output_dir
    hwh = (out / f"{design_names.OVERLAY_NAME}.hwh").read_text()
    for name in (design_names.DMA_INSTANCE, design_names.NETWORK_INSTANCE, design_names.PS_INSTANCE):
        assert f'INSTANCE="{name}"' in hwh
    for port in ("in_r_TLAST", "in_r_TDATA", "out_r_TLAST", "out_r_TDATA"):
        assert port in hwh, f"the network IP has no {port}"
    # 1024 samples x 64 inputs x 4 bytes = 256 KiB -> 19-bit length register.
    assert 'name="c_sg_length_width" value="19"' in hwh.lower()
    assert [t.source for t in result.tables] == ["vitis_hls csynth", "vivado synth", "vivado impl"]
    assert 0 < result.tables[-1].total.lut < get_board("pynq-z2").lut
