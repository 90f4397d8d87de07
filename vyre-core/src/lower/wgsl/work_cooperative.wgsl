//! The work pass with cooperative claims (ClaimVariant::Cooperative, the
//! runtime's choice on hardware). Placeholders: DIRECTED_LISTS (claim lists
//! in both scan directions: twice PRIORITIES), LANE_START
//! (work_lane_start.wgsl), RUN_CLAIMED (run_claimed.wgsl) and FLUSH
//! (work_flush.wgsl), blocks.
// Cooperative claims: per direction (0 = top-down, 1 = bottom-up), how
// many lanes of the workgroup want a task this iteration; per direction
// and partition, the first ticket the leader took and how many are valid;
// and whether the iteration goes on.
var<workgroup> vy_wg_want: array<atomic<u32>, 2>;
var<workgroup> vy_wg_first: array<u32, {{DIRECTED_LISTS}}>;
var<workgroup> vy_wg_count: array<u32, {{DIRECTED_LISTS}}>;
var<workgroup> vy_wg_go: u32;

// The leader's scan for `need` lanes in direction `dir`: in the order a
// lane would scan, takes as many tickets as are left (one atomic per
// list) until `need` are found. Returns how many it found.
fn vy_take_tickets(dir: u32, need: u32) -> u32 {
    var left = need;
    for (var k = 0u; k < vy_PRIORITIES; k++) {
        let p = select(k, vy_PRIORITIES - 1u - k, dir == 1u);
        let at = dir * vy_PRIORITIES + p;
        vy_wg_count[at] = 0u;
        if (left != 0u) {
            let len = atomicLoad(&vy_ctrl[vy_CTRL_LIST_LEN + p]);
            if (atomicLoad(&vy_ctrl[vy_CTRL_LIST_NEXT + p]) < len) {
                let first = atomicAdd(&vy_ctrl[vy_CTRL_LIST_NEXT + p], left);
                if (first < len) {
                    let got = min(left, len - first);
                    vy_wg_first[at] = first;
                    vy_wg_count[at] = got;
                    left -= got;
                }
            }
        }
    }
    return need - left;
}

// work (one invocation per lane): claims tasks by ticket, highest priority
// first (bottom-up after vy_STARVATION_LIMIT consecutive claims), runs
// them and empties their slots (or marks them FAULT), until a full scan
// finds nothing, a budget is spent or shutdown is requested. The lanes of a workgroup claim
// together: each iteration, the lanes that want a task count themselves
// per direction, one leader takes their tickets (one atomic per list
// instead of one per task, in the order the lanes' own scans would take
// them), and each lane runs the ticket of its rank; a lane whose rank got
// no ticket saw its full scan find nothing and stops claiming. Lanes wait
// only for lanes of their own workgroup, never for another workgroup.
// Counters are summed per lane and added once at the end.
//
// This loop assumes that the driver does not cut loops (see vy_loop_end):
// its iterations meet at workgroup barriers, and lanes whose loop a driver
// ended early would leave the others to meet them alone. Mesa's lavapipe,
// which cuts loops, runs a workgroup's groups of lanes as coroutines that
// take turns at each barrier and ends the workgroup soon after any group
// finishes, so the other groups would stop at a barrier without adding
// their counters (no task is lost or left half-run: a group stops only at
// a barrier, where none of its lanes holds a claimed task). The runtime
// therefore lowers with the per-lane loop on software adapters
// (GpuContext::lower_options); hardware drivers do not cut loops.
@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>,
           @builtin(local_invocation_index) vy_lid: u32) {
    // lane = global_invocation_id.x; the host sizes lane_state for
    // num_workgroups.x * vy_WORKGROUP_SIZE lanes. A lane without a state
    // word (a dispatch larger than the control block) claims nothing but
    // still meets its workgroup's barriers.
    let lane = vy_gid.x;
    vy_load_sizes();
    let state = vy_lane_state + lane;
    let has_state = state < arrayLength(&vy_ctrl);
    var claiming = has_state;
    {{LANE_START}}
    var streak = 0u;
    if (has_state) {
        streak = atomicLoad(&vy_ctrl[state]);
    }
    // Every iteration but the last hands some lane of the workgroup a
    // ticket, which counts as that lane's claim, and no lane claims past
    // the budget: vy_WORKGROUP_LOOP_BOUND (the workgroup's claims + 1) is
    // never reached. It is the bound that lets the module go without
    // naga's; every lane counts the same iterations.
    for (var iteration = 0u; iteration < vy_WORKGROUP_LOOP_BOUND; iteration++) {
        var want = false;
        var dir = 0u;
        var rank = 0u;
        if (claiming) {
            if (claims >= vy_CLAIM_BUDGET || vy_lane_iters >= vy_ITERATION_BUDGET
                || atomicLoad(&vy_ctrl[vy_CTRL_SHUTDOWN]) != 0u) {
                claiming = false;
            } else {
                want = true;
                dir = select(0u, 1u, vy_STARVATION_LIMIT != 0u && streak >= vy_STARVATION_LIMIT);
                rank = atomicAdd(&vy_wg_want[dir], 1u);
            }
        }
        workgroupBarrier();
        if (vy_lid == 0u) {
            let top = atomicLoad(&vy_wg_want[0]);
            let bottom = atomicLoad(&vy_wg_want[1]);
            atomicStore(&vy_wg_want[0], 0u);
            atomicStore(&vy_wg_want[1], 0u);
            let got = vy_take_tickets(0u, top) + vy_take_tickets(1u, bottom);
            vy_wg_go = select(0u, 1u, got != 0u);
        }
        // A barrier, and a value every lane of the workgroup agrees on.
        if (workgroupUniformLoad(&vy_wg_go) == 0u) {
            break;
        }
        // No `continue` below: the next iteration's barriers must be
        // reached by every lane.
        if (want) {
            var found = false;
            var slot = 0u;
            var part = 0u;
            var r = rank;
            // The result is carried round the loop, as in the per-lane scan.
            for (var k = 0u; k < vy_PRIORITIES; k++) {
                if (found) {
                    break;
                }
                let p = select(k, vy_PRIORITIES - 1u - k, dir == 1u);
                let count = vy_wg_count[dir * vy_PRIORITIES + p];
                if (r < count) {
                    let ticket = vy_wg_first[dir * vy_PRIORITIES + p] + r;
                    slot = atomicLoad(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + ticket]);
                    part = p;
                    found = true;
                } else {
                    r -= count;
                }
            }
            if (!found) {
                // This lane's scan found nothing: it stops claiming.
                claiming = false;
            } else {
                streak = select(streak + 1u, 0u, dir == 1u);
                claims += 1u;
                let base = slot * vy_SLOT_WORDS;
                // A ticket whose slot is not PUBLISHED (or not a slot at
                // all, which only a corrupted list could hold) counts as a
                // claim and the loop goes on.
                if (slot < vy_slots && vy_claimable(slot)) {
                    {{RUN_CLAIMED}}
                }
            }
        }
    }
    if (!has_state) {
        return;
    }
    {{FLUSH}}
}
