use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        slots: 1.5,
        loop_limit: "many",
        tenants: -1,
        inbox_capacity: 1000,
        claim_budget: 0,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
