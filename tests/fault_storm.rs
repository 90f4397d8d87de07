//! Many faults in one run, mixed with good work: 30% of 2,000 tasks fault
//! in every way the device reports (out of bounds, division by zero, loop
//! limit, user fault, spawn priority, unknown opcode, tenant outside the
//! table, and a fault after a successful spawn), spread over every
//! priority, in a ring of 64 slots — so every slot is reused dozens of
//! times. On the reference interpreter and on wgpu (lavapipe in CI), with
//! identical results:
//! - every faulting task is reported once, with its slot (inside its
//!   priority's partition), opcode, code, detail, tenant and priority;
//! - every good task runs exactly once (its own counter is 1), and every
//!   child spawned before a fault runs too;
//! - the run ends idle with nothing waiting: faulted slots were recycled;
//! - the device is still healthy afterwards: more work runs normally.

mod common;

use std::collections::BTreeMap;

use common::{on_every_backend, Outcome};
use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};
use vyre::RawTask;

const U32: ScalarType = ScalarType::U32;
const TASKS: u32 = 2000;
const SLOTS: u32 = 64;
const LOOP_LIMIT: u32 = 200;
const GOOD: u32 = 100;
const BAD: u32 = 1;
/// Children spawned before a fault count at `hits[CHILD + i]`.
const CHILD: u32 = TASKS;
/// Out-of-bounds stores go to `data[OOB + i]`.
const OOB: u32 = 1000;

/// `good(i)`: `hits[i] += 1`.
fn good() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(GOOD, "good");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let i = h.arg("i", U32);
    h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    h.finish().unwrap()
}

/// `bad(kind, i)`: faults in the way `kind` says.
fn bad() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(BAD, "bad");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let kind = h.arg("kind", U32);
    let i = h.arg("i", U32);
    type Arm<'a> = Box<dyn FnOnce(&mut vyre::ir::BlockBuilder<'_>) + 'a>;
    let arms: Vec<(Vec<Literal>, Arm<'_>)> = vec![
        (
            vec![Literal::U32(0)],
            Box::new(move |b| b.store(data, i + OOB, 1u32)),
        ),
        (
            vec![Literal::U32(1)],
            Box::new(move |b| b.store(data, 0u32, i / (kind - 1u32))),
        ),
        (vec![Literal::U32(2)], Box::new(|b| b.loop_(|_| {}))),
        (vec![Literal::U32(3)], Box::new(move |b| b.fault(i))),
        (
            vec![Literal::U32(4)],
            Box::new(move |b| {
                b.spawn(i + 5u32, GOOD, vec![i.into()]);
            }),
        ),
        (
            vec![Literal::U32(5)],
            Box::new(move |b| {
                b.spawn(Priority::Idle, GOOD, vec![i + CHILD]);
                b.fault(i);
            }),
        ),
    ];
    h.body(|b| b.switch(kind, arms, |_| {}));
    h.finish().unwrap()
}

fn program() -> Program {
    Program::builder("fault storm")
        .config(ProgramConfig {
            slots: SLOTS,
            tenants: 2,
            loop_limit: LOOP_LIMIT,
            inbox_capacity: 64,
            ..ProgramConfig::default()
        })
        .buffer("hits", BufferKind::atomic(U32))
        .buffer("data", BufferKind::plain(U32))
        .opcode(good())
        .opcode(bad())
        .build()
        .unwrap()
}

/// What task `i` is: `None` for good work, else the way it faults
/// (0..=5 as in `bad`, 6 unknown opcode, 7 bad tenant). About 30% fault.
fn plan(i: u32) -> Option<u32> {
    let h = i.wrapping_mul(0x9E37_79B9).rotate_left(7) ^ 0x5bd1_e995;
    (h % 100 < 30).then_some((h / 100) % 8)
}

fn priority(i: u32) -> Priority {
    Priority::ALL[(i % 5) as usize]
}

/// The fault task `i` must be reported with, as far as it identifies the
/// task: `(opcode, kind, tenant)`.
fn expected_fault(i: u32, how: u32) -> (u32, FaultKind, u32) {
    match how {
        0 => (BAD, FaultKind::OutOfBounds { index: i + OOB }, 0),
        1 => (BAD, FaultKind::DivideByZero, 0),
        2 => (BAD, FaultKind::LoopLimit { limit: LOOP_LIMIT }, 0),
        3 | 5 => (BAD, FaultKind::User { code: i }, 0),
        4 => (BAD, FaultKind::BadPriority { priority: i + 5 }, 0),
        6 => (0x1_0000 + i, FaultKind::UnknownOpcode, 0),
        _ => (GOOD, FaultKind::BadTenant, 7 + i),
    }
}

