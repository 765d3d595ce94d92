"""Run every script of vivado_scripts/ under tclsh with recording stubs for the Vivado/HLS commands.

The stubs (tests/tcl_stubs/vivado_stubs.tcl) log each call and know each tool's commands and options: a command
the running tool lacks or an option the command lacks fails the script.  The tests assert the order of the
commands and their key arguments for the default project, so a typo, a missing command or a wrong order fails.
The Vitis route's script (hls_synth_vitis.tcl) is tested in test_vivado_vitis.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.project import read_project
from fpgaflow.vivado.variables import BuildLayout, build_variables, write_vars
from fpgaflow_board import design_names

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "vivado_scripts"
STUBS = Path(__file__).resolve().parent / "tcl_stubs"
TCLSH = shutil.which("tclsh")

pytestmark = pytest.mark.skipif(TCLSH is None, reason="tclsh is not installed")

Call = tuple[str, list[str]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "hls"
    shutil.copytree(STUBS / "sample_project", dest)
    return dest


def write_default_vars(project: Path, config: BuildConfig | None = None) -> tuple[Path, dict[str, str]]:
    config = config or BuildConfig()
    prj = read_project(project)
    layout = BuildLayout(prj.path / config.build_subdir)
    words = build_variables(prj, config, layout)
    return write_vars(words, layout.vars_file), words


def run_tcl(
    script: str | Path, vars_file: Path, tmp_path: Path, **knobs: str
) -> tuple[subprocess.CompletedProcess[str], list[Call]]:
    """Run ``script`` (a name in vivado_scripts/, or a path) under tclsh with the stubs; the calls it made."""
    path = script if isinstance(script, Path) else SCRIPTS / script
    log = tmp_path / f"{path.name}.calls"
    log.unlink(missing_ok=True)
    extra = [item for pair in knobs.items() for item in pair]
    assert TCLSH is not None
    proc = subprocess.run(
        [
            TCLSH,
            str(STUBS / "run_script.tcl"),
            str(log),
            str(tmp_path / "stubwork"),
            str(path),
            str(vars_file),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    calls: list[Call] = []
    if log.is_file():
        for line in log.read_text().splitlines():
            name, *args = line.split("\t")
            calls.append((name, args))
    return proc, calls


def names(calls: list[Call]) -> list[str]:
    return [c[0] for c in calls]


def tcl_dict(text: str) -> dict[str, str]:
    """Key/value pairs of a flat Tcl list like 'CONFIG.a {1} CONFIG.b 32' (values without spaces)."""
    items = re.findall(r"\{([^}]*)\}|(\S+)", text)
    flat = [a if a else b for a, b in items]
    return dict(zip(flat[::2], flat[1::2], strict=True))


def find(calls: list[Call], name: str, *contains: str) -> int:
    """Index of the first call ``name`` whose joined arguments contain every string in ``contains``."""
    for i, (cmd, args) in enumerate(calls):
        if cmd == name and all(any(c in a for a in args) for c in contains):
            return i
    raise AssertionError(f"no call {name} with {contains}; calls: {names(calls)}")


def test_vars_file_defines_every_variable_the_scripts_require(project: Path) -> None:
    _, words = write_default_vars(project)
    common = (SCRIPTS / "common.tcl").read_text()
    required = re.search(r"set fpgaflow_required_vars \{(.*?)\}", common, re.S)
    assert required is not None
    assert set(required.group(1).split()) <= set(words)


# route -> (hls script, sample project, open_project args, open_solution args, directives, clock uncertainty)
HLS_ROUTES = {
    "vivado_hls": (
        "hls_synth.tcl", "sample_project", ["myproject_prj"], ["-reset", "solution1"],
        ["config_array_partition", "config_compile", "config_schedule"], "12.5%",
    ),
    "vitis_hls": (
        "hls_synth_vitis.tcl", "sample_vitis_project", ["-reset", "myproject_prj"],
        ["-reset", "solution1", "-flow_target", "vivado"], ["config_compile", "config_schedule"], "27%",
    ),
}  # fmt: skip


@pytest.mark.parametrize("route", sorted(HLS_ROUTES))
def test_hls_script_sequence_and_arguments(route: str, tmp_path: Path) -> None:
    script, sample, open_project, open_solution, directives, uncertainty = HLS_ROUTES[route]
    project = tmp_path / "hls"
    shutil.copytree(STUBS / sample, project)
    vars_file, _ = write_default_vars(project)
    proc, calls = run_tcl(script, vars_file, tmp_path)  # under the stubs of that tool (run_script.tcl)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert names(calls) == [
        "open_project", "set_top", "add_files", "add_files", "open_solution", "set_part", "create_clock",
        "set_clock_uncertainty", *directives, "csynth_design", "export_design", "close_project",
    ]  # fmt: skip
    args = dict(calls)
    assert args["open_project"] == open_project
    assert args["set_top"] == ["myproject_axi"]
    # Sources by absolute path from the hls4ml project; the HLS project itself is created in the build folder.
    assert calls[2][1] == [str(project / "firmware" / "myproject_axi.cpp"), "-cflags", "-std=c++0x"]
    assert calls[3][1] == [str(project / "firmware" / "myproject.cpp"), "-cflags", "-std=c++0x"]
    assert args["open_solution"] == open_solution
    assert args["set_part"] == ["xc7z020clg400-1"]
    assert args["create_clock"] == ["-period", "10.0", "-name", "default"]
    assert args["set_clock_uncertainty"] == [uncertainty, "default"]
    assert args["export_design"][:8] == [
        "-format",
        "ip_catalog",
        "-vendor",
        "xilinx.com",
        "-library",
        "hls",
        "-version",
        "1.0",
    ]
    reports = project / "fpgaflow_build" / "reports"
    assert (reports / "csynth.rpt").is_file()
    assert (reports / "csynth.xml").is_file()
    assert (project / "fpgaflow_build" / "myproject_prj" / "solution1" / "impl" / "ip" / "component.xml").is_file()
    assert not (project / "myproject_prj").exists()  # nothing of the HLS project in the hls4ml project
    assert "fpgaflow: hls: done" in proc.stdout


def test_block_design_sequence_and_arguments(project: Path, tmp_path: Path) -> None:
    vars_file, words = write_default_vars(project)
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    order = [
        find(calls, "get_board_parts", "tul.com.tw:pynq-z2:part0:1.0"),
        find(calls, "create_project", "-part", "xc7z020clg400-1"),
        find(calls, "set_property", "board_part", "tul.com.tw:pynq-z2:part0:1.0"),
        find(calls, "set_property", "ip_repo_paths", "myproject_prj/solution1/impl/ip"),
        find(calls, "update_ip_catalog"),
        find(calls, "get_ipdefs", "xilinx.com:hls:myproject_axi:1.0"),
        find(calls, "create_bd_design", "fpgaflow_bd"),
        find(calls, "create_bd_cell", "xilinx.com:ip:processing_system7:5.5", "processing_system7_0"),
        find(calls, "apply_bd_automation", "xilinx.com:bd_rule:processing_system7"),
        find(calls, "set_property", "CONFIG.PCW_USE_S_AXI_HP0"),
        find(calls, "create_bd_cell", "xilinx.com:ip:proc_sys_reset:5.0", "rst_fclk0"),
        find(calls, "create_bd_cell", "xilinx.com:ip:axi_dma:7.1", "axi_dma_0"),
        find(calls, "set_property", "CONFIG.c_sg_length_width"),
        find(calls, "create_bd_cell", "xilinx.com:hls:myproject_axi:1.0", "nn_0"),
        find(calls, "connect_bd_intf_net", "intf:axi_dma_0/M_AXIS_MM2S", "intf:nn_0/in_r"),
        find(calls, "connect_bd_intf_net", "intf:nn_0/out_r", "intf:axi_dma_0/S_AXIS_S2MM"),
        find(
            calls,
            "connect_bd_intf_net",
            "intf:processing_system7_0/M_AXI_GP0",
            "intf:ps7_gp0_intercon/S00_AXI",
        ),
        find(calls, "connect_bd_intf_net", "intf:ps7_gp0_intercon/M00_AXI", "intf:axi_dma_0/S_AXI_LITE"),
        find(
            calls,
            "connect_bd_intf_net",
            "intf:axi_mem_intercon/M00_AXI",
            "intf:processing_system7_0/S_AXI_HP0",
        ),
        find(calls, "assign_bd_address"),
        find(calls, "validate_bd_design"),
        find(calls, "save_bd_design"),
        find(calls, "generate_target", "all"),
        find(calls, "make_wrapper", "-top"),
        find(calls, "add_files", "fpgaflow_bd_wrapper.v"),
        find(calls, "set_property", "top", "fpgaflow_bd_wrapper"),
        find(calls, "write_bd_tcl", "fpgaflow_bd.tcl"),
    ]
    assert order == sorted(order), "block design commands out of order"

    ps = tcl_dict(calls[find(calls, "set_property", "CONFIG.PCW_USE_S_AXI_HP0")][1][1])
    assert ps["CONFIG.PCW_USE_S_AXI_HP0"] == "1"
    assert ps["CONFIG.PCW_USE_M_AXI_GP0"] == "1"
    assert ps["CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ"] == "100"
    dma = tcl_dict(calls[find(calls, "set_property", "CONFIG.c_sg_length_width")][1][1])
    # 4096 samples x max(8 x 32, 3 x 32) bits = 131,072 bytes -> an 18-bit length register.
    assert dma == {
        "CONFIG.c_include_sg": "0",
        "CONFIG.c_sg_include_stscntrl_strm": "0",
        "CONFIG.c_sg_length_width": "18",
        "CONFIG.c_include_mm2s": "1",
        "CONFIG.c_include_s2mm": "1",
        "CONFIG.c_m_axi_mm2s_data_width": "32",
        "CONFIG.c_m_axis_mm2s_tdata_width": "32",
        "CONFIG.c_mm2s_burst_size": "256",
        "CONFIG.c_m_axi_s2mm_data_width": "32",
        "CONFIG.c_s_axis_s2mm_tdata_width": "32",
        "CONFIG.c_s2mm_burst_size": "256",
    }
    assert words["dma_length_width"] == "18"
    # One clock net from FCLK_CLK0 reaches the network, all three DMA clocks and both PS AXI ports.
    clock_net = calls[find(calls, "connect_bd_net", "pin:processing_system7_0/FCLK_CLK0", "pin:nn_0/ap_clk")][1]
    for pin in ("axi_dma_0/s_axi_lite_aclk", "axi_dma_0/m_axi_mm2s_aclk", "axi_dma_0/m_axi_s2mm_aclk",
                "processing_system7_0/M_AXI_GP0_ACLK", "processing_system7_0/S_AXI_HP0_ACLK"):  # fmt: skip
        assert f"pin:{pin}" in clock_net
    reset_net = calls[find(calls, "connect_bd_net", "pin:rst_fclk0/peripheral_aresetn", "pin:axi_dma_0/axi_resetn")][1]
    assert "pin:nn_reset/s_axi_aresetn" in reset_net
    assert "pin:nn_0/ap_rst_n" not in reset_net  # the network's reset goes through the gate
    assert "FCLK_CLK0 requested 100 MHz, actual 100 MHz" in proc.stdout


def test_block_design_gives_the_network_its_own_reset(project: Path, tmp_path: Path) -> None:
    """ap_rst_n of the network = fabric reset AND bit 0 of an AXI GPIO on GP0 (default 1): the driver resets
    the network after a DMA timeout, which the DMA's soft reset cannot.  Names from design_names."""
    vars_file, words = write_default_vars(project)
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (words["network_reset_instance"], words["network_reset_gate"]) == (
        design_names.NETWORK_RESET_INSTANCE,
        design_names.NETWORK_RESET_GATE,
    )
    gpio = find(calls, "create_bd_cell", "xilinx.com:ip:axi_gpio:2.0", "nn_reset")
    gate = find(calls, "create_bd_cell", "xilinx.com:ip:util_vector_logic:2.0", "nn_reset_and")
    gpio_props = tcl_dict(calls[find(calls, "set_property", "CONFIG.C_GPIO_WIDTH")][1][1])
    assert gpio_props == {
        "CONFIG.C_GPIO_WIDTH": "1",
        "CONFIG.C_ALL_OUTPUTS": "1",
        "CONFIG.C_DOUT_DEFAULT": "0x00000001",
    }
    assert tcl_dict(calls[find(calls, "set_property", "CONFIG.C_OPERATION")][1][1]) == {
        "CONFIG.C_SIZE": "1",
        "CONFIG.C_OPERATION": "and",
    }
    assert calls[find(calls, "connect_bd_net", "pin:nn_reset/gpio_io_o")][1] == [
        "pin:nn_reset/gpio_io_o",
        "pin:nn_reset_and/Op2",
    ]
    assert calls[find(calls, "connect_bd_net", "pin:nn_reset_and/Res")][1] == [
        "pin:nn_reset_and/Res",
        "pin:nn_0/ap_rst_n",
    ]
    periph = calls[find(calls, "connect_bd_net", "pin:rst_fclk0/peripheral_aresetn", "pin:nn_reset_and/Op1")][1]
    assert "pin:nn_reset/s_axi_aresetn" in periph
    assert "pin:ps7_gp0_intercon/M01_ARESETN" in periph
    gp0 = tcl_dict(calls[find(calls, "set_property", "CONFIG.NUM_MI")][1][1])
    assert gp0 == {"CONFIG.NUM_SI": "1", "CONFIG.NUM_MI": "2"}
    lite = find(calls, "connect_bd_intf_net", "intf:ps7_gp0_intercon/M01_AXI", "intf:nn_reset/S_AXI")
    clock = calls[find(calls, "connect_bd_net", "pin:processing_system7_0/FCLK_CLK0", "pin:nn_0/ap_clk")][1]
    assert {"pin:nn_reset/s_axi_aclk", "pin:ps7_gp0_intercon/M01_ACLK"} <= set(clock)
    assert gpio < gate < lite < find(calls, "assign_bd_address")


