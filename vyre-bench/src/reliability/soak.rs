//! The soak: trees of tasks spawning into partitions too small for them
//! while the host keeps publishing roots; the handlers' own counters are
//! checked against every report and the books at the end.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use vyre::ir::{Access, BufferKind};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};

use super::{fail, handler, lane_stripe, Failure, STRIPES, U32};

/// Options of [`soak`].
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// Stop publishing once this many tasks were executed or faulted.
    pub tasks: u64,
    /// Stop publishing after this much wall time, whatever the count.
    pub max_time: Duration,
    /// Work workgroups (`None`: the backend's default).
    pub workgroups: Option<u32>,
    /// Ring slots (small, so that trees overflow their partitions).
    pub slots: u32,
    /// Depth of each published tree (a full tree has `2^(depth+1)` tasks
    /// with its leaves).
    pub depth: u32,
    /// Rounds per `run()` call while publishing.
    pub rounds_per_run: u64,
    /// Keep at most this many tasks waiting on the host side.
    pub max_waiting: u64,
    /// Roots published per `run()` call (at most).
    pub roots_per_run: u64,
}

impl SoakOptions {
    /// At least 1e8 tasks on a large GPU.
    pub fn full() -> Self {
        SoakOptions {
            tasks: 100_000_000,
            max_time: Duration::from_secs(240),
            workgroups: None,
            slots: 1 << 14,
            depth: 12,
            rounds_per_run: 512,
            max_waiting: 1 << 12,
            roots_per_run: 1 << 11,
        }
    }

    /// About 1e5 tasks, for a software adapter.
    pub fn quick() -> Self {
        SoakOptions {
            tasks: 100_000,
            max_time: Duration::from_secs(120),
            workgroups: Some(4),
            slots: 320,
            depth: 7,
            rounds_per_run: 64,
            max_waiting: 64,
            roots_per_run: 32,
        }
    }
}

/// One throughput sample: after a `run()` call.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Seconds since the soak started.
    pub at: f64,
    /// Tasks executed or faulted so far.
    pub done: u64,
    /// Tasks per second over this sample's run.
    pub rate: f64,
}

/// What a soak did.
#[derive(Debug, Clone, Default)]
pub struct SoakResult {
    /// Tasks published by the host.
    pub published: u64,
    /// Tasks spawned by the device.
    pub spawned: u64,
    /// Spawns refused: partition full.
    pub overflows: u64,
    /// Tasks executed to completion.
    pub executed: u64,
    /// Tasks faulted (on purpose: one leaf in 1009).
    pub faulted: u64,
    /// `run()` calls.
    pub runs: u64,
    /// Rounds.
    pub rounds: u64,
    /// Wall time.
    pub seconds: f64,
    /// GPU time summed over submissions, where available.
    pub gpu_seconds: Option<f64>,
    /// Longest GPU time of one submission.
    pub longest_submission_gpu: Option<Duration>,
    /// Throughput after each run, thinned to at most ~100 samples.
    pub samples: Vec<Sample>,
}

impl SoakResult {
    /// Tasks executed or faulted.
    pub fn done(&self) -> u64 {
        self.executed + self.faulted
    }

    /// A short summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "soak: {} tasks done ({} executed, {} faulted) = {} published + {} spawned; \
             {} spawn overflows; {} runs, {} rounds, {:.2} s wall, {:.3e} tasks/s",
            self.done(),
            self.executed,
            self.faulted,
            self.published,
            self.spawned,
            self.overflows,
            self.runs,
            self.rounds,
            self.seconds,
            self.done() as f64 / self.seconds.max(1e-9),
        );
        if let Some(g) = self.gpu_seconds {
            let _ = write!(
                s,
                ", {:.2} s GPU ({:.3e} tasks per GPU second)",
                g,
                self.done() as f64 / g.max(1e-9)
            );
        }
        if let Some(l) = self.longest_submission_gpu {
            let _ = write!(
                s,
                ", longest submission {:.3} ms GPU",
                l.as_secs_f64() * 1e3
            );
        }
        s
    }
}

pub(super) const TREE: u32 = 0x51;
pub(super) const LEAF: u32 = 0x52;
/// One leaf in this many faults on purpose.
pub(super) const FAULT_EVERY: u32 = 1009;

