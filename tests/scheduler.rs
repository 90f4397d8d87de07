//! The scheduler's promises, checked on the reference interpreter and on
//! wgpu (lavapipe in CI) with identical results: priority order, spawn
//! chains, spawn overflow, tenants, full partitions and anti-starvation.

mod common;

use common::{on_every_backend, Outcome};
use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};
use vyre::RawTask;

const U32: ScalarType = ScalarType::U32;

fn atomic_u32() -> BufferKind {
    BufferKind::atomic(U32)
}

/// `mark(i)`: `hits[i] += 1`.
fn mark(id: u32) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, "mark");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let i = h.arg("i", U32);
    h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    h.finish().unwrap()
}

fn task(id: u32, args: &[u32]) -> Task {
    Task::new(id, args.iter().map(|&a| Literal::U32(a)))
}

#[test]
fn every_critical_task_is_claimed_before_any_idle_task() {
    // log(tag): order[ticket++] = tag. One lane makes claim order visible.
    let mut h = HandlerBuilder::new(1, "log");
    let ticket = h.buffer("ticket", U32, Access::Atomic);
    let order = h.buffer("order", U32, Access::ReadWrite);
    let tag = h.arg("tag", U32);
    h.body(|b| {
        let t = b.let_("t", ticket.fetch_add(0u32, 1u32));
        b.store(order, t, tag);
    });
    let program = Program::builder("priority")
        .config(ProgramConfig {
            workgroup_size: 1,
            slots: 200,
            starvation_limit: 0,
            ..Default::default()
        })
        .buffer("ticket", atomic_u32())
        .buffer("order", BufferKind::plain(U32))
        .opcode(h.finish().unwrap())
        .build()
        .unwrap();
    let per_level = 12u32;
    let levels = on_every_backend("priority order", 1, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let ticket = rt.buffer::<u32>("ticket").unwrap();
        let order = rt.buffer::<u32>("order").unwrap();
        rt.upload(ticket, &[0]).unwrap();
        rt.upload(order, &vec![u32::MAX; 5 * per_level as usize])
            .unwrap();
        // Publish lowest priority first, interleaved, so order of
        // publication cannot explain the order of claims.
        for i in 0..per_level {
            for p in Priority::ALL.iter().rev() {
                rt.publish(*p, task(1, &[p.index() as u32 * 100 + i]))
                    .unwrap();
            }
        }
        let report = rt.run().unwrap();
        assert_eq!(report.executed, 5 * per_level as u64);
        assert_eq!(report.rounds, 1, "all published work fits one round");
        let levels: Vec<u32> = rt.read(order).unwrap().iter().map(|t| t / 100).collect();
        (Outcome::of(&report), levels)
    })
    .1;
    let mut sorted = levels.clone();
    sorted.sort();
    assert_eq!(levels, sorted, "claims must go CRITICAL → IDLE");
}

fn chain_program() -> Program {
    // chain(n): hits[0] += 1; if n > 0 { spawn chain(n - 1) }
    let mut h = HandlerBuilder::new(7, "chain");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let n = h.arg("n", U32);
    h.body(|b| {
        b.eval(hits.fetch_add(0u32, 1u32));
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Normal, 7, vec![n - 1u32]);
        });
    });
    hits_program("chain", h.finish().unwrap())
}

/// A program of `handler` alone, over a 64-slot ring and one atomic
/// buffer `hits`.
fn hits_program(name: &str, handler: OpcodeHandler) -> Program {
    Program::builder(name)
        .config(ProgramConfig {
            slots: 64,
            ..Default::default()
        })
        .buffer("hits", atomic_u32())
        .opcode(handler)
        .build()
        .unwrap()
}

