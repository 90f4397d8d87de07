//! The storm: adversarial handlers (endless loops in every lane, storms of
//! out-of-bounds faults, spawn storms far beyond partition capacity, spawns
//! in a loop into a full partition), one round per submission, each
//! scenario's counts checked exactly.

use std::time::{Duration, Instant};

use vyre::ir::{Access, BufferKind, CtxValue, Expr, Intrinsic};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};

use super::{fail, handler, Failure, U32};

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
