# fpgaflow stage "hls", Vitis route: C synthesis of fpgaflow's AXI-Stream top <project>_axi around the hls4ml
# Vitis network, and export as an IP-catalog IP (same VLNV and ports as the VivadoAccelerator route).
# Run with (Vitis HLS 2023.2 - 2025.x):
#   FPGAFLOW_VARS=<vars.tcl> vitis-run --mode hls --tcl hls_synth_vitis.tcl   (2023.1+; the only way from 2025.1)
#   vitis_hls -f hls_synth_vitis.tcl <vars.tcl>                              (2023.2 - 2024.2, deprecated)
# Classic project commands (open_project / open_solution -flow_target vivado), which vitis-run --tcl still
# runs (hls4ml 1.3.0's own Vitis build_prj.tcl does the same); no Vivado-HLS-only directives
# (config_array_partition -maximum_size is an error in Vitis HLS).
source [file join [file dirname [info script]] common.tcl]
fpgaflow_load_vars

# As on the Vivado HLS route, the HLS project lives in the build folder, never in the hls4ml project (a step
# directory that a rerun of `fpgaflow run` replaces); the sources are read from the project by absolute path.
file mkdir $build_dir
cd $build_dir
fpgaflow_log "hls: sources $project_dir, Vitis HLS project $build_dir/$hls_prj, top $hls_top, part $part,\
clock $clock_period_ns ns"

# -reset drops a file list and top left by an earlier run.
open_project -reset $hls_prj
set_top $hls_top
add_files [file join $project_dir firmware ${hls_project_name}_axi.cpp] -cflags "-std=c++0x"
add_files [file join $project_dir firmware ${hls_project_name}.cpp] -cflags "-std=c++0x"
open_solution -reset $hls_solution -flow_target vivado
set_part $part
create_clock -period $clock_period_ns -name default
set_clock_uncertainty $clock_uncertainty default
config_compile -name_max_length 80
# hls4ml's Vitis build_prj.tcl sets this too; kept optional in case a release drops the option.
catch {config_schedule -enable_dsp_full_reg=false}

source [file join [file dirname [info script]] hls_export.tcl]
