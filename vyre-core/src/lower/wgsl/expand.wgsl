//! The expand pass (publish_range, and batches whose arguments the host
//! uploaded alone). Placeholders: ENTRY_ARG_STORES (the rest words of a
//! range descriptor into an entry, one statement per argument),
//! BATCH_ARG_STORES (a batch entry's argument words from the batch area).
// expand (dispatched (x, descriptors, 1) before a submission): row y
// writes the entries of descriptor y at inbox positions POSITION + i of
// its partition, walking them with a grid stride: for a range, entry i =
// [opcode, tenant, ticket, first + i, rest..]; for a batch (SOURCE_WORDS =
// n > 0), entry i = [opcode, tenant, ticket, the n words of vy_inbox from
// first + i * n, zeros]. The host has checked that they fit (the inbox holds them between
// the device's head and the new tail) and wrote the batch area, after the
// inboxes, before this pass.
// The row's descriptor and its partition's inbox layout, read once per
// workgroup: 65,535 workgroups of 256 invocations each loading the same
// dozen control words would queue at them (the maintain pass's lesson,
// docs/benchmarks.md).
var<workgroup> vy_xwg_live: u32;
var<workgroup> vy_xwg_range: array<u32, vy_RANGE_WORDS>;
var<workgroup> vy_xwg_base: array<u32, vy_PRIORITIES>;
var<workgroup> vy_xwg_mask: array<u32, vy_PRIORITIES>;

@compute @workgroup_size(vy_EXPAND_WORKGROUP_SIZE)
fn vy_expand(@builtin(global_invocation_id) vy_gid: vec3<u32>,
             @builtin(num_workgroups) vy_groups: vec3<u32>,
             @builtin(local_invocation_index) vy_lid: u32) {
    let r = vy_gid.y;
    let d = vy_RANGES + r * vy_RANGE_WORDS;
    if (vy_lid == 0u) {
        vy_xwg_live = u32(r < min(atomicLoad(&vy_ctrl[vy_CTRL_RANGE_COUNT]), vy_RANGE_SLOTS));
    }
    if (vy_lid < vy_RANGE_WORDS && r < vy_RANGE_SLOTS) {
        vy_xwg_range[vy_lid] = atomicLoad(&vy_ctrl[d + vy_lid]);
    }
    if (vy_lid < vy_PRIORITIES) {
        vy_xwg_base[vy_lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_BASE + vy_lid]);
        vy_xwg_mask[vy_lid] = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_MASK + vy_lid]);
    }
    // A barrier, then the same value in every invocation: the row is
    // live for the whole workgroup or for none of it.
    if (workgroupUniformLoad(&vy_xwg_live) == 0u) {
        return;
    }
    let p = min(vy_xwg_range[vy_RANGE_PARTITION], vy_PRIORITIES - 1u);
    let position = vy_xwg_range[vy_RANGE_POSITION];
    let count = vy_xwg_range[vy_RANGE_COUNT];
    let opcode = vy_xwg_range[vy_RANGE_OPCODE];
    let tenant = vy_xwg_range[vy_RANGE_TENANT];
    let first = vy_xwg_range[vy_RANGE_FIRST];
    let source_words = vy_xwg_range[vy_RANGE_SOURCE_WORDS];
    let ticket = vy_xwg_range[vy_RANGE_TICKET];
    let base = vy_xwg_base[p];
    let mask = vy_xwg_mask[p];
    let stride = vy_groups.x * vy_EXPAND_WORKGROUP_SIZE;
    // Entry i = gid.x + k * stride for k = 0, 1, …: at most count / stride
    // + 1 iterations, set by the host; a driver that cut this loop would
    // leave entries unwritten, so the host keeps each row's share small
    // (see the engine's expand). The counter k, bounded by count, is the
    // loop's bound that needs no naga check: i reaches count first.
    for (var k = 0u; k < count; k++) {
        let i = vy_gid.x + k * stride;
        if (i >= count) {
            break;
        }
        let at = (base + ((position + i) & mask)) * vy_ENTRY_WORDS;
        vy_inbox[at + vy_ENTRY_OPCODE] = opcode;
        vy_inbox[at + vy_ENTRY_TENANT] = tenant;
        vy_inbox[at + vy_ENTRY_TICKET] = ticket;
        if (source_words == 0u) {
            if (vy_ENTRY_ARG0 < vy_ENTRY_WORDS) {
                vy_inbox[at + vy_ENTRY_ARG0] = first + i;
            }
            {{ENTRY_ARG_STORES}}
        } else {
            let src = first + i * source_words;
            {{BATCH_ARG_STORES}}
        }
    }
}
