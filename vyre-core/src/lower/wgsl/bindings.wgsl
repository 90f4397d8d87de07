//! The bindings: ring, control block, then the declared buffers.
//! Placeholders: GROUP, RING_BINDING, CTRL_BINDING (lower/mod.rs),
//! SLOT_WORDS (protocol.rs); BUFFERS, a block of buffer_binding.wgsl, one
//! per declared buffer in order.
// Slots then inboxes, {{SLOT_WORDS}} words per slot or entry.
@group({{GROUP}}) @binding({{RING_BINDING}}) var<storage, read_write> vy_ring: array<atomic<u32>>;
// Counters, tables, claim lists, logs and lane state.
@group({{GROUP}}) @binding({{CTRL_BINDING}}) var<storage, read_write> vy_ctrl: array<atomic<u32>>;
{{BUFFERS}}

