//! The work pass with cooperative claims (ClaimVariant::Cooperative, the
//! runtime's choice on hardware). Placeholders: DIRECTED_LISTS (claim lists
//! in both scan directions: twice PRIORITIES), PRIORITIES, HANDOFF_WORDS
//! (the workgroup's queues: PRIORITIES times vy_HANDOFF_QUEUE), LANE_START
//! (work_lane_start.wgsl),
//! RUN_CLAIMED (run_claimed.wgsl) and FLUSH (work_flush.wgsl), blocks.
// Cooperative claims: per direction (0 = top-down, 1 = bottom-up), how
// many lanes of the workgroup want a task this iteration; per direction
// and partition, the first ticket the leader took and how many are valid;
// and whether the iteration goes on.
var<workgroup> vy_wg_want: array<atomic<u32>, 2>;
var<workgroup> vy_wg_first: array<u32, {{DIRECTED_LISTS}}>;
var<workgroup> vy_wg_count: array<u32, {{DIRECTED_LISTS}}>;
var<workgroup> vy_wg_go: u32;

// Spawned work without waiting for the round (docs/protocol.md, "Handoff"):
// a task spawned in this pass whose ticket does not follow it is PENDING
// in its slot, as every spawned task is, and its slot also goes into the
// spawning workgroup's queue of its partition, where the leader hands it
// to a lane of the workgroup at the next iteration, before the ring's
// tickets of the same priority. A queued slot is run by the lane it is
// handed to or, if the pass ends first, stays PENDING for the next
// maintain pass to publish: it never leaves the ring, so nothing queued
// can be lost. Per partition: the queued slots, a ring of HANDOFF_QUEUE
// entries (vy_HANDOFF_QUEUE) indexed by a running count; the next entry to hand out (head);
// one past the last entry pushed (tail: pushes take it by atomic add,
// and the leader trims what went past the queue's room); and the first
// entry lanes may still be reading this iteration (floor: pushes stop
// HANDOFF_QUEUE entries after it). Per direction and partition, the first
// entry the leader handed out and how many.
var<workgroup> vy_wg_queue: array<u32, {{HANDOFF_WORDS}}>;
var<workgroup> vy_wg_tail: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_wg_head: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_wg_floor: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_wg_local_first: array<u32, {{DIRECTED_LISTS}}>;
var<workgroup> vy_wg_local_count: array<u32, {{DIRECTED_LISTS}}>;

// Slots the workgroup's tasks finished in this pass, per partition, for
// its spawns to fill again: without them a chain of tasks that spawn and
// run in one pass would use up the free list (the slots that were EMPTY
// when the pass began) long before today's one spawn per round did, and
// have spawns refused that waiting for the round would have granted.
// The same ring of entries as the queue: finished slots are pushed at the
// tail; spawns take them from `next` up to `avail` (what was pushed before
// this iteration); pushes stop HANDOFF_QUEUE entries after `floor` (the
// first entry a spawn may still be reading this iteration). A slot left
// in it when the pass ends is an EMPTY slot like any other, for the next
// maintain pass's free list.
var<workgroup> vy_wg_spare: array<u32, {{HANDOFF_WORDS}}>;
var<workgroup> vy_wg_spare_tail: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_wg_spare_next: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_wg_spare_avail: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_wg_spare_floor: array<u32, {{PRIORITIES}}>;

// After a spawn stored PENDING in `slot` of partition p: offers the slot
// to this workgroup's queue. A slot the queue has no room for (or whose
// ticket follows its descendants: their count must reach the ticket
// before the child can end, vy_task_settle) simply waits for the maintain
// pass, as without the queue.
fn vy_hand_off(p: u32, slot: u32, follows: bool) {
    if (!vy_HANDOFF || follows) {
        return;
    }
    let n = atomicAdd(&vy_wg_tail[p], 1u);
    if (n - vy_wg_floor[p] < vy_HANDOFF_QUEUE) {
        vy_wg_queue[p * vy_HANDOFF_QUEUE + (n & (vy_HANDOFF_QUEUE - 1u))] = slot;
    }
}

// A slot of partition p that a task of this workgroup finished in this
// pass, for a spawn to fill, or vy_NO_SLOT. The slot is the spawn's alone:
// it was listed or handed out once, its task ended, and its entry here is
// taken once.
fn vy_take_spare(p: u32) -> u32 {
    if (!vy_HANDOFF || atomicLoad(&vy_wg_spare_next[p]) >= vy_wg_spare_avail[p]) {
        return vy_NO_SLOT;
    }
    let k = atomicAdd(&vy_wg_spare_next[p], 1u);
    if (k >= vy_wg_spare_avail[p]) {
        return vy_NO_SLOT;
    }
    return vy_wg_spare[p * vy_HANDOFF_QUEUE + (k & (vy_HANDOFF_QUEUE - 1u))];
}

// After a task of partition p finished in `slot` (EMPTY): offers the slot
// to the workgroup's spawns (vy_take_spare). A slot there is no room for
// waits for the next maintain pass's free list.
fn vy_recycle(p: u32, slot: u32) {
    if (!vy_HANDOFF) {
        return;
    }
    let n = atomicAdd(&vy_wg_spare_tail[p], 1u);
    if (n - vy_wg_spare_floor[p] < vy_HANDOFF_QUEUE) {
        vy_wg_spare[p * vy_HANDOFF_QUEUE + (n & (vy_HANDOFF_QUEUE - 1u))] = slot;
    }
}

