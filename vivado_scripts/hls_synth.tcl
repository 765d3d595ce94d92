# fpgaflow stage "hls": C synthesis of the hls4ml VivadoAccelerator project and export of the AXI-Stream
# wrapper as an IP-catalog IP.  Run with:  vivado_hls -f hls_synth.tcl <vars.tcl>
# Considered: Vivado HLS 2019.2, 2020.1 (the versions hls4ml's VivadoAccelerator backend targets).
source [file join [file dirname [info script]] common.tcl]
fpgaflow_load_vars

# The HLS project (<name>_prj/solution1, with the exported IP) lives in the build folder, never in the hls4ml
# project: that is a step directory of `fpgaflow run`, which a rerun replaces.  The sources are read from the
# project by absolute path; their #includes resolve beside them (firmware/).
file mkdir $build_dir
cd $build_dir
fpgaflow_log "hls: sources $project_dir, HLS project $build_dir/$hls_prj, top $hls_top, part $part,\
clock $clock_period_ns ns"

open_project $hls_prj
set_top $hls_top
add_files [file join $project_dir firmware ${hls_project_name}_axi.cpp] -cflags "-std=c++0x"
add_files [file join $project_dir firmware ${hls_project_name}.cpp] -cflags "-std=c++0x"
open_solution -reset $hls_solution
set_part $part
create_clock -period $clock_period_ns -name default
set_clock_uncertainty $clock_uncertainty default
# Same directives as hls4ml's build_prj.tcl.  config_array_partition -maximum_size is gone in 2020.1 and
# config_schedule -enable_dsp_full_reg in Vitis HLS, hence the catch.
catch {config_array_partition -maximum_size 4096}
config_compile -name_max_length 80
catch {config_schedule -enable_dsp_full_reg=false}

source [file join [file dirname [info script]] hls_export.tcl]
