use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Tiny {
        slots: 4,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct Huge {
        slots: 1 << 23,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct Overflow {
        slots: 1 << 40,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
