use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        buffers: {
            hits: Atomic<u32>,
            sums: Atomic<f32>,
            wide: Atomic<u64>,
            flags: bool,
            list: Vec<u32>,
            bytes: u8,
        },
        opcodes: [bump],
    }
}

fn main() {}
