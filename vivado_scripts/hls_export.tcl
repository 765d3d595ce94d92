# fpgaflow: the end of both hls stage scripts (hls_synth.tcl under Vivado HLS, hls_synth_vitis.tcl under Vitis
# HLS), sourced once the project and solution are set up: C synthesis, the reports copied next to the build, and
# the IP exported to the IP catalog (<solution>/impl/ip, the ip_repo the block design reads).  The commands and
# options used here exist in both tools (UG902 2020.1, UG1399 2023.2-2025.2).

fpgaflow_log "hls: csynth_design"
csynth_design

set syn_report [file join $build_dir $hls_prj $hls_solution syn report]
fpgaflow_copy [file join $syn_report ${hls_top}_csynth.rpt] [file join $report_dir csynth.rpt]
fpgaflow_copy [file join $syn_report ${hls_top}_csynth.xml] [file join $report_dir csynth.xml]

# Vivado HLS 2014-2021 without Xilinx's y2k22 patch (AR 76960) fails here after 2021 with "bad lexical
# cast"; fpgaflow build checks the install before it starts and names the fix if the export still hits it.
fpgaflow_log "hls: export_design (IP catalog ${ip_vendor}:${ip_library}:${hls_top}:${ip_version})"
export_design -format ip_catalog -vendor $ip_vendor -library $ip_library -version $ip_version \
    -description "fpgaflow network $hls_top"
set component [file join $ip_repo component.xml]
if {![file isfile $component]} {
    fpgaflow_fail "export_design wrote no IP: $component is missing"
}
fpgaflow_log "hls: done, IP in $ip_repo"
close_project
exit