/// `tree(depth, salt)`: counts itself, then spawns two `tree(depth - 1)`
/// children (at a priority that cycles with the depth) or, at depth 0, a
/// leaf; counts each spawn as succeeded or overflowed.
fn tree() -> Result<OpcodeHandler, Failure> {
    handler(TREE, "tree", |h| {
        let count = h.buffer("count", U32, Access::Atomic);
        let spawn_ok = h.buffer("spawn_ok", U32, Access::Atomic);
        let spawn_over = h.buffer("spawn_over", U32, Access::Atomic);
        let depth = h.arg("depth", U32);
        let salt = h.arg("salt", U32);
        h.body(|b| {
            let stripe = b.let_("stripe", lane_stripe());
            b.eval(count.fetch_add(stripe, 1u32));
            b.if_else(
                depth.gt(0u32),
                |b| {
                    b.for_range("k", 0u32, 2u32, |b, k| {
                        let ok = b.spawn(depth % 5u32, TREE, vec![depth - 1u32, salt * 2u32 + k]);
                        b.if_else(
                            ok,
                            |b| b.eval(spawn_ok.fetch_add(stripe, 1u32)),
                            |b| b.eval(spawn_over.fetch_add(stripe, 1u32)),
                        );
                    });
                },
                |b| {
                    let ok = b.spawn(Priority::Idle, LEAF, vec![salt.into()]);
                    b.if_else(
                        ok,
                        |b| b.eval(spawn_ok.fetch_add(stripe, 1u32)),
                        |b| b.eval(spawn_over.fetch_add(stripe, 1u32)),
                    );
                },
            );
        });
    })
}

/// `leaf(salt)`: counts itself; one in [`FAULT_EVERY`] faults first.
fn leaf() -> Result<OpcodeHandler, Failure> {
    handler(LEAF, "leaf", |h| {
        let count = h.buffer("count", U32, Access::Atomic);
        let salt = h.arg("salt", U32);
        h.body(|b| {
            b.if_((salt % FAULT_EVERY).equals(0u32), |b| b.fault(salt));
            b.eval(count.fetch_add(lane_stripe() + STRIPES, 1u32));
        });
    })
}

/// The soak's program: `tree` and `leaf` over a ring of `opts.slots`.
pub(super) fn soak_program(opts: &SoakOptions) -> Result<Program, Failure> {
    Program::builder("soak")
        .config(ProgramConfig {
            slots: opts.slots,
            inbox_capacity: 4096,
            ..ProgramConfig::default()
        })
        .buffer("count", BufferKind::atomic(U32))
        .buffer("spawn_ok", BufferKind::atomic(U32))
        .buffer("spawn_over", BufferKind::atomic(U32))
        .opcode(tree()?)
        .opcode(leaf()?)
        .build()
        .map_err(fail)
}