#[test]
fn a_spawn_chain_runs_one_link_per_round() {
    let links = 60u32;
    on_every_backend("spawn chain", 2, |gpu| {
        let mut rt = Runtime::new(gpu, chain_program()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0]).unwrap();
        rt.publish(Priority::Normal, task(7, &[links])).unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.stop, StopReason::Idle);
        assert_eq!(report.executed, links as u64 + 1);
        assert_eq!(report.spawned, links as u64);
        // A spawned task becomes claimable only in the next round.
        assert!(report.rounds > links as u64, "{} rounds", report.rounds);
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
        (Outcome::of(&report), rt.read(hits).unwrap())
    });
}

/// `relay(n, fault_at)`: `hits[0] += 1`; faults when `n == fault_at`, else
/// spawns `relay(n - 1, fault_at)` while `n > 0`.
fn relay_program() -> Program {
    let mut h = HandlerBuilder::new(8, "relay");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let n = h.arg("n", U32);
    let fault_at = h.arg("fault_at", U32);
    h.body(|b| {
        b.eval(hits.fetch_add(0u32, 1u32));
        b.if_(n.equals(fault_at), |b| b.fault(1u32));
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Normal, 8, vec![n - 1u32, fault_at.into()]);
        });
    });
    hits_program("relay", h.finish().unwrap())
}

#[test]
fn a_spawning_program_run_again_starts_with_the_rounds_its_last_run_took() {
    // The host cannot know how many rounds spawned work needs: a first run
    // of a relay of 13 links doubles (1 + 2 + 4 + 8 rounds submitted in
    // four submissions, 13 run); the same work run again starts with the
    // 13 rounds the first ran and drains in one submission, with the same
    // outcome. A run in which a task faulted teaches nothing (a long
    // submission holds FAULT slots until the host reads them): the run
    // after it doubles again.
    let never = u32::MAX;
    let runs = on_every_backend("learned rounds", 2, |gpu| {
        let mut rt = Runtime::new(gpu, relay_program()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0]).unwrap();
        let mut runs = Vec::new();
        for fault_at in [never, never, 5, never] {
            rt.publish(Priority::Normal, task(8, &[12, fault_at]))
                .unwrap();
            let report = rt.run().unwrap();
            assert_eq!(report.stop, StopReason::Idle);
            assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
            runs.push((Outcome::of(&report), report.rounds, report.submissions));
        }
        // Every link ran: 13 a clean run; 12 down to 5 the faulty one
        // (its link 5 counts itself, then faults and spawns nothing).
        assert_eq!(rt.read(hits).unwrap(), [13 + 13 + 8 + 13]);
        runs
    });
    // (rounds submitted, submissions)
    let shape: Vec<(u64, u64)> = runs.iter().map(|r| (r.1, r.2)).collect();
    assert_eq!(shape, [(15, 4), (13, 1), (13, 1), (15, 4)]);
    assert_eq!(runs[0].0, runs[1].0);
    assert_eq!(runs[0].0, runs[3].0);
    assert_eq!(runs[2].0.faults.len(), 1);
}

#[test]
fn a_fan_out_tree_runs_every_node_once() {
    // tree(depth): level[depth] += 1; if depth < 8 { spawn two children }
    let mut h = HandlerBuilder::new(3, "tree");
    let level = h.buffer("level", U32, Access::Atomic);
    let depth = h.arg("depth", U32);
    h.body(|b| {
        b.eval(level.fetch_add(depth, 1u32));
        b.if_(depth.lt(8u32), |b| {
            b.spawn(Priority::High, 3, vec![depth + 1u32]);
            b.spawn(Priority::High, 3, vec![depth + 1u32]);
        });
    });
    let program = Program::builder("tree")
        .config(ProgramConfig {
            slots: 4000,
            ..Default::default()
        })
        .buffer("level", atomic_u32())
        .opcode(h.finish().unwrap())
        .build()
        .unwrap();
    let (_, levels) = on_every_backend("fan-out tree", 4, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let level = rt.buffer::<u32>("level").unwrap();
        rt.upload(level, &[0; 9]).unwrap();
        rt.publish(Priority::High, task(3, &[0])).unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.executed, 511);
        assert_eq!(report.spawn_overflows, 0);
        (Outcome::of(&report), rt.read(level).unwrap())
    });
    assert_eq!(levels, (0..9).map(|d| 1 << d).collect::<Vec<u32>>());
}

