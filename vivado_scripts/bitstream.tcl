# fpgaflow stage "bitstream": synthesis, implementation, bitstream, .hwh, and reports next to the bitstream.
# Run with:  vivado -mode batch -source bitstream.tcl -tclargs <vars.tcl>
source [file join [file dirname [info script]] common.tcl]
fpgaflow_load_vars

proc fpgaflow_check_run {run} {
    # wait_on_run returns normally when a run fails; PROGRESS tells whether it finished.
    set progress [get_property PROGRESS [get_runs $run]]
    set status [get_property STATUS [get_runs $run]]
    if {$progress ne "100%"} {
        set dir [get_property DIRECTORY [get_runs $run]]
        fpgaflow_fail "$run failed ($status, $progress): see [file join $dir runme.log]"
    }
    fpgaflow_log "$run: $status"
}

open_project [file join $vivado_project_dir $vivado_project_name.xpr]
file mkdir $output_dir

fpgaflow_log "bitstream: synthesis with $jobs jobs"
reset_run synth_1
launch_runs synth_1 -jobs $jobs
wait_on_run synth_1
fpgaflow_check_run synth_1
open_run synth_1 -name synth_1
report_utilization -file [file join $output_dir utilization_synth.rpt]
close_design

fpgaflow_log "bitstream: implementation and write_bitstream with $jobs jobs"
reset_run impl_1
launch_runs impl_1 -to_step write_bitstream -jobs $jobs
wait_on_run impl_1
fpgaflow_check_run impl_1
open_run impl_1
report_utilization -file [file join $output_dir utilization_impl.rpt]
report_utilization -hierarchical -file [file join $output_dir utilization_hierarchical.rpt]
report_timing_summary -max_paths 10 -file [file join $output_dir timing_summary.rpt]

set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
fpgaflow_log "bitstream: worst setup slack $wns ns"
if {$wns ne "" && $wns < 0} {
    if {$allow_timing_violation} {
        puts "CRITICAL WARNING: fpgaflow: timing not met (WNS $wns ns); bitstream kept as asked"
    } else {
        fpgaflow_fail "timing not met: worst setup slack $wns ns at $clock_period_ns ns\
(see [file join $output_dir timing_summary.rpt]); lengthen the clock or raise the reuse factor"
    }
}

set impl_dir [get_property DIRECTORY [get_runs impl_1]]
fpgaflow_copy [file join $impl_dir ${bd_name}_wrapper.bit] [file join $output_dir $overlay_name.bit]
# The hardware handoff sits in .srcs (2019.2-2020.1) or .gen (2020.2+); ask Vivado instead of guessing.
set hwh [lindex [get_files -all -of_objects [get_files $bd_name.bd] $bd_name.hwh] 0]
if {$hwh eq ""} {
    set hwh [lindex [glob -nocomplain [file join $vivado_project_dir $vivado_project_name.{srcs,gen} \
        sources_1 bd $bd_name hw_handoff $bd_name.hwh]] 0]
}
if {$hwh eq ""} {
    fpgaflow_fail "no $bd_name.hwh among the block design's generated files"
}
fpgaflow_copy $hwh [file join $output_dir $overlay_name.hwh]
foreach report {csynth.rpt csynth.xml} {
    if {[file isfile [file join $report_dir $report]]} {
        fpgaflow_copy [file join $report_dir $report] [file join $output_dir $report]
    }
}
fpgaflow_log "bitstream: done, $output_dir/$overlay_name.bit"
close_project
exit