def test_block_design_sizes_dma_for_larger_batches(project: Path, tmp_path: Path) -> None:
    # 2**19 samples x 32 bytes = 16 MiB -> 25 bits.
    vars_file, _ = write_default_vars(project, BuildConfig(max_batch=2**19))
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dma = tcl_dict(calls[find(calls, "set_property", "CONFIG.c_sg_length_width")][1][1])
    assert dma["CONFIG.c_sg_length_width"] == "25"


@pytest.mark.parametrize(
    ("knobs", "message", "last_call"),
    [
        (
            {"stub_board_parts": ""},
            "board part tul.com.tw:pynq-z2:part0:1.0 is not installed",
            "get_board_parts",
        ),
        ({"stub_ipdefs": ""}, "network IP xilinx.com:hls:myproject_axi:1.0 not found", "get_ipdefs"),
        ({"stub_fclk_actual": "111.111"}, "FCLK_CLK0 would run at 111.111 MHz", "set_property"),
    ],
)
def test_block_design_stops_with_a_clear_error(
    project: Path, tmp_path: Path, knobs: dict[str, str], message: str, last_call: str
) -> None:
    vars_file, _ = write_default_vars(project)
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path, **knobs)
    assert proc.returncode != 0
    assert f"ERROR: fpgaflow: {message}" in proc.stdout
    assert calls[-1][0] == last_call
    assert "validate_bd_design" not in names(calls)


