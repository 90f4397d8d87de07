//! The megakernel programs of the workloads, built with `HandlerBuilder`
//! (the `#[opcode]` macros are not on this branch). Each handler has a
//! plain Rust twin in [`super::cpu`] or [`super::graph`] and a WGSL twin
//! in [`super::baselines`]; the three must compute the same words.

use vyre::ir::{
    Access, BlockBuilder, BufferKind, Expr, HandlerBuilder, Intrinsic, ScalarType, Var,
};
use vyre::program::{OpcodeHandler, ProgramConfig};
use vyre::{Priority, Program};

use super::Result;

const U32: ScalarType = ScalarType::U32;

/// Opcode of the trivial workload's `bump(i)`.
pub const BUMP: u32 = 0x10;
/// Counters of the trivial workload; task `k` adds 1 to `hits[k % HITS]`.
pub const HITS: u32 = 1 << 16;

/// Opcode of the mix workload's handler `k` (`work_k(i, seed)`).
pub const MIX_BASE: u32 = 0x20;
/// Hash rounds of the five mix handlers: costs from trivial to heavy.
pub const MIX_COSTS: [u32; 5] = [1, 4, 16, 64, 256];
/// Opcode of the mix program's `heavy(i, seed, cost)`: the hash with a
/// cost given by the task, for uniform work heavier than the five.
pub const HEAVY: u32 = MIX_BASE + 5;
/// Costs of the heavy uniform variants (hash rounds).
pub const HEAVY_COSTS: [u32; 2] = [1024, 4096];
/// The multiplier of the hash round (the golden ratio, 2^32 / φ).
pub const HASH_MUL: u32 = 0x9E37_79B9;

/// Opcode of the priority workload's `job(id)`.
pub const JOB: u32 = 0x30;
/// Hash rounds of one `job`: enough that a flood of them takes rounds.
pub const JOB_COST: u32 = 64;

/// Opcode of the BFS workload's `scan(lo, hi, depth)`.
pub const SCAN: u32 = 0x40;
/// Edges per `scan` task: a vertex of degree `d` becomes `ceil(d / 256)`
/// tasks, so hub vertices are spread over many lanes.
pub const BFS_CHUNK: u32 = 256;
/// Distance of an unreached vertex.
pub const UNREACHED: u32 = u32::MAX;

/// A ring where partition `priority` has `big` slots (rounded up to a
/// power of two, at most 2^20, so that its inbox takes as many entries)
/// and every other partition `small` slots: a program whose tasks all
/// run at one level needs no slots elsewhere. The inbox capacity equals
/// the big partition, so one submission can fill it.
pub fn ring(priority: Priority, big: u64, small: u32) -> ProgramConfig {
    let big = (big.max(1024).next_power_of_two()).min(1 << 20) as u32;
    let mut sizes = [small; 5];
    sizes[priority.index()] = big;
    ProgramConfig {
        slots: sizes.iter().sum(),
        partition_sizes: Some(sizes),
        inbox_capacity: big,
        ..ProgramConfig::default()
    }
}

/// `x = ((x ^ j) * HASH_MUL) ^ (... >> 16)` for `j in 0..cost`: the unit
/// of work of the mix, priority and build workloads.
pub fn hash_rounds(b: &mut BlockBuilder<'_>, x: Var, cost: impl Into<Expr>) {
    b.for_range("j", 0u32, cost, |b, j| {
        b.assign(
            x,
            (x ^ j).call(Intrinsic::WrappingMul, vec![HASH_MUL.into()]),
        );
        b.assign(x, x ^ (x >> 16u32));
    });
}

/// The Rust twin of [`hash_rounds`].
pub fn hash(seed: u32, cost: u32) -> u32 {
    let mut x = seed;
    for j in 0..cost {
        x = (x ^ j).wrapping_mul(HASH_MUL);
        x ^= x >> 16;
    }
    x
}

/// `bump(i)`: `hits[i].fetch_add(1)` — one atomic add, the cheapest
/// useful task.
pub fn trivial(config: ProgramConfig) -> Result<Program> {
    let mut h = HandlerBuilder::new(BUMP, "bump");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let i = h.arg("i", U32);
    h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    Ok(Program::builder("trivial")
        .config(config)
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(h.finish()?)
        .build()?)
}

/// Five handlers `work_k(i, seed)`: `out[i] = hash(seed, MIX_COSTS[k])`,
/// and `heavy(i, seed, cost)`: `out[i] = hash(seed, cost)`.
pub fn mix(config: ProgramConfig) -> Result<Program> {
    let mut builder = Program::builder("mix")
        .config(config)
        .buffer("out", BufferKind::plain(U32));
    for (k, cost) in MIX_COSTS.into_iter().enumerate() {
        let mut h = HandlerBuilder::new(MIX_BASE + k as u32, format!("work{k}"));
        let out = h.buffer("out", U32, Access::ReadWrite);
        let i = h.arg("i", U32);
        let seed = h.arg("seed", U32);
        h.body(|b| {
            let x = b.let_mut("x", seed);
            hash_rounds(b, x, cost);
            b.store(out, i, x);
        });
        builder = builder.opcode(h.finish()?);
    }
    let mut h = HandlerBuilder::new(HEAVY, "heavy");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    let seed = h.arg("seed", U32);
    let cost = h.arg("cost", U32);
    h.body(|b| {
        let x = b.let_mut("x", seed);
        hash_rounds(b, x, cost);
        b.store(out, i, x);
    });
    Ok(builder.opcode(h.finish()?).build()?)
}

