//! The reliability workloads, shared by the `reliability` binary
//! (`src/bin/reliability.rs`) and the smoke test
//! `tests/reliability_smoke.rs`:
//!
//! - [`storm`]: adversarial handlers — endless loops in every lane, storms
//!   of out-of-bounds faults, spawn storms far beyond partition capacity
//!   and spawns in a loop into a full partition — run one round per
//!   submission (`RunLimits::max_rounds_per_submission: 1`), reporting the
//!   longest single submission's GPU time: the longest the scheduler ever
//!   holds the device.
//! - [`soak`]: trees of tasks that spawn two children until a depth, into
//!   partitions too small for them (sustained spawn overflow), while the
//!   host keeps publishing new roots; checks after every `run()` that the
//!   per-opcode counters the handlers keep in buffers equal the report's
//!   counts, and at the end that the books are exact.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use vyre::ir::{Access, BufferKind, CtxValue, Expr, HandlerBuilder, Intrinsic, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};

const U32: ScalarType = ScalarType::U32;

/// A failure of a workload: what went wrong, in words.
pub type Failure = String;

fn fail(e: impl std::fmt::Display) -> Failure {
    e.to_string()
}

/// Counters are striped over this many words by lane, so that millions of
/// lanes do not all hit one atomic.
pub const STRIPES: u32 = 256;

fn lane_stripe() -> Expr {
    vyre::ir::ctx(CtxValue::Lane) & (STRIPES - 1)
}

// ---- storm ---------------------------------------------------------------

/// Options of [`storm`].
#[derive(Debug, Clone)]
pub struct StormOptions {
    /// Work workgroups (`None`: the backend's default).
    pub workgroups: Option<u32>,
    /// The configuration every scenario starts from (the defaults measure
    /// what users get).
    pub config: ProgramConfig,
    /// Tasks per scenario, as a multiple of the lane count.
    pub tasks_per_lane: u32,
    /// Children each `flood` task tries to spawn.
    pub flood_fan: u32,
    /// Rounds a flood (which never ends by itself) is given.
    pub flood_rounds: u64,
    /// Wall-time limit of each scenario.
    pub time_limit: Duration,
}

impl StormOptions {
    /// Full size: the default configuration and lane count.
    pub fn full() -> Self {
        StormOptions {
            workgroups: None,
            config: ProgramConfig::default(),
            tasks_per_lane: 4,
            flood_fan: 64,
            flood_rounds: 64,
            time_limit: Duration::from_secs(20),
        }
    }

    /// Small enough for the reference interpreter and for lavapipe, whose
    /// shader loops stop silently after 65,535 iterations per invocation
    /// (`docs/reliability.md`): every lane's loops stay well below that.
    pub fn quick() -> Self {
        StormOptions {
            workgroups: Some(2),
            config: ProgramConfig {
                slots: 160,
                loop_limit: 256,
                iteration_budget: 512,
                ..ProgramConfig::default()
            },
            tasks_per_lane: 2,
            flood_fan: 16,
            flood_rounds: 32,
            time_limit: Duration::from_secs(60),
        }
    }
}

/// What one storm scenario did.
#[derive(Debug, Clone)]
pub struct StormResult {
    /// Scenario name.
    pub name: &'static str,
    /// Tasks published.
    pub published: u64,
    /// Tasks executed to completion.
    pub executed: u64,
    /// Faulted tasks.
    pub faulted: u64,
    /// Spawns that became tasks.
    pub spawned: u64,
    /// Spawns refused: partition full.
    pub overflows: u64,
    /// Submissions (= rounds here).
    pub submissions: u64,
    /// Longest GPU time of one submission.
    pub longest_gpu: Option<Duration>,
    /// Median GPU time of one submission.
    pub median_gpu: Option<Duration>,
    /// Longest wall time of one submission (submit to summary back).
    pub longest_wall: Duration,
    /// Wall time of the scenario.
    pub wall: Duration,
    /// What did not match the scenario's exact expectations (empty: all
    /// did, and the books balanced).
    pub problems: Vec<String>,
}

impl StormResult {
    /// One line for humans.
    pub fn line(&self) -> String {
        let ms = |d: Option<Duration>| {
            d.map_or("n/a".into(), |d| format!("{:.3} ms", d.as_secs_f64() * 1e3))
        };
        format!(
            "{:<16} published {:>8} executed {:>8} faulted {:>8} spawned {:>9} overflows {:>11} \
             submissions {:>5}  longest GPU {:>10}  median GPU {:>10}  longest wall {:>10}  \
             total {:.2} s  {}",
            self.name,
            self.published,
            self.executed,
            self.faulted,
            self.spawned,
            self.overflows,
            self.submissions,
            ms(self.longest_gpu),
            ms(self.median_gpu),
            ms(Some(self.longest_wall)),
            self.wall.as_secs_f64(),
            if self.problems.is_empty() {
                "exact".to_string()
            } else {
                format!("WRONG: {}", self.problems.join("; "))
            },
        )
    }
}

