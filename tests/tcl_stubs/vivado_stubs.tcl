# Recording stand-ins for the Vivado / Vivado HLS / Vitis HLS commands used by vivado_scripts/*.tcl, for tclsh.
# Every call is appended to $::stub_log as one line: the command name and its arguments, tab-separated
# (newlines inside an argument written as \n).  A few stubs return what the scripts need to go on.
#
# Each tool's commands and options are listed below (::stub_spec); a command the tool running the script does
# not have, or an option the command does not have, raises an error (the script fails, and the call is
# logged as STUB_ERROR).  Options are from the tools' command references: Vivado HLS UG902 (2020.1), Vitis
# HLS UG1399 (2023.2-2025.2 "Vitis HLS Command Reference"), Vivado UG835 (Tcl command reference); only the
# options of each command that a script may plausibly use are listed, so a new option must be added here
# deliberately, with its source.
#
# Knobs (set by the test before sourcing a script):
#   ::stub_tool         vivado_hls, vitis_hls or vivado: whose commands exist (run_script.tcl sets it)
#   ::stub_board_parts  list returned by get_board_parts (default: the PYNQ-Z2 board part)
#   ::stub_ipdefs       list returned by get_ipdefs (default: whatever VLNV is asked for)
#   ::stub_fclk_actual  PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ (default: the requested FCLK)
#   ::stub_progress     PROGRESS of runs (default 100%)
#   ::stub_slack        SLACK of the worst path (default 0.250)
#   ::stub_hwh_files    what get_files -all returns (default: a generated .hwh in ::stub_work)
#   ::stub_work         directory where runs, reports and generated files are faked

# option -> 1 (takes a value) or 0 (a flag); "=" forms (-opt=value) are accepted for every option.
set hls_common {
    open_project {-reset 0}
    set_top {}
    add_files {-cflags 1 -csimflags 1 -tb 0 -blackbox 1}
    open_solution {-reset 0}
    set_part {-tool 1}
    create_clock {-period 1 -name 1}
    set_clock_uncertainty {}
    config_compile {-name_max_length 1 -pipeline_loops 1 -unsafe_math_optimizations 0}
    config_schedule {-enable_dsp_full_reg 0}
    csynth_design {}
    export_design {-format 1 -vendor 1 -library 1 -version 1 -description 1 -display_name 1 -ipname 1
                   -taxonomy 1 -rtl 1 -output 1 -flow 1}
    close_project {}
}
array set ::stub_spec {}
# Vivado HLS 2019.2-2020.1 (UG902): -flow_target does not exist; config_array_partition does.
set ::stub_spec(vivado_hls) [dict merge $hls_common {
    config_array_partition {-maximum_size 1 -auto_partition_threshold 1}
}]
# Vitis HLS (UG1399): open_solution -flow_target; config_array_partition -maximum_size is gone.
set ::stub_spec(vitis_hls) [dict merge $hls_common {
    open_solution {-reset 0 -flow_target 1}
    config_array_partition {-complete_threshold 1}
}]
# Vivado 2019.2 and later (UG835).
set ::stub_spec(vivado) {
    version {-short 0}
    get_board_parts {-quiet 0 -filter 1 -latest_file_version 0 -regexp 0 -nocase 0}
    create_project {-force 0 -part 1 -in_memory 0 -ip 0}
    current_project {-quiet 0}
    current_fileset {-quiet 0 -simset 0 -constrset 0}
    set_property {-dict 1 -quiet 0}
    get_property {-quiet 0}
    update_ip_catalog {-rebuild 0 -repo_path 1 -quiet 0}
    get_ipdefs {-quiet 0 -all 0 -filter 1}
    create_bd_design {-dir 1}
    create_bd_cell {-type 1 -vlnv 1 -reference 1}
    apply_bd_automation {-rule 1 -config 1}
    get_bd_cells {-quiet 0 -hierarchical 0 -filter 1}
    get_bd_pins {-quiet 0 -hierarchical 0 -filter 1 -of_objects 1}
    get_bd_intf_pins {-quiet 0 -hierarchical 0 -filter 1 -of_objects 1}
    connect_bd_intf_net {-boundary_type 1 -intf_net 1}
    connect_bd_net {-net 1 -boundary_type 1}
    assign_bd_address {-target_address_space 1 -offset 1 -range 1 -force 0}
    validate_bd_design {-force 0}
    save_bd_design {}
    get_files {-all 0 -of_objects 1 -filter 1 -quiet 0 -compile_order 1 -used_in 1}
    generate_target {-force 0 -quiet 0}
    make_wrapper {-files 1 -top 0 -fileset 1 -import 0}
    add_files {-norecurse 0 -fileset 1 -quiet 0}
    update_compile_order {-fileset 1 -quiet 0}
    write_bd_tcl {-force 0 -bd_name 1 -no_ip_version 0 -include_layout 0}
    open_project {-read_only 0 -quiet 0}
    close_project {-delete 0}
    reset_run {-quiet 0 -from_step 1 -prev_step 0}
    launch_runs {-jobs 1 -to_step 1 -next_step 0 -quiet 0}
    wait_on_run {-timeout 1}
    get_runs {-quiet 0 -filter 1}
    open_run {-name 1}
    close_design {-quiet 0}
    report_utilization {-file 1 -hierarchical 0 -append 0}
    report_timing_summary {-max_paths 1 -file 1 -delay_type 1 -report_unconstrained 0}
    get_timing_paths {-max_paths 1 -nworst 1 -setup 0 -hold 0 -quiet 0}
}
if {![info exists ::stub_tool]} { set ::stub_tool vivado }

