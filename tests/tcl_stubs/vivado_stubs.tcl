# Recording stand-ins for the Vivado / Vivado HLS commands used by vivado_scripts/*.tcl, for tclsh.
# Every call is appended to $::stub_log as one line: the command name and its arguments, tab-separated
# (newlines inside an argument written as \n).  A few stubs return what the scripts need to go on.
# Knobs (set by the test before sourcing a script):
#   ::stub_board_parts  list returned by get_board_parts (default: the PYNQ-Z2 board part)
#   ::stub_ipdefs       list returned by get_ipdefs (default: whatever VLNV is asked for)
#   ::stub_fclk_actual  PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ (default: the requested FCLK)
#   ::stub_progress     PROGRESS of runs (default 100%)
#   ::stub_slack        SLACK of the worst path (default 0.250)
#   ::stub_hwh_files    what get_files -all returns (default: a generated .hwh in ::stub_work)
#   ::stub_work         directory where runs, reports and generated files are faked

proc stub_record {name args} {
    set fh [open $::stub_log a]
    set fields [list $name]
    foreach a $args {
        lappend fields [string map [list "\n" "\\n" "\t" " "] $a]
    }
    puts $fh [join $fields "\t"]
    close $fh
}

proc stub_touch {path} {
    file mkdir [file dirname $path]
    set fh [open $path w]
    puts $fh "stub output"
    close $fh
}

array set ::stub_props {}

# --- Vivado HLS
foreach cmd {open_project set_top add_files open_solution set_part create_clock set_clock_uncertainty
             config_array_partition config_compile config_schedule close_project} {
    proc $cmd {args} "stub_record $cmd {*}\$args"
}

proc csynth_design {args} {
    stub_record csynth_design {*}$args
    set report [file join $::project_dir $::hls_prj $::hls_solution syn report]
    stub_touch [file join $report ${::hls_top}_csynth.rpt]
    stub_touch [file join $report ${::hls_top}_csynth.xml]
}

proc export_design {args} {
    stub_record export_design {*}$args
    stub_touch [file join $::ip_repo component.xml]
}

# --- Vivado
foreach cmd {create_project update_ip_catalog create_bd_design apply_bd_automation connect_bd_intf_net
             connect_bd_net assign_bd_address validate_bd_design save_bd_design generate_target
             update_compile_order write_bd_tcl reset_run launch_runs wait_on_run open_run close_design
             report_utilization report_timing_summary} {
    proc $cmd {args} "stub_record $cmd {*}\$args"
}

proc version {args} { return "stub" }
proc current_project {args} { return "project:current" }
proc current_fileset {args} { return "fileset:sources_1" }
proc get_bd_cells {args} { return "cell:[lindex $args end]" }
proc get_bd_pins {args} { return "pin:[lindex $args end]" }
proc get_bd_intf_pins {args} { return "intf:[lindex $args end]" }
proc get_runs {args} { return "run:[lindex $args end]" }
proc get_timing_paths {args} { return "path:worst" }

proc get_board_parts {args} {
    stub_record get_board_parts {*}$args
    if {[info exists ::stub_board_parts]} { return $::stub_board_parts }
    return [list $::board_part]
}

proc get_ipdefs {args} {
    stub_record get_ipdefs {*}$args
    if {[info exists ::stub_ipdefs]} { return $::stub_ipdefs }
    return [list [lindex $args end]]
}

proc create_bd_cell {args} {
    stub_record create_bd_cell {*}$args
    return "cell:[lindex $args end]"
}

proc set_property {args} {
    stub_record set_property {*}$args
    if {[lindex $args 0] eq "-dict"} {
        foreach {key value} [lindex $args 1] { set ::stub_props($key) $value }
    }
}

proc get_property {name object} {
    switch -- $name {
        CONFIG.PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ {
            if {[info exists ::stub_fclk_actual]} { return $::stub_fclk_actual }
            return $::stub_props(CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ)
        }
        PROGRESS { if {[info exists ::stub_progress]} { return $::stub_progress } ; return "100%" }
        STATUS { return "stub Complete!" }
        DIRECTORY {
            set dir [file join $::stub_work runs [string map {run: {}} $object]]
            stub_touch [file join $dir ${::bd_name}_wrapper.bit]
            return $dir
        }
        SLACK { if {[info exists ::stub_slack]} { return $::stub_slack } ; return 0.250 }
        default { error "stub get_property: unknown property $name" }
    }
}

proc get_files {args} {
    stub_record get_files {*}$args
    if {[lindex $args 0] eq "-all"} {
        if {[info exists ::stub_hwh_files]} { return $::stub_hwh_files }
        set path [file join $::stub_work gen [lindex $args end]]
        stub_touch $path
        return [list $path]
    }
    return "file:[lindex $args end]"
}

proc make_wrapper {args} {
    stub_record make_wrapper {*}$args
    return [file join $::stub_work hdl ${::bd_name}_wrapper.v]
}