/// `job(id)`: `JOB_COST` hash rounds, then records when it finished:
/// `order[id]` = its position among all completions (a ticket),
/// `round_of[id]` = the host's round counter `epoch[0]`.
pub fn priority(config: ProgramConfig) -> Result<Program> {
    let mut h = HandlerBuilder::new(JOB, "job");
    let seq = h.buffer("seq", U32, Access::Atomic);
    let order = h.buffer("order", U32, Access::ReadWrite);
    let round_of = h.buffer("round_of", U32, Access::ReadWrite);
    let epoch = h.buffer("epoch", U32, Access::Read);
    let sink = h.buffer("sink", U32, Access::ReadWrite);
    let id = h.arg("id", U32);
    h.body(|b| {
        let x = b.let_mut("x", id);
        hash_rounds(b, x, JOB_COST);
        b.store(sink, id, x);
        let at = b.let_("at", seq.fetch_add(0u32, 1u32));
        b.store(order, id, at);
        b.store(round_of, id, epoch.at(0u32));
    });
    Ok(Program::builder("priority")
        .config(config)
        .buffer("seq", BufferKind::atomic(U32))
        .buffer("order", BufferKind::plain(U32))
        .buffer("round_of", BufferKind::plain(U32))
        .buffer("epoch", BufferKind::plain(U32))
        .buffer("sink", BufferKind::plain(U32))
        .opcode(h.finish()?)
        .build()?)
}

/// `scan(lo, hi, depth)`: relaxes edges `lo..hi` to `depth + 1`; a vertex
/// whose distance drops is discovered, and its adjacency is spawned as
/// `scan` tasks of at most [`BFS_CHUNK`] edges (HIGH priority, runnable
/// next round). Label-correcting: `fetch_min` keeps every distance
/// exact whatever the order.
pub fn bfs(config: ProgramConfig) -> Result<Program> {
    let mut h = HandlerBuilder::new(SCAN, "scan");
    let offsets = h.buffer("offsets", U32, Access::Read);
    let edges = h.buffer("edges", U32, Access::Read);
    let dist = h.buffer("dist", U32, Access::Atomic);
    let lo = h.arg("lo", U32);
    let hi = h.arg("hi", U32);
    let depth = h.arg("depth", U32);
    h.body(|b| {
        let nd = b.let_("nd", depth + 1u32);
        b.for_range("e", lo, hi, |b, e| {
            let v = b.let_("v", edges.at(e));
            b.if_(dist.fetch_min(v, nd).gt(nd), |b| {
                let end = b.let_("end", offsets.at(v + 1u32));
                let c = b.let_mut("c", offsets.at(v));
                b.while_(c.lt(end), |b| {
                    let next = b.let_("next", (c + BFS_CHUNK).min(end));
                    b.spawn(Priority::High, SCAN, vec![c.into(), next.into(), nd.into()]);
                    b.assign(c, next);
                });
            });
        });
    });
    Ok(Program::builder("bfs")
        .config(config)
        .buffer("offsets", BufferKind::plain(U32))
        .buffer("edges", BufferKind::plain(U32))
        .buffer("dist", BufferKind::atomic(U32))
        .opcode(h.finish()?)
        .build()?)
}

/// Handler `k` of `n` for the build-cost workload: a hash loop, an
/// atomic, a branchy store and a spawn of the next handler — a small,
/// realistic body. `salt` changes its constants, so that every
/// repetition compiles WGSL (and SPIR-V) the driver has never seen.
pub fn build_handler(k: u32, n: u32, salt: u32) -> Result<OpcodeHandler> {
    let mut h = HandlerBuilder::new(0x100 + k, format!("op{k}"));
    let acc = h.buffer("acc", U32, Access::Atomic);
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    let x = h.arg("x", U32);
    let key = salt.wrapping_mul(0x85EB_CA6B) ^ k.wrapping_mul(0xC2B2_AE35);
    h.body(|b| {
        let v = b.let_mut("v", x ^ key);
        hash_rounds(b, v, 2 + k % 5);
        b.eval(acc.fetch_add(i & 1023u32, v));
        b.if_else(
            (v & 7u32).equals(0u32),
            |b| b.store(out, i & 1023u32, v),
            |b| b.store(out, (i + k) & 1023u32, v ^ k),
        );
        b.if_(x.gt(0u32), |b| {
            b.spawn(Priority::Low, 0x100 + (k + 1) % n, vec![i + 1u32, x - 1u32]);
        });
    });
    Ok(h.finish()?)
}

/// Assembles the build-cost program from `handlers`.
pub fn build_program(handlers: Vec<OpcodeHandler>) -> Result<Program> {
    let mut builder = Program::builder("build")
        .buffer("acc", BufferKind::atomic(U32))
        .buffer("out", BufferKind::plain(U32));
    for h in handlers {
        builder = builder.opcode(h);
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_assemble_and_lower() {
        let c = ring(Priority::Normal, 1000, 16);
        assert_eq!(c.partition_sizes, Some([16, 16, 1024, 16, 16]));
        for p in [
            trivial(c.clone()).unwrap(),
            mix(c.clone()).unwrap(),
            priority(c.clone()).unwrap(),
            bfs(c).unwrap(),
        ] {
            assert!(p.wgsl().contains("fn vy_work"));
        }
        let hs: Vec<_> = (0..3).map(|k| build_handler(k, 3, 9).unwrap()).collect();
        assert_eq!(build_program(hs).unwrap().handlers().len(), 3);
        assert_eq!(hash(1, 0), 1);
        assert_ne!(hash(1, 1), hash(2, 1));
    }
}
