use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        scheduling: fastest,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