/// Runs the soak on `gpu`; `log` receives progress lines. Fails on the
/// first inexact count.
pub fn soak(
    gpu: &Gpu,
    opts: &SoakOptions,
    log: &mut dyn FnMut(&str),
) -> Result<SoakResult, Failure> {
    let program = soak_program(opts)?;
    let gpu = match opts.workgroups {
        Some(w) => gpu.clone().with_workgroups(w),
        None => gpu.clone(),
    };
    let mut rt = Runtime::new(&gpu, program).map_err(fail)?;
    let count = rt.buffer::<u32>("count").map_err(fail)?;
    let spawn_ok = rt.buffer::<u32>("spawn_ok").map_err(fail)?;
    let spawn_over = rt.buffer::<u32>("spawn_over").map_err(fail)?;
    let zeros = vec![0u32; STRIPES as usize];
    rt.upload(count, &[zeros.clone(), zeros.clone()].concat())
        .map_err(fail)?;
    rt.upload(spawn_ok, &zeros).map_err(fail)?;
    rt.upload(spawn_over, &zeros).map_err(fail)?;
    log(&format!(
        "soak on {} ({} lanes): target {} tasks, trees of depth {}, {} slots",
        rt.adapter(),
        rt.lanes(),
        opts.tasks,
        opts.depth,
        opts.slots
    ));

    let mut res = SoakResult::default();
    let mut gpu_nanos: Option<u128> = None;
    let started = Instant::now();
    let mut salt = 1u32;
    let mut last_log = Instant::now();
    let mut draining = false;
    loop {
        let publishing = !draining && res.done() < opts.tasks && started.elapsed() < opts.max_time;
        if !publishing && !draining {
            draining = true;
            rt.set_limits(RunLimits::default()).map_err(fail)?;
        }
        if publishing {
            rt.set_limits(RunLimits {
                max_rounds: opts.rounds_per_run,
                ..RunLimits::default()
            })
            .map_err(fail)?;
            let waiting = rt.accounting().waiting;
            let roots = opts
                .roots_per_run
                .min(opts.max_waiting.saturating_sub(waiting));
            for i in 0..roots {
                let p = Priority::ALL[(i % 5) as usize];
                salt = salt.wrapping_add(1);
                rt.publish(
                    p,
                    Task::new(TREE, [Literal::U32(opts.depth), Literal::U32(salt)]),
                )
                .map_err(fail)?;
            }
        }
        let t0 = Instant::now();
        let r = rt.run().map_err(fail)?;
        let dt = t0.elapsed().as_secs_f64();
        res.runs += 1;
        res.rounds += r.rounds;
        res.executed += r.executed;
        res.faulted += r.faults.len() as u64;
        res.spawned += r.spawned;
        res.overflows += r.spawn_overflows;
        if let Some(g) = r.gpu_time {
            *gpu_nanos.get_or_insert(0) += g.as_nanos();
        }
        if let Some(l) = r.longest_submission_gpu_time() {
            res.longest_submission_gpu = res.longest_submission_gpu.max(Some(l));
        }
        check_run(&mut rt, &r, [count, spawn_ok, spawn_over])?;
        let books = rt.accounting();
        if !books.balanced() {
            return Err(format!("run {}: books do not balance: {books:?}", res.runs));
        }
        for f in &r.faults {
            if f.opcode != LEAF
                || !matches!(f.kind, FaultKind::User { code } if code % FAULT_EVERY == 0)
            {
                return Err(format!("unexpected fault {f:?}"));
            }
        }
        let done = r.executed + r.faults.len() as u64;
        res.samples.push(Sample {
            at: started.elapsed().as_secs_f64(),
            done: res.done(),
            rate: done as f64 / dt.max(1e-9),
        });
        if last_log.elapsed() >= Duration::from_secs(2) {
            last_log = Instant::now();
            log(&format!(
                "  {:>7.1} s: {:>12} tasks done, {:.3e} tasks/s in the last run, {} overflows so far, waiting {}",
                started.elapsed().as_secs_f64(),
                res.done(),
                done as f64 / dt.max(1e-9),
                res.overflows,
                books.waiting
            ));
        }
        if draining && r.stop == StopReason::Idle {
            break;
        }
    }
    res.seconds = started.elapsed().as_secs_f64();
    res.gpu_seconds = gpu_nanos.map(|n| n as f64 * 1e-9);
    let books = rt.accounting();
    res.published = books.published;
    if books.waiting != 0 || books.parked != 0 {
        return Err(format!("work left after draining: {books:?}"));
    }
    if books.executed + books.faulted != books.published + books.spawned
        || books.executed != res.executed
        || books.faulted != res.faulted
        || books.spawned != res.spawned
        || books.spawn_overflows != res.overflows
    {
        return Err(format!("inexact books at the end: {books:?} vs {res:?}"));
    }
    // Thin the samples for the report.
    let step = (res.samples.len() / 100).max(1);
    res.samples = res.samples.iter().step_by(step).copied().collect();
    Ok(res)
}

/// After one run: the handlers' own counters (executions per opcode,
/// spawns that succeeded or overflowed) equal the report's; then zero them
/// (u32 counters would wrap in a long soak).
fn check_run(
    rt: &mut Runtime,
    r: &RunReport,
    [count, ok, over]: [BufferHandle<u32>; 3],
) -> Result<(), Failure> {
    let sum = |v: &[u32]| v.iter().map(|&x| x as u64).sum::<u64>();
    let c = rt.read(count).map_err(fail)?;
    let (trees, leaves) = c.split_at(STRIPES as usize);
    let got = [
        ("tree executions", sum(trees), r.executed_by(TREE)),
        ("leaf executions", sum(leaves), r.executed_by(LEAF)),
        ("spawns", sum(&rt.read(ok).map_err(fail)?), r.spawned),
        (
            "spawn overflows",
            sum(&rt.read(over).map_err(fail)?),
            r.spawn_overflows,
        ),
    ];
    for (what, buffer, report) in got {
        if buffer != report {
            return Err(format!(
                "{what}: the handlers counted {buffer}, the report says {report}"
            ));
        }
    }
    let zeros = vec![0u32; STRIPES as usize];
    rt.write(count, 0, &[zeros.clone(), zeros.clone()].concat())
        .map_err(fail)?;
    rt.write(ok, 0, &zeros).map_err(fail)?;
    rt.write(over, 0, &zeros).map_err(fail)?;
    Ok(())
}
