use vyre::prelude::*;

#[opcode]
fn relax(dist: &mut Buffer<u32>, node: u32, depth: u32) {
    if depth < dist[node] {
        dist[node] = depth;
    }
}

#[opcode]
fn count(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

#[opcode]
fn scale(values: &mut Buffer<f32>, i: u32) {
    values[i] *= 2.0;
}

megakernel! {
    pub struct Mixed {
        buffers: { dist: Atomic<u32>, hits: u32, values: i32 },
        opcodes: [relax, count, scale],
    }
}

fn main() {}
