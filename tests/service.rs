//! Service mode on every backend: many threads publishing with exact books
//! and every ticket resolved; faults, refused spawns and descendants on
//! their tickets; a full backlog; shutdown, drop and a handler's shutdown
//! under load; tickets awaited as futures.

mod common;

use std::thread;

use common::every_backend;
use vyre::prelude::*;
use vyre::{Error, FaultKind, ServiceStop};

/// Tasks whose `i` is a multiple of this fault.
const UNLUCKY: u32 = 1009;

/// `hits[i % len] += 1`; faults when `i` is unlucky (and not 0).
#[opcode(id = 0x50)]
pub fn count(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, i: u32) {
    if i % UNLUCKY == 0 && i != 0 {
        ctx.fault(i);
    }
    hits[i % hits.len()].fetch_add(1);
}

/// A binary tree of `depth` levels below this task: each task counts
/// itself in `tree[0]` and spawns two children at LOW.
#[opcode(id = 0x51)]
pub fn tree(ctx: &Ctx, tree: &Buffer<Atomic<u32>>, depth: u32) {
    tree[0].fetch_add(1);
    if depth > 0 {
        ctx.spawn(Priority::Low, tree::task(depth - 1));
        ctx.spawn(Priority::Low, tree::task(depth - 1));
    }
}

/// Asks for shutdown.
#[opcode(id = 0x52)]
pub fn stop(ctx: &Ctx) {
    ctx.shutdown();
}

megakernel! {
    /// A small ring, so that the load streams through it.
    pub struct Serve {
        workgroup_size: 16,
        slots: 160,
        tenants: 2,
        partitions: [32, 32, 32, 32, 32],
        buffers: { hits: Atomic<u32>, tree: Atomic<u32> },
        opcodes: [count, tree, stop],
    }
}

const HITS: usize = 4096;

fn start(gpu: &Gpu, options: ServiceOptions) -> Service {
    let mut k = Serve::new(gpu).unwrap();
    k.hits().upload(&[0; HITS]).unwrap();
    k.tree().upload(&[0]).unwrap();
    Service::start(k.into_runtime(), options).unwrap()
}

/// Pauses tenant 1 and publishes `n` of its tasks under one ticket: they
/// park in the ring (and wait behind it) until the tenant is enabled.
fn park(service: &Service, n: usize) -> Ticket {
    service
        .with_runtime(|rt| rt.disable_tenant(1))
        .unwrap()
        .unwrap();
    service
        .publish_with(1, Priority::Low, 0x50, n, |k, w| w[0] = k as u32 + 1)
        .unwrap()
}

fn read(service: &Service, name: &'static str) -> Vec<u32> {
    service
        .with_runtime(move |rt| {
            let b = rt.buffer::<u32>(name)?;
            rt.read(b)
        })
        .unwrap()
        .unwrap()
}