def test_bitstream_sequence_outputs_and_reports(project: Path, tmp_path: Path) -> None:
    vars_file, _ = write_default_vars(project, BuildConfig(jobs=3))
    proc, calls = run_tcl("bitstream.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = project / "fpgaflow_build" / "bitstream"
    expected = [
        ("open_project", [str(project / "fpgaflow_build" / "vivado" / "fpgaflow.xpr")]),
        ("reset_run", ["synth_1"]),
        ("launch_runs", ["synth_1", "-jobs", "3"]),
        ("wait_on_run", ["synth_1"]),
        ("open_run", ["synth_1", "-name", "synth_1"]),
        ("report_utilization", ["-file", str(out / "utilization_synth.rpt")]),
        ("close_design", []),
        ("reset_run", ["impl_1"]),
        ("launch_runs", ["impl_1", "-to_step", "write_bitstream", "-jobs", "3"]),
        ("wait_on_run", ["impl_1"]),
        ("open_run", ["impl_1"]),
        ("report_utilization", ["-file", str(out / "utilization_impl.rpt")]),
        ("report_utilization", ["-hierarchical", "-file", str(out / "utilization_hierarchical.rpt")]),
        ("report_timing_summary", ["-max_paths", "10", "-file", str(out / "timing_summary.rpt")]),
    ]
    vivado_calls = [c for c in calls if c[0] != "get_files"]
    assert vivado_calls[: len(expected)] == expected
    assert names(vivado_calls)[len(expected) :] == ["close_project"]
    assert (out / "fpgaflow.bit").is_file()
    assert (out / "fpgaflow.hwh").is_file()
    assert find(calls, "get_files", "-all", "fpgaflow_bd.hwh") > 0
    assert "worst setup slack 0.250 ns" in proc.stdout


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"stub_progress": "37%"}, "synth_1 failed (stub Complete!, 37%)"),
        ({"stub_slack": "-0.412"}, "timing not met: worst setup slack -0.412 ns at 10.0 ns"),
    ],
)
def test_bitstream_fails_on_failed_run_or_timing(
    project: Path, tmp_path: Path, knobs: dict[str, str], message: str
) -> None:
    vars_file, _ = write_default_vars(project)
    proc, _calls = run_tcl("bitstream.tcl", vars_file, tmp_path, **knobs)
    assert proc.returncode != 0
    assert f"ERROR: fpgaflow: {message}" in proc.stdout
    assert not (project / "fpgaflow_build" / "bitstream" / "fpgaflow.bit").exists()