#[test]
fn spawn_overflow_is_counted_and_loses_nothing() {
    // burst(): 10 times: if !spawn(leaf) { failed += 1 }
    // leaf(): hits[0] += 1
    let mut burst = HandlerBuilder::new(1, "burst");
    let failed = burst.buffer("failed", U32, Access::Atomic);
    burst.body(|b| {
        b.for_range("i", 0u32, 10u32, |b, _| {
            let ok = b.spawn(Priority::Normal, 2, vec![]);
            b.if_(!ok, |b| b.eval(failed.fetch_add(0u32, 1u32)));
        });
    });
    let mut leaf = HandlerBuilder::new(2, "leaf");
    let hits = leaf.buffer("hits", U32, Access::Atomic);
    leaf.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
    let program = Program::builder("overflow")
        .config(ProgramConfig {
            slots: 24,
            partition_sizes: Some([4, 4, 8, 4, 4]),
            ..Default::default()
        })
        .buffer("failed", atomic_u32())
        .buffer("hits", atomic_u32())
        .opcode(burst.finish().unwrap())
        .opcode(leaf.finish().unwrap())
        .build()
        .unwrap();
    let (outcome, (failed, hits)) = on_every_backend("spawn overflow", 1, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let failed = rt.buffer::<u32>("failed").unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(failed, &[0]).unwrap();
        rt.upload(hits, &[0]).unwrap();
        rt.publish(Priority::Normal, task(1, &[])).unwrap();
        let report = rt.run().unwrap();
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
        (
            Outcome::of(&report),
            (rt.read(failed).unwrap()[0], rt.read(hits).unwrap()[0]),
        )
    });
    // The burst holds one of NORMAL's 8 slots: 7 spawns fit, 3 overflow.
    assert_eq!(outcome.spawned, 7);
    assert_eq!(outcome.spawn_overflows, 3);
    assert_eq!(failed, 3, "every refused spawn returned false");
    assert_eq!(hits, 7, "every accepted spawn ran");
}

#[test]
fn disabled_tenants_park_their_tasks_until_enabled() {
    let program = Program::builder("tenants")
        .config(ProgramConfig {
            tenants: 4,
            slots: 100,
            ..Default::default()
        })
        .buffer("hits", atomic_u32())
        .opcode(mark(1))
        .build()
        .unwrap();
    on_every_backend("tenants", 2, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 4]).unwrap();
        rt.disable_tenant(2).unwrap();
        for _ in 0..5 {
            rt.publish_for(1, Priority::Normal, task(1, &[1])).unwrap();
            rt.publish_for(2, Priority::Low, task(1, &[2])).unwrap();
        }
        let first = rt.run().unwrap();
        assert_eq!(first.executed, 5);
        assert_eq!(first.parked, 5);
        assert_eq!(
            rt.read(hits).unwrap(),
            vec![0, 5, 0, 0],
            "parked tasks never ran"
        );
        assert!(rt.accounting().balanced());

        rt.enable_tenant(2).unwrap();
        let second = rt.run().unwrap();
        assert_eq!(second.executed, 5);
        assert_eq!(second.parked, 0);
        assert_eq!(rt.read(hits).unwrap(), vec![0, 5, 5, 0]);
        assert!(rt.accounting().balanced());
        assert!(matches!(
            rt.publish_for(4, Priority::Normal, task(1, &[0])),
            Err(Error::UnknownTenant {
                tenant: 4,
                tenants: 4
            })
        ));
        (Outcome::of(&first), Outcome::of(&second))
    });
}

fn small_ring(tenants: u32) -> Program {
    Program::builder("small")
        .config(ProgramConfig {
            slots: 20,
            inbox_capacity: 8,
            tenants,
            ..Default::default()
        })
        .buffer("hits", atomic_u32())
        .opcode(mark(1))
        .build()
        .unwrap()
}

