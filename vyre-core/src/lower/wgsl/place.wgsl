//! The place pass (place and run): in a submission that starts on an empty
//! ring of a program that lets it (Program::places_and_runs), the pass
//! after each prepare that took inbox entries (the first, and later ones
//! while nothing faulted or parked).
//! Placeholders: PRIORITIES, HANDLERS (sizes of per-partition and
//! per-handler arrays) and COUNTER_ROUNDS (HANDLERS / the workgroup size,
//! rounded up).
// Per partition, the entries the prepare before this pass took (the
// inbox's layout is vy_maintain_reads'), and their sum; then the
// workgroup's counters, added to the control block once per workgroup. Each is read or added by a few invocations of each
// workgroup: a million invocations each loading or adding to the same few
// control words would queue at them (the maintain pass's lesson,
// docs/benchmarks.md).
var<workgroup> vy_pwg_take: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_pwg_taken: u32;
var<workgroup> vy_pwg_executed: atomic<u32>;
var<workgroup> vy_pwg_faulted: atomic<u32>;
var<workgroup> vy_pwg_by_priority: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_pwg_by_op: array<atomic<u32>, {{HANDLERS}}>;

// Runs or places entry t of partition p's inbox, the pass's entry i (its
// lane, in a fault record).
fn vy_place_entry(i: u32, p: u32, t: u32) {
    let slot = vy_part_start(p) + t;
    let base = slot * vy_SLOT_WORDS;
    let src = (vy_mwg_base[p] + ((vy_mwg_head[p] + t) & vy_mwg_mask[p])) * vy_ENTRY_WORDS;
    let opcode = vy_inbox[src + vy_ENTRY_OPCODE];
    let tenant = vy_inbox[src + vy_ENTRY_TENANT];
    let ticket = vy_inbox[src + vy_ENTRY_TICKET];
    vy_lane = i;
    if (tenant < vy_TENANTS && vy_tenant_enabled(tenant)) {
        vy_slot = slot;
        vy_ticket = ticket;
        vy_tenant = tenant;
        vy_priority = p;
        vy_round_ahead = 1u;
        let handler = vy_dispatch_entry(opcode, src);
        if (vy_fault != 0u) {
            vy_record_fault(slot, opcode, vy_fault, vy_fault_detail, tenant, p, i, ticket);
            atomicStore(&vy_ring[vy_status_word(slot)], vy_STATUS_FAULT);
            vy_ticket_end(ticket);
            atomicAdd(&vy_pwg_faulted, 1u);
        } else {
            vy_ticket_end(ticket);
            atomicAdd(&vy_pwg_executed, 1u);
            atomicAdd(&vy_pwg_by_op[handler], 1u);
            atomicAdd(&vy_pwg_by_priority[p], 1u);
        }
    } else {
        // Entry word k is slot word 1 + k (an entry is a slot without
        // its status word); the loop's bound is a constant.
        for (var k = 0u; k < vy_ENTRY_WORDS; k++) {
            atomicStore(&vy_ring[base + vy_SLOT_OPCODE + k], vy_inbox[src + k]);
        }
        atomicStore(&vy_ring[vy_status_word(slot)], vy_STATUS_PUBLISHED);
        vy_admit(slot, opcode, tenant, ticket, p);
    }
}

// place (the entries the prepare before it took, partitions in priority
// order, entry i in invocation i % stride, stride = the grid's
// invocations): entry t of partition p's inbox is the task of the partition's
// slot t, which is EMPTY (the host starts a submission this way only on an
// empty ring, and prepare places again only while it stays so). A task of
// an enabled tenant runs at once, straight from its entry: the slot is
// written only if it faults (FAULT, until the host has read the record).
// Any other task goes into its slot and is admitted as the maintain pass
// would admit it (a disabled tenant's stays PUBLISHED, parked; an unknown
// tenant's faults). So each task ends as a maintain pass and the next
// work pass would have ended it, in one pass, without the claim lists and
// with no ring traffic for a task that finishes. Faults a handler raises
// carry the round that work pass would have run it in (the finalize after
// this pass counts it), and the entry's index i as their lane. Every
// invocation reaches every barrier.
@compute @workgroup_size(vy_MAINTAIN_WORKGROUP_SIZE)
fn vy_place(@builtin(global_invocation_id) vy_gid: vec3<u32>,
            @builtin(num_workgroups) vy_groups: vec3<u32>,
            @builtin(local_invocation_index) vy_lid: u32) {
    vy_maintain_reads(vy_lid);
    if (vy_lid == 0u) {
        var taken = 0u;
        for (var k = 0u; k < vy_PRIORITIES; k++) {
            let n = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAKE + k]);
            vy_pwg_take[k] = n;
            taken += n;
        }
        vy_pwg_taken = taken;
    }
    // A barrier (the takes above are then every invocation's too), and the
    // same count in every invocation.
    let taken = workgroupUniformLoad(&vy_pwg_taken);
    let stride = vy_groups.x * vy_MAINTAIN_WORKGROUP_SIZE;
    // Entries gid.x, gid.x + stride, …: prepare caps the grid
    // (vy_PLACE_SPREAD), so that the workgroup's control reads and
    // counter adds above and below are shared by several entries each.
    // The counter r, bounded by taken, is the loop's bound: i reaches
    // taken first.
    for (var r = 0u; r < taken; r++) {
        let i = vy_gid.x + r * stride;
        if (i >= taken) {
            break;
        }
        // Which partition's entry: the partitions' takes, in priority order.
        var p = vy_PRIORITIES;
        var t = 0u;
        var first = 0u;
        for (var k = 0u; k < vy_PRIORITIES; k++) {
            let n = vy_pwg_take[k];
            if (p == vy_PRIORITIES && i >= first && i - first < n) {
                p = k;
                t = i - first;
            }
            first += n;
        }
        if (p < vy_PRIORITIES) {
            // A task's fault and loop count start afresh (here: only the
            // entry point and vy_tick store to the count, which the
            // proof of the loop bound checks).
            vy_fault = 0u;
            vy_fault_detail = 0u;
            vy_task_iters = 0u;
            vy_place_entry(i, p, t);
        }
    }
    // Printf needs no sum, and nothing spawns: the program neither spawns
    // nor requests (the host's condition for this pass).
    workgroupBarrier();
    if (vy_lid == 0u) {
        let e = atomicLoad(&vy_pwg_executed);
        if (e != 0u) {
            atomicAdd(&vy_ctrl[vy_CTRL_EXECUTED], e);
        }
        let f = atomicLoad(&vy_pwg_faulted);
        if (f != 0u) {
            atomicAdd(&vy_ctrl[vy_CTRL_FAULTED], f);
        }
    }
    if (vy_lid < vy_PRIORITIES) {
        let n = atomicLoad(&vy_pwg_by_priority[vy_lid]);
        if (n != 0u) {
            atomicAdd(&vy_ctrl[vy_CTRL_EXECUTED_BY_PRIORITY + vy_lid], n);
        }
    }
    for (var r = 0u; r < {{COUNTER_ROUNDS}}u; r++) {
        let h = vy_lid + r * vy_MAINTAIN_WORKGROUP_SIZE;
        if (h < {{HANDLERS}}u) {
            let n = atomicLoad(&vy_pwg_by_op[h]);
            if (n != 0u) {
                atomicAdd(&vy_ctrl[vy_EXECUTED_BY_OP + h], n);
            }
        }
    }
}
