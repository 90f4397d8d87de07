//! One test per fault kind: each faulting task is reported with its slot,
//! opcode and code, on the reference interpreter and on wgpu alike, while
//! the rest of the ring runs normally.

mod common;

use common::{on_every_backend, Outcome};
use vyre::ir::{Access, BufferKind, Expr, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};
use vyre::RawTask;

const U32: ScalarType = ScalarType::U32;
const LOOP_LIMIT: u32 = 500;
const GOOD: u32 = 100;
const SLOTS: u32 = 64;

/// `good()`: `hits[0] += 1`, the work that must go on around the faults.
fn good() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(GOOD, "good");
    let hits = h.buffer("hits", U32, Access::Atomic);
    h.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
    h.finish().unwrap()
}

fn program(faulty: OpcodeHandler) -> Program {
    Program::builder("faults")
        .config(ProgramConfig {
            slots: SLOTS,
            loop_limit: LOOP_LIMIT,
            tenants: 2,
            ..Default::default()
        })
        .buffer("hits", BufferKind::atomic(U32))
        .buffer("data", BufferKind::plain(U32))
        .opcode(good())
        .opcode(faulty)
        .build()
        .unwrap()
}

enum Publish {
    Checked(Task),
    Raw(RawTask),
}

/// Publishes `publish` amid 5 good tasks, runs, and checks the one fault.
fn expect_fault(name: &str, faulty: OpcodeHandler, publish: Publish, kind: FaultKind) -> Fault {
    let faulty_id = faulty.id;
    let program = program(faulty);
    let (outcome, fault, data) = on_every_backend(name, 2, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(hits, &[0]).unwrap();
        rt.upload(data, &[10, 20, 30, 40]).unwrap();
        for _ in 0..5 {
            rt.publish(Priority::Normal, Task::new(GOOD, [])).unwrap();
        }
        match &publish {
            Publish::Checked(t) => rt.publish(Priority::High, *t).unwrap(),
            Publish::Raw(t) => rt.publish_raw(Priority::High, *t),
        }
        let report = rt.run().unwrap();
        assert_eq!(report.stop, StopReason::Idle);
        assert_eq!(
            report.executed_by(GOOD),
            5,
            "{name}: the rest of the ring ran"
        );
        assert_eq!(report.faults.len(), 1, "{name}: {:?}", report.faults);
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
        let mut fault = report.faults[0].clone();
        assert!(fault.slot < SLOTS);
        // Slot and lane depend on placement; compare the rest.
        fault.slot = 0;
        fault.lane = (fault.lane == u32::MAX) as u32;
        fault.round = 0;

        // The faulted slot was recycled: the ring keeps working.
        for _ in 0..3 {
            rt.publish(Priority::Normal, Task::new(GOOD, [])).unwrap();
        }
        assert_eq!(rt.run().unwrap().executed, 3);
        (Outcome::of(&report), fault, rt.read(data).unwrap())
    });
    assert_eq!(fault.kind, kind, "{name}");
    assert_eq!(
        fault.opcode,
        match &publish {
            Publish::Checked(t) => t.opcode(),
            Publish::Raw(t) => t.opcode,
        }
    );
    assert_eq!(outcome.faults.len(), 1);
    let _ = (faulty_id, data);
    fault
}

fn handler(
    id: u32,
    name: &str,
    args: &[(&str, ScalarType)],
    body: impl FnOnce(&mut vyre::ir::BlockBuilder<'_>, &[vyre::ir::BufferRef], &[vyre::ir::Var]),
) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, name);
    let bufs = [h.buffer("data", U32, Access::ReadWrite)];
    let vars: Vec<_> = args.iter().map(|(n, t)| h.arg(n, *t)).collect();
    h.body(|b| body(b, &bufs, &vars));
    h.finish().unwrap()
}

#[test]
fn out_of_bounds_index() {
    let h = handler(1, "oob", &[("i", U32)], |b, bufs, v| {
        b.store(bufs[0], 0u32, bufs[0].at(v[0]));
    });
    let f = expect_fault(
        "oob",
        h,
        Publish::Checked(Task::new(1, [Literal::U32(9)])),
        FaultKind::OutOfBounds { index: 9 },
    );
    assert_eq!(f.opcode_name.as_deref(), Some("oob"));
    assert_eq!(f.priority, Priority::High as u32);
}

