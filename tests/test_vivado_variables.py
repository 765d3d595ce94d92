"""Reading an hls4ml VivadoAccelerator project, the design names, and the generated vars.tcl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import ConfigError, StepError
from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.project import read_project
from fpgaflow.vivado.variables import BuildLayout, build_variables, render_vars, vars_digest, write_vars
from fpgaflow_board import design_names

STUBS = Path(__file__).resolve().parent / "tcl_stubs"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "my run" / "hls"
    shutil.copytree(STUBS / "sample_project", dest)
    return dest


def set_header_types(project: Path, t_in: str, t_out: str) -> None:
    header = project / "firmware" / "myproject_axi.h"
    text = header.read_text().replace("typedef float T_in;", f"typedef {t_in} T_in;")
    header.write_text(text.replace("typedef float T_out;", f"typedef {t_out} T_out;"))


def test_read_default_project(project: Path) -> None:
    prj = read_project(project)
    assert (prj.name, prj.top, prj.part, prj.clock_period_ns) == (
        "myproject",
        "myproject_axi",
        "xc7z020clg400-1",
        10.0,
    )
    assert (prj.n_in, prj.n_out, prj.in_bits, prj.out_bits) == (8, 3, 32, 32)
    assert prj.bytes_per_sample == 32  # max(8 x 4 bytes in, 3 x 4 bytes out)


def test_fixed_point_stream_types_set_the_dma_widths(project: Path) -> None:
    set_header_types(project, "ap_fixed<16,6,AP_RND,AP_SAT>", "ap_uint<8>")
    prj = read_project(project)
    assert (prj.in_bits, prj.out_bits, prj.bytes_per_sample) == (16, 8, 16)
    words = build_variables(prj, BuildConfig(), BuildLayout(project / "b"))
    assert (words["dma_mm2s_width"], words["dma_s2mm_width"], words["dma_mm_width"]) == ("16", "8", "32")
    # 4096 x 16 bytes = 65,536 bytes -> 17 bits.
    assert words["dma_length_width"] == "17"


def test_stream_width_the_dma_cannot_carry_is_refused(project: Path) -> None:
    set_header_types(project, "ap_fixed<24,8>", "float")
    with pytest.raises(ConfigError, match=r"input words are 24 bits wide; the AXI DMA streams \[8, 16, 32"):
        build_variables(read_project(project), BuildConfig(), BuildLayout(project / "b"))


def test_hls4ml_fixed_string_in_header_is_reported(project: Path) -> None:
    set_header_types(project, "fixed<16,6,TRN,WRAP,0>", "float")
    with pytest.raises(StepError, match=r"'fixed<16,6,TRN,WRAP,0>' is not a C\+\+ type"):
        read_project(project)


def test_not_an_accelerator_project(project: Path, tmp_path: Path) -> None:
    tcl = project / "project.tcl"
    tcl.write_text(tcl.read_text().replace('"vivadoaccelerator"', '"vivado"'))
    with pytest.raises(StepError, match="backend is 'vivado'; fpgaflow build needs a VivadoAccelerator"):
        read_project(project)
    with pytest.raises(StepError, match=r"project\.tcl is missing"):
        read_project(tmp_path)


def test_design_names_dma_arithmetic() -> None:
    assert design_names.dma_length_width(1) == 8
    assert design_names.dma_length_width(255) == 8
    assert design_names.dma_length_width(256) == 9
    assert design_names.dma_length_width(131_072) == 18
    assert design_names.dma_length_width(2**26 - 1) == 26
    with pytest.raises(ValueError, match="needs a 27-bit DMA length register"):
        design_names.dma_length_width(2**26)
    assert design_names.max_batch_for(18, 32) == 8191
    assert design_names.fclk_mhz(10.0) == 100.0
    assert design_names.fclk_mhz(8.0) == 125.0
    assert design_names.HLS_TOP == "myproject_axi"


def test_batch_too_large_for_the_dma_names_the_limit(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"build.max_batch = 3000000: .* \(at most 2097151 samples\)"):
        build_variables(read_project(project), BuildConfig(max_batch=3_000_000), BuildLayout(project / "b"))


def test_vars_file_is_valid_tcl_and_survives_spaces_in_paths(project: Path, tmp_path: Path) -> None:
    prj = read_project(project)
    layout = BuildLayout(prj.path / "fpgaflow_build")
    words = build_variables(prj, BuildConfig(), layout)
    vars_file = write_vars(words, layout.vars_file)
    tclsh = shutil.which("tclsh")
    if tclsh is None:
        pytest.skip("tclsh not installed")
    script = tmp_path / "echo.tcl"
    script.write_text(f"source {{{vars_file}}}\nputs $project_dir\nputs $dma_length_width\nputs $hls_top\n")
    out = subprocess.run([tclsh, str(script)], capture_output=True, text=True, check=True, timeout=30).stdout
    assert out.splitlines() == [str(project), "18", "myproject_axi"]


@pytest.mark.parametrize("bad", ["we{ird", "do$llar", "br[ack"])
def test_tcl_metacharacters_in_paths_are_refused(tmp_path: Path, bad: str) -> None:
    dest = tmp_path / bad / "hls"
    shutil.copytree(STUBS / "sample_project", dest)
    prj = read_project(dest)
    with pytest.raises(ConfigError, match=r"vars\.tcl: project_dir path .* contains"):
        build_variables(prj, BuildConfig(), BuildLayout(dest / "b"))


def test_digest_ignores_jobs_but_not_batch(project: Path) -> None:
    prj = read_project(project)
    layout = BuildLayout(project / "b")
    base = vars_digest(build_variables(prj, BuildConfig(), layout))
    assert vars_digest(build_variables(prj, BuildConfig(jobs=9), layout)) == base
    assert vars_digest(build_variables(prj, BuildConfig(max_batch=100_000), layout)) != base
    assert render_vars({"a": "1"}).splitlines()[1] == "set a 1"


def test_build_config_is_strict() -> None:
    with pytest.raises(ConfigError, match="unknown key 'job' \\(did you mean 'jobs'\\?\\)"):
        from_mapping(BuildConfig, {"job": 2})
    with pytest.raises(ConfigError, match=r"build.jobs must be in \[1, 64\], got 0"):
        BuildConfig(jobs=0)
    with pytest.raises(ConfigError, match=r"build\.clock_uncertainty must be"):
        BuildConfig(clock_uncertainty="lots")
    assert BuildConfig(clock_uncertainty="0.5").clock_uncertainty == "0.5"


# hls4ml opens supported_boards.json without closing it (a ResourceWarning, not ours).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_hls4ml_writes_swapped_stream_widths_into_project_tcl(tmp_path: Path) -> None:
    """Why the widths come from the header: hls4ml 1.3.0's project.tcl has input and output swapped."""
    hls4ml = pytest.importorskip("hls4ml")
    keras = pytest.importorskip("tensorflow.keras")
    model = keras.Sequential([keras.layers.Input((6,)), keras.layers.Dense(2, name="d1")])
    out = tmp_path / "prj"
    hls_model = hls4ml.converters.convert_from_keras_model(
        model, backend="VivadoAccelerator", board="pynq-z2", io_type="io_stream", clock_period=10,
        part="xc7z020clg400-1", output_dir=str(out), input_type="ap_fixed<16,6>", output_type="ap_fixed<8,3>",
    )  # fmt: skip
    hls_model.write()
    tcl = (out / "project.tcl").read_text()
    assert "set bit_width_hls_input 8\n" in tcl  # the *output* width
    assert "set bit_width_hls_output 16\n" in tcl  # the *input* width
    header = (out / "firmware" / "myproject_axi.h").read_text()
    assert "typedef fixed<16,6,TRN,WRAP,0> T_in;" in header
    with pytest.raises(StepError, match="not a C\\+\\+ type"):
        read_project(out)
