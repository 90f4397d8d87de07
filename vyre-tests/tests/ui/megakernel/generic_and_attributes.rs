use vyre::prelude::*;

#[opcode]
fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    /// A counter.
    #[derive(Clone)]
    struct Counter<T> {
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

fn main() {}
