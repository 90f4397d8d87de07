//! The work pass of the sharded form (ProgramConfig::sharded).
//! Placeholders: LANE_START (work_lane_start.wgsl), RUN_CLAIMED
//! (run_claimed.wgsl) and FLUSH (work_flush.wgsl), blocks.
// work, sharded (one invocation per lane): lane l of n owns the slots l,
// l + n, l + 2n, … of the ring and runs every claimable task among them
// (PUBLISHED, tenant enabled) in slot order, until its slots are done, a
// budget is spent or shutdown is requested. No claim lists, no priority
// scan: the finalize pass gives this pass the full grid whenever the ring
// is busy, so that every slot has its lane. No lane ever waits for
// another; counters are summed per lane and added once at the end.
//
// A driver that cuts this loop ends the lane's walk early, as a spent
// budget does: the slots it did not reach stay PUBLISHED for the next
// round. The loop's counter k, below the ring's size read before the
// loop, is its bound: the walk leaves when the slot passes the ring,
// which happens first (n >= 1).
@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>,
           @builtin(num_workgroups) vy_groups: vec3<u32>) {
    let lane = vy_gid.x;
    vy_load_sizes();
    let state = vy_lane_state + lane;
    if (state >= arrayLength(&vy_ctrl)) {
        return;
    }
    let lanes = max(vy_groups.x * vy_WORKGROUP_SIZE, 1u);
    let slots = vy_slots;
    {{LANE_START}}
    // The streak of the priority form, kept as it is.
    let streak = atomicLoad(&vy_ctrl[state]);
    for (var k = 0u; k < slots; k++) {
        let slot = lane + k * lanes;
        if (slot >= slots || claims >= vy_CLAIM_BUDGET || vy_lane_iters >= vy_ITERATION_BUDGET
            || atomicLoad(&vy_ctrl[vy_CTRL_SHUTDOWN]) != 0u) {
            break;
        }
        let base = slot * vy_SLOT_WORDS;
        // A cheap load first: most slots of a lane hold nothing to run.
        if (atomicLoad(&vy_ring[vy_status_word(slot)]) != vy_STATUS_PUBLISHED) {
            continue;
        }
        // Parked (a disabled tenant) or faulted by maintain (a tenant
        // outside the table, whose slot is FAULT already): not claimable.
        let owner = atomicLoad(&vy_ring[base + vy_SLOT_TENANT]);
        if (owner >= vy_TENANTS || atomicLoad(&vy_ctrl[vy_TENANT_ENABLED + owner]) == 0u) {
            continue;
        }
        claims += 1u;
        let part = vy_partition_of(slot);
        {{RUN_CLAIMED}}
    }
    {{FLUSH}}
}