#[test]
fn publishing_more_than_a_partition_holds_loses_nothing() {
    on_every_backend("full partition", 1, |gpu| {
        let mut rt = Runtime::new(gpu, small_ring(1)).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 3]).unwrap();
        for i in 0..300u32 {
            rt.publish(Priority::Normal, task(1, &[i % 3])).unwrap();
        }
        let report = rt.run().unwrap();
        assert_eq!(report.stop, StopReason::Idle);
        assert_eq!(report.executed, 300);
        assert_eq!(report.waiting, 0);
        assert_eq!(rt.read(hits).unwrap(), vec![100, 100, 100]);
        assert!(rt.accounting().balanced());
        Outcome::of(&report)
    });
}

#[test]
fn a_task_parked_while_placing_holds_back_nothing_else() {
    // The program places and runs. The first place pass takes LOW's first
    // four entries (its slots): the disabled tenant's task parks there and
    // ends the placing, so ten more wait in the inbox. Every one of them
    // runs in the same `run()`, on every backend, whether the submission's
    // later passes place them (maintain) or the next submission does.
    on_every_backend("parked while placing", 1, |gpu| {
        let program = small_ring(2);
        assert!(program.places_and_runs());
        let mut rt = Runtime::new(gpu, program).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 2]).unwrap();
        rt.disable_tenant(1).unwrap();
        rt.publish_for(1, Priority::Low, task(1, &[1])).unwrap();
        for _ in 0..13 {
            rt.publish_for(0, Priority::Low, task(1, &[0])).unwrap();
        }
        let report = rt.run().unwrap();
        assert_eq!(report.stop, StopReason::Idle);
        assert_eq!((report.executed, report.parked, report.waiting), (13, 1, 0));
        assert_eq!(rt.read(hits).unwrap(), vec![13, 0]);
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
        Outcome::of(&report)
    });
}

#[test]
fn a_partition_full_of_parked_work_blocks_and_reports_waiting() {
    on_every_backend("blocked partition", 1, |gpu| {
        let mut rt = Runtime::new(gpu, small_ring(2)).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 2]).unwrap();
        rt.disable_tenant(1).unwrap();
        for _ in 0..10 {
            rt.publish_for(1, Priority::Low, task(1, &[1])).unwrap();
        }
        for _ in 0..3 {
            rt.publish_for(0, Priority::Low, task(1, &[0])).unwrap();
        }
        let blocked = rt.run().unwrap();
        assert_eq!(
            blocked.stop,
            StopReason::Idle,
            "a blocked ring must not spin"
        );
        assert_eq!(blocked.executed, 0);
        assert_eq!(blocked.parked, 4, "LOW has 4 slots");
        assert_eq!(blocked.waiting, 9);
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());

        rt.enable_tenant(1).unwrap();
        let done = rt.run().unwrap();
        assert_eq!(done.executed, 13);
        assert_eq!(rt.read(hits).unwrap(), vec![3, 10]);
        assert!(rt.accounting().balanced());
        (Outcome::of(&blocked), Outcome::of(&done))
    });
}

fn flood_program(starvation_limit: u32) -> Program {
    // flood(): respawn itself at CRITICAL, forever.
    let mut flood = HandlerBuilder::new(1, "flood");
    flood.body(|b| {
        b.spawn(Priority::Critical, 1, vec![]);
    });
    // idle(): the last of IDLE_TASKS asks for shutdown.
    let mut idle = HandlerBuilder::new(2, "idle");
    let done = idle.buffer("done", U32, Access::Atomic);
    idle.body(|b| {
        let before = b.let_("before", done.fetch_add(0u32, 1u32));
        b.if_(before.equals(IDLE_TASKS - 1), |b| b.shutdown());
    });
    Program::builder("flood")
        .config(ProgramConfig {
            workgroup_size: 4,
            slots: 128,
            partition_sizes: Some([64, 16, 16, 16, 16]),
            claim_budget: 2,
            starvation_limit,
            ..Default::default()
        })
        .buffer("done", atomic_u32())
        .opcode(flood.finish().unwrap())
        .opcode(idle.finish().unwrap())
        .build()
        .unwrap()
}

