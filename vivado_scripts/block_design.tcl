# fpgaflow stage "bd": the PYNQ-Z2 block design around the network IP.
# Run with:  vivado -mode batch -source block_design.tcl -tclargs <vars.tcl>
#
#   PS7 M_AXI_GP0 --(ps7_gp0_intercon)--> AXI DMA S_AXI_LITE            (control registers)
#   AXI DMA M_AXIS_MM2S --> network in_r ; network out_r --> AXI DMA S_AXIS_S2MM
#   AXI DMA M_AXI_MM2S + M_AXI_S2MM --(axi_mem_intercon)--> PS7 S_AXI_HP0 (DDR)
#   PS7 M_AXI_GP0 --(ps7_gp0_intercon)--> network reset GPIO S_AXI           (one output bit, default 1)
#   network ap_rst_n = fabric reset AND reset GPIO bit 0                       (util_vector_logic)
#   FCLK_CLK0 (1000 / clock_period_ns MHz) clocks everything; one proc_sys_reset from FCLK_RESET0_N.
# The DMA runs in simple (direct register) mode: no scatter-gather, no status/control stream; the driver
# polls it (no interrupt lines are wired).  The DMA's soft reset does not reach the network IP, so after a
# timeout the driver resets the network through the GPIO (writing 0, then 1) together with the DMA.
source [file join [file dirname [info script]] common.tcl]
fpgaflow_load_vars

# The PYNQ-Z2 board files must be installed (Vivado/<version>/data/boards/board_files/pynq-z2).
if {[llength [get_board_parts -quiet $board_part]] == 0} {
    fpgaflow_fail "board part $board_part is not installed: copy the PYNQ-Z2 board files into\
Vivado's data/boards/board_files and rerun"
}

fpgaflow_log "bd: project $vivado_project_dir/$vivado_project_name.xpr, part $part"
create_project -force $vivado_project_name $vivado_project_dir -part $part
set_property board_part $board_part [current_project]
set_property ip_repo_paths [list $ip_repo] [current_project]
update_ip_catalog -rebuild

set nn_vlnv ${ip_vendor}:${ip_library}:${hls_top}:${ip_version}
if {[llength [get_ipdefs -quiet $nn_vlnv]] == 0} {
    fpgaflow_fail "network IP $nn_vlnv not found in $ip_repo: run the hls stage first"
}

create_bd_design $bd_name

# --- Zynq PS7: board preset (DDR, MIO, clocks), one GP master, one HP slave, FCLK_CLK0 at the HLS clock
create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7:5.5 $ps_instance
apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
    -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} \
    [get_bd_cells $ps_instance]
set_property -dict [list \
    CONFIG.PCW_USE_M_AXI_GP0 {1} \
    CONFIG.PCW_USE_S_AXI_HP0 {1} \
    CONFIG.PCW_S_AXI_HP0_DATA_WIDTH {64} \
    CONFIG.PCW_EN_CLK0_PORT {1} \
    CONFIG.PCW_EN_RST0_PORT {1} \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $fclk_mhz \
] [get_bd_cells $ps_instance]
# The PS derives FCLK_CLK0 from a PLL with integer dividers: check it is not faster than the HLS clock.
set fclk_actual [get_property CONFIG.PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ [get_bd_cells $ps_instance]]
if {$fclk_actual > $fclk_mhz * 1.001} {
    fpgaflow_fail "FCLK_CLK0 would run at $fclk_actual MHz, faster than the HLS clock\
($fclk_mhz MHz = $clock_period_ns ns): choose a clock period the PS7 dividers can meet"
}
fpgaflow_log "bd: FCLK_CLK0 requested $fclk_mhz MHz, actual $fclk_actual MHz"

set fclk [get_bd_pins $ps_instance/FCLK_CLK0]

# --- reset synchroniser on FCLK_CLK0
create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset:5.0 $reset_instance
connect_bd_net $fclk [get_bd_pins $reset_instance/slowest_sync_clk]
connect_bd_net [get_bd_pins $ps_instance/FCLK_RESET0_N] [get_bd_pins $reset_instance/ext_reset_in]
set periph_rstn [get_bd_pins $reset_instance/peripheral_aresetn]
set ic_rstn [get_bd_pins $reset_instance/interconnect_aresetn]

# --- AXI DMA, simple mode; the length register is sized for the largest batch
create_bd_cell -type ip -vlnv xilinx.com:ip:axi_dma:7.1 $dma_instance
# Fix the S2MM stream width by hand instead of letting it propagate from the network IP.
set_property -dict [list CONFIG.c_s_axis_s2mm_tdata_width.VALUE_SRC USER] [get_bd_cells $dma_instance]
set_property -dict [list \
    CONFIG.c_include_sg {0} \
    CONFIG.c_sg_include_stscntrl_strm {0} \
    CONFIG.c_sg_length_width $dma_length_width \
    CONFIG.c_include_mm2s {1} \
    CONFIG.c_include_s2mm {1} \
    CONFIG.c_m_axi_mm2s_data_width $dma_mm_width \
    CONFIG.c_m_axis_mm2s_tdata_width $dma_mm2s_width \
    CONFIG.c_mm2s_burst_size {256} \
    CONFIG.c_m_axi_s2mm_data_width $dma_mm_width \
    CONFIG.c_s_axis_s2mm_tdata_width $dma_s2mm_width \
    CONFIG.c_s2mm_burst_size {256} \
] [get_bd_cells $dma_instance]