def test_bitstream_keeps_timing_violation_when_allowed(project: Path, tmp_path: Path) -> None:
    vars_file, _ = write_default_vars(project, BuildConfig(allow_timing_violation=True))
    proc, _calls = run_tcl("bitstream.tcl", vars_file, tmp_path, stub_slack="-0.412")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CRITICAL WARNING: fpgaflow: timing not met (WNS -0.412 ns)" in proc.stdout
    assert (project / "fpgaflow_build" / "bitstream" / "fpgaflow.bit").is_file()


def test_scripts_refuse_a_missing_or_incomplete_vars_file(project: Path, tmp_path: Path) -> None:
    proc, calls = run_tcl("hls_synth.tcl", tmp_path / "nope.tcl", tmp_path)
    assert proc.returncode != 0
    assert "ERROR: fpgaflow: variables file not found" in proc.stdout
    assert calls == []
    vars_file, _ = write_default_vars(project)
    vars_file.write_text(
        "\n".join(line for line in vars_file.read_text().splitlines() if "dma_length_width" not in line)
    )
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode != 0
    assert "does not define 'dma_length_width'" in proc.stdout
    assert calls == []


def test_scripts_without_any_vars_argument_say_how_to_pass_it(tmp_path: Path) -> None:
    # As vivado_hls -f would run it with no argument: argv ends with the script itself.
    proc, calls = run_tcl("hls_synth.tcl", SCRIPTS / "hls_synth.tcl", tmp_path)
    assert proc.returncode != 0
    assert "ERROR: fpgaflow: no variables file: pass vars.tcl as the last script argument" in proc.stdout
    assert calls == []