const IDLE_TASKS: u32 = 6;

fn run_flood(gpu: &Gpu, starvation_limit: u32) -> (StopReason, u32) {
    let mut rt = Runtime::new(gpu, flood_program(starvation_limit)).unwrap();
    let done = rt.buffer::<u32>("done").unwrap();
    rt.upload(done, &[0]).unwrap();
    rt.set_limits(RunLimits {
        max_rounds: 150,
        ..RunLimits::default()
    })
    .unwrap();
    for _ in 0..16 {
        rt.publish(Priority::Critical, task(1, &[])).unwrap();
    }
    for _ in 0..IDLE_TASKS {
        rt.publish(Priority::Idle, task(2, &[])).unwrap();
    }
    let report = rt.run().unwrap();
    // More CRITICAL work than the lanes can claim in a round, every round.
    assert!(report.executed_by_priority[0] > 0);
    (report.stop, rt.read(done).unwrap()[0])
}

#[test]
fn idle_work_completes_under_a_self_respawning_critical_flood() {
    let result = on_every_backend("anti-starvation", 1, |gpu| run_flood(gpu, 3));
    assert_eq!(result, (StopReason::Shutdown, IDLE_TASKS));
}

#[test]
fn strict_priority_starves_idle_work_under_the_same_flood() {
    // The control experiment: without the guard, the flood wins.
    let result = on_every_backend("strict priority", 1, |gpu| run_flood(gpu, 0));
    assert_eq!(result, (StopReason::RoundLimit, 0));
}

#[test]
fn publish_rejects_bad_tasks_with_typed_errors() {
    let mut rt = Runtime::new(&Gpu::reference(), small_ring(1)).unwrap();
    assert!(matches!(
        rt.publish(Priority::Normal, task(99, &[])),
        Err(Error::UnknownOpcode { id: 99 })
    ));
    assert!(matches!(
        rt.publish(Priority::Normal, task(1, &[])),
        Err(Error::ArgumentCount {
            expected: 1,
            found: 0,
            ..
        })
    ));
    // More arguments than a slot holds: counted, not truncated.
    let too_many = Task::new(1, (0..13).map(Literal::U32));
    assert_eq!((too_many.args().len(), too_many.arg_count()), (12, 13));
    assert!(matches!(
        rt.publish(Priority::Normal, too_many),
        Err(Error::ArgumentCount {
            expected: 1,
            found: 13,
            ..
        })
    ));
    assert!(matches!(
        rt.publish(Priority::Normal, Task::new(1, [Literal::I32(1)])),
        Err(Error::ArgumentType { index: 0, .. })
    ));
    assert!(matches!(
        rt.buffer::<u32>("nope"),
        Err(Error::UnknownBuffer { .. })
    ));
    assert!(matches!(
        rt.buffer::<f32>("hits"),
        Err(Error::BufferType { .. })
    ));
    let hits = rt.buffer::<u32>("hits").unwrap();
    assert!(matches!(
        rt.write(hits, 0, &[1, 2]),
        Err(Error::BufferRange { .. })
    ));
    assert_eq!(
        rt.accounting().published,
        0,
        "rejected tasks are not counted"
    );
    // A raw task skips the host checks; the device faults it instead.
    rt.publish_raw(
        Priority::Normal,
        RawTask {
            opcode: 0xDEAD,
            tenant: 0,
            args: [0; 12],
        },
    );
    let report = rt.run().unwrap();
    assert_eq!(report.faults.len(), 1);
    assert_eq!(report.faults[0].kind, FaultKind::UnknownOpcode);
}
