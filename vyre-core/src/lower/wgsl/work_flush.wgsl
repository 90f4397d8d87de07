//! The end of either work pass: the lane's streak and counters. A block of
//! work_per_lane.wgsl and work_cooperative.wgsl; no placeholders.
atomicStore(&vy_ctrl[state], streak);
if (executed != 0u) {
    atomicAdd(&vy_ctrl[vy_CTRL_EXECUTED], executed);
}
if (faulted != 0u) {
    atomicAdd(&vy_ctrl[vy_CTRL_FAULTED], faulted);
}
if (run_op_count != 0u) {
    atomicAdd(&vy_ctrl[vy_EXECUTED_BY_OP + run_op], run_op_count);
}
if (run_prio_count != 0u) {
    atomicAdd(&vy_ctrl[vy_CTRL_EXECUTED_BY_PRIORITY + run_prio], run_prio_count);
}
if (vy_spawned != 0u) {
    atomicAdd(&vy_ctrl[vy_CTRL_SPAWNED], vy_spawned);
}
if (vy_overflowed != 0u) {
    atomicAdd(&vy_ctrl[vy_CTRL_SPAWN_OVERFLOW], vy_overflowed);
}
