//! The workloads' handlers as users write them: `#[opcode]` functions,
//! assembled by `megakernel!`. The same programs run on the GPU (their IR,
//! lowered to WGSL), on the reference interpreter (the same IR) and on the
//! native backend (these Rust functions), so every backend measures the
//! same work. [`super::programs`] resizes their rings per workload with
//! `Program::with_config`.
//!
//! Each handler has a plain Rust twin in [`super::cpu`] or [`super::graph`]
//! and a WGSL twin in [`super::baselines`]; all must compute the same words.

use vyre::prelude::*;

/// The multiplier of the hash round (the golden ratio, 2^32 / φ).
pub const HASH_MUL: u32 = 0x9E37_79B9;
/// Hash rounds of one `job`: enough that a flood of them takes rounds.
pub const JOB_COST: u32 = 64;
/// Edges per `scan` task: a vertex of degree `d` becomes `ceil(d / 256)`
/// tasks, so hub vertices are spread over many lanes.
pub const BFS_CHUNK: u32 = 256;

/// `x = ((x ^ j) * HASH_MUL) ^ (… >> 16)` for `j in 0..cost`: the unit of
/// work of the mix and priority workloads.
#[device]
pub fn hash(seed: u32, cost: u32) -> u32 {
    let mut x = seed;
    for j in 0..cost {
        x = (x ^ j).wrapping_mul(HASH_MUL);
        x ^= x >> 16;
    }
    x
}

/// `hits[i] += 1`: one atomic add, the cheapest useful task.
#[opcode(id = 0x10)]
pub fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

megakernel! {
    /// Workload 1: one trivial opcode.
    pub struct Trivial {
        buffers: { hits: Atomic<u32> },
        opcodes: [bump],
    }
}

/// Mix handler 0: one hash round.
#[opcode(id = 0x20)]
pub fn work0(out: &mut Buffer<u32>, i: u32, seed: u32) {
    out[i] = hash(seed, 1);
}

/// Mix handler 1: four hash rounds.
#[opcode(id = 0x21)]
pub fn work1(out: &mut Buffer<u32>, i: u32, seed: u32) {
    out[i] = hash(seed, 4);
}

/// Mix handler 2: sixteen hash rounds.
#[opcode(id = 0x22)]
pub fn work2(out: &mut Buffer<u32>, i: u32, seed: u32) {
    out[i] = hash(seed, 16);
}

/// Mix handler 3: 64 hash rounds.
#[opcode(id = 0x23)]
pub fn work3(out: &mut Buffer<u32>, i: u32, seed: u32) {
    out[i] = hash(seed, 64);
}

/// Mix handler 4: 256 hash rounds.
#[opcode(id = 0x24)]
pub fn work4(out: &mut Buffer<u32>, i: u32, seed: u32) {
    out[i] = hash(seed, 256);
}

/// The hash with a cost given by the task, for uniform work heavier than
/// the five.
#[opcode(id = 0x25)]
pub fn heavy(out: &mut Buffer<u32>, i: u32, seed: u32, cost: u32) {
    out[i] = hash(seed, cost);
}

megakernel! {
    /// Workload 2: five opcodes of different costs, and a heavy one.
    pub struct Mix {
        buffers: { out: u32 },
        opcodes: [work0, work1, work2, work3, work4, heavy],
    }
}

megakernel! {
    /// The heavy handler alone (a probe: does the code of the other
    /// handlers slow it down?).
    pub struct HeavyAlone {
        buffers: { out: u32 },
        opcodes: [heavy],
    }
}

/// `JOB_COST` hash rounds, then records when it finished: `order[id]` = its
/// position among all completions (a ticket), `round_of[id]` = the host's
/// round counter `epoch[0]`.
#[opcode(id = 0x30)]
pub fn job(
    seq: &Buffer<Atomic<u32>>,
    order: &mut Buffer<u32>,
    round_of: &mut Buffer<u32>,
    epoch: &Buffer<u32>,
    sink: &mut Buffer<u32>,
    id: u32,
) {
    sink[id] = hash(id, JOB_COST);
    let at = seq[0].fetch_add(1);
    order[id] = at;
    round_of[id] = epoch[0];
}

megakernel! {
    /// Workload 3: priority latency.
    pub struct PriorityJobs {
        buffers: { seq: Atomic<u32>, order: u32, round_of: u32, epoch: u32, sink: u32 },
        opcodes: [job],
    }
}