/// Tasks each thread publishes: `VYRE_SERVICE_TASKS`, or 100,000.
fn tasks_per_thread() -> u32 {
    std::env::var("VYRE_SERVICE_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// What one publishing thread expects of the hits buffer, and its tickets.
fn publish_share(service: &Service, thread: u32, n: u32) -> (Vec<u32>, Vec<(Ticket, u32)>) {
    let mut hits = vec![0u32; HITS];
    let mut tickets = Vec::new();
    let mut i = 0;
    let mut call = 0u32;
    while i < n {
        let priority = Priority::ALL[((thread + call) % 5) as usize];
        let first = thread * n + i;
        let (ticket, len) = if call % 8 == 0 {
            // One task per call now and then.
            let t = service
                .publisher(PublishOptions {
                    wait_for_room: true,
                    ..PublishOptions::default()
                })
                .publish(priority, count::task(first))
                .unwrap();
            (t, 1)
        } else {
            let len = (n - i).min(500 + call % 700);
            let args: Vec<u32> = (first..first + len).collect();
            let t = service
                .publisher(PublishOptions {
                    tenant: thread % 2,
                    wait_for_room: true,
                    descendants: false,
                })
                .publish_batch(priority, count::Op, &args)
                .unwrap();
            (t, len)
        };
        let mut faults = 0;
        for x in first..first + len {
            if x % UNLUCKY == 0 && x != 0 {
                faults += 1;
            } else {
                hits[(x as usize) % HITS] += 1;
            }
        }
        tickets.push((ticket, faults));
        i += len;
        call += 1;
    }
    (hits, tickets)
}

#[test]
fn eight_threads_publish_and_every_ticket_resolves_with_exact_books() {
    for gpu in every_backend("service_threads", 2) {
        let what = gpu.description();
        let n = tasks_per_thread();
        let service = start(
            &gpu,
            ServiceOptions {
                backlog: 20_000,
                ..ServiceOptions::default()
            },
        );
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let s = service.clone();
                thread::spawn(move || publish_share(&s, t, n))
            })
            .collect();
        let mut want = vec![0u32; HITS];
        let mut faulted = 0u64;
        for t in threads {
            let (hits, tickets) = t.join().unwrap();
            for (w, h) in want.iter_mut().zip(hits) {
                *w += h;
            }
            for (ticket, faults) in tickets {
                let o = ticket.wait();
                assert_eq!(o.tasks, ticket.tasks(), "{what}");
                assert_eq!(o.unfinished, 0, "{what}");
                assert_eq!(o.faults.len() as u32, faults, "{what}: {o:?}");
                // Admitted, then carried by a submission, then resolved.
                let admitted = o.admitted_at.expect("admitted");
                let started = o.started_at.expect("started");
                assert!(
                    admitted <= started && started <= o.resolved_at,
                    "{what}: {o:?}"
                );
                for f in &o.faults {
                    assert!(
                        matches!(f.kind, FaultKind::User { code } if code % UNLUCKY == 0),
                        "{what}: {f:?}"
                    );
                }
                faulted += u64::from(faults);
            }
        }
        assert_eq!(read(&service, "hits"), want, "{what}");
        let report = service.shutdown();
        assert_eq!(report.stop, ServiceStop::Shutdown, "{what}");
        let b = report.status.books;
        assert!(b.balanced(), "{what}: {b:?}");
        assert_eq!(b.published, 8 * u64::from(n), "{what}");
        assert_eq!(b.faulted, faulted, "{what}");
        assert_eq!(b.executed + b.faulted, b.published, "{what}: {b:?}");
        assert_eq!(b.waiting + b.parked, 0, "{what}");
        assert_eq!(report.status.backlog, 0, "{what}");
        assert_eq!(report.faults_total, 0, "{what}: every fault had a ticket");
        assert!(report.status.tickets_resolved >= 8, "{what}");
        assert!(matches!(
            service.publish(Priority::High, count::task(1)),
            Err(Error::ServiceStopped { .. })
        ));
    }
}

#[test]
fn descendants_are_followed_on_request_and_refused_spawns_reported() {
    for gpu in every_backend("service_descendants", 2) {
        let what = gpu.description();
        let service = start(&gpu, ServiceOptions::default());
        // 2^5 - 1 tasks: the widest level (16) and its parents (8) fit in
        // LOW's 32 slots, so nothing is refused.
        let tracked = service
            .publisher(PublishOptions {
                descendants: true,
                ..PublishOptions::default()
            })
            .publish(Priority::High, tree::task(4))
            .unwrap();
        let o = tracked.wait();
        assert!(o.is_done(), "{what}: {o:?}");
        assert!(o.descendants);
        assert_eq!(o.refused_spawns, 0, "{what}");
        // Resolved only once every descendant ran.
        assert_eq!(read(&service, "tree"), [31], "{what}");

        // A tree too wide for LOW: the ring refuses spawns, and the
        // ticket says how many (tasks = 1 + 2 × accepted spawns).
        service
            .with_runtime(|rt| {
                let b = rt.buffer::<u32>("tree").unwrap();
                rt.upload(b, &[0]).unwrap();
            })
            .unwrap();
        let wide = service
            .publisher(PublishOptions {
                descendants: true,
                ..PublishOptions::default()
            })
            .publish_batch(Priority::High, tree::Op, &[8; 16])
            .unwrap();
        let o = wide.wait();
        assert!(o.refused_spawns > 0, "{what}: {o:?}");
        let ran = u64::from(read(&service, "tree")[0]);
        let report = service.shutdown();
        let b = report.status.books;
        assert!(b.balanced(), "{what}: {b:?}");
        assert_eq!(b.spawned, 30 + ran - 16, "{what}: {b:?}");
        // Every task spawned spawned two or had two refused, but leaves.
        assert_eq!(b.spawn_overflows, o.refused_spawns, "{what}");

        // Without following descendants the ticket resolves when its own
        // task ends; the children still run.
        let service = start(&gpu, ServiceOptions::default());
        let own = service.publish(Priority::High, tree::task(3)).unwrap();
        let o = own.wait();
        assert!(o.is_done() && !o.descendants, "{what}");
        let report = service.shutdown();
        assert_eq!(report.status.books.executed, 15, "{what}");
    }
}

