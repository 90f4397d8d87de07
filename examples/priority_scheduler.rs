//! The main job: a priority scheduler serving several tenants.
//!
//! Publishes a mix of jobs at all five priorities for four tenants (one of
//! them disabled at first, some jobs faulting on purpose), runs them on the
//! best adapter (falling back to the CPU), and prints the completion order
//! per priority, the faults, the parked work, printf lines and timing.
//!
//! ```text
//! cargo run --release --example priority_scheduler
//! VYRE_BACKEND=reference cargo run --example priority_scheduler
//! ```

use std::process::ExitCode;

use vyre::ir::{Access, BufferKind, CtxValue, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::ProgramConfig;

const JOB: u32 = 0x10;
const TENANTS: u32 = 4;
const JOBS_PER_LEVEL: u32 = 200;
/// Jobs whose cost is a multiple of this fault on purpose.
const UNLUCKY: u32 = 97;

/// `job(n, cost)`: burn `cost` rounds of a hash, then record where the job
/// finished. Jobs with an unlucky cost refuse to run (a user fault).
fn job_handler() -> Result<vyre::OpcodeHandler, vyre::ir::ValidationError> {
    let u32_ = ScalarType::U32;
    let mut h = HandlerBuilder::new(JOB, "job");
    let ticket = h.buffer("ticket", u32_, Access::Atomic);
    let finished = h.buffer("finished", u32_, Access::ReadWrite);
    let per_tenant = h.buffer("per_tenant", u32_, Access::Atomic);
    let n = h.arg("n", u32_);
    let cost = h.arg("cost", u32_);
    h.body(|b| {
        b.if_((cost % UNLUCKY).equals(0u32), |b| b.fault(cost));
        let x = b.let_mut("x", n);
        b.for_range("i", 0u32, cost, |b, i| {
            b.assign(
                x,
                (x ^ i).call(
                    vyre::ir::Intrinsic::WrappingMul,
                    vec![0x9E37_79B9u32.into()],
                ),
            );
        });
        let seq = b.let_("seq", ticket.fetch_add(0u32, 1u32));
        // finished[seq] = priority * 2^24 + (x & 0xFFFF) keeps the hash alive.
        let prio = vyre::ir::ctx(CtxValue::Priority);
        b.store(finished, seq, (prio << 24u32) | (x & 0xFFFFu32));
        b.eval(per_tenant.fetch_add(vyre::ir::ctx(CtxValue::Tenant), 1u32));
        b.if_(n.equals(0u32), |b| {
            b.printf(
                "tenant {} ran the first job of priority {}",
                vec![
                    vyre::ir::ctx(CtxValue::Tenant),
                    vyre::ir::ctx(CtxValue::Priority),
                ],
            );
        });
    });
    h.finish()
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("priority_scheduler failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let total = JOBS_PER_LEVEL * 5;
    let program = Program::builder("scheduler")
        .config(ProgramConfig {
            slots: 4096,
            tenants: TENANTS,
            ..ProgramConfig::default()
        })
        .buffer("ticket", BufferKind::atomic(ScalarType::U32))
        .buffer("finished", BufferKind::plain(ScalarType::U32))
        .buffer("per_tenant", BufferKind::atomic(ScalarType::U32))
        .opcode(job_handler()?)
        .build()?;

    let gpu = Gpu::auto()?;
    println!("backend: {} ({})", gpu.description(), gpu.reason());
    let mut rt = Runtime::new(&gpu, program)?;
    let ticket = rt.buffer::<u32>("ticket")?;
    let finished = rt.buffer::<u32>("finished")?;
    let per_tenant = rt.buffer::<u32>("per_tenant")?;
    rt.upload(ticket, &[0])?;
    rt.upload(finished, &vec![u32::MAX; total as usize])?;
    rt.upload(per_tenant, &[0; TENANTS as usize])?;

    // Tenant 3 is paused while the others are served.
    rt.disable_tenant(3)?;
    for n in 0..JOBS_PER_LEVEL {
        for priority in Priority::ALL.iter().rev() {
            let tenant = (n + priority.index() as u32) % TENANTS;
            let cost = 1 + (n * 7 + priority.index() as u32 * 13) % 200;
            let task = Task::new(JOB, [Literal::U32(n), Literal::U32(cost)]);
            rt.publish_for(tenant, *priority, task)?;
        }
    }
    println!("published {total} jobs at 5 priorities for {TENANTS} tenants; tenant 3 paused");

    let first = rt.run()?;
    print_report("first run (tenant 3 paused)", &first);
    rt.enable_tenant(3)?;
    let second = rt.run()?;
    print_report("second run (tenant 3 enabled)", &second);

    let done = rt.read(finished)?;
    let executed = (first.executed + second.executed) as usize;
    println!("\ncompletion order (positions in the global finish sequence):");
    for p in Priority::ALL {
        let positions: Vec<usize> = done[..executed]
            .iter()
            .enumerate()
            .filter(|(_, w)| **w >> 24 == p as u32)
            .map(|(i, _)| i)
            .collect();
        if let (Some(first), Some(last)) = (positions.first(), positions.last()) {
            println!(
                "  {:<8} {:>4} jobs, finished at positions {first:>4} ..= {last:>4}",
                p.name(),
                positions.len()
            );
        }
    }
    println!("per tenant: {:?}", rt.read(per_tenant)?);
    let books = rt.accounting();
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
    if !books.balanced() || books.published != u64::from(total) {
        return Err("task accounting does not balance".into());
    }
    Ok(())
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
        println!("    … and {} more", r.faults.len() - 3);
    }
    for line in &r.printf {
        println!("  printf: {line}");
    }
    match r.gpu_time {
        Some(t) => println!("  wall {:.2?}, GPU {:.2?}", r.wall_time, t),
        None => println!("  wall {:.2?}", r.wall_time),
    }
}
