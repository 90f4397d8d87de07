//! The main job: a priority scheduler serving a stream of jobs.
//!
//! Starts one megakernel as a [`Service`] on the best adapter
//! (`Gpu::auto()`: a hardware GPU, else the CPU). Several threads publish
//! jobs of four tenants for a few seconds: a CRITICAL job now and then,
//! batches at the four other priorities, some jobs faulting on purpose.
//! Every publish call returns a
//! ticket; the threads keep the latency of each (publish to resolution).
//! While they run, a status line shows the jobs done per priority and the
//! throughput; at the end the example prints a latency table per priority
//! and the books, checks both against what was published, and exits
//! non-zero when they disagree.
//!
//! ```text
//! cargo run --release --example priority_scheduler
//! cargo run --release --example priority_scheduler -- --backend native --seconds 1
//! cargo run --release --example priority_scheduler -- --emit wgsl
//! ```

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{check, CommonArgs, Flag, Result};
use vyre::prelude::*;
use vyre::ServiceStatus;

/// Tenants served.
pub const TENANTS: u32 = 4;
/// Jobs whose cost is a multiple of this refuse to run (a user fault).
pub const UNLUCKY: u32 = 97;
/// Jobs per batch at the priorities below CRITICAL.
pub const BATCH: u32 = 64;

/// One job: burn `cost` rounds of a hash, then count itself for its
/// tenant and priority. Jobs with an unlucky cost fault instead; job 0
/// says hello.
#[opcode(id = 0x10)]
pub fn job(
    ctx: &Ctx,
    per_tenant: &Buffer<Atomic<u32>>,
    per_priority: &Buffer<Atomic<u32>>,
    sink: &Buffer<Atomic<u32>>,
    n: u32,
    cost: u32,
) {
    if cost % UNLUCKY == 0 {
        ctx.fault(cost);
    }
    let mut x = n;
    for i in 0..cost {
        x = (x ^ i).wrapping_mul(0x9E37_79B9);
    }
    // Keeps the hash alive: the sum of every job's hash.
    sink[0].fetch_add(x);
    per_tenant[ctx.tenant()].fetch_add(1);
    per_priority[ctx.priority() as u32].fetch_add(1);
    if n == 0 {
        vyre::printf!("tenant {} ran the first job", ctx.tenant());
    }
}

megakernel! {
    /// Jobs of four tenants at five priorities.
    pub struct Scheduler {
        slots: 4096,
        tenants: 4,
        buffers: { per_tenant: Atomic<u32>, per_priority: Atomic<u32>, sink: Atomic<u32> },
        opcodes: [job],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// How the publishers run.
    pub load: Load,
}

/// What the publishing threads do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Publishing threads.
    pub threads: u32,
    /// Publish calls per thread; `None` to publish for `seconds`.
    pub calls: Option<u32>,
    /// How long to publish when `calls` is `None`.
    pub seconds: f64,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let flags = [
            Flag {
                name: "--threads",
                value: "N",
                help: "publishing threads (default 4, 1..=64)",
            },
            Flag {
                name: "--seconds",
                value: "S",
                help: "how long the threads publish (default 3, 0.1..=600)",
            },
            Flag {
                name: "--calls",
                value: "N",
                help: "publish calls per thread instead of a duration",
            },
        ];
        let about = "A stream of jobs of four tenants at five priorities, served by one megakernel";
        let mut load = Load {
            threads: 4,
            calls: None,
            seconds: 3.0,
        };
        let common = common::parse_args("priority_scheduler", about, &flags, |name, value| {
            match name {
                "--threads" => load.threads = common::number(value, 1..=64)?,
                "--seconds" => load.seconds = common::number(value, 0.1..=600.0)?,
                _ => load.calls = Some(common::number(value, 1..=10_000_000)?),
            }
            Ok(())
        });
        Cli { common, load }
    }
}

/// Publish call `c` of thread `t`: its priority, tenant and jobs (first
/// job number and how many). Every tenth call is one CRITICAL job; the
/// others are batches at the four other priorities.
pub fn plan(t: u32, c: u32) -> (Priority, u32, u32) {
    let tenant = (t + c) % TENANTS;
    if c % 10 == 0 {
        (Priority::Critical, tenant, 1)
    } else {
        (Priority::ALL[1 + (c % 4) as usize], tenant, BATCH)
    }
}

