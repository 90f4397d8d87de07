use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        buffers: { hits: Atomic<u32> },
        opcodes: [bump, self::bump, bump],
    }
}

fn main() {}
