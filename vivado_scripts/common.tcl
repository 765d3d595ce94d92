# fpgaflow: helpers shared by the stage scripts.  Static: every parameter comes from the generated
# vars.tcl (written by `fpgaflow build`), named by the first script argument or by $FPGAFLOW_VARS.
#
# Runs under vivado_hls (2019.2-2020.1), vitis_hls / vitis-run (2023.2 and later) and vivado (2019.2 and
# later); plain Tcl 8.5 only, no tool commands here.

proc fpgaflow_log {msg} {
    # Progress lines the runner streams to the user start with "fpgaflow:".
    puts "fpgaflow: $msg"
    flush stdout
}

proc fpgaflow_fail {msg} {
    # "ERROR: fpgaflow:" is what the runner reports as the first error line of a failed stage.
    puts "ERROR: fpgaflow: $msg"
    flush stdout
    error "fpgaflow: $msg"
}

proc fpgaflow_vars_file {} {
    # vivado passes only the -tclargs words in argv; vivado_hls/vitis_hls pass "-f <script> <args...>", so
    # the last word is the variables file unless it is the script itself (no argument given).  vitis-run
    # passes no script arguments at all: then $FPGAFLOW_VARS names it.  The variables file never lives
    # beside the scripts.
    if {[info exists ::argv] && [llength $::argv] > 0} {
        set last [lindex $::argv end]
        set here [file dirname [file normalize [info script]]]
        if {[file extension $last] eq ".tcl" && [file dirname [file normalize $last]] ne $here} {
            return $last
        }
    }
    if {[info exists ::env(FPGAFLOW_VARS)]} {
        return $::env(FPGAFLOW_VARS)
    }
    fpgaflow_fail "no variables file: pass vars.tcl as the last script argument or set FPGAFLOW_VARS"
}

# Variables every stage needs; vars.tcl must define all of them.
set fpgaflow_required_vars {
    fpgaflow_vars_version project_dir hls_project_name hls_top hls_prj hls_solution part board_part
    clock_period_ns clock_uncertainty fclk_mhz ip_vendor ip_library ip_version ip_repo
    bd_name ps_instance dma_instance network_instance reset_instance gp0_interconnect hp0_interconnect
    network_reset_instance network_reset_gate gpio_vlnv gate_vlnv
    network_in_port network_out_port dma_mm2s_width dma_s2mm_width dma_mm_width dma_length_width
    jobs build_dir report_dir vivado_project_dir vivado_project_name output_dir overlay_name
    allow_timing_violation
}

proc fpgaflow_load_vars {} {
    set path [fpgaflow_vars_file]
    if {![file isfile $path]} {
        fpgaflow_fail "variables file not found: $path"
    }
    uplevel #0 [list source $path]
    foreach name $::fpgaflow_required_vars {
        if {![info exists ::$name]} {
            fpgaflow_fail "$path does not define '$name' (regenerate it with fpgaflow build)"
        }
    }
    if {$::fpgaflow_vars_version != 1} {
        fpgaflow_fail "$path has format version $::fpgaflow_vars_version, these scripts read version 1"
    }
    fpgaflow_log "variables from $path"
}

proc fpgaflow_copy {src dst} {
    if {![file isfile $src]} {
        fpgaflow_fail "expected output missing: $src"
    }
    file mkdir [file dirname $dst]
    file copy -force $src $dst
    fpgaflow_log "wrote $dst"
}
