//! The API `megakernel!` generates, on the CPU backends.

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
    /// Breadth-first search over a CSR graph.
    pub struct Bfs {
        workgroup_size: 64,
        slots: 1 << 10,
        buffers: { offsets: u32, edges: u32, dist: Atomic<u32> },
        opcodes: [visit],
    }
}

#[test]
fn bfs_on_a_line() {
    let gpu = Gpu::cpu();
    let mut bfs = Bfs::new(&gpu).unwrap();
    assert_eq!(bfs.backend(), BackendKind::Native);
    bfs.offsets().upload(&[0, 1, 2, 3, 3]).unwrap();
    bfs.edges().upload(&[1, 2, 3]).unwrap();
    bfs.dist()
        .upload(&[0, u32::MAX, u32::MAX, u32::MAX])
        .unwrap();
    bfs.publish(Priority::High, visit::task(0, 0)).unwrap();
    let r = bfs.run().unwrap();
    assert_eq!(r.executed, 4);
    assert_eq!(bfs.dist().read().unwrap(), [0, 1, 2, 3]);
}