def test_bitstream_finds_the_hwh_in_the_project_when_get_files_has_none(project: Path, tmp_path: Path) -> None:
    vars_file, _ = write_default_vars(project)
    hwh = project / "fpgaflow_build" / "vivado" / "fpgaflow.gen" / "sources_1" / "bd" / "fpgaflow_bd" / "hw_handoff"
    hwh.mkdir(parents=True)
    (hwh / "fpgaflow_bd.hwh").write_text("<hwh/>")
    proc, _calls = run_tcl("bitstream.tcl", vars_file, tmp_path, stub_hwh_files="")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "fpgaflow_build" / "bitstream" / "fpgaflow.hwh").read_text() == "<hwh/>"


def test_fabric_clock_follows_the_hls_clock(project: Path, tmp_path: Path) -> None:
    tcl = project / "project.tcl"
    tcl.write_text(tcl.read_text().replace("set clock_period 10", "set clock_period 8"))
    vars_file, _ = write_default_vars(project)
    proc, calls = run_tcl("hls_synth.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dict(calls)["create_clock"] == ["-period", "8.0", "-name", "default"]
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ps = tcl_dict(calls[find(calls, "set_property", "CONFIG.PCW_USE_S_AXI_HP0")][1][1])
    assert ps["CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ"] == "125"