#[test]
fn thirty_percent_of_two_thousand_tasks_fault_and_the_rest_runs() {
    let program = program();
    let partitions = program.config().partitions();
    let bad_count = (0..TASKS).filter(|&i| plan(i).is_some()).count() as u64;
    let children = (0..TASKS).filter(|&i| plan(i) == Some(5)).count() as u64;
    assert!(
        (500..700).contains(&bad_count),
        "{bad_count} faulting tasks"
    );
    for how in 0..8 {
        assert!(
            (0..TASKS).any(|i| plan(i) == Some(how)),
            "kind {how} occurs"
        );
    }

    let outcome = on_every_backend("fault storm", 2, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(hits, &vec![0; 2 * TASKS as usize]).unwrap();
        rt.upload(data, &[0; 4]).unwrap();
        for i in 0..TASKS {
            let p = priority(i);
            let args = |kind: u32| Task::new(BAD, [Literal::U32(kind), Literal::U32(i)]);
            match plan(i) {
                None => rt.publish(p, Task::new(GOOD, [Literal::U32(i)])).unwrap(),
                Some(6) => rt.publish_raw(
                    p,
                    RawTask {
                        opcode: 0x1_0000 + i,
                        tenant: 0,
                        args: [0; 12],
                    },
                ),
                Some(7) => rt.publish_raw(
                    p,
                    RawTask {
                        opcode: GOOD,
                        tenant: 7 + i,
                        args: [i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                    },
                ),
                Some(kind) => rt.publish(p, args(kind)).unwrap(),
            }
        }
        let r = rt.run().unwrap();
        assert_eq!(r.stop, StopReason::Idle, "{:?}", rt.accounting());
        assert_eq!((r.waiting, r.parked), (0, 0), "faulted slots recycled");
        assert_eq!(r.faults.len() as u64, bad_count);
        // Each task that faults after a spawn tried one spawn, into the
        // small IDLE partition: it may have overflowed.
        assert_eq!(r.spawned + r.spawn_overflows, children);
        assert!(r.spawned > 0);
        assert_eq!(r.executed, TASKS as u64 - bad_count + r.spawned);
        let books = rt.accounting();
        assert!(books.balanced(), "{books:?}");
        assert_eq!(
            books.executed + books.faulted,
            books.published + books.spawned
        );

        // Every fault identified and described.
        let mut by_task: BTreeMap<u32, &Fault> = BTreeMap::new();
        let mut anonymous = BTreeMap::<String, u64>::new();
        let mut slots_used = std::collections::BTreeSet::new();
        for f in &r.faults {
            let (start, size) = partitions[f.priority as usize];
            assert!(f.slot >= start && f.slot < start + size, "{f:?}");
            slots_used.insert(f.slot);
            assert_eq!(f.lane == u32::MAX, f.kind == FaultKind::BadTenant, "{f:?}");
            let task = match f.kind {
                FaultKind::OutOfBounds { index } => Some(index - OOB),
                FaultKind::User { code } => Some(code),
                FaultKind::BadPriority { priority } => Some(priority - 5),
                FaultKind::UnknownOpcode => Some(f.opcode - 0x1_0000),
                FaultKind::BadTenant => Some(f.tenant - 7),
                _ => None,
            };
            match task {
                Some(i) => {
                    let how = plan(i).unwrap_or_else(|| panic!("good task {i} faulted: {f:?}"));
                    let (opcode, kind, tenant) = expected_fault(i, how);
                    assert_eq!(
                        (f.opcode, f.kind, f.tenant),
                        (opcode, kind, tenant),
                        "task {i}"
                    );
                    assert_eq!(f.priority, priority(i) as u32, "task {i}");
                    assert_eq!(
                        f.opcode_name.as_deref(),
                        (how != 6).then_some(if how == 7 { "good" } else { "bad" })
                    );
                    assert!(by_task.insert(i, f).is_none(), "task {i} reported twice");
                }
                None => *anonymous.entry(format!("{:?}", f.kind)).or_default() += 1,
            }
        }
        let count = |how: u32| (0..TASKS).filter(|&i| plan(i) == Some(how)).count() as u64;
        assert_eq!(
            anonymous.get("DivideByZero").copied().unwrap_or(0),
            count(1)
        );
        assert_eq!(
            anonymous
                .get(&format!("{:?}", FaultKind::LoopLimit { limit: LOOP_LIMIT }))
                .copied()
                .unwrap_or(0),
            count(2)
        );
        assert_eq!(by_task.len() as u64, bad_count - count(1) - count(2));
        // Faults came from all over the ring.
        assert!(
            slots_used.len() as u32 > SLOTS / 2,
            "{} slots",
            slots_used.len()
        );

        // Good work ran exactly once; faulting tasks did nothing, except
        // the child spawned before a fault.
        let h = rt.read(hits).unwrap();
        let mut children_ran = 0;
        for i in 0..TASKS {
            assert_eq!(h[i as usize], plan(i).is_none() as u32, "hits[{i}]");
            let child = h[(CHILD + i) as usize];
            assert!(child <= (plan(i) == Some(5)) as u32, "hits[CHILD + {i}]");
            children_ran += child as u64;
        }
        assert_eq!(children_ran, r.spawned, "every spawned child ran once");
        assert_eq!(
            rt.read(data).unwrap(),
            [0; 4],
            "no store of a faulting task landed"
        );

        // Still healthy: more work, every slot available again.
        rt.upload(hits, &vec![0; SLOTS as usize * 2]).unwrap();
        for i in 0..SLOTS * 2 {
            rt.publish(priority(i), Task::new(GOOD, [Literal::U32(i)]))
                .unwrap();
        }
        let again = rt.run().unwrap();
        assert_eq!((again.executed, again.faults.len()), (SLOTS as u64 * 2, 0));
        assert_eq!(rt.read(hits).unwrap(), vec![1; SLOTS as usize * 2]);
        assert!(rt.accounting().balanced());
        Outcome::of(&r)
    });
    eprintln!(
        "fault storm: {} tasks, {} faults of {} kinds, {} executed",
        TASKS,
        outcome.faults.len(),
        8,
        outcome.executed
    );
}
