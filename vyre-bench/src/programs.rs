//! The megakernel programs of the workloads: the `megakernel!` types of
//! [`super::handlers`] with rings sized per workload, their opcode ids, and
//! the build-cost workload's handlers, made with `HandlerBuilder` at run
//! time (their constants change with every repetition).

use vyre::ir::{
    Access, BlockBuilder, BufferKind, Expr, HandlerBuilder, Intrinsic, ScalarType, Var,
};
use vyre::program::{OpcodeHandler, ProgramConfig, MAX_SLOTS};
use vyre::{Priority, Program};

pub use super::handlers::{BFS_CHUNK, HASH_MUL};
use super::{handlers, Result};

const U32: ScalarType = ScalarType::U32;

/// Opcode of the trivial workload's `bump(i)`.
pub const BUMP: u32 = handlers::bump::ID;
/// Counters of the trivial workload; task `k` adds 1 to `hits[k % HITS]`.
pub const HITS: u32 = 1 << 16;

/// Opcode of the mix workload's handler `k` (`work_k(i, seed)`).
pub const MIX_BASE: u32 = handlers::work0::ID;
/// Hash rounds of the five mix handlers: costs from trivial to heavy.
pub const MIX_COSTS: [u32; 5] = [1, 4, 16, 64, 256];
/// Opcode of the mix program's `heavy(i, seed, cost)`: the hash with a
/// cost given by the task, for uniform work heavier than the five.
pub const HEAVY: u32 = handlers::heavy::ID;
/// Costs of the heavy uniform variants (hash rounds).
pub const HEAVY_COSTS: [u32; 2] = [1024, 4096];

/// Opcode of the priority workload's `job(id)`.
pub const JOB: u32 = handlers::job::ID;

/// Opcode of the BFS workload's `scan(lo, hi, depth)`.
pub const SCAN: u32 = handlers::scan::ID;
/// Distance of an unreached vertex.
pub const UNREACHED: u32 = u32::MAX;

/// A ring where partition `priority` has `big` slots (rounded up to a
/// power of two, at most [`RING_CAP`], so that its inbox takes as many
/// entries) and every other partition `small` slots: a program whose
/// tasks all run at one level needs no slots elsewhere. The inbox capacity equals
/// the big partition, so one submission can fill it.
pub fn ring(priority: Priority, big: u64, small: u32) -> ProgramConfig {
    ring_capped(priority, big, small, RING_CAP)
}

/// Largest partition (and inbox) [`ring`] gives a workload: the largest
/// ring (a little less, for the other partitions). 16M trivial tasks run
/// in 5 rounds instead of 16 (the last a sliver) and take half the GPU time (5.6e10 against
/// 2.7e10 tasks/s on an H100, `docs/benchmarks.md`, session 26).
pub const RING_CAP: u64 = 1 << 22;

/// [`ring`] with the big partition and its inbox capped at `cap` entries
/// instead (the partition a little smaller when the ring would exceed
/// `MAX_SLOTS`).
pub fn ring_capped(priority: Priority, big: u64, small: u32, cap: u64) -> ProgramConfig {
    let inbox = (big.max(1024).next_power_of_two()).min(cap) as u32;
    let big = inbox.min(MAX_SLOTS - 4 * small);
    let mut sizes = [small; 5];
    sizes[priority.index()] = big;
    ProgramConfig {
        slots: sizes.iter().sum(),
        partition_sizes: Some(sizes),
        inbox_capacity: inbox,
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

/// The trivial workload's program ([`handlers::Trivial`]) on `config`.
pub fn trivial(config: ProgramConfig) -> Result<Program> {
    Ok(handlers::Trivial::try_program()?.with_config(config)?)
}

/// The mix workload's program ([`handlers::Mix`]): `work_k(i, seed)` =
/// `out[i] = hash(seed, MIX_COSTS[k])`, and `heavy(i, seed, cost)`.
pub fn mix(config: ProgramConfig) -> Result<Program> {
    Ok(handlers::Mix::try_program()?.with_config(config)?)
}

/// The priority workload's program ([`handlers::PriorityJobs`]).
pub fn priority(config: ProgramConfig) -> Result<Program> {
    Ok(handlers::PriorityJobs::try_program()?.with_config(config)?)
}

/// The BFS workload's program ([`handlers::Bfs`]).
pub fn bfs(config: ProgramConfig) -> Result<Program> {
    Ok(handlers::Bfs::try_program()?.with_config(config)?)
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

/// The Rust source of handler `k` of `n` as a user writes it: the same
/// body as [`build_handler`] under `#[opcode(id = …)]` (the attribute's
/// arguments and the function, as the macro receives them). The build-cost
/// workload times `#[opcode]`'s expansion of these.
pub fn handler_source(k: u32, n: u32, salt: u32) -> (String, String) {
    let key = salt.wrapping_mul(0x85EB_CA6B) ^ k.wrapping_mul(0xC2B2_AE35);
    let next = (k + 1) % n;
    let rounds = 2 + k % 5;
    let attr = format!("id = {:#x}", 0x100 + k);
    let item = format!(
        "/// Handler {k} of the build-cost workload.
        pub fn op{k}(ctx: &Ctx, acc: &Buffer<Atomic<u32>>, out: &mut Buffer<u32>, i: u32, x: u32) {{
            let mut v = x ^ {key:#x};
            for j in 0..{rounds} {{
                v = (v ^ j).wrapping_mul({HASH_MUL:#x});
                v ^= v >> 16;
            }}
            acc[i & 1023].fetch_add(v);
            if v & 7 == 0 {{
                out[i & 1023] = v;
            }} else {{
                out[(i + {k}) & 1023] = v ^ {k};
            }}
            if x > 0 {{
                ctx.spawn(Priority::Low, op{next}::task(i + 1, x - 1));
            }}
        }}"
    );
    (attr, item)
}

/// The `megakernel!` input that assembles handlers `op0..op{n-1}` of
/// [`handler_source`].
pub fn megakernel_source(n: u32) -> String {
    let ops: Vec<String> = (0..n).map(|k| format!("op{k}")).collect();
    format!(
        "/// The build-cost workload's kernel.
        pub struct Build {{
            buffers: {{ acc: Atomic<u32>, out: u32 }},
            opcodes: [{}],
        }}",
        ops.join(", ")
    )
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

    #[test]
    fn handler_sources_expand_without_errors() {
        let tokens = |s: &str| s.parse::<proc_macro2::TokenStream>().unwrap();
        for k in 0..3 {
            let (attr, item) = handler_source(k, 3, 9);
            let out = vyre_expand::opcode(tokens(&attr), tokens(&item)).to_string();
            assert!(!out.contains("compile_error"), "{out}");
            assert!(out.contains(&format!("pub mod op{k}")), "{out}");
        }
        let out = vyre_expand::megakernel(tokens(&megakernel_source(3))).to_string();
        assert!(
            !out.contains("compile_error") && out.contains("Build"),
            "{out}"
        );
        // A broken handler is caught: the check above can fail.
        let bad = vyre_expand::opcode(tokens(""), tokens("fn f(x: u32) { x.unknown() }"));
        assert!(bad.to_string().contains("compile_error"));
    }
}
