//! The work pass with per-lane claims (ClaimVariant::PerLane, the
//! runtime's choice on software adapters). Placeholders: LANE_START
//! (work_lane_start.wgsl), RUN_CLAIMED (run_claimed.wgsl) and FLUSH
//! (work_flush.wgsl), blocks.
// work (one invocation per lane): claims tasks by ticket, highest priority
// first (bottom-up after vy_STARVATION_LIMIT consecutive claims), runs
// them and empties their slots (or marks them FAULT), until a full scan
// finds nothing, a budget is spent or shutdown is requested. No lane ever
// waits for another. Counters are summed per lane and added once at the
// end.
//
// A driver that cuts loops (see vy_loop_end) may end this loop, or a scan
// in it, early: the lane then stops claiming, as if its budget were spent,
// and nothing is lost. No loop stands between a claim and the slot's EMPTY
// or FAULT that could silently end early (a cut handler loop faults the
// task; a spawn has no loop); a ticket taken but not run leaves its slot
// PUBLISHED, and the next
// maintenance pass lists it again; the counters are carried round the loop,
// so the flush after it adds what the lane did.
@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>) {
    // lane = global_invocation_id.x; the host sizes lane_state for
    // num_workgroups.x * vy_WORKGROUP_SIZE lanes. A lane without a state
    // word (a dispatch larger than the control block) does nothing.
    let lane = vy_gid.x;
    vy_load_sizes();
    let state = vy_lane_state + lane;
    if (state >= arrayLength(&vy_ctrl)) {
        return;
    }
    {{LANE_START}}
    var streak = atomicLoad(&vy_ctrl[state]);
    // Every iteration but the last claims (or breaks), and claims stay
    // within the budget: vy_LANE_LOOP_BOUND (the budget + 1) is never
    // reached. It is the bound that lets the module go without naga's.
    for (var iteration = 0u; iteration < vy_LANE_LOOP_BOUND; iteration++) {
        if (claims >= vy_CLAIM_BUDGET || vy_lane_iters >= vy_ITERATION_BUDGET
            || atomicLoad(&vy_ctrl[vy_CTRL_SHUTDOWN]) != 0u) {
            break;
        }
        let bottom_up = vy_STARVATION_LIMIT != 0u && streak >= vy_STARVATION_LIMIT;
        var found = false;
        var slot = 0u;
        var part = 0u;
        // The scan's result is carried round the loop (no `break` with a
        // result): if the driver cuts the scan, the lane sees what it found.
        for (var k = 0u; k < vy_PRIORITIES; k++) {
            if (found) {
                break;
            }
            let p = select(k, vy_PRIORITIES - 1u - k, bottom_up);
            let len = atomicLoad(&vy_ctrl[vy_CTRL_LIST_LEN + p]);
            // A cheap load first: only take a ticket where some are left.
            if (atomicLoad(&vy_ctrl[vy_CTRL_LIST_NEXT + p]) < len) {
                let ticket = atomicAdd(&vy_ctrl[vy_CTRL_LIST_NEXT + p], 1u);
                if (ticket < len) {
                    slot = atomicLoad(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + ticket]);
                    part = p;
                    found = true;
                }
            }
        }
        if (!found) {
            break;
        }
        streak = select(streak + 1u, 0u, bottom_up);
        claims += 1u;
        let base = slot * vy_SLOT_WORDS;
        // A ticket whose slot is not PUBLISHED (or not a slot at all, which
        // only a corrupted list could hold) counts as a claim and the loop
        // goes on.
        if (slot >= vy_slots) {
            continue;
        }
        if (!vy_claimable(slot)) {
            continue;
        }
        {{RUN_CLAIMED}}
    }
    {{FLUSH}}
}
