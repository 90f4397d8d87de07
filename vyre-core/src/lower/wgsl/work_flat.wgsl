//! The work pass with one invocation per listed task (ClaimVariant::Flat).
//! Placeholder: RUN_CLAIMED (run_claimed.wgsl), a block.
// The workgroup's counters, added to the control block once per workgroup
// instead of once per task: executed, faulted, spawned, spawn overflows,
// then executed per priority and per handler (vy_FLAT_*).
var<workgroup> vy_fwg_count: array<atomic<u32>, vy_FLAT_COUNTERS>;

// Adds `n` to counter `at`; nothing when `n` is zero. Where the driver may
// cut loops (vy_CUT_LOOPS, software adapters) straight into the control
// block: lavapipe ends a workgroup soon after one group of its lanes
// finishes, and after a cut the groups still waiting at the barrier before
// the workgroup's flush would never add their counts (measured: the books
// of tests/loop_cut.rs did not balance). A CPU loses nothing to the
// contention.
fn vy_flat_count(at: u32, n: u32) {
    if (n != 0u) {
        if (vy_CUT_LOOPS) {
            atomicAdd(&vy_ctrl[vy_flat_counter_word(at)], n);
        } else {
            atomicAdd(&vy_fwg_count[at], n);
        }
    }
}

// work (one invocation per listed task): invocation t runs the task of
// claim ticket t, the lists taken in priority order (CRITICAL's tickets
// first, so the lowest invocations, which the hardware starts first, run
// the most urgent tasks). finalize dispatched exactly as many workgroups
// as the lists need, so every listed task of the round runs in this
// dispatch and no ticket counter is taken: the tickets are the invocation
// indices. No lane loops, so the handler runs as the body of a plain
// kernel, as a hand-written one would. The invocation index is 2D when a
// round lists more tasks than one dispatch row holds (finalize's grid).
// The only barriers are before and after the task, outside every loop, and
// only where the driver does not cut loops (see vy_flat_count).
@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>,
           @builtin(num_workgroups) vy_groups: vec3<u32>,
           @builtin(local_invocation_index) vy_lid: u32) {
    let lane = vy_gid.y * (vy_groups.x * vy_WORKGROUP_SIZE) + vy_gid.x;
    vy_load_sizes();
    if (!vy_CUT_LOOPS) {
        for (var i = vy_lid; i < vy_FLAT_COUNTERS; i += vy_WORKGROUP_SIZE) {
            atomicStore(&vy_fwg_count[i], 0u);
        }
        workgroupBarrier();
    }
    vy_lane = lane;
    vy_lane_iters = 0u;
    vy_spawned = 0u;
    vy_overflowed = 0u;
    var executed = 0u;
    var faulted = 0u;
    var run_op = vy_NO_HANDLER;
    var run_op_count = 0u;
    var run_prio = 0u;
    var run_prio_count = 0u;
    var found = false;
    var slot = 0u;
    var part = 0u;
    var r = lane;
    for (var p = 0u; p < vy_PRIORITIES && !found; p++) {
        let len = atomicLoad(&vy_ctrl[vy_CTRL_LIST_LEN + p]);
        if (r < len) {
            slot = atomicLoad(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + r]);
            part = p;
            found = true;
        } else {
            r -= len;
        }
    }
    // A task listed after a shutdown request stays PUBLISHED, as in the
    // looping variants, which stop claiming; a ticket whose slot is not
    // PUBLISHED (only a corrupted list holds one) runs nothing.
    if (found && slot < vy_slots && atomicLoad(&vy_ctrl[vy_CTRL_SHUTDOWN]) == 0u) {
        let base = slot * vy_SLOT_WORDS;
        if (vy_transition(base, vy_STATUS_PUBLISHED, vy_STATUS_CLAIMED)) {
            {{RUN_CLAIMED}}
        }
    }
    vy_flat_count(vy_FLAT_EXECUTED, executed);
    vy_flat_count(vy_FLAT_FAULTED, faulted);
    vy_flat_count(vy_FLAT_SPAWNED, vy_spawned);
    vy_flat_count(vy_FLAT_OVERFLOWED, vy_overflowed);
    if (run_prio_count != 0u) {
        vy_flat_count(vy_FLAT_BY_PRIORITY + run_prio, run_prio_count);
    }
    if (run_op_count != 0u) {
        vy_flat_count(vy_FLAT_BY_OP + run_op, run_op_count);
    }
    if (!vy_CUT_LOOPS) {
        workgroupBarrier();
        for (var i = vy_lid; i < vy_FLAT_COUNTERS; i += vy_WORKGROUP_SIZE) {
            let n = atomicLoad(&vy_fwg_count[i]);
            if (n != 0u) {
                atomicAdd(&vy_ctrl[vy_flat_counter_word(i)], n);
            }
        }
    }
}

// The control word of workgroup counter `i`.
fn vy_flat_counter_word(i: u32) -> u32 {
    if (i == vy_FLAT_EXECUTED) {
        return vy_CTRL_EXECUTED;
    }
    if (i == vy_FLAT_FAULTED) {
        return vy_CTRL_FAULTED;
    }
    if (i == vy_FLAT_SPAWNED) {
        return vy_CTRL_SPAWNED;
    }
    if (i == vy_FLAT_OVERFLOWED) {
        return vy_CTRL_SPAWN_OVERFLOW;
    }
    if (i < vy_FLAT_BY_OP) {
        return vy_CTRL_EXECUTED_BY_PRIORITY + i - vy_FLAT_BY_PRIORITY;
    }
    return vy_EXECUTED_BY_OP + i - vy_FLAT_BY_OP;
}