#[test]
fn a_full_backlog_is_a_typed_error_or_a_wait() {
    for gpu in every_backend("service_backlog", 2) {
        let what = gpu.description();
        let service = start(
            &gpu,
            ServiceOptions {
                backlog: 100,
                ..ServiceOptions::default()
            },
        );
        assert!(matches!(
            service.publish_batch(Priority::Idle, count::Op, &[1; 101]),
            Err(Error::TooManyTasks {
                tasks: 101,
                max: 100
            })
        ));
        // Parked work holds LOW's backlog: tenant 1 disabled.
        let parked = park(&service, 90);
        match service.publish_batch(Priority::Low, count::Op, &[1; 20]) {
            Err(Error::Backlog {
                tasks: 20,
                backlog: 90,
                capacity: 100,
            }) => {}
            other => panic!("{what}: {other:?}"),
        }
        // Every priority has room of its own: a full LOW takes none of
        // CRITICAL's (nor of IDLE's), and the call runs at once.
        let critical = service
            .publish_batch(Priority::Critical, count::Op, &[1; 100])
            .unwrap();
        assert!(critical.wait().is_done(), "{what}");
        assert!(service
            .publish(Priority::Idle, count::task(1))
            .unwrap()
            .wait()
            .is_done());
        assert!(matches!(
            service.publish_for(2, Priority::Idle, count::task(1)),
            Err(Error::UnknownTenant { tenant: 2, .. })
        ));
        assert!(matches!(
            service.publish(Priority::Idle, Task::new(0x99, [])),
            Err(Error::UnknownOpcode { id: 0x99 })
        ));
        // A waiting publisher gets in once the tenant runs.
        let waiter = {
            let s = service.clone();
            thread::spawn(move || {
                s.publisher(PublishOptions {
                    wait_for_room: true,
                    ..PublishOptions::default()
                })
                .publish_batch(Priority::Low, count::Op, &[1; 20])
                .unwrap()
                .wait()
            })
        };
        // And one that awaits room as a future (its own executor, on its
        // own thread: the future is pending until room is given back; 11
        // tasks do not fit beside the 90 parked ones).
        let awaiter = {
            let s = service.clone();
            thread::spawn(move || {
                common::park_on(s.publish_batch_async(Priority::Low, count::Op, &[1; 11]))
                    .unwrap()
                    .wait()
            })
        };
        thread::sleep(std::time::Duration::from_millis(50));
        assert!(!parked.is_resolved(), "{what}");
        assert!(!waiter.is_finished() && !awaiter.is_finished(), "{what}");
        service
            .with_runtime(|rt| rt.enable_tenant(1))
            .unwrap()
            .unwrap();
        assert!(parked.wait().is_done(), "{what}");
        assert!(waiter.join().unwrap().is_done(), "{what}");
        assert!(awaiter.join().unwrap().is_done(), "{what}");
        let report = service.shutdown();
        assert!(report.status.books.balanced());
        assert_eq!(
            report.status.books.executed,
            100 + 1 + 90 + 20 + 11,
            "{what}"
        );
    }
}

/// A publisher awaiting room when the service stops gets `ServiceStopped`
/// (never a hang); a call too large for the backlog fails at once.
#[test]
fn an_awaiting_publisher_sees_the_service_stop() {
    for gpu in every_backend("service_await_stop", 2) {
        let what = gpu.description();
        let service = start(
            &gpu,
            ServiceOptions {
                backlog: 50,
                ..ServiceOptions::default()
            },
        );
        assert!(matches!(
            common::park_on(service.publish_batch_async(Priority::Idle, count::Op, &[1; 51])),
            Err(Error::TooManyTasks { tasks: 51, max: 50 })
        ));
        let parked = park(&service, 50);
        let awaiter = {
            let s = service.clone();
            thread::spawn(move || common::park_on(s.publish_async(Priority::Low, count::task(1))))
        };
        thread::sleep(std::time::Duration::from_millis(50));
        assert!(!awaiter.is_finished(), "{what}");
        let report = service.shutdown();
        match awaiter.join().unwrap() {
            Err(Error::ServiceStopped { .. }) => {}
            other => panic!("{what}: {other:?}"),
        }
        // The parked tasks come back unfinished on their ticket.
        let o = parked.wait();
        assert_eq!(o.unfinished, 50, "{what}: {o:?}");
        assert!(report.status.books.balanced(), "{what}");
    }
}

