//! The bindings: ring, control block, inboxes, then the declared buffers;
//! the indirect dispatch arguments in their own group. Placeholders:
//! GROUP, RING_BINDING, CTRL_BINDING, INBOX_BINDING, INDIRECT_GROUP,
//! INDIRECT_BINDING (lower/mod.rs), SLOT_WORDS, ENTRY_WORDS (protocol.rs,
//! the program); BUFFERS, a block of buffer_binding.wgsl, one per declared
//! buffer in order.
// Slots, {{SLOT_WORDS}} words each.
@group({{GROUP}}) @binding({{RING_BINDING}}) var<storage, read_write> vy_ring: array<atomic<u32>>;
// Counters, tables, claim lists, logs and lane state.
@group({{GROUP}}) @binding({{CTRL_BINDING}}) var<storage, read_write> vy_ctrl: array<atomic<u32>>;
// The five inboxes, {{ENTRY_WORDS}} words per entry; partition p's starts at
// entry INBOX_BASE[p] and holds INBOX_MASK[p] + 1 entries. Plain words: the
// host writes them between submissions, the expand pass before a
// submission, and a submission only reads them.
@group({{GROUP}}) @binding({{INBOX_BINDING}}) var<storage, read_write> vy_inbox: array<u32>;
// The next work and maintain dispatches (indirect), written by finalize.
@group({{INDIRECT_GROUP}}) @binding({{INDIRECT_BINDING}}) var<storage, read_write> vy_indirect: array<u32>;
{{BUFFERS}}
