"""fpgaflow's AXI-Stream top function (Vitis route), compiled with g++ and hls4ml's own ap_*/hls_stream headers.

Fast tests drive the generated C++ around a stand-in network (``fakenet``: ``result = input - 0.5`` per
element, written here in plain hls4ml-style C++), so the wire logic — unpacking lanes into ``input_t`` beats
that straddle words, packing outputs, TLAST at the end of each DMA transfer, TKEEP/TSTRB — is checked for
several wire formats in seconds.  The slow test converts a real QKeras CNN with hls4ml's Vitis backend and
checks the top's output words against the network's C simulation, the emulator and QKeras bit for bit.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import adc_maps, tiny_qcnn

from fpgaflow.convert.axis_csim import AxisCSim
from fpgaflow.convert.axis_wrapper import AXIS_RECORD, AxisWrapper, read_axis_wrapper
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.csim_build import build_csim_library
from fpgaflow.convert.write_axis_wrapper import render_axis_wrapper, write_axis_wrapper
from fpgaflow.errors import ConfigError, StepError
from fpgaflow_board.fixed_point import parse_fixed, quantize, to_float
from fpgaflow_board.scaling import scale_inputs
from fpgaflow_board.wire_format import WireFormat

_SPEC = importlib.util.find_spec("hls4ml")
assert _SPEC is not None and _SPEC.origin is not None
HLS4ML_TEMPLATES = Path(_SPEC.origin).parent / "templates" / "vivado"
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")

FAKE_H = """\
#ifndef FAKENET_H_
#define FAKENET_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"
#include "nnet_utils/nnet_types.h"
typedef nnet::array<{in_type}, {channels}> input_t;
typedef nnet::array<{out_type}, {channels}> result_t;
void fakenet(hls::stream<input_t> &in, hls::stream<result_t> &out);
#endif
"""
FAKE_CPP = """\
#include "fakenet.h"
void fakenet(hls::stream<input_t> &in, hls::stream<result_t> &out) {{
    for (unsigned p = 0; p < {pixels}; p++) {{
        input_t a = in.read();
        result_t b;
        for (unsigned c = 0; c < input_t::size; c++) {{
            b[c] = typename result_t::value_type(a[c]) - typename result_t::value_type(0.5);
        }}
        out.write(b);
    }}
}}
"""
FAKE_BRIDGE = """\
#include "firmware/fakenet.h"
extern "C" void fakenet_float(float *x, float *y) {{
    hls::stream<input_t> in("in");
    hls::stream<result_t> out("out");
    for (unsigned p = 0; p < {pixels}; p++) {{
        input_t a;
        for (unsigned c = 0; c < input_t::size; c++) a[c] = typename input_t::value_type(x[p * input_t::size + c]);
        in.write(a);
    }}
    fakenet(in, out);
    for (unsigned p = 0; p < {pixels}; p++) {{
        result_t b = out.read();
        for (unsigned c = 0; c < result_t::size; c++) y[p * result_t::size + c] = float(b[c]);
    }}
}}
"""


def fake_project(root: Path, record: AxisWrapper, channels: int) -> Path:
    """A project directory laid out as hls4ml writes one, with ``fakenet`` as the network."""
    fw = root / "firmware"
    (fw / "nnet_utils").mkdir(parents=True)
    shutil.copytree(HLS4ML_TEMPLATES / "ap_types", fw / "ap_types")
    shutil.copy(HLS4ML_TEMPLATES / "nnet_utils" / "nnet_types.h", fw / "nnet_utils")
    (fw / "weights").mkdir()
    (fw / "weights" / "none.txt").write_text("0\n")  # the C-sim loader wants a weights/ folder
    pixels = record.n_in // channels
    types = {"in_type": record.input_type.hls(), "out_type": record.output_type.hls(), "channels": channels}
    (fw / "fakenet.h").write_text(FAKE_H.format(**types))
    (fw / "fakenet.cpp").write_text(FAKE_CPP.format(pixels=pixels))
    (root / "fakenet_bridge.cpp").write_text(FAKE_BRIDGE.format(pixels=pixels))
    write_axis_wrapper(root, record)
    return root


WIRES = {
    # one float32 per 32-bit word (hls4ml's VivadoAccelerator contract), 3-channel beats
    "float32": (WireFormat(), "ap_ufixed<8,0>", 3, 1.0),
    # four 8-bit input_t codes per 32-bit word, one channel; 16-bit output lanes
    "fixed_x4": (WireFormat("fixed", 4), "ap_ufixed<8,0>", 1, 1.0),
    # two 16-bit lanes per word feeding 3-channel beats: beats straddle words
    "fixed_x2_straddle": (WireFormat("fixed", 2), "ap_ufixed<12,2>", 3, 1.0),
    # issue 20: four raw ADC counts per 32-bit word into 4-channel (2x2 space-to-depth) beats, code = count
    "adc8_x4_copy": (WireFormat("adc8", 4), "ap_ufixed<8,0>", 4, 1 / 256),
    # eight ADC counts per 64-bit word into 8-channel beats through the ROM (scale 0.01 is not a power of two)
    "adc8_x8_rom": (WireFormat("adc8", 8), "ap_ufixed<12,2>", 8, 0.01),
    # four ADC counts per word into 8-channel beats: a beat every two words
    "adc8_x4_straddle": (WireFormat("adc8", 4), "ap_ufixed<12,2>", 8, 0.01),
}


@pytest.fixture(scope="module", params=sorted(WIRES))
def fake_top(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AxisCSim:
    wire, in_type, channels, scale = WIRES[request.param]
    record = AxisWrapper("fakenet", 24, 24, parse_fixed(in_type), parse_fixed("ap_fixed<16,4>"), wire, scale)
    project = fake_project(tmp_path_factory.mktemp(request.param) / "prj", record, channels)
    library = build_csim_library(project, project / "firmware" / "fakenet_csim.so", "fakenet")
    return AxisCSim(library, record)


def grid_inputs(rng: np.random.Generator, top: AxisCSim, n: int) -> np.ndarray:
    """Inputs the wire carries exactly: input_t codes, or ADC counts x scale on an adc8 wire."""
    rec = top.record
    if rec.wire.element == "adc8":
        return scale_inputs(rng.integers(0, 256, size=(n, rec.n_in)), rec.input_scale)
    codes = rng.integers(0, 2**rec.input_type.width, size=(n, rec.n_in))
    return (codes * rec.input_type.lsb).astype(np.float32)


def fakenet(top: AxisCSim, x: np.ndarray) -> np.ndarray:
    """fakenet's arithmetic on input_t(x): exact in ap_fixed<16,4> and float32."""
    t = top.record.input_type
    return (to_float(quantize(x, t)[0], t) - 0.5).astype(np.float32)


