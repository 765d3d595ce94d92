# Usage: tclsh run_script.tcl STUB_LOG STUB_WORK SCRIPT VARS [KNOB VALUE]...
# Sources the recording stubs, then SCRIPT with VARS as its only argument (as Vivado's -tclargs would).
# The tool whose commands exist (::stub_tool) follows the script: hls_synth.tcl runs under vivado_hls,
# hls_synth_vitis.tcl under vitis_hls, the others under vivado; a stub_tool knob overrides it.
lassign $argv ::stub_log ::stub_work script vars
switch -- [file tail $script] {
    hls_synth.tcl { set ::stub_tool vivado_hls }
    hls_synth_vitis.tcl { set ::stub_tool vitis_hls }
    default { set ::stub_tool vivado }
}
foreach {knob value} [lrange $argv 4 end] { set ::$knob $value }
set ::argv [list $vars]
set ::argc 1
source [file join [file dirname [info script]] vivado_stubs.tcl]
source $script