fn handler(
    id: u32,
    name: &str,
    f: impl FnOnce(&mut HandlerBuilder),
) -> Result<OpcodeHandler, Failure> {
    let mut h = HandlerBuilder::new(id, name);
    f(&mut h);
    h.finish().map_err(fail)
}

const SPIN: u32 = 1;
const OOB: u32 = 2;
const FLOOD: u32 = 3;
const HAMMER: u32 = 4;
const PARKED: u32 = 5;

/// `spin(x)`: a hash loop that never ends, storing every step: every lane
/// that runs it spends the whole loop limit, then faults.
fn spin() -> Result<OpcodeHandler, Failure> {
    handler(SPIN, "spin", |h| {
        let sink = h.buffer("sink", U32, Access::ReadWrite);
        let x = h.arg("x", U32);
        h.body(|b| {
            let acc = b.let_mut("acc", x);
            b.loop_(|b| {
                b.assign(
                    acc,
                    (acc ^ (acc >> 15u32))
                        .call(Intrinsic::WrappingMul, vec![0x2C1B_3C6Du32.into()]),
                );
                b.store(sink, acc & 1023u32, acc);
            });
        });
    })
}

/// `oob(i)`: stores out of bounds at once (the buffer is empty).
fn oob() -> Result<OpcodeHandler, Failure> {
    handler(OOB, "oob", |h| {
        let empty = h.buffer("empty", U32, Access::ReadWrite);
        let i = h.arg("i", U32);
        h.body(|b| b.store(empty, i, i));
    })
}

/// `flood(n)`: spawns `n` copies of itself into the other of NORMAL and
/// LOW (a partition whose tasks are running has no EMPTY slot until the
/// next maintenance pass): each round fills one partition and nearly
/// every spawn overflows, round after round.
fn flood() -> Result<OpcodeHandler, Failure> {
    handler(FLOOD, "flood", |h| {
        let n = h.arg("n", U32);
        h.body(|b| {
            // NORMAL (2) <-> LOW (3).
            let next = b.let_("next", Expr::from(5u32) - vyre::ir::ctx(CtxValue::Priority));
            b.for_range("k", 0u32, n, |b, _| {
                b.spawn(next, FLOOD, vec![n.into()]);
            });
        });
    })
}

/// `hammer()`: spawns in an endless loop into NORMAL (full of parked
/// tasks): every iteration's spawn overflows, until the loop limit.
fn hammer() -> Result<OpcodeHandler, Failure> {
    handler(HAMMER, "hammer", |h| {
        h.body(|b| {
            b.loop_(|b| {
                b.spawn(Priority::Normal, PARKED, vec![]);
            });
        });
    })
}

/// `parked()`: never runs: its tenant is disabled.
fn parked() -> Result<OpcodeHandler, Failure> {
    handler(PARKED, "parked", |h| {
        h.body(|_| {});
    })
}

fn storm_program(config: &ProgramConfig) -> Result<Program, Failure> {
    Program::builder("storm")
        .config(ProgramConfig {
            tenants: 2,
            ..config.clone()
        })
        .buffer("sink", BufferKind::plain(U32))
        .buffer("empty", BufferKind::plain(U32))
        .opcode(spin()?)
        .opcode(oob()?)
        .opcode(flood()?)
        .opcode(hammer()?)
        .opcode(parked()?)
        .build()
        .map_err(fail)
}

/// The storm scenarios, in order.
pub const SCENARIOS: [&str; 5] = [
    "loop-limit",
    "oob-storm",
    "spawn-flood",
    "spawn-loop-full",
    "mixed",
];

