use vyre::prelude::*;

#[opcode]
fn bump(run: &Buffer<Atomic<u32>>, i: u32) {
    run[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        buffers: { run: Atomic<u32>, new: u32 },
        opcodes: [bump],
    }
}

fn main() {}
