//! The main job: a priority scheduler serving several tenants.
//!
//! Publishes a mix of jobs at all five priorities for four tenants (tenant 3
//! disabled for the first run, some jobs faulting on purpose), runs them on
//! the best adapter (`Gpu::auto()`: a hardware GPU, else the CPU), and prints
//! the completion order per priority, the faults, the parked work, the
//! device's printf lines and timing. It checks its own books and exits
//! non-zero when they do not balance.
//!
//! ```text
//! cargo run --release --example priority_scheduler
//! cargo run --release --example priority_scheduler -- --backend reference --jobs 50
//! cargo run --release --example priority_scheduler -- --emit wgsl
//! ```

mod common;

use common::{check, CommonArgs, Flag, Result};
use vyre::prelude::*;

/// Tenants served; the last one starts disabled.
pub const TENANTS: u32 = 4;
/// Jobs whose cost is a multiple of this refuse to run (a user fault).
pub const UNLUCKY: u32 = 97;

/// One job: burn `cost` rounds of a hash, then take the next ticket of the
/// global finish sequence and record the job's priority there. Jobs with an
/// unlucky cost fault instead; the first job of each priority says hello.
#[opcode(id = 0x10)]
pub fn job(
    ctx: &Ctx,
    ticket: &Buffer<Atomic<u32>>,
    finished: &mut Buffer<u32>,
    per_tenant: &Buffer<Atomic<u32>>,
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
    let seq = ticket[0].fetch_add(1);
    // priority in the top byte, 16 bits of the hash keep the loop alive.
    finished[seq] = ((ctx.priority() as u32) << 24) | (x & 0xFFFF);
    per_tenant[ctx.tenant()].fetch_add(1);
    if n == 0 {
        vyre::printf!(
            "tenant {} ran the first job of priority {}",
            ctx.tenant(),
            ctx.priority() as u32
        );
    }
}

megakernel! {
    /// Jobs of four tenants at five priorities.
    pub struct Scheduler {
        slots: 4096,
        tenants: 4,
        buffers: { ticket: Atomic<u32>, finished: u32, per_tenant: Atomic<u32> },
        opcodes: [job],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Jobs published at each priority.
    pub jobs: u32,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let flags = [Flag {
            name: "--jobs",
            value: "N",
            help: "jobs published at each priority (default 200, 1..=800)",
        }];
        let about = "Jobs of four tenants at five priorities on one megakernel";
        let mut jobs = 200;
        let common = common::parse_args("priority_scheduler", about, &flags, |_, value| {
            jobs = common::number(value, 1..=800)?;
            Ok(())
        });
        Cli { common, jobs }
    }
}

/// The job `n` of `priority`: its tenant and cost.
pub fn plan(n: u32, priority: Priority) -> (u32, u32) {
    let p = priority.index() as u32;
    ((n + p) % TENANTS, 1 + (n * 7 + p * 13) % 200)
}

/// What the scheduler did, checked against what was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Jobs published.
    pub published: u64,
    /// Jobs executed, per priority (CRITICAL first), over both runs.
    pub executed: [u64; 5],
    /// Jobs that faulted (over both runs).
    pub faulted: u64,
    /// Jobs parked by the first run (tenant 3's).
    pub parked: u64,
    /// Jobs finished per tenant.
    pub per_tenant: Vec<u32>,
}