@pytest.mark.parametrize("maps_per_transfer", [1, 3, 7, 10])
def test_top_matches_the_network_bit_for_bit_and_marks_each_transfer(
    fake_top: AxisCSim, maps_per_transfer: int
) -> None:
    x = grid_inputs(np.random.default_rng(maps_per_transfer), fake_top, 10)
    expected = fakenet(fake_top, x)
    reference = fake_top.network.predict(x)  # the bridge: the network without the top
    np.testing.assert_array_equal(reference, expected)
    check = fake_top.check(x, reference, maps_per_transfer)
    assert (check.bit_exact, check.tlast_ok, check.keep_ok) == (1.0, True, True)
    # The raw side channels: TLAST on the last word of maps 2, 5, 8, 9 for transfers of 3 (the DMA's packets).
    run = fake_top.run(fake_top.encode(x), fake_top.transfers(10, maps_per_transfer))
    ends = [min(e, 10) - 1 for e in range(maps_per_transfer, 10 + maps_per_transfer, maps_per_transfer)]
    assert np.flatnonzero(run.last).tolist() == [(m + 1) * fake_top.record.out_words - 1 for m in ends]
    np.testing.assert_array_equal(fake_top.decode(run), expected)


def test_no_tlast_in_means_no_tlast_out(fake_top: AxisCSim) -> None:
    x = grid_inputs(np.random.default_rng(1), fake_top, 4)
    run = fake_top.run(fake_top.encode(x), np.zeros(4 * fake_top.record.in_words, bool))
    assert not run.last.any()
    # TLAST on an early word of a map still ends that map's output packet (the IP ORs a map's TLAST flags).
    early = np.zeros((4, fake_top.record.in_words), bool)
    early[1, 0] = True
    run = fake_top.run(fake_top.encode(x), early.reshape(-1))
    assert np.flatnonzero(run.last).tolist() == [2 * fake_top.record.out_words - 1]