#[test]
fn shutdown_and_drop_under_load_resolve_every_accepted_ticket() {
    for gpu in every_backend("service_shutdown", 2) {
        let what = gpu.description();
        for drop_it in [false, true] {
            let service = start(&gpu, ServiceOptions::default());
            let publishers: Vec<_> = (0..4)
                .map(|t| {
                    let s = service.clone();
                    thread::spawn(move || {
                        let mut accepted = Vec::new();
                        for c in 0..400u32 {
                            let args: Vec<u32> =
                                (0..50).map(|k| t * 100_000 + c * 50 + k).collect();
                            match s.publish_batch(Priority::ALL[(c % 5) as usize], count::Op, &args)
                            {
                                Ok(ticket) => accepted.push(ticket),
                                Err(Error::ServiceStopped { .. }) => break,
                                Err(Error::Backlog { .. }) => thread::yield_now(),
                                Err(e) => panic!("{e}"),
                            }
                        }
                        accepted
                    })
                })
                .collect();
            thread::sleep(std::time::Duration::from_millis(20));
            let report = if drop_it {
                drop(service);
                None
            } else {
                Some(service.shutdown())
            };
            let mut tasks = 0;
            for p in publishers {
                for ticket in p.join().unwrap() {
                    // Resolved already: the service drained before it
                    // stopped.
                    let o = ticket.outcome().expect("resolved at shutdown");
                    assert_eq!(o.unfinished, 0, "{what}");
                    tasks += o.tasks;
                }
            }
            if let Some(report) = report {
                let b = report.status.books;
                assert!(b.balanced(), "{what}: {b:?}");
                assert_eq!(b.published, tasks, "{what}");
                assert_eq!(b.executed + b.faulted, tasks, "{what}");
            }
        }
    }
}

#[test]
fn a_handler_shutdown_returns_the_rest_unfinished() {
    for gpu in every_backend("service_handler_shutdown", 2) {
        let what = gpu.description();
        let service = start(&gpu, ServiceOptions::default());
        let parked = park(&service, 10);
        let stopper = service.publish(Priority::Critical, stop::task()).unwrap();
        assert!(stopper.wait().is_done(), "{what}");
        let o = parked.wait();
        assert_eq!(o.unfinished, 10, "{what}: {o:?}");
        assert!(!o.is_done());
        let report = service.shutdown();
        assert_eq!(report.stop, ServiceStop::HandlerShutdown, "{what}");
        assert!(report.status.books.balanced());
        assert!(matches!(
            service.publish(Priority::High, count::task(1)),
            Err(Error::ServiceStopped { ref reason }) if reason.contains("ctx.shutdown")
        ));
        assert!(matches!(
            service.with_runtime(|_| ()),
            Err(Error::ServiceStopped { .. })
        ));
    }
}

#[test]
fn tickets_are_futures() {
    let service = start(&Gpu::cpu(), ServiceOptions::default());
    let outcomes = common::park_on(async {
        let a = service.publish(Priority::High, count::task(7)).unwrap();
        let b = service
            .publish_batch(Priority::Low, count::Op, &[1, UNLUCKY, 3])
            .unwrap();
        (a.await, b.await)
    });
    assert!(outcomes.0.is_done());
    assert_eq!(outcomes.1.faults.len(), 1);
    assert_eq!(outcomes.1.faults[0].kind, FaultKind::User { code: UNLUCKY });
    let hits = read(&service, "hits");
    assert_eq!((hits[1], hits[3], hits[7]), (1, 1, 1));
}

