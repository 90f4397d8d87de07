//! The maintain pass: coalesced, workgroup-ranked inbox placement and
//! claim and free listing. Placeholders: PRIORITIES (sizes of per-partition
//! arrays), CACHED_TENANTS (tenant-table entries read once per workgroup:
//! the table's, at most the workgroup's size).
// Per partition, inside one maintain workgroup: slots wanting an inbox
// entry / listed / left EMPTY (the free list), counted by an atomic add
// whose result is the slot's rank among them, and the first global ticket
// / list position the workgroup took; per local slot, the first vy_inbox
// word of the entry it takes (0xFFFFFFFF: none).
var<workgroup> vy_mwg_take: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_mwg_take_base: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_list: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_mwg_list_base: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_free: array<atomic<u32>, {{PRIORITIES}}>;
var<workgroup> vy_mwg_free_base: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_src: array<u32, vy_MAINTAIN_WORKGROUP_SIZE>;
// The control words every slot reads, read once per workgroup: each is
// an atomic, which the GPU serves from one place in its cache for all its
// invocations, so a load per invocation queues there (H200: a
// 1M-slot pass 82 → 43 µs, docs/benchmarks.md). The ring's sizes, each
// partition's inbox head and tail (constant during the pass: only
// finalize and the host move them), and the first {{CACHED_TENANTS}} entries of the
// tenant table (all of it when it fits a workgroup; the host writes it
// only between submissions).
var<workgroup> vy_mwg_sizes: array<u32, vy_RING_WORDS>;
var<workgroup> vy_mwg_head: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_tail: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_enabled: array<u32, {{CACHED_TENANTS}}>;
// Each partition's inbox layout (the host writes it only between
// submissions).
var<workgroup> vy_mwg_base: array<u32, {{PRIORITIES}}>;
var<workgroup> vy_mwg_mask: array<u32, {{PRIORITIES}}>;

// Reads the words above, one per invocation, then meets the workgroup at
// a barrier (every invocation calls it, first).
fn vy_maintain_reads(lid: u32) {
    if (lid < vy_RING_WORDS) {
        vy_mwg_sizes[lid] = atomicLoad(&vy_ctrl[vy_CTRL_SLOTS + lid]);
    }
    if (lid < vy_PRIORITIES) {
        vy_mwg_head[lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_HEAD + lid]);
        vy_mwg_tail[lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAIL + lid]);
        vy_mwg_base[lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_BASE + lid]);
        vy_mwg_mask[lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_MASK + lid]);
    }
    if (lid < {{CACHED_TENANTS}}u) {
        vy_mwg_enabled[lid] = atomicLoad(&vy_ctrl[vy_TENANT_ENABLED + lid]);
    }
    workgroupBarrier();
    vy_set_sizes(vy_mwg_sizes);
}

// Whether tenant `t` (inside the table) is enabled.
fn vy_tenant_enabled(t: u32) -> bool {
    if (t < {{CACHED_TENANTS}}u) {
        return vy_mwg_enabled[t] != 0u;
    }
    return atomicLoad(&vy_ctrl[vy_TENANT_ENABLED + t]) != 0u;
}

