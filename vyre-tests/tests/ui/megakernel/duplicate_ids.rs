use vyre::prelude::*;

#[opcode(id = 7)]
fn first(hits: &Buffer<Atomic<u32>>) {
    hits[0].fetch_add(1);
}

#[opcode(id = 7)]
fn second(hits: &Buffer<Atomic<u32>>) {
    hits[1].fetch_add(1);
}

mod a {
    use vyre::prelude::*;

    #[opcode]
    pub fn step(hits: &Buffer<Atomic<u32>>) {
        hits[2].fetch_add(1);
    }
}

mod b {
    use vyre::prelude::*;

    #[opcode]
    pub fn step(hits: &Buffer<Atomic<u32>>) {
        hits[3].fetch_add(1);
    }
}

megakernel! {
    struct Clash {
        buffers: { hits: Atomic<u32> },
        opcodes: [first, second, a::step, b::step],
    }
}

fn main() {}