// Whether a slot the leader handed this lane from the workgroup's queue
// is PENDING. The lane owns it as a ticket's lane owns its slot: the slot
// was queued once, by the spawn that filled it, and handed out once, and
// the maintain pass that could publish it does not run during the pass.
fn vy_handed_off_claimable(base: u32) -> bool {
    return atomicLoad(&vy_ring[base + vy_SLOT_STATUS]) == vy_STATUS_PENDING;
}

// The leader, at the start of an iteration: trims each queue's tail to
// its room (pushes past it were left to the ring) and moves its floor to
// the head, since every entry before the head was read in the last
// iteration; the same for the spare slots, whose takers may also have
// gone past what there was, and whose entries pushed before this
// iteration become available.
fn vy_trim_queues() {
    for (var p = 0u; p < vy_PRIORITIES; p++) {
        let floor = vy_wg_head[p];
        let tail = min(atomicLoad(&vy_wg_tail[p]), vy_wg_floor[p] + vy_HANDOFF_QUEUE);
        atomicStore(&vy_wg_tail[p], tail);
        vy_wg_floor[p] = floor;
        let next = min(atomicLoad(&vy_wg_spare_next[p]), vy_wg_spare_avail[p]);
        atomicStore(&vy_wg_spare_next[p], next);
        let spares = min(atomicLoad(&vy_wg_spare_tail[p]), vy_wg_spare_floor[p] + vy_HANDOFF_QUEUE);
        atomicStore(&vy_wg_spare_tail[p], spares);
        vy_wg_spare_floor[p] = next;
        vy_wg_spare_avail[p] = spares;
    }
}

// The leader's scan for `need` lanes in direction `dir`: in the order a
// lane would scan, takes as many tickets as are left (one atomic per
// list) until `need` are found. Returns how many it found.
fn vy_take_tickets(dir: u32, need: u32) -> u32 {
    var left = need;
    for (var k = 0u; k < vy_PRIORITIES; k++) {
        let p = select(k, vy_PRIORITIES - 1u - k, dir == 1u);
        let at = dir * vy_PRIORITIES + p;
        vy_wg_count[at] = 0u;
        vy_wg_local_count[at] = 0u;
        if (vy_HANDOFF && left != 0u) {
            // The workgroup's own queue first: no global atomic.
            let head = vy_wg_head[p];
            let local = min(left, atomicLoad(&vy_wg_tail[p]) - head);
            vy_wg_local_first[at] = head;
            vy_wg_local_count[at] = local;
            vy_wg_head[p] = head + local;
            left -= local;
        }
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
// no ticket saw its full scan find nothing and stops claiming. In a
// program that spawns, a spawned task can run in the same pass: the
// workgroup's queue hands it to one of its lanes at the next iteration
// (vy_hand_off), and a lane that found nothing keeps asking while its
// workgroup's lanes still run tasks. Lanes wait only for lanes of their
// own workgroup, never for another workgroup.
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
    // ticket or a queued slot, which counts as that lane's claim, and no lane claims past
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
        if (vy_HANDOFF) {
            // The slots handed off last iteration were written through
            // storage atomics that another lane of the workgroup reads
            // next: the storage barrier orders them (a workgroup barrier
            // only orders workgroup memory).
            storageBarrier();
        }
        workgroupBarrier();
        if (vy_lid == 0u) {
            if (vy_HANDOFF) {
                vy_trim_queues();
            }
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
            var handed = false;
            var slot = 0u;
            var part = 0u;
            var r = rank;
            // The result is carried round the loop, as in the per-lane scan.
            // Per partition, the queue's entries come before the ring's
            // tickets, as the leader took them.
            for (var k = 0u; k < vy_PRIORITIES; k++) {
                if (found) {
                    break;
                }
                let p = select(k, vy_PRIORITIES - 1u - k, dir == 1u);
                let at = dir * vy_PRIORITIES + p;
                var queued = 0u;
                if (vy_HANDOFF) {
                    queued = vy_wg_local_count[at];
                }
                let count = vy_wg_count[at];
                if (r < queued) {
                    let entry = (vy_wg_local_first[at] + r) & (vy_HANDOFF_QUEUE - 1u);
                    slot = vy_wg_queue[p * vy_HANDOFF_QUEUE + entry];
                    part = p;
                    found = true;
                    handed = true;
                } else if (r - queued < count) {
                    let ticket = vy_wg_first[at] + r - queued;
                    slot = atomicLoad(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + ticket]);
                    part = p;
                    found = true;
                } else {
                    r -= queued + count;
                }
            }
            if (!found) {
                // This lane's scan found nothing: it stops claiming, unless
                // its workgroup's tasks may still hand it a spawned one (the
                // loop ends when an iteration hands out nothing at all).
                claiming = vy_HANDOFF;
            } else {
                streak = select(streak + 1u, 0u, dir == 1u);
                claims += 1u;
                let base = slot * vy_SLOT_WORDS;
                // A ticket whose slot is not PUBLISHED (or not a slot at
                // all, which only a corrupted list could hold) counts as a
                // claim and the loop goes on; so does a handed-off slot
                // that is not PENDING.
                var runnable = false;
                if (slot < vy_slots) {
                    if (handed) {
                        runnable = vy_handed_off_claimable(base);
                    } else {
                        runnable = vy_claimable(base);
                    }
                }
                if (runnable) {
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
