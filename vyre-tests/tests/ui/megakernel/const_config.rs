use vyre::prelude::*;

const SLOTS: u32 = 3;
const INBOX: u32 = 1000;
const WIDE: u32 = 1024;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct Counter {
        slots: SLOTS,
        inbox_capacity: INBOX,
        workgroup_size: WIDE / 2,
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