def test_words_are_the_bytes_the_driver_lays_out(fake_top: AxisCSim) -> None:
    """The input bytes are the host array of lanes: lane k of a word = element k (little-endian TDATA)."""
    x = grid_inputs(np.random.default_rng(2), fake_top, 1)
    raw = fake_top.encode(x)
    rec = fake_top.record
    assert raw.size == rec.in_words * rec.in_word_bits // 8
    if rec.wire.element == "fixed":
        lane = rec.wire.input_lane_bits(rec.input_type)
        words = raw.view(f"<u{rec.in_word_bits // 8}").astype(np.uint64)
        lanes = [(int(w) >> (lane * k)) & ((1 << lane) - 1) for w in words for k in range(rec.wire.inputs_per_word)]
        assert np.array_equal(np.array(lanes) * rec.input_type.lsb, x.reshape(-1))
    elif rec.wire.element == "adc8":  # the counts themselves, 8 bits each, in network-input order
        np.testing.assert_array_equal(scale_inputs(raw, rec.input_scale), x.reshape(-1))
    else:
        assert np.array_equal(raw.view(np.float32), x.reshape(-1))


def test_a_short_input_is_reported_not_hung(fake_top: AxisCSim) -> None:
    x = grid_inputs(np.random.default_rng(3), fake_top, 2)
    with pytest.raises(ValueError, match="not whole maps"):
        fake_top.run(fake_top.encode(x)[:-1], np.zeros(2 * fake_top.record.in_words, bool))


def test_generated_cpp_carries_the_interface_the_block_design_needs() -> None:
    record = AxisWrapper(
        "myproject", 1024, 1, parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<17,5,AP_TRN,AP_SAT>"), WireFormat()
    )
    files = render_axis_wrapper(record)
    assert sorted(files) == sorted(
        [AXIS_RECORD, "firmware/myproject_axi.cpp", "firmware/myproject_axi.h", "myproject_axi_bridge.cpp"]
    )
    header, source = files["firmware/myproject_axi.h"], files["firmware/myproject_axi.cpp"]
    # Vitis HLS gets side channels only from ap_axiu/hls::axis (UG1399), from its own ap_axi_sdata.h.
    assert '#ifdef __VITIS_HLS__\n#include "ap_axi_sdata.h"\ntypedef ap_axiu<32, 0, 0, 0> in_word_t;' in header
    assert "void myproject_axi(hls::stream<in_word_t> &in_r, hls::stream<out_word_t> &out_r);" in header
    for pragma in (
        "#pragma HLS INTERFACE mode=axis port=in_r",
        "#pragma HLS INTERFACE mode=axis port=out_r",
        "#pragma HLS INTERFACE mode=ap_ctrl_none port=return",
        "#pragma HLS DATAFLOW",
    ):
        assert pragma in source
    assert "static const unsigned IN_WORDS = 1024;" in header
    assert json.loads(files[AXIS_RECORD]) == record.to_dict()
    assert record.to_dict()["top"] == "myproject_axi"
    assert (record.in_word_bits, record.out_word_bits) == (32, 32)


