//! The place pass (place and run): a submission's first pass when the ring
//! is empty and the program lets it (Program::places_and_runs).
//! Placeholders: PRIORITIES, HANDLERS (sizes of per-partition and
//! per-handler arrays), COUNTER_ROUNDS (HANDLERS / the workgroup size,
//! rounded up), LANE_START and RUN_CLAIMED (blocks).
// The entries the first prepare took, per partition, and the workgroup's
// counters, added to the control block once per workgroup: a million
// invocations each adding one task to the same few words would queue at
// them (the maintain pass's lesson, docs/benchmarks.md).
var<workgroup> vy_pwg_take: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_pwg_executed: atomic<u32>;
var<workgroup> vy_pwg_faulted: atomic<u32>;
var<workgroup> vy_pwg_by_priority: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_pwg_by_op: array<atomic<u32>, {{HANDLERS}}>;

// place (one invocation per entry the first prepare took, partitions in
// priority order; index = gid.y * (groups.x * vy_MAINTAIN_WORKGROUP_SIZE)
// + gid.x): entry t of partition p's inbox goes into the partition's slot
// t, which is EMPTY (the host starts a submission this way only on an
// empty ring), is admitted as the maintain pass would admit it, and runs
// at once when listed — what the first maintain pass and the first work
// pass would do with it, in one pass and without the claim lists. A task
// of a disabled tenant stays PUBLISHED in its slot (parked), one of an
// unknown tenant faults. Faults a handler raises carry the round the
// first work pass would have run it in (the finalize after this pass
// counts it). Every invocation reaches every barrier.
@compute @workgroup_size(vy_MAINTAIN_WORKGROUP_SIZE)
fn vy_place(@builtin(global_invocation_id) vy_gid: vec3<u32>,
            @builtin(num_workgroups) vy_groups: vec3<u32>,
            @builtin(local_invocation_index) vy_lid: u32) {
    vy_maintain_reads(vy_lid);
    if (vy_lid < vy_PRIORITIES) {
        vy_pwg_take[vy_lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAKE + vy_lid]);
    }
    workgroupBarrier();
    let i = vy_gid.y * (vy_groups.x * vy_MAINTAIN_WORKGROUP_SIZE) + vy_gid.x;
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
    let lane = i;
    {{LANE_START}}
    if (p < vy_PRIORITIES) {
        let slot = vy_part_start(p) + t;
        let part = p;
        let base = slot * vy_SLOT_WORDS;
        let src = (atomicLoad(&vy_ctrl[vy_CTRL_INBOX_BASE + p])
            + ((vy_mwg_head[p] + t) & atomicLoad(&vy_ctrl[vy_CTRL_INBOX_MASK + p])))
            * vy_ENTRY_WORDS;
        // Entry word k is slot word 1 + k (an entry is a slot without its
        // status word); the loop's bound is a constant.
        for (var k = 0u; k < vy_ENTRY_WORDS; k++) {
            atomicStore(&vy_ring[base + vy_SLOT_OPCODE + k], vy_inbox[src + k]);
        }
        atomicStore(&vy_ring[base + vy_SLOT_STATUS], vy_STATUS_PUBLISHED);
        let listed = vy_admit(slot, base, vy_inbox[src + vy_ENTRY_OPCODE],
            vy_inbox[src + vy_ENTRY_TENANT], vy_inbox[src + vy_ENTRY_TICKET], p);
        if (listed) {
            vy_round_ahead = 1u;
            {{RUN_CLAIMED}}
        }
    }
    if (executed != 0u) {
        atomicAdd(&vy_pwg_executed, executed);
    }
    if (faulted != 0u) {
        atomicAdd(&vy_pwg_faulted, faulted);
    }
    if (run_op_count != 0u) {
        atomicAdd(&vy_pwg_by_op[run_op], run_op_count);
    }
    if (run_prio_count != 0u) {
        atomicAdd(&vy_pwg_by_priority[run_prio], run_prio_count);
    }
    // Printf and the spawn counters need no sum: the program neither
    // spawns nor requests (the host's condition for this pass).
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