#[test]
fn partitions_resize_between_submissions_while_serving() {
    for gpu in every_backend("service_partitions", 2) {
        let what = gpu.description();
        let service = start(&gpu, ServiceOptions::default());
        let first: Vec<u32> = (1..600).collect();
        let a = service
            .publish_batch(Priority::Idle, count::Op, &first)
            .unwrap();
        match service.set_partition_sizes([0, 40, 40, 40, 40]) {
            Err(Error::PartitionSizes { slots: 160, .. }) => {}
            other => panic!("{what}: {other:?}"),
        }
        service.set_partition_sizes([16, 16, 16, 16, 96]).unwrap();
        let second: Vec<u32> = (600..1000).collect();
        let b = service
            .publish_batch(Priority::Idle, count::Op, &second)
            .unwrap();
        assert!(a.wait().is_done() && b.wait().is_done(), "{what}");
        let hits = read(&service, "hits");
        assert_eq!(
            hits.iter().map(|&h| u64::from(h)).sum::<u64>(),
            999,
            "{what}"
        );
        let rt = service.into_runtime().expect("this handle's runtime");
        assert_eq!(rt.partitions()[4], (64, 96), "{what}");
        assert!(rt.accounting().balanced(), "{what}");
    }
}

#[test]
fn shutdown_returns_calls_waiting_for_a_ticket_entry() {
    // More calls than the device's ticket table has entries, all for a
    // paused tenant: nothing can run, the table fills and the rest wait
    // on the host. Shutdown must still end, every ticket resolved.
    let service = start(
        &Gpu::cpu(),
        ServiceOptions {
            backlog: 100_000,
            ..ServiceOptions::default()
        },
    );
    service
        .with_runtime(|rt| rt.disable_tenant(1))
        .unwrap()
        .unwrap();
    let calls = vyre::protocol::ticket::ENTRIES + 100;
    let tickets: Vec<Ticket> = (0..calls)
        .map(|i| {
            service
                .publish_for(1, Priority::Low, count::task(i + 1))
                .unwrap()
        })
        .collect();
    let report = service.shutdown();
    assert_eq!(report.stop, ServiceStop::Shutdown);
    let mut never_admitted = 0;
    for t in &tickets {
        let o = t.outcome().expect("resolved at shutdown");
        assert_eq!(o.unfinished, 1, "{o:?}");
        if o.admitted_at.is_none() {
            never_admitted += 1;
            assert_eq!(o.started_at, None, "{o:?}");
        }
    }
    // The calls that waited on the host for a ticket entry never reached
    // the runtime.
    assert!(never_admitted >= 100, "{never_admitted}");
    assert_eq!(report.status.backlog, 0);
}

#[test]
fn a_flood_waits_in_the_driver_and_critical_calls_go_first() {
    // A paused tenant's IDLE flood, far more than two submissions' worth:
    // the driver hands the runtime at most that much (2 × 32 slots × 4
    // rounds, plus what the partition parks), the rest waits in the
    // driver's queue, and a CRITICAL call published after all of it still
    // runs at once.
    for gpu in every_backend("service_flood", 2) {
        let what = gpu.description();
        let service = start(&gpu, ServiceOptions::default());
        service
            .with_runtime(|rt| rt.disable_tenant(1))
            .unwrap()
            .unwrap();
        let flood: Vec<Ticket> = (0..100u32)
            .map(|c| {
                service
                    .publish_with(1, Priority::Idle, 0x50, 50, move |k, w| {
                        // Below UNLUCKY: none of them faults.
                        w[0] = 1 + (c * 50 + k as u32) % 1000
                    })
                    .unwrap()
            })
            .collect();
        let seen = std::time::Instant::now();
        while service.status().books.published < 5000 {
            assert!(
                seen.elapsed().as_secs() < 60,
                "{what}: the flood never arrived"
            );
            thread::yield_now();
        }
        let in_runtime = service.with_runtime(|rt| rt.accounting()).unwrap();
        assert!(
            in_runtime.published <= 2 * 32 * 4 + 32,
            "{what}: the runtime holds {} of the flood",
            in_runtime.published
        );
        let urgent = service
            .publish(Priority::Critical, count::task(5000))
            .unwrap();
        assert!(urgent.wait().is_done(), "{what}");
        assert!(flood.iter().all(|t| t.outcome().is_none()), "{what}");
        service
            .with_runtime(|rt| rt.enable_tenant(1))
            .unwrap()
            .unwrap();
        for t in &flood {
            assert!(t.wait().is_done(), "{what}");
        }
        let hits = read(&service, "hits");
        assert_eq!(
            hits.iter().map(|&h| u64::from(h)).sum::<u64>(),
            5001,
            "{what}"
        );
        let report = service.shutdown();
        assert!(
            report.status.books.balanced(),
            "{what}: {:?}",
            report.status.books
        );
    }
}
