# Usage: tclsh run_script.tcl STUB_LOG STUB_WORK SCRIPT VARS [KNOB VALUE]...
# Sources the recording stubs, then SCRIPT with VARS as its only argument (as Vivado's -tclargs would).
lassign $argv ::stub_log ::stub_work script vars
foreach {knob value} [lrange $argv 4 end] { set ::$knob $value }
set ::argv [list $vars]
set ::argc 1
source [file join [file dirname [info script]] vivado_stubs.tcl]
source $script
