use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    struct WrongSum {
        slots: 100,
        partitions: [10, 20, 30, 20, 10],
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct DefaultSlots {
        partitions: [1, 1, 1, 1, 1],
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct FourLevels {
        slots: 100,
        partitions: [25, 25, 25, 25],
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    struct EmptyLevel {
        slots: 100,
        partitions: [25, 25, 50, 0, 0],
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