# --- the network: MM2S -> in_r, out_r -> S2MM (ap_ctrl_none: free-running, no control registers)
create_bd_cell -type ip -vlnv $nn_vlnv $network_instance
connect_bd_intf_net [get_bd_intf_pins $dma_instance/M_AXIS_MM2S] [get_bd_intf_pins $network_instance/$network_in_port]
connect_bd_intf_net [get_bd_intf_pins $network_instance/$network_out_port] [get_bd_intf_pins $dma_instance/S_AXIS_S2MM]

# --- the network's own reset: GPIO bit 0 (1 = run, the power-on value) AND the fabric reset -> ap_rst_n
create_bd_cell -type ip -vlnv $gpio_vlnv $network_reset_instance
set_property -dict [list \
    CONFIG.C_GPIO_WIDTH {1} \
    CONFIG.C_ALL_OUTPUTS {1} \
    CONFIG.C_DOUT_DEFAULT {0x00000001} \
] [get_bd_cells $network_reset_instance]
create_bd_cell -type ip -vlnv $gate_vlnv $network_reset_gate
set_property -dict [list CONFIG.C_SIZE {1} CONFIG.C_OPERATION {and}] [get_bd_cells $network_reset_gate]
connect_bd_net [get_bd_pins $network_reset_instance/gpio_io_o] [get_bd_pins $network_reset_gate/Op2]
connect_bd_net [get_bd_pins $network_reset_gate/Res] [get_bd_pins $network_instance/ap_rst_n]

# --- interconnects: GP0 (AXI3) -> DMA control and reset GPIO (AXI4-Lite); DMA masters (AXI4) -> HP0 (AXI3)
create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:2.1 $gp0_interconnect
set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {2}] [get_bd_cells $gp0_interconnect]
create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:2.1 $hp0_interconnect
set_property -dict [list CONFIG.NUM_SI {2} CONFIG.NUM_MI {1}] [get_bd_cells $hp0_interconnect]

connect_bd_intf_net [get_bd_intf_pins $ps_instance/M_AXI_GP0] [get_bd_intf_pins $gp0_interconnect/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins $gp0_interconnect/M00_AXI] [get_bd_intf_pins $dma_instance/S_AXI_LITE]
connect_bd_intf_net [get_bd_intf_pins $gp0_interconnect/M01_AXI] [get_bd_intf_pins $network_reset_instance/S_AXI]
connect_bd_intf_net [get_bd_intf_pins $dma_instance/M_AXI_MM2S] [get_bd_intf_pins $hp0_interconnect/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins $dma_instance/M_AXI_S2MM] [get_bd_intf_pins $hp0_interconnect/S01_AXI]
connect_bd_intf_net [get_bd_intf_pins $hp0_interconnect/M00_AXI] [get_bd_intf_pins $ps_instance/S_AXI_HP0]

# --- one clock domain: FCLK_CLK0 everywhere
connect_bd_net $fclk \
    [get_bd_pins $ps_instance/M_AXI_GP0_ACLK] [get_bd_pins $ps_instance/S_AXI_HP0_ACLK] \
    [get_bd_pins $dma_instance/s_axi_lite_aclk] [get_bd_pins $dma_instance/m_axi_mm2s_aclk] \
    [get_bd_pins $dma_instance/m_axi_s2mm_aclk] [get_bd_pins $network_instance/ap_clk] \
    [get_bd_pins $network_reset_instance/s_axi_aclk] \
    [get_bd_pins $gp0_interconnect/ACLK] [get_bd_pins $gp0_interconnect/S00_ACLK] \
    [get_bd_pins $gp0_interconnect/M00_ACLK] [get_bd_pins $gp0_interconnect/M01_ACLK] \
    [get_bd_pins $hp0_interconnect/ACLK] [get_bd_pins $hp0_interconnect/S00_ACLK] \
    [get_bd_pins $hp0_interconnect/S01_ACLK] [get_bd_pins $hp0_interconnect/M00_ACLK]
connect_bd_net $ic_rstn [get_bd_pins $gp0_interconnect/ARESETN] [get_bd_pins $hp0_interconnect/ARESETN]
connect_bd_net $periph_rstn \
    [get_bd_pins $dma_instance/axi_resetn] [get_bd_pins $network_reset_instance/s_axi_aresetn] \
    [get_bd_pins $network_reset_gate/Op1] \
    [get_bd_pins $gp0_interconnect/S00_ARESETN] [get_bd_pins $gp0_interconnect/M00_ARESETN] \
    [get_bd_pins $gp0_interconnect/M01_ARESETN] \
    [get_bd_pins $hp0_interconnect/S00_ARESETN] [get_bd_pins $hp0_interconnect/S01_ARESETN] \
    [get_bd_pins $hp0_interconnect/M00_ARESETN]

# --- addresses: DMA and reset GPIO registers in GP0 space, all of DDR visible to both DMA masters
assign_bd_address
validate_bd_design
save_bd_design
fpgaflow_log "bd: $bd_name validated"

set bd_file [get_files $bd_name.bd]
generate_target all $bd_file
set wrapper [make_wrapper -files $bd_file -top]
add_files -norecurse $wrapper
set_property top ${bd_name}_wrapper [current_fileset]
update_compile_order -fileset sources_1

# A reviewable copy of the design as Tcl, next to the other reports.
file mkdir $report_dir
write_bd_tcl -force [file join $report_dir ${bd_name}.tcl]
fpgaflow_log "bd: done, $vivado_project_dir/$vivado_project_name.xpr"
close_project
exit
