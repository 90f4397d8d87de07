//! Regression tests for reliability bugs found by the fuzzers
//! (`vyre-tests/tests/fuzz_host/`, `vyre-core/tests/ir_property.rs`), each the
//! smallest case that showed the bug, on every backend.

mod common;

use common::on_every_backend;
use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::ProgramConfig;

const U32: ScalarType = ScalarType::U32;

fn buffers_program(n: usize) -> Program {
    let mut h = HandlerBuilder::new(1, "noop");
    h.body(|_| {});
    let mut b = Program::builder("buffers");
    for i in 0..n {
        b = b.buffer(format!("b{i}"), BufferKind::plain(U32));
    }
    b.opcode(h.finish().unwrap()).build().unwrap()
}

/// A handle made by one runtime, used with another, indexed the other
/// runtime's buffer table: an index past its end panicked (in the error
/// path of the range check), and a matching index silently touched an
/// unrelated buffer. Every fallible call now refuses it.
#[test]
fn a_buffer_handle_of_another_runtime_is_refused() {
    on_every_backend("foreign handle", 1, |gpu| {
        let other = Runtime::new(&Gpu::reference(), buffers_program(5)).unwrap();
        let mut rt = Runtime::new(gpu, buffers_program(1)).unwrap();
        let mine = rt.buffer::<u32>("b0").unwrap();
        rt.upload(mine, &[7, 8, 9]).unwrap();
        for name in ["b0", "b4"] {
            let theirs = other.buffer::<u32>(name).unwrap();
            let foreign = |r: Result<(), Error>| {
                assert!(
                    matches!(r, Err(Error::ForeignBuffer { .. })),
                    "{name}: {r:?}"
                );
            };
            foreign(rt.write(theirs, 3, &[1]));
            foreign(rt.write(theirs, 0, &[1]));
            foreign(rt.resize(theirs, 9));
            foreign(rt.upload(theirs, &[1, 2]));
            foreign(rt.read(theirs).map(drop));
            foreign(rt.read_range(theirs, 0, 1).map(drop));
            assert_eq!(rt.len(theirs), 0);
        }
        assert_eq!(rt.read(mine).unwrap(), [7, 8, 9], "nothing changed");
    });
}

/// Tasks waiting in an inbox whose partition was full of faulted slots:
/// the host empties faulted slots after the submission in which the
/// maintenance pass saw them, so that pass could not place the inbox
/// entries, nothing was claimable, and `run()` stopped as idle with the
/// tasks still waiting. It now runs another submission.
#[test]
fn faulted_slots_make_room_for_waiting_tasks_within_the_same_run() {
    let mut h = HandlerBuilder::new(1, "refuse");
    let code = h.arg("code", U32);
    h.body(|b| b.fault(code));
    let mut g = HandlerBuilder::new(2, "good");
    let hits = g.buffer("hits", U32, Access::Atomic);
    g.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
    let program = Program::builder("refusals")
        .config(ProgramConfig {
            slots: 5,
            inbox_capacity: 4,
            ..ProgramConfig::default()
        })
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(h.finish().unwrap())
        .opcode(g.finish().unwrap())
        .build()
        .unwrap();
    on_every_backend("faulted slots", 1, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0]).unwrap();
        // One HIGH slot: each task faults in it, one at a time.
        for code in 0..6u32 {
            rt.publish(Priority::High, Task::new(1, [Literal::U32(code)]))
                .unwrap();
        }
        rt.publish(Priority::High, Task::new(2, [])).unwrap();
        let r = rt.run().unwrap();
        assert_eq!(r.stop, StopReason::Idle);
        assert_eq!((r.waiting, r.parked), (0, 0), "{r:?}");
        assert_eq!((r.faults.len(), r.executed), (6, 1));
        assert!(rt.accounting().balanced());
        let mut codes: Vec<_> = r.faults.iter().map(|f| f.kind).collect();
        codes.sort_by_key(|k| format!("{k:?}"));
        assert_eq!(
            codes,
            (0..6)
                .map(|code| FaultKind::User { code })
                .collect::<Vec<_>>()
        );
        rt.read(hits).unwrap()
    });
}

/// A loop of spawns into a full partition: every spawn probed every slot
/// of the partition, so one task cost `loop_limit × size` probes — a
/// dispatch of seconds to hours at the default sizes on a real GPU, and on
/// lavapipe (whose shader loops stop silently after 65,535 iterations per
/// invocation) a task reported as executed instead of faulting. A spawn
/// now takes a slot from its partition's free list and overflows at once
/// when the list is used up (`FREE_LEN`, `docs/protocol.md`): same
/// outcome, O(1) cost.
#[test]
fn a_loop_of_spawns_into_a_full_partition_overflows_cheaply() {
    const LIMIT: u32 = 1000;
    let mut hammer = HandlerBuilder::new(1, "hammer");
    hammer.body(|b| {
        b.loop_(|b| {
            b.spawn(Priority::Normal, 2, vec![]);
        });
    });
    let mut idle = HandlerBuilder::new(2, "idle");
    idle.body(|_| {});
    let program = Program::builder("hammer")
        .config(ProgramConfig {
            slots: 5000,
            tenants: 2,
            loop_limit: LIMIT,
            ..ProgramConfig::default()
        })
        .opcode(hammer.finish().unwrap())
        .opcode(idle.finish().unwrap())
        .build()
        .unwrap();
    let normal = program.config().partitions()[Priority::Normal.index()].1;
    on_every_backend("spawn loop into a full partition", 1, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        // NORMAL fills with parked tasks of the disabled tenant 1.
        rt.disable_tenant(1).unwrap();
        for _ in 0..normal {
            rt.publish_for(1, Priority::Normal, Task::new(2, []))
                .unwrap();
        }
        for _ in 0..8 {
            rt.publish(Priority::High, Task::new(1, [])).unwrap();
        }
        let r = rt.run().unwrap();
        assert_eq!(r.stop, StopReason::Idle);
        assert_eq!(r.executed, 0, "{r:?}");
        assert_eq!(r.faults.len(), 8);
        assert!(r
            .faults
            .iter()
            .all(|f| f.kind == FaultKind::LoopLimit { limit: LIMIT }));
        assert_eq!((r.spawned, r.spawn_overflows), (0, 8 * LIMIT as u64));
        assert_eq!(r.parked, normal as u64);
        assert!(rt.accounting().balanced());
        (r.executed, r.faults.len(), r.spawn_overflows)
    });
}