proc stub_record {name args} {
    set fh [open $::stub_log a]
    set fields [list $name]
    foreach a $args {
        lappend fields [string map [list "\n" "\\n" "\t" " "] $a]
    }
    puts $fh [join $fields "\t"]
    close $fh
}

proc stub_check {name arglist} {
    # Fail like the real tool would on a command it does not have or an option the command does not take.
    set spec $::stub_spec($::stub_tool)
    if {![dict exists $spec $name]} {
        stub_record STUB_ERROR $name "not a $::stub_tool command"
        error "invalid command name \"$name\" ($::stub_tool has no such command)"
    }
    set options [dict get $spec $name]
    for {set i 0} {$i < [llength $arglist]} {incr i} {
        set a [lindex $arglist $i]
        if {![string match -* $a] || [string is double -strict $a]} { continue }
        set flag [lindex [split $a =] 0]
        if {![dict exists $options $flag]} {
            stub_record STUB_ERROR $name "unknown option $flag"
            error "$name: unknown option '$flag' ($::stub_tool)"
        }
        if {[dict get $options $flag] && [string first = $a] < 0} {
            if {$i + 1 >= [llength $arglist]} {
                stub_record STUB_ERROR $name "option $flag needs a value"
                error "$name: option '$flag' needs a value"
            }
            incr i
        }
    }
}

proc stub_touch {path} {
    file mkdir [file dirname $path]
    set fh [open $path w]
    puts $fh "stub output"
    close $fh
}

# Define a stub: check, record, then run body (which sees $args).
proc stub_proc {name body} {
    proc $name {args} "stub_check $name \$args\nstub_record $name {*}\$args\n$body"
}

array set ::stub_props {}

# --- commands that only record
foreach cmd {open_project set_top add_files open_solution set_part create_clock set_clock_uncertainty
             config_array_partition config_compile config_schedule close_project
             create_project update_ip_catalog create_bd_design apply_bd_automation connect_bd_intf_net
             connect_bd_net assign_bd_address validate_bd_design save_bd_design generate_target
             update_compile_order write_bd_tcl reset_run launch_runs wait_on_run open_run close_design
             report_utilization report_timing_summary} {
    stub_proc $cmd {}
}

# --- HLS
stub_proc csynth_design {
    # The HLS tool writes the project where it runs: the scripts cd into the build folder first.
    set report [file join [pwd] $::hls_prj $::hls_solution syn report]
    stub_touch [file join $report ${::hls_top}_csynth.rpt]
    stub_touch [file join $report ${::hls_top}_csynth.xml]
}

stub_proc export_design {
    stub_touch [file join $::ip_repo component.xml]
}

# --- Vivado queries (checked, not recorded)
proc stub_query {name body} {
    proc $name {args} "stub_check $name \$args\n$body"
}
stub_query version { return "stub" }
stub_query current_project { return "project:current" }
stub_query current_fileset { return "fileset:sources_1" }
stub_query get_bd_cells { return "cell:[lindex $args end]" }
stub_query get_bd_pins { return "pin:[lindex $args end]" }
stub_query get_bd_intf_pins { return "intf:[lindex $args end]" }
stub_query get_runs { return "run:[lindex $args end]" }
stub_query get_timing_paths { return "path:worst" }

stub_proc get_board_parts {
    if {[info exists ::stub_board_parts]} { return $::stub_board_parts }
    return [list $::board_part]
}

stub_proc get_ipdefs {
    if {[info exists ::stub_ipdefs]} { return $::stub_ipdefs }
    return [list [lindex $args end]]
}

stub_proc create_bd_cell {
    return "cell:[lindex $args end]"
}

stub_proc set_property {
    if {[lindex $args 0] eq "-dict"} {
        foreach {key value} [lindex $args 1] { set ::stub_props($key) $value }
    }
}

stub_query get_property {
    lassign [lrange $args end-1 end] name object
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

stub_proc get_files {
    if {[lindex $args 0] eq "-all"} {
        if {[info exists ::stub_hwh_files]} { return $::stub_hwh_files }
        set path [file join $::stub_work gen [lindex $args end]]
        stub_touch $path
        return [list $path]
    }
    return "file:[lindex $args end]"
}

stub_proc make_wrapper {
    return [file join $::stub_work hdl ${::bd_name}_wrapper.v]
}