/// Relaxes edges `lo..hi` to `depth + 1`; a vertex whose distance drops is
/// discovered, and its adjacency is spawned as `scan` tasks of at most
/// [`BFS_CHUNK`] edges (HIGH priority, runnable next round).
/// Label-correcting: `fetch_min` keeps every distance exact whatever the
/// order.
#[opcode(id = 0x40)]
pub fn scan(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    lo: u32,
    hi: u32,
    depth: u32,
) {
    let nd = depth + 1;
    for e in lo..hi {
        let v = edges[e];
        if dist[v].fetch_min(nd) > nd {
            let end = offsets[v + 1];
            let mut c = offsets[v];
            while c < end {
                let next = (c + BFS_CHUNK).min(end);
                ctx.spawn(Priority::High, scan::task(c, next, nd));
                c = next;
            }
        }
    }
}

megakernel! {
    /// Workload 4: label-correcting BFS.
    pub struct Bfs {
        buffers: { offsets: u32, edges: u32, dist: Atomic<u32> },
        opcodes: [scan],
    }
}

/// Rows of an N-queens task from which it solves its subtree itself
/// instead of spawning a task per queen: below it, subtrees are small
/// enough for one lane.
pub const QUEENS_SPAWN_ROWS: u32 = 5;

/// N-queens from a partial board: `row` queens placed, `cols` the
/// columns they hold, `left` and `right` the diagonals they attack on
/// this row (bit masks over `n` columns). Above [`QUEENS_SPAWN_ROWS`]
/// each free column becomes a spawned task (HIGH, so the tree grows on
/// the device that holds its root); from there the lane walks the rest
/// of the board depth first with a stack of its own and adds the
/// solutions it finds.
#[opcode(id = 0x50)]
pub fn queens(
    ctx: &Ctx,
    solutions: &Buffer<Atomic<u32>>,
    n: u32,
    row: u32,
    cols: u32,
    left: u32,
    right: u32,
) {
    let all = (1u32 << n) - 1;
    if row >= n {
        solutions[0].fetch_add(1);
    } else if row < QUEENS_SPAWN_ROWS {
        let mut free = all & !(cols | left | right);
        while free != 0 {
            let bit = free & (!free).wrapping_add(1);
            free ^= bit;
            ctx.spawn(
                Priority::High,
                queens::task(
                    n,
                    row + 1,
                    cols | bit,
                    ((left | bit) << 1) & all,
                    (right | bit) >> 1,
                ),
            );
        }
    } else {
        let remaining = n - row;
        let mut free = [0u32; 16];
        let mut cs = [0u32; 16];
        let mut ls = [0u32; 16];
        let mut rs = [0u32; 16];
        cs[0] = cols;
        ls[0] = left;
        rs[0] = right;
        free[0] = all & !(cols | left | right);
        let mut depth = 0u32;
        let mut found = 0u32;
        let mut walking = true;
        while walking {
            let f = free[depth as usize];
            if f == 0 {
                if depth == 0 {
                    walking = false;
                } else {
                    depth -= 1;
                }
            } else {
                let bit = f & (!f).wrapping_add(1);
                free[depth as usize] = f ^ bit;
                if depth + 1 == remaining {
                    found += 1;
                } else {
                    let c = cs[depth as usize] | bit;
                    let l = ((ls[depth as usize] | bit) << 1) & all;
                    let r = (rs[depth as usize] | bit) >> 1;
                    depth += 1;
                    cs[depth as usize] = c;
                    ls[depth as usize] = l;
                    rs[depth as usize] = r;
                    free[depth as usize] = all & !(c | l | r);
                }
            }
        }
        if found != 0 {
            solutions[0].fetch_add(found);
        }
    }
}

// HIGH holds the spawned frontier of N-queens (the boards of row
// `QUEENS_SPAWN_ROWS` for n = 16 are about 150,000) and NORMAL streams the
// hash tasks.
megakernel! {
    /// Issue 19's scaling run: the 1,024-round hash into an output
    /// buffer, and N-queens by spawned tasks.
    pub struct Scale {
        slots: 1 << 19,
        partitions: [1024, 393216, 128000, 1024, 1024],
        buffers: { out: u32, solutions: Atomic<u32> },
        opcodes: [heavy, queens],
    }
}
