//! Device sets under random use: random sets of CPU devices (the
//! reference interpreter with its seeded interleaving, and the native
//! backend), random or default chunk sizes, and random sequences of publish calls in
//! every form (single tasks, batches, ranges, untyped, pinned to a
//! device) at every priority, with runs in between under round limits
//! that stop devices early. After every run the books balance on every
//! device and over the set, and what was queued is still queued; at the
//! end a run without limits drains everything, and the results equal a
//! model that knows only what was published: every output element from
//! the one task that wrote it, every counter the number of tasks that
//! counted, every priority's executed tasks.
//!
//! Cases: `VYRE_FUZZ_CASES` (default 48); a set with a wgpu device
//! (lavapipe in CI) runs a quarter of them, at least 2.

// The root's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "shared/fuzz_cases.rs"]
mod fuzz_cases;

use fuzz_cases::{cases, runner};

use proptest::prelude::*;
use vyre::prelude::*;
use vyre::RunLimits;

/// Elements of the output buffer; each is written by at most one task.
const OUT: u32 = 4096;
/// Counters of the summed buffer.
const BUCKETS: u32 = 8;

/// `out[i] = i * 3 + 1`.
#[opcode]
pub fn mark(out: &mut Buffer<u32>, i: u32) {
    out[i] = i * 3 + 1;
}

/// `hits[bucket] += 1`.
#[opcode]
pub fn count(hits: &Buffer<Atomic<u32>>, bucket: u32) {
    hits[bucket].fetch_add(1);
}

/// A tree of spawns of `depth` levels: each leaf counts in bucket 0.
#[opcode]
pub fn branch(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, depth: u32) {
    if depth == 0 {
        hits[0].fetch_add(1);
    } else {
        ctx.spawn(Priority::Low, branch::task(depth - 1));
        ctx.spawn(Priority::Low, branch::task(depth - 1));
    }
}

// Each partition (65,536 / 5 slots) holds every task a case can publish
// at one priority (24 calls of at most 300) and every tree it spawns, so
// no spawn is ever refused however the work reaches a device — in chunks,
// or all at once on a set of one device — and the model can count them.
megakernel! {
    /// Every form of work a set moves.
    pub struct Fuzzed {
        slots: 1 << 16,
        buffers: { out: u32, hits: Atomic<u32> },
        opcodes: [mark, count, branch],
    }
}

/// One host call.
#[derive(Debug, Clone)]
enum Call {
    /// `mark` over the next `n` indices, as a range.
    Range(u32, u8),
    /// `mark` over the next `n` indices, as a typed batch.
    Batch(u32, u8),
    /// `count` of buckets `k % BUCKETS` for `k in 0..n`, untyped.
    With(u32, u8),
    /// One `branch` of depth `d`.
    Tree(u32, u8),
    /// One `count(b)` pinned to device `d % devices`.
    Pinned(u32, u8, u8),
    /// A run with at most this many rounds per device run (0: no limit).
    Run(u8),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (1u32..200, 0u8..5).prop_map(|(n, p)| Call::Range(n, p)),
        (1u32..100, 0u8..5).prop_map(|(n, p)| Call::Batch(n, p)),
        (1u32..300, 0u8..5).prop_map(|(n, p)| Call::With(n, p)),
        (0u32..6, 0u8..5).prop_map(|(d, p)| Call::Tree(d, p)),
        (0u32..BUCKETS, 0u8..5, 0u8..4).prop_map(|(b, p, d)| Call::Pinned(b, p, d)),
        (0u8..4).prop_map(Call::Run),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    /// Per device: reference (with this seed) or native (`None`).
    devices: Vec<Option<u64>>,
    /// A fixed chunk size, or the default (guided chunks; a set of one
    /// device then publishes straight into its runtime).
    chunk: Option<u64>,
    calls: Vec<Call>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(prop::option::of(0u64..1000), 1..4),
        prop::option::of(1u64..64),
        prop::collection::vec(call(), 1..24),
    )
        .prop_map(|(devices, chunk, calls)| Case {
            devices,
            chunk,
            calls,
        })
}

/// What the published work must produce.
#[derive(Default)]
struct Model {
    next_index: u32,
    out: Vec<u32>,
    hits: Vec<u32>,
    by_priority: [u64; 5],
    /// Tasks published, and tasks spawned (trees).
    published: u64,
    spawned: u64,
}

fn priority(p: u8) -> Priority {
    Priority::ALL[usize::from(p) % 5]
}

