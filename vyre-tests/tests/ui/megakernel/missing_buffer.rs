use vyre::prelude::*;

/// Relax one vertex of a breadth-first search.
#[opcode(id = 0x100)]
pub fn visit(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    node: u32,
    depth: u32,
) {
    for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1 {
            ctx.spawn(Priority::High, visit::task(next, depth + 1));
        }
    }
}

megakernel! {
    pub struct Bfs {
        buffers: { offsets: u32, dist: Atomic<u32> },
        opcodes: [visit],
    }
}

fn main() {}