def test_record_round_trips_and_refuses_a_tampered_file(tmp_path: Path) -> None:
    record = AxisWrapper(
        "myproject", 64, 1, parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<16,6>"), WireFormat("fixed")
    )
    write_axis_wrapper(tmp_path, record)
    assert read_axis_wrapper(tmp_path) == record
    assert (record.in_word_bits, record.out_word_bits) == (8, 16)
    data = json.loads((tmp_path / AXIS_RECORD).read_text())
    data["in_word_bits"] = 32
    (tmp_path / AXIS_RECORD).write_text(json.dumps(data))
    with pytest.raises(StepError, match="in_word_bits 32 disagrees with the record's 8"):
        read_axis_wrapper(tmp_path)
    assert read_axis_wrapper(tmp_path / "elsewhere") is None


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (WireFormat("fixed", 8), r"8 lanes of 16 bits make a 128-bit word"),
        (WireFormat("fixed", 4), r"62 inputs per map do not fill whole words of 4 lanes"),
    ],
)
def test_record_refuses_words_the_dma_cannot_carry(wire: WireFormat, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AxisWrapper(
            "p",
            64 if wire.inputs_per_word == 8 else 62,
            1,
            parse_fixed("ap_ufixed<12,0>"),
            parse_fixed("ap_fixed<16,6>"),
            wire,
        )


def test_wire_format_rules() -> None:
    assert WireFormat().stream_dtype == "float32"
    assert WireFormat.from_dict({"element": "fixed", "inputs_per_word": 4}, "x") == WireFormat("fixed", 4)
    with pytest.raises(ValueError, match="float32 lanes fill a 32-bit word"):
        WireFormat("float32", 2)
    with pytest.raises(ValueError, match=r"x: wire-format keys \['element', 'lanes'\], expected"):
        WireFormat.from_dict({"element": "fixed", "lanes": 4}, "x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "Vitis", "io_type": "io_parallel"}, r"convert\.backend Vitis: .* set convert\.io_type io_stream"),
        ({"wire": WireFormat("fixed")}, r"convert\.wire applies to the Vitis route only"),
        ({"wire": WireFormat("adc8", 4)}, r"convert\.wire applies to the Vitis route only"),
    ],
)
def test_convert_config_refuses_what_the_route_cannot_deploy(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ConvertConfig(**kwargs)


# ----------------------------------------------------------------------------------------------- real network
SCALE = 1 / 256


@pytest.fixture(scope="module")
def vitis_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, Path]:
    from fpgaflow.convert.hls import convert, split_output_activation

    model, _ = split_output_activation(tiny_qcnn(np.random.default_rng(3)))
    out = tmp_path_factory.mktemp("vitis") / "prj"
    conversion = convert(model, ConvertConfig(backend="Vitis"), out, SCALE, adc_maps(np.random.default_rng(5), 200))
    assert conversion.axis is not None and conversion.axis == read_axis_wrapper(out)
    library = build_csim_library(out, out / "firmware" / "myproject_csim.so")
    return model, out, library


@pytest.mark.slow  # hls4ml Vitis conversion + a C-sim build (~25-35 s on the shared machine)
def test_real_network_top_is_bit_exact_with_csim_emulator_and_qkeras(vitis_project: tuple[Any, Path, Path]) -> None:
    from fpgaflow.emulate.project import load_emulator

    model, project, library = vitis_project
    assert 'set backend "vitis"' in (project / "project.tcl").read_text()
    maps = adc_maps(np.random.default_rng(4), 300)
    top = AxisCSim(library, read_axis_wrapper(project))  # type: ignore[arg-type]
    csim = top.network.predict(maps)
    check = top.check(maps, csim, maps_per_transfer=64)
    assert (check.n_maps, check.bit_exact, check.tlast_ok, check.keep_ok) == (300, 1.0, True, True)
    wire = top.decode(top.run(top.encode(maps), top.transfers(300, 300)))
    emulator = load_emulator(project)
    assert emulator.axi_word == "float"
    np.testing.assert_array_equal(wire.view(np.uint32), np.asarray(emulator.predict(maps), np.float32).view(np.uint32))
    keras = np.asarray(model.predict(maps, verbose=0), np.float32).reshape(300, -1)
    np.testing.assert_array_equal(wire, keras)