// maintain (one invocation per slot): publishes PENDING, fills EMPTY slots
// from the partition's inbox, lists every claimable slot and every slot
// still EMPTY (the free list the spawns take). The slot index is
// gid.y * (groups.x * vy_MAINTAIN_WORKGROUP_SIZE) + gid.x, so the host may
// spread a large ring over a 2D dispatch. Inbox
// tickets and claim-list positions are ranked inside the workgroup in slot
// order and taken from the global counters once per workgroup and
// partition (an empty inbox costs no read-modify-write); the workgroup
// then copies its inbox entries together, word by word, so that
// neighbouring invocations touch neighbouring words. Every invocation
// reaches every barrier (those past the ring do no work).
@compute @workgroup_size(vy_MAINTAIN_WORKGROUP_SIZE)
fn vy_maintain(@builtin(global_invocation_id) vy_gid: vec3<u32>,
               @builtin(num_workgroups) vy_groups: vec3<u32>,
               @builtin(local_invocation_index) vy_lid: u32) {
    vy_maintain_reads(vy_lid);
    let s = vy_gid.y * (vy_groups.x * vy_MAINTAIN_WORKGROUP_SIZE) + vy_gid.x;
    let first_slot = s - vy_lid;
    let valid = s < vy_slots;
    let p = vy_partition_of(min(s, max(vy_slots, 1u) - 1u));
    let base = s * vy_SLOT_WORDS;
    var st = vy_STATUS_FAULT;
    if (valid) {
        st = atomicLoad(&vy_ring[vy_status_word(s)]);
        if (st == vy_STATUS_PENDING) {
            st = vy_STATUS_PUBLISHED;
            atomicStore(&vy_ring[vy_status_word(s)], vy_STATUS_PUBLISHED);
        }
    }
    let head = vy_mwg_head[p];
    let waiting = vy_mwg_tail[p] - head;
    let wants_entry = st == vy_STATUS_EMPTY && waiting != 0u;
    vy_mwg_src[vy_lid] = 0xFFFFFFFFu;
    // Ranks come from workgroup atomics, in no particular order: which slot
    // takes which entry, and the order of the lists, are unobservable
    // (docs/protocol.md), and a rank costs one shared-memory atomic instead
    // of a count over the slots before it.
    var take_rank = 0u;
    if (wants_entry) {
        take_rank = atomicAdd(&vy_mwg_take[p], 1u);
    }
    workgroupBarrier();
    if (vy_lid < vy_PRIORITIES) {
        let n = atomicLoad(&vy_mwg_take[vy_lid]);
        var first = 0xFFFFFFFFu;
        if (n != 0u) {
            let w = vy_mwg_tail[vy_lid] - vy_mwg_head[vy_lid];
            if (atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAKE + vy_lid]) < w) {
                first = atomicAdd(&vy_ctrl[vy_CTRL_INBOX_TAKE + vy_lid], n);
            }
        }
        vy_mwg_take_base[vy_lid] = first;
    }
    workgroupBarrier();
    var src = 0xFFFFFFFFu;
    if (wants_entry) {
        let first = vy_mwg_take_base[p];
        let t = first + take_rank;
        if (first != 0xFFFFFFFFu && t >= first && t < waiting) {
            let at = vy_mwg_base[p] + ((head + t) & vy_mwg_mask[p]);
            src = at * vy_ENTRY_WORDS;
            vy_mwg_src[vy_lid] = src;
            st = vy_STATUS_PUBLISHED;
        }
    }
    workgroupBarrier();
    // Every placed entry, copied by the whole workgroup: entry word k goes
    // to slot word 1 + k (an entry is a slot without its status word).
    // Argument words past the entry keep older values: no handler reads
    // past its own arguments.
    for (var w = vy_lid; w < vy_MAINTAIN_WORKGROUP_SIZE * vy_ENTRY_WORDS;
         w += vy_MAINTAIN_WORKGROUP_SIZE) {
        let j = w / vy_ENTRY_WORDS;
        let entry = vy_mwg_src[j];
        if (entry != 0xFFFFFFFFu) {
            let k = w % vy_ENTRY_WORDS;
            atomicStore(&vy_ring[(first_slot + j) * vy_SLOT_WORDS + vy_SLOT_OPCODE + k], vy_inbox[entry + k]);
        }
    }
    var listed = false;
    if (src != 0xFFFFFFFFu) {
        atomicStore(&vy_ring[vy_status_word(s)], vy_STATUS_PUBLISHED);
    }
    if (st == vy_STATUS_PUBLISHED) {
        // A slot being filled reads its opcode and tenant from the inbox
        // entry, which nothing writes during this pass.
        var opcode = 0u;
        var tenant = 0u;
        var ticket = 0u;
        if (src != 0xFFFFFFFFu) {
            opcode = vy_inbox[src + vy_ENTRY_OPCODE];
            tenant = vy_inbox[src + vy_ENTRY_TENANT];
            ticket = vy_inbox[src + vy_ENTRY_TICKET];
        } else {
            opcode = atomicLoad(&vy_ring[base + vy_SLOT_OPCODE]);
            tenant = atomicLoad(&vy_ring[base + vy_SLOT_TENANT]);
            ticket = atomicLoad(&vy_ring[base + vy_SLOT_TICKET]);
        }
        listed = vy_admit(s, opcode, tenant, ticket, p);
    }
    // A slot left EMPTY goes on its partition's free list, from the end of
    // the partition's span of the claim lists backwards: the next work
    // pass's spawns take them. One round of workgroup atomics ranks the
    // slots of both lists.
    // (Only for a program that spawns: nothing else reads the lists.)
    let free = vy_FREE_LISTS && st == vy_STATUS_EMPTY;
    var rank = 0u;
    if (listed) {
        rank = atomicAdd(&vy_mwg_list[p], 1u);
    }
    if (free) {
        rank = atomicAdd(&vy_mwg_free[p], 1u);
    }
    workgroupBarrier();
    if (vy_lid < vy_PRIORITIES) {
        let n = atomicLoad(&vy_mwg_list[vy_lid]);
        if (n != 0u) {
            vy_mwg_list_base[vy_lid] = atomicAdd(&vy_ctrl[vy_CTRL_LIST_LEN + vy_lid], n);
        }
        let f = atomicLoad(&vy_mwg_free[vy_lid]);
        if (f != 0u) {
            vy_mwg_free_base[vy_lid] = atomicAdd(&vy_ctrl[vy_CTRL_FREE_LEN + vy_lid], f);
        }
    }
    workgroupBarrier();
    if (listed) {
        let k = vy_mwg_list_base[p] + rank;
        atomicStore(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + k], s);
    }
    if (free) {
        let k = vy_mwg_free_base[p] + rank;
        atomicStore(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(p) + vy_part_size(p) - 1u - k], s);
    }
}