/// Runs `case` on its CPU devices, after `first` when given.
fn exercise(case: &Case, first: Option<&Gpu>) {
    let gpus: Vec<Gpu> = first
        .cloned()
        .into_iter()
        .chain(case.devices.iter().map(|d| match d {
            Some(seed) => Gpu::reference().with_seed(*seed),
            None => Gpu::cpu(),
        }))
        .collect();
    let set = GpuSet::new(gpus).unwrap();
    let program = <Fuzzed as vyre::kernel::Megakernel>::try_program().unwrap();
    let mut builder = MultiRuntime::builder(&set, program)
        .mode("out", BufferMode::Output)
        .mode("hits", BufferMode::Summed);
    if let Some(chunk) = case.chunk {
        builder = builder.chunk(chunk);
    }
    let mut rt = builder.build().unwrap();
    let out = rt.buffer::<u32>("out").unwrap();
    let hits = rt.buffer::<u32>("hits").unwrap();
    rt.upload(&out, &vec![0; OUT as usize]).unwrap();
    rt.upload(&hits, &vec![0; BUCKETS as usize]).unwrap();
    let mut m = Model {
        out: vec![0; OUT as usize],
        hits: vec![0; BUCKETS as usize],
        ..Model::default()
    };
    // Tasks executed per priority over every run.
    let mut ran = [0u64; 5];
    let indices = |m: &mut Model, n: u32| {
        let start = m.next_index.min(OUT);
        let end = (start + n).min(OUT);
        m.next_index = end;
        for i in start..end {
            m.out[i as usize] = i * 3 + 1;
        }
        start..end
    };
    for c in &case.calls {
        match *c {
            Call::Range(n, p) => {
                let r = indices(&mut m, n);
                m.by_priority[priority(p).index()] += u64::from(r.end - r.start);
                m.published += u64::from(r.end - r.start);
                rt.publish_range(priority(p), mark::Op, r, ()).unwrap();
            }
            Call::Batch(n, p) => {
                let r: Vec<u32> = indices(&mut m, n).collect();
                m.by_priority[priority(p).index()] += r.len() as u64;
                m.published += r.len() as u64;
                rt.publish_batch(priority(p), mark::Op, &r).unwrap();
            }
            Call::With(n, p) => {
                for k in 0..n {
                    m.hits[(k % BUCKETS) as usize] += 1;
                }
                m.by_priority[priority(p).index()] += u64::from(n);
                m.published += u64::from(n);
                rt.publish_with(0, priority(p), count::ID, n as usize, |k, w| {
                    w[0] = k as u32 % BUCKETS
                })
                .unwrap();
            }
            Call::Tree(d, p) => {
                m.hits[0] += 1 << d;
                m.published += 1;
                m.spawned += (2u64 << d) - 2;
                m.by_priority[priority(p).index()] += 1;
                m.by_priority[Priority::Low.index()] += (2u64 << d) - 2;
                rt.publish(priority(p), branch::task(d)).unwrap();
            }
            Call::Pinned(b, p, d) => {
                m.hits[b as usize] += 1;
                m.published += 1;
                m.by_priority[priority(p).index()] += 1;
                let device = usize::from(d) % set.len();
                rt.publish_on(device, priority(p), count::task(b)).unwrap();
            }
            Call::Run(max) => {
                let limits = if max == 0 {
                    RunLimits::default()
                } else {
                    RunLimits {
                        max_rounds: u64::from(max),
                        ..RunLimits::default()
                    }
                };
                rt.set_limits(limits).unwrap();
                let before = rt.accounting();
                let report = rt.run().unwrap();
                let after = rt.accounting();
                assert!(after.balanced(), "{after:?}");
                assert_eq!(after.total.published, before.total.published);
                assert_eq!(report.total.waiting, after.total.waiting);
                assert_eq!(
                    report.total.executed,
                    after.total.executed - before.total.executed
                );
                assert!(report.total.faults.is_empty(), "{:?}", report.total.faults);
                for (r, n) in ran.iter_mut().zip(report.total.executed_by_priority) {
                    *r += n;
                }
            }
        }
        assert!(rt.accounting().balanced());
    }
    // Drain.
    rt.set_limits(RunLimits::default()).unwrap();
    let report = rt.run().unwrap();
    for (r, n) in ran.iter_mut().zip(report.total.executed_by_priority) {
        *r += n;
    }
    let books = rt.accounting();
    assert!(books.balanced(), "{books:?}");
    assert_eq!(books.total.waiting, 0, "{books:?}");
    assert_eq!(books.total.faulted, 0);
    assert_eq!(books.total.spawn_overflows, 0);
    assert_eq!(books.total.published, m.published);
    assert_eq!(books.total.spawned, m.spawned);
    assert_eq!(books.total.executed, m.published + m.spawned);
    assert_eq!(rt.read(&out).unwrap(), m.out);
    assert_eq!(rt.read(&hits).unwrap(), m.hits);
    assert_eq!(ran, m.by_priority);
}

#[test]
fn random_work_on_random_sets_is_never_lost_or_run_twice() {
    runner(cases())
        .run(&case(), |case| {
            exercise(&case, None);
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_work_on_sets_with_a_wgpu_device() {
    let Some(gpu) = common::wgpu_backend("multi_fuzz") else {
        return;
    };
    runner((cases() / 4).max(2))
        .run(&case(), |case| {
            exercise(&case, Some(&gpu));
            Ok(())
        })
        .unwrap();
}