/// The cost of job `n`.
pub fn cost(n: u32) -> u32 {
    1 + n.wrapping_mul(7) % 200
}

/// What the service did, checked against what was published.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Jobs published.
    pub published: u64,
    /// Jobs executed, per priority (CRITICAL first).
    pub executed: [u64; 5],
    /// Jobs that faulted.
    pub faulted: u64,
    /// Jobs finished per tenant.
    pub per_tenant: Vec<u32>,
    /// Per priority: publish-to-resolution latencies of its tickets,
    /// sorted.
    pub latencies: [Vec<Duration>; 5],
}

/// What one publishing thread published, and how long its tickets took.
#[derive(Default)]
struct Published {
    executed: [u64; 5],
    faulted: u64,
    per_tenant: Vec<u32>,
    latencies: [Vec<Duration>; 5],
}

/// Publishes from thread `t` until `calls` calls are made or `stop` is
/// set; waits for every ticket.
fn publish(service: &Service, t: u32, calls: Option<u32>, stop: &AtomicBool) -> Result<Published> {
    let mut out = Published {
        per_tenant: vec![0; TENANTS as usize],
        ..Published::default()
    };
    let mut pending = std::collections::VecDeque::new();
    let mut c = 0;
    while calls.map_or(!stop.load(Ordering::Relaxed), |n| c < n) {
        let (priority, tenant, jobs) = plan(t, c);
        // Job numbers unique over the threads: thread t owns every job n
        // with n % 64 == t.
        let first = c * BATCH;
        let numbers: Vec<u32> = (first..first + jobs).map(|k| k * 64 + t).collect();
        let args: Vec<(u32, u32)> = numbers.iter().map(|&n| (n, cost(n))).collect();
        let publisher = service.publisher(PublishOptions {
            tenant,
            wait_for_room: true,
            descendants: false,
        });
        let published = Instant::now();
        let ticket = publisher.publish_batch(priority, job::Op, &args)?;
        for &(_, cost) in &args {
            if cost % UNLUCKY == 0 {
                out.faulted += 1;
            } else {
                out.executed[priority.index()] += 1;
                out.per_tenant[tenant as usize] += 1;
            }
        }
        pending.push_back((priority, published, ticket));
        // Keep a bounded window of tickets in flight.
        while pending.len() > 256 {
            settle(&mut out, pending.pop_front());
        }
        c += 1;
    }
    while let Some(p) = pending.pop_front() {
        settle(&mut out, Some(p));
    }
    Ok(out)
}

/// Waits for a ticket and keeps its latency.
fn settle(out: &mut Published, pending: Option<(Priority, Instant, Ticket)>) {
    if let Some((priority, published, ticket)) = pending {
        let o = ticket.wait();
        out.latencies[priority.index()].push(o.resolved_at.saturating_duration_since(published));
    }
}

/// The status line: jobs done per priority and the throughput since the
/// last line.
fn status_line(s: &ServiceStatus, last: u64, dt: Duration) -> String {
    let e = s.executed_by_priority;
    let done: u64 = e.iter().sum::<u64>() + s.books.faulted;
    let rate = (done - last) as f64 / dt.as_secs_f64().max(1e-9);
    format!(
        "done C {} H {} N {} L {} I {} | faulted {} | parked {} | {:.3e} jobs/s",
        e[0], e[1], e[2], e[3], e[4], s.books.faulted, s.books.parked, rate
    )
}