/// Runs every storm scenario on `gpu`, one round per submission; `log`
/// receives one line per scenario. Each scenario's counts are checked
/// exactly (see [`StormResult::problems`]).
pub fn storm(
    gpu: &Gpu,
    opts: &StormOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<StormResult>, Failure> {
    let program = storm_program(&opts.config)?;
    let gpu = match opts.workgroups {
        Some(w) => gpu.clone().with_workgroups(w),
        None => gpu.clone(),
    };
    let config = program.config().clone();
    let normal = config.partitions()[Priority::Normal.index()].1 as u64;
    let limit = config.loop_limit as u64;
    let fan = opts.flood_fan;
    // Warm up: the first submission of a pipeline may include driver
    // compilation (lavapipe compiles on first use).
    Runtime::new(&gpu, program.clone())
        .and_then(|mut rt| rt.run())
        .map_err(fail)?;
    let mut out = Vec::new();
    for name in SCENARIOS {
        let mut rt = Runtime::new(&gpu, program.clone()).map_err(fail)?;
        let tasks = rt.lanes() as u64 * opts.tasks_per_lane as u64;
        let sink = rt.buffer::<u32>("sink").map_err(fail)?;
        rt.upload(sink, &vec![0; 1024]).map_err(fail)?;
        let spin_t = |i: u64| Task::new(SPIN, [Literal::U32(i as u32)]);
        let oob_t = |i: u64| Task::new(OOB, [Literal::U32(i as u32)]);
        let flood_t = || Task::new(FLOOD, [Literal::U32(fan)]);
        let hammer_t = || Task::new(HAMMER, []);
        // Tenant 1 is disabled: its tasks fill NORMAL and stay parked.
        let fill_normal = |rt: &mut Runtime| -> Result<(), Failure> {
            rt.disable_tenant(1).map_err(fail)?;
            for _ in 0..normal {
                rt.publish_for(1, Priority::Normal, Task::new(PARKED, []))
                    .map_err(fail)?;
            }
            Ok(())
        };
        // (published spins, oobs, floods, hammers)
        let mut n = [0u64; 4];
        let mut publish = |rt: &mut Runtime, kind: usize, i: u64| -> Result<(), Failure> {
            let (p, t) = match kind {
                0 => (Priority::Critical, spin_t(i)),
                1 => (Priority::High, oob_t(i)),
                2 => (Priority::Low, flood_t()),
                _ => (Priority::High, hammer_t()),
            };
            n[kind] += 1;
            rt.publish(p, t).map_err(fail)
        };
        match name {
            "loop-limit" => (0..tasks).try_for_each(|i| publish(&mut rt, 0, i))?,
            "oob-storm" => (0..tasks * 2).try_for_each(|i| publish(&mut rt, 1, i))?,
            // Few roots: room for their children, then overflow.
            "spawn-flood" => (0..(normal / 4).max(1)).try_for_each(|i| publish(&mut rt, 2, i))?,
            "spawn-loop-full" => {
                fill_normal(&mut rt)?;
                (0..tasks).try_for_each(|i| publish(&mut rt, 3, i))?;
            }
            _ => {
                fill_normal(&mut rt)?;
                (0..tasks).try_for_each(|i| publish(&mut rt, (i % 4) as usize, i))?;
            }
        }
        let published = rt.accounting().published;
        // A flood never ends by itself: it gets a fixed number of rounds;
        // every other scenario runs until nothing is runnable.
        let flooding = name == "spawn-flood";
        rt.set_limits(RunLimits {
            max_rounds: if flooding { opts.flood_rounds } else { 1 << 20 },
            time_limit: Some(opts.time_limit),
            max_rounds_per_submission: 1,
        })
        .map_err(fail)?;
        let started = Instant::now();
        let r = rt.run().map_err(fail)?;
        let wall = started.elapsed();
        let books = rt.accounting();

        // Exact expectations.
        let mut problems = Vec::new();
        let mut expect = |what: &str, got: u64, want: u64| {
            if got != want {
                problems.push(format!("{what}: {got}, expected {want}"));
            }
        };
        let count =
            |pred: &dyn Fn(&Fault) -> bool| r.faults.iter().filter(|f| pred(f)).count() as u64;
        let loop_limit = |f: &Fault| {
            f.kind
                == FaultKind::LoopLimit {
                    limit: limit as u32,
                }
        };
        expect("books balance", books.balanced() as u64, 1);
        expect(
            "faults",
            r.faults.len() as u64,
            count(&|f: &Fault| match f.opcode {
                SPIN | HAMMER => loop_limit(f),
                OOB => matches!(f.kind, FaultKind::OutOfBounds { .. }),
                _ => false,
            }),
        );
        expect(
            "spins faulted at the loop limit",
            count(&|f: &Fault| f.opcode == SPIN),
            n[0],
        );
        expect(
            "oobs faulted out of bounds",
            count(&|f: &Fault| f.opcode == OOB),
            n[1],
        );
        expect(
            "hammers faulted at the loop limit",
            count(&|f: &Fault| f.opcode == HAMMER),
            n[3],
        );
        expect(
            "parked",
            r.parked,
            if n[3] > 0 || name == "mixed" {
                normal
            } else {
                0
            },
        );
        let floods = r.executed_by(FLOOD);
        expect(
            "spawn attempts",
            r.spawned + r.spawn_overflows,
            floods * fan as u64 + n[3] * limit,
        );
        if !flooding {
            expect("stopped idle", (r.stop == StopReason::Idle) as u64, 1);
            expect("floods executed", floods, n[2]);
            expect("waiting", r.waiting, 0);
        } else {
            expect("flood rounds", r.rounds, opts.flood_rounds);
        }
        expect("executed", r.executed, floods);

        let times = &r.submission_times;
        let mut gpu_times: Vec<Duration> = times.iter().filter_map(|t| t.gpu).collect();
        gpu_times.sort();
        let res = StormResult {
            name,
            published,
            executed: r.executed,
            faulted: r.faults.len() as u64,
            spawned: r.spawned,
            overflows: r.spawn_overflows,
            submissions: times.len() as u64,
            longest_gpu: gpu_times.last().copied(),
            median_gpu: gpu_times.get(gpu_times.len() / 2).copied(),
            longest_wall: times.iter().map(|t| t.wall).max().unwrap_or_default(),
            wall,
            problems,
        };
        log(&res.line());
        out.push(res);
    }
    Ok(out)
}

// ---- soak ----------------------------------------------------------------

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

const TREE: u32 = 0x51;
const LEAF: u32 = 0x52;
/// One leaf in this many faults on purpose.
const FAULT_EVERY: u32 = 1009;

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

fn soak_program(opts: &SoakOptions) -> Result<Program, Failure> {
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
