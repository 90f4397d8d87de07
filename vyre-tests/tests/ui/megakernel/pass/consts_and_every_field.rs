//! Every field of megakernel!, constants and expressions included; the
//! generated items are documented and warning-free.

#![deny(missing_docs, warnings, clippy::all)]

use vyre::prelude::*;

const SLOTS: u32 = 1 << 10;
const LOW: u32 = 100;

/// Counts a hit.
#[opcode]
pub fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

/// Copies one value.
#[opcode]
pub fn copy(src: &Buffer<f32>, dst: &mut Buffer<f32>, i: u32) {
    dst[i] = src[i];
}

megakernel! {
    /// Every field, constants and expressions included.
    pub struct Everything {
        workgroup_size: 32,
        slots: SLOTS,
        tenants: 4,
        partitions: [100, 200, SLOTS - 400 - LOW, LOW, 100],
        inbox_capacity: 1 << 8,
        claim_budget: 16,
        iteration_budget: 1 << 12,
        loop_limit: 1000,
        starvation_limit: 0,
        printf_capacity: 64,
        request_slots: 32,
        buffers: { hits: Atomic<u32>, src: f32, dst: f32, unused: i32, },
        opcodes: [bump, self::copy,],
    }
}

megakernel! {
    struct Minimal {
        opcodes: [bump],
        buffers: { hits: Atomic<u32> }
    };
}

fn main() {
    let c = Everything::config();
    assert_eq!(c.slots, 1024);
    assert_eq!(c.partition_sizes, Some([100, 200, 524, 100, 100]));
    // Declared sizes are kept exactly; without them the ring may grow and
    // the backend may choose the dispatch.
    assert!(!c.grow_ring && !c.auto_dispatch);
    assert_eq!(
        Minimal::config(),
        vyre::ProgramConfig {
            grow_ring: true,
            auto_dispatch: true,
            ..vyre::ProgramConfig::default()
        }
    );
    let _ = Minimal::NAME;
}
