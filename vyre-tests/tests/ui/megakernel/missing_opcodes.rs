use vyre::prelude::*;

megakernel! {
    struct Counter {
        buffers: { hits: Atomic<u32> },
    }
}

fn main() {}
