"""Fake Xilinx executables for the build-runner tests (``vivado_hls``, ``vitis_hls``, ``vitis-run``, ``vivado``).

Each fake, written into a ``bin/`` folder by :func:`install_fakes`, behaves like the real tool running one of
``vivado_scripts/*.tcl``: it reads ``vars.tcl`` (from ``$FPGAFLOW_VARS``, which the runner always sets; when
the tool passes script arguments — ``vivado -tclargs``, ``vivado_hls``/``vitis_hls -f`` — the last one must be
the same file, ``vitis-run`` passes none), prints the tool's banner and ``fpgaflow:`` progress lines, writes
canned reports where the real tool would, records its argument list and working directory in
``$FAKE_CALLS``, and fails on demand: ``FAKE_FAIL_STAGE`` makes that stage print an ERROR line and exit 1,
``FAKE_SKIP_OUTPUTS`` makes it exit 0 without writing its outputs, ``FAKE_Y2K22`` makes the hls stage fail as an
unpatched Vivado HLS does after 2021.  The bitstream stage writes ``fpgaflow.bit`` (its content names the hls4ml
sources it was built from) and, with ``FAKE_HWH_MODULE`` set to the tests folder, the ``.hwh`` Vivado writes for
the design (``tests/vivado_hwh.py``); otherwise a placeholder ``.hwh``.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

UTIL_ROUTED = """\
| Tool Version : Vivado v.2020.1 (lin64) Build 2902540 Wed May 27 19:54:35 MDT 2020
| Design State : {state}
| Slice LUTs                 | {lut} |     0 |     53200 | 22.62 |
| Slice Registers            | 15110 |     0 |    106400 | 14.20 |
|   Register as Flip Flop    | 15102 |     0 |    106400 | 14.19 |
| Block RAM Tile    |  9.5 |     0 |       140 |  6.79 |
| DSPs           |   57 |     0 |       220 | 25.91 |
"""

FAKE = '''\
#!{python}
"""Fake {tool}: behaves like the real tool running one of vivado_scripts/*.tcl (see tests/fake_xilinx.py)."""
import json, os, re, shutil, sys
from pathlib import Path

args = sys.argv[1:]
script_path = next(a for a in args if a.endswith(".tcl") and "vivado_scripts" in a)
script = Path(script_path).name
vars_file = Path(os.environ["FPGAFLOW_VARS"])
after = args[args.index(script_path) + 1 :]
if "{tool}" == "vitis-run":
    assert args[: args.index(script_path)] == ["--mode", "hls", "--tcl"] and after == [], args
else:
    assert [a for a in after if a != "-tclargs"] == [str(vars_file)], args
v = {{}}
for line in vars_file.read_text().splitlines():
    m = re.match(r"set (\\w+) \\{{?([^}}]*)\\}}?$", line)
    if m:
        v[m.group(1)] = m.group(2)
stage = {{"block_design.tcl": "bd", "bitstream.tcl": "bitstream"}}.get(script, "hls")  # hls_synth[_vitis].tcl
with open(os.environ["FAKE_CALLS"], "a") as fh:
    fh.write(json.dumps({{"tool": "{tool}", "stage": stage, "argv": args, "cwd": os.getcwd()}}) + "\\n")
print("****** {banner}")
print(f"fpgaflow: {{stage}}: starting")
print("INFO: [Common 17-206] Exiting")
if os.environ.get("FAKE_FAIL_STAGE") == stage:
    print("WARNING: [Vivado 12-818] nothing to worry about")
    print("ERROR: [BD 41-1273] Error running connect_bd_intf_net: interface width mismatch")
    print("ERROR: [Common 17-39] 'connect_bd_intf_net' failed due to earlier errors.")
    sys.exit(1)
if os.environ.get("FAKE_SKIP_OUTPUTS") == stage:
    sys.exit(0)
if stage == "hls" and os.environ.get("FAKE_Y2K22"):
    print("INFO: [IMPL 213-8] Exporting RTL as a Vivado IP.")
    print("ERROR: [IMPL 213-28] Failed to generate IP.")
    print("bad lexical cast: source type value could not be interpreted as target")
    sys.exit(1)
report, out = Path(v["report_dir"]), Path(v["output_dir"])
if stage == "hls":
    report.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.environ["FAKE_CSYNTH_RPT"], report / "csynth.rpt")
    shutil.copy(os.environ["FAKE_CSYNTH_XML"], report / "csynth.xml")
    Path(v["ip_repo"]).mkdir(parents=True, exist_ok=True)
    (Path(v["ip_repo"]) / "component.xml").write_text("<component/>")
elif stage == "bd":
    Path(v["vivado_project_dir"]).mkdir(parents=True, exist_ok=True)
    (Path(v["vivado_project_dir"]) / (v["vivado_project_name"] + ".xpr")).write_text("xpr")
    (report / (v["bd_name"] + ".tcl")).write_text("bd")
else:
    out.mkdir(parents=True, exist_ok=True)
    (out / (v["overlay_name"] + ".bit")).write_bytes(b"fake bitstream " + v["sources_digest"].encode())
    if os.environ.get("FAKE_HWH_MODULE"):  # the .hwh Vivado writes for this design (tests/vivado_hwh.py)
        sys.path.insert(0, os.environ["FAKE_HWH_MODULE"])
        import vivado_hwh
        vivado_hwh.write_from_vars(v, out / (v["overlay_name"] + ".hwh"))
    else:
        (out / (v["overlay_name"] + ".hwh")).write_text(".hwh")
    (out / "utilization_synth.rpt").write_text(os.environ["FAKE_UTIL"].format(state="Synthesized", lut=12500))
    (out / "utilization_impl.rpt").write_text(os.environ["FAKE_UTIL"].format(state="Routed", lut=12034))
    (out / "timing_summary.rpt").write_text("WNS 0.25")
print(f"fpgaflow: {{stage}}: done")
'''

#: Banners the real tools print first (the runner reads the release from them).
BANNERS = {
    "vivado_hls": "Vivado(TM) HLS - High-Level Synthesis from C, C++ and SystemC v2020.1 (64-bit)",
    "vitis_hls": "Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2024.1 (64-bit)",
    "vitis-run": "vitis-run v2024.2 (64-bit)",
    "vivado": "Vivado v2020.1 (64-bit)",
}


#: Environment knobs the fakes read; a test clears them before it sets its own.
KNOBS = ("FAKE_FAIL_STAGE", "FAKE_SKIP_OUTPUTS", "FAKE_Y2K22", "FAKE_HWH_MODULE")
JET_PRUNED = "pynqia_jet_Qkeras_pruned_hls4ml_PYNQ_prj"  # Vivado HLS reports in the calibration set


def install_fakes(bin_dir: Path, tools: dict[str, str]) -> None:
    """Write fake executables ``tools`` (name → banner) into ``bin_dir``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, banner in tools.items():
        exe = bin_dir / tool
        exe.write_text(textwrap.dedent(FAKE.format(python=sys.executable, tool=tool, banner=banner)))
        exe.chmod(0o755)


def recorded(calls: Path) -> list[dict[str, object]]:
    """The fakes' recorded calls, in order."""
    if not calls.is_file():
        return []
    return [json.loads(line) for line in calls.read_text().splitlines()]


def install_vivado_route(bin_dir: Path, calls: Path, calibration_root: Path) -> dict[str, str]:
    """Write fake ``vivado_hls``/``vivado`` (the VivadoAccelerator route) into ``bin_dir``; return the environment
    that puts them first on ``PATH`` (system tools after them) and points them at the canned reports."""
    reports = calibration_root / JET_PRUNED
    install_fakes(bin_dir, {tool: BANNERS[tool] for tool in ("vivado_hls", "vivado")})
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_CALLS": str(calls),
        "FAKE_CSYNTH_RPT": str(reports / "myproject_axi_csynth.rpt"),
        "FAKE_CSYNTH_XML": str(reports / "myproject_axi_csynth.xml"),
        "FAKE_UTIL": UTIL_ROUTED,
    }