#[test]
fn integer_division_by_zero() {
    let h = handler(2, "div", &[("a", U32), ("b", U32)], |b, bufs, v| {
        b.store(bufs[0], 0u32, v[0] / v[1]);
    });
    expect_fault(
        "div",
        h,
        Publish::Checked(Task::new(2, [Literal::U32(7), Literal::U32(0)])),
        FaultKind::DivideByZero,
    );
}

#[test]
fn integer_remainder_by_zero() {
    let h = handler(
        3,
        "rem",
        &[("a", ScalarType::I32), ("b", ScalarType::I32)],
        |b, bufs, v| {
            b.store(bufs[0], 0u32, (v[0] % v[1]).cast(U32));
        },
    );
    expect_fault(
        "rem",
        h,
        Publish::Checked(Task::new(3, [Literal::I32(7), Literal::I32(0)])),
        FaultKind::DivideByZero,
    );
}

#[test]
fn a_handler_that_loops_forever_hits_the_loop_limit_and_run_returns() {
    let h = handler(4, "spin", &[], |b, _, _| {
        b.loop_(|_| {});
    });
    expect_fault(
        "loop limit",
        h,
        Publish::Checked(Task::new(4, [])),
        FaultKind::LoopLimit { limit: LOOP_LIMIT },
    );
}

#[test]
fn unknown_opcode() {
    let h = handler(5, "unused", &[], |_, _, _| {});
    expect_fault(
        "unknown opcode",
        h,
        Publish::Raw(RawTask {
            opcode: 0xBAD,
            tenant: 0,
            args: [0; 12],
        }),
        FaultKind::UnknownOpcode,
    );
}

#[test]
fn tenant_outside_the_table() {
    let h = handler(6, "unused", &[], |_, _, _| {});
    let f = expect_fault(
        "bad tenant",
        h,
        Publish::Raw(RawTask {
            opcode: GOOD,
            tenant: 77,
            args: [0; 12],
        }),
        FaultKind::BadTenant,
    );
    assert_eq!(f.tenant, 77);
    assert_eq!(
        f.lane, 1,
        "faulted by the maintenance pass (lane u32::MAX), not by a lane"
    );
}

#[test]
fn user_fault() {
    let h = handler(7, "refuse", &[("code", U32)], |b, _, v| {
        b.fault(v[0]);
    });
    expect_fault(
        "user fault",
        h,
        Publish::Checked(Task::new(7, [Literal::U32(42)])),
        FaultKind::User { code: 42 },
    );
}

#[test]
fn spawn_with_a_priority_above_idle() {
    let h = handler(8, "badprio", &[("p", U32)], |b, _, v| {
        b.spawn(v[0], GOOD, vec![]);
    });
    expect_fault(
        "bad priority",
        h,
        Publish::Checked(Task::new(8, [Literal::U32(7)])),
        FaultKind::BadPriority { priority: 7 },
    );
}

#[test]
fn a_fault_stops_its_statement_but_keeps_earlier_effects() {
    // data[0] = 1; data[1] = data[9] + 5; data[2] = 3
    let h = handler(9, "partial", &[], |b, bufs, _| {
        b.store(bufs[0], 0u32, 1u32);
        b.store(bufs[0], 1u32, bufs[0].at(9u32) + 5u32);
        b.store(bufs[0], 2u32, 3u32);
    });
    let program = program(h);
    let data = on_every_backend("statement semantics", 1, |gpu| {
        let mut rt = Runtime::new(gpu, program.clone()).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(hits, &[0]).unwrap();
        rt.upload(data, &[10, 20, 30, 40]).unwrap();
        rt.publish(Priority::Normal, Task::new(9, [])).unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.faults[0].kind, FaultKind::OutOfBounds { index: 9 });
        rt.read(data).unwrap()
    });
    assert_eq!(data, vec![1, 20, 30, 40]);
    let _ = Expr::from(0u32);
}