/// Publishes `jobs` jobs at each priority, runs with tenant 3 paused, then
/// again with it enabled, prints what happened, and checks the books.
pub fn schedule(gpu: &Gpu, jobs: u32) -> Result<Summary> {
    let total = jobs * 5;
    let mut k = Scheduler::new(gpu)?;
    k.ticket().upload(&[0])?;
    k.finished().upload(&vec![u32::MAX; total as usize])?;
    k.per_tenant().upload(&[0; TENANTS as usize])?;

    // What the books must say, computed on the host.
    let mut want = [0u64; 5];
    let mut want_faults = 0;
    let mut want_parked = 0;
    let mut want_tenant = vec![0u32; TENANTS as usize];
    k.disable_tenant(TENANTS - 1)?;
    for n in 0..jobs {
        // Low priorities first, so the ring holds all of them before anyone
        // claims: the order of finishing is the scheduler's, not ours.
        for priority in Priority::ALL.iter().rev() {
            let (tenant, cost) = plan(n, *priority);
            k.publish_for(tenant, *priority, job::task(n, cost))?;
            if cost % UNLUCKY == 0 {
                want_faults += 1;
            } else {
                want[priority.index()] += 1;
                want_tenant[tenant as usize] += 1;
            }
            if tenant == TENANTS - 1 {
                want_parked += 1;
            }
        }
    }
    println!(
        "published {total} jobs at 5 priorities for {TENANTS} tenants; tenant {} paused",
        TENANTS - 1
    );

    let first = k.run()?;
    print_report("run 1 (tenant 3 paused)", &first);
    k.enable_tenant(TENANTS - 1)?;
    let second = k.run()?;
    print_report("run 2 (tenant 3 enabled)", &second);

    let executed = first.executed + second.executed;
    let done = k.finished().read()?;
    println!("\ncompletion order (positions in the global finish sequence):");
    for p in Priority::ALL {
        let positions: Vec<usize> = done[..executed as usize]
            .iter()
            .enumerate()
            .filter(|(_, w)| **w >> 24 == p.index() as u32)
            .map(|(i, _)| i)
            .collect();
        if let (Some(a), Some(b)) = (positions.first(), positions.last()) {
            println!(
                "  {:<8} {:>4} jobs finished at positions {a:>4} ..= {b:>4}",
                p.name(),
                positions.len()
            );
        }
    }
    println!(
        "  (lanes claim strictly in priority order; on a many-lane GPU the\n   \
         finishes of neighbouring priorities interleave because long jobs\n   \
         claimed early finish after short jobs claimed later)"
    );

    let per_tenant = k.per_tenant().read()?;
    println!("per tenant: {per_tenant:?}");
    let books = k.runtime().accounting();
    println!(
        "accounting: published {} = executed {} + faulted {} + parked {} + waiting {} ({})",
        books.published,
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

    let mut got = [0u64; 5];
    for (i, g) in got.iter_mut().enumerate() {
        *g = first.executed_by_priority[i] + second.executed_by_priority[i];
    }
    let faulted = (first.faults.len() + second.faults.len()) as u64;
    check(books.balanced(), || {
        "task accounting does not balance".into()
    })?;
    check(books.published == u64::from(total), || {
        format!("published {} tasks, expected {total}", books.published)
    })?;
    check(got == want, || {
        format!("executed per priority {got:?}, expected {want:?}")
    })?;
    check(faulted == want_faults, || {
        format!("{faulted} faults, expected {want_faults}")
    })?;
    check(first.parked == want_parked, || {
        format!("run 1 parked {}, expected {want_parked}", first.parked)
    })?;
    check(per_tenant == want_tenant, || {
        format!("per tenant {per_tenant:?}, expected {want_tenant:?}")
    })?;
    println!("checks passed: every published job ran, faulted or was parked as planned");
    Ok(Summary {
        published: books.published,
        executed: got,
        faulted,
        parked: first.parked,
        per_tenant,
    })
}

fn print_report(title: &str, r: &RunReport) {
    println!(
        "\n== {title}: {:?} after {} rounds, {} submissions",
        r.stop, r.rounds, r.submissions
    );
    for p in Priority::ALL {
        println!("  {:<8} executed {:>4}", p.name(), r.executed_at(p));
    }
    println!("  parked (disabled tenants): {}", r.parked);
    println!("  faults: {}", r.faults.len());
    for f in r.faults.iter().take(3) {
        println!(
            "    slot {:>4} opcode {} tenant {} priority {}: {:?}",
            f.slot,
            f.opcode_name.as_deref().unwrap_or("?"),
            f.tenant,
            f.priority,
            f.kind
        );
    }
    if r.faults.len() > 3 {
        println!("    ... and {} more", r.faults.len() - 3);
    }
    for line in &r.printf {
        println!("  printf: {line}");
    }
    match r.gpu_time {
        Some(t) => println!("  wall {:.2?}, GPU {:.2?}", r.wall_time, t),
        None => println!("  wall {:.2?}", r.wall_time),
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Scheduler::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let start = std::time::Instant::now();
    schedule(&gpu, cli.jobs)?;
    println!("total {:.2?}", start.elapsed());
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("priority_scheduler", run)
}