/// Serves `load` on `gpu`: starts the service, publishes from the threads,
/// prints the status and the latency table, and checks the books.
pub fn serve(gpu: &Gpu, load: Load) -> Result<Summary> {
    let mut k = Scheduler::new(gpu)?;
    k.per_tenant().upload(&[0; TENANTS as usize])?;
    k.per_priority().upload(&[0; 5])?;
    k.sink().upload(&[0])?;
    let service = Service::start(k.into_runtime(), ServiceOptions::default())?;
    println!(
        "{} threads publishing for {}",
        load.threads,
        match load.calls {
            Some(n) => format!("{n} calls each"),
            None => format!("{:.1} s", load.seconds),
        }
    );

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..load.threads)
        .map(|t| {
            let (service, stop) = (service.clone(), Arc::clone(&stop));
            thread::spawn(move || {
                publish(&service, t, load.calls, &stop).map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut last = (Instant::now(), 0u64);
    let interactive = load.calls.is_none();
    while threads.iter().any(|t| !t.is_finished()) {
        thread::sleep(Duration::from_millis(50));
        if load.calls.is_none() && started.elapsed().as_secs_f64() >= load.seconds {
            stop.store(true, Ordering::Relaxed);
        }
        if interactive && last.0.elapsed() >= Duration::from_millis(250) {
            let s = service.status();
            print!("\r{}   ", status_line(&s, last.1, last.0.elapsed()));
            let _ = std::io::stdout().flush();
            last = (
                Instant::now(),
                s.executed_by_priority.iter().sum::<u64>() + s.books.faulted,
            );
        }
    }
    if interactive {
        println!();
    }
    let mut total = Published {
        per_tenant: vec![0; TENANTS as usize],
        ..Published::default()
    };
    for t in threads {
        let p = t.join().map_err(|_| "a publishing thread panicked")??;
        for i in 0..5 {
            total.executed[i] += p.executed[i];
            total.latencies[i].extend(p.latencies[i].iter());
        }
        total.faulted += p.faulted;
        for (a, b) in total.per_tenant.iter_mut().zip(p.per_tenant) {
            *a += b;
        }
    }
    // Every ticket is resolved: shutting down finds nothing left to run.
    let published_for = started.elapsed();
    let report = service.shutdown();
    let mut rt = service.into_runtime().ok_or("the runtime is gone")?;
    let per_tenant = rt.read(rt.buffer::<u32>("per_tenant")?)?;
    let books = report.status.books;
    for l in &mut total.latencies {
        l.sort();
    }

    println!(
        "\n{} jobs in {:.2?} ({:.3e} jobs/s), {} submissions, {} rounds",
        books.published,
        published_for,
        books.published as f64 / published_for.as_secs_f64(),
        report.status.submissions,
        report.status.rounds
    );
    println!("latency of a publish call, from the call to its ticket's resolution:");
    println!(
        "  {:<8} {:>8} {:>10} {:>10}",
        "priority", "tickets", "p50", "p99"
    );
    for p in Priority::ALL {
        let l = &total.latencies[p.index()];
        if l.is_empty() {
            continue;
        }
        let q = |f: f64| l[((l.len() - 1) as f64 * f) as usize];
        println!(
            "  {:<8} {:>8} {:>10.2?} {:>10.2?}",
            p.name(),
            l.len(),
            q(0.5),
            q(0.99)
        );
    }
    for line in report.printf.iter().take(4) {
        println!("printf: {line}");
    }
    println!("per tenant: {per_tenant:?}");
    println!(
        "books: published {} + spawned {} = executed {} + faulted {} + parked {} + waiting {} ({})",
        books.published,
        books.spawned,
        books.executed,
        books.faulted,
        books.parked,
        books.waiting,
        if books.balanced() {
            "balanced"
        } else {
            "UNBALANCED"
        }
    );

    let published: u64 = total.executed.iter().sum::<u64>() + total.faulted;
    check(books.balanced(), || "the books do not balance".into())?;
    check(report.stop == vyre::ServiceStop::Shutdown, || {
        format!("the service stopped: {:?}", report.stop)
    })?;
    check(books.published == published, || {
        format!(
            "the service counted {} jobs, the threads published {published}",
            books.published
        )
    })?;
    check(report.status.executed_by_priority == total.executed, || {
        format!(
            "executed per priority {:?}, expected {:?}",
            report.status.executed_by_priority, total.executed
        )
    })?;
    check(books.faulted == total.faulted, || {
        format!("{} faults, expected {}", books.faulted, total.faulted)
    })?;
    check(per_tenant == total.per_tenant, || {
        format!("per tenant {per_tenant:?}, expected {:?}", total.per_tenant)
    })?;
    println!("checks passed: every published job ran or faulted as planned, once");
    Ok(Summary {
        published,
        executed: total.executed,
        faulted: total.faulted,
        per_tenant,
        latencies: total.latencies,
    })
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Scheduler::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let start = Instant::now();
    serve(&gpu, cli.load)?;
    println!("total {:.2?}", start.elapsed());
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("priority_scheduler", run)
}
