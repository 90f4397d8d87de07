use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Empty {
        workgroup_size: 0,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct Wide {
        workgroup_size: 512,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
