//! The service soak: the soak's trees published by several threads into a
//! [`Service`], each root under a ticket that follows its descendants
//! (partitions too small for the trees, so spawns are refused all along).
//! Every ticket must resolve with no task unfinished; the faults and the
//! refused spawns its tickets report, the handlers' own counters and the
//! service's books must all agree at the end.

use std::fmt::Write as _;
use std::thread;
use std::time::Instant;

use vyre::prelude::*;
use vyre::{FaultKind, PublishOptions};

use super::soak::{soak_program, FAULT_EVERY, LEAF, TREE};
use super::{fail, Failure, SoakOptions, STRIPES};

/// Publishing threads.
const THREADS: u32 = 4;

/// What a service soak did.
#[derive(Debug, Clone, Default)]
pub struct ServiceSoakResult {
    /// Roots published (one ticket each).
    pub tickets: u64,
    /// Tasks published, spawned, executed, faulted; spawns refused.
    pub published: u64,
    /// Tasks spawned.
    pub spawned: u64,
    /// Tasks executed.
    pub executed: u64,
    /// Tasks faulted (on purpose: one leaf in 1009).
    pub faulted: u64,
    /// Spawns refused: partition full.
    pub overflows: u64,
    /// Submissions the driver ran.
    pub submissions: u64,
    /// Wall time.
    pub seconds: f64,
}

impl ServiceSoakResult {
    /// A short summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let done = self.executed + self.faulted;
        let _ = write!(
            s,
            "service soak: {} tickets, {} tasks done ({} executed, {} faulted) = {} published + {} spawned; \
             {} spawns refused; {} submissions, {:.2} s wall, {:.3e} tasks/s",
            self.tickets,
            done,
            self.executed,
            self.faulted,
            self.published,
            self.spawned,
            self.overflows,
            self.submissions,
            self.seconds,
            done as f64 / self.seconds.max(1e-9),
        );
        s
    }
}

/// What one publishing thread's tickets reported.
#[derive(Default)]
struct Tally {
    tickets: u64,
    faults: u64,
    refused: u64,
    problems: Vec<String>,
}

/// Publishes roots until the service has done `opts.tasks` tasks (or the
/// time is up), waiting on its oldest tickets to keep a window in flight.
fn publisher(service: &Service, opts: &SoakOptions, thread: u32, started: Instant) -> Tally {
    let mut t = Tally::default();
    let mut window = std::collections::VecDeque::new();
    let follow = service.publisher(PublishOptions {
        descendants: true,
        wait_for_room: true,
        ..PublishOptions::default()
    });
    let settle = |t: &mut Tally, ticket: Ticket| {
        let o = ticket.wait();
        t.tickets += 1;
        t.faults += o.faults.len() as u64;
        t.refused += o.refused_spawns;
        if o.unfinished != 0 {
            t.problems
                .push(format!("a ticket has {} tasks unfinished", o.unfinished));
        }
        for f in &o.faults {
            if f.opcode != LEAF
                || !matches!(f.kind, FaultKind::User { code } if code % FAULT_EVERY == 0)
            {
                t.problems.push(format!("unexpected fault {f:?}"));
            }
        }
    };
    let mut k = 0u32;
    loop {
        let s = service.status();
        if s.books.executed + s.books.faulted >= opts.tasks || started.elapsed() >= opts.max_time {
            break;
        }
        let salt = thread.wrapping_add(k.wrapping_mul(THREADS)).wrapping_add(1);
        let p = Priority::ALL[(k % 5) as usize];
        let task = Task::new(TREE, [Literal::U32(opts.depth), Literal::U32(salt)]);
        match follow.publish(p, task) {
            Ok(ticket) => window.push_back(ticket),
            Err(e) => {
                t.problems.push(format!("publish: {e}"));
                break;
            }
        }
        while window.len() as u64 > opts.roots_per_run {
            if let Some(ticket) = window.pop_front() {
                settle(&mut t, ticket);
            }
        }
        k = k.wrapping_add(1);
    }
    for ticket in window {
        settle(&mut t, ticket);
    }
    t
}

/// Runs the service soak on `gpu` with the soak's options; `log` receives
/// progress lines. Fails on the first inexact count.
pub fn service_soak(
    gpu: &Gpu,
    opts: &SoakOptions,
    log: &mut dyn FnMut(&str),
) -> Result<ServiceSoakResult, Failure> {
    let gpu = match opts.workgroups {
        Some(w) => gpu.clone().with_workgroups(w),
        None => gpu.clone(),
    };
    let mut rt = Runtime::new(&gpu, soak_program(opts)?).map_err(fail)?;
    for (name, len) in [
        ("count", 2 * STRIPES),
        ("spawn_ok", STRIPES),
        ("spawn_over", STRIPES),
    ] {
        let b = rt.buffer::<u32>(name).map_err(fail)?;
        rt.upload(b, &vec![0; len as usize]).map_err(fail)?;
    }
    log(&format!(
        "service soak on {} ({} lanes): {THREADS} threads, target {} tasks, trees of depth {}, {} slots",
        rt.adapter(),
        rt.lanes(),
        opts.tasks,
        opts.depth,
        opts.slots
    ));
    let service = Service::start(rt, ServiceOptions::default()).map_err(fail)?;
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let (service, opts) = (service.clone(), opts.clone());
            thread::spawn(move || publisher(&service, &opts, i, started))
        })
        .collect();
    let mut tally = Tally::default();
    for th in threads {
        let t = th.join().map_err(|_| "a publishing thread panicked")?;
        tally.tickets += t.tickets;
        tally.faults += t.faults;
        tally.refused += t.refused;
        tally.problems.extend(t.problems);
    }
    let report = service.shutdown();
    let seconds = started.elapsed().as_secs_f64();
    let mut rt = service.into_runtime().ok_or("the runtime is gone")?;
    if let Some(p) = tally.problems.first() {
        return Err(format!("{} problems; the first: {p}", tally.problems.len()));
    }
    let b = report.status.books;
    let sum = |rt: &mut Runtime, name: &str| -> Result<Vec<u64>, Failure> {
        let h = rt.buffer::<u32>(name).map_err(fail)?;
        let v = rt.read(h).map_err(fail)?;
        Ok(v.chunks(STRIPES as usize)
            .map(|c| c.iter().map(|&x| u64::from(x)).sum())
            .collect())
    };
    let count = sum(&mut rt, "count")?;
    let ok = sum(&mut rt, "spawn_ok")?[0];
    let over = sum(&mut rt, "spawn_over")?[0];
    let checks = [
        ("books balanced", u64::from(b.balanced()), 1),
        ("nothing left", b.waiting + b.parked, 0),
        ("published = tickets", b.published, tally.tickets),
        ("faults on tickets", tally.faults, b.faulted),
        (
            "refused spawns on tickets",
            tally.refused,
            b.spawn_overflows,
        ),
        (
            "executions counted by handlers",
            count[0] + count[1],
            b.executed,
        ),
        ("spawns counted by handlers", ok, b.spawned),
        ("refusals counted by handlers", over, b.spawn_overflows),
        ("faults without a ticket", report.faults_total, 0),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(format!(
                "service soak: {what}: {got}, expected {want} ({b:?})"
            ));
        }
    }
    Ok(ServiceSoakResult {
        tickets: tally.tickets,
        published: b.published,
        spawned: b.spawned,
        executed: b.executed,
        faulted: b.faulted,
        overflows: b.spawn_overflows,
        submissions: report.status.submissions,
        seconds,
    })
}
