//! Faults through the reference engine: every fault kind with its record,
//! and the statement-level rules of protocol.md's "Inside a task".

mod support;

use support::{atomic_u32, plain, program, small_config, Host};
use vyre_core::ir::{Access, BlockBuilder, BufferRef, Expr, HandlerBuilder, ScalarType, Var};
use vyre_core::program::{OpcodeHandler, ProgramConfig};
use vyre_core::protocol::{ctrl, fault, slot, status, SLOT_WORDS};
use vyre_core::{FaultKind, Priority};

const U32: ScalarType = ScalarType::U32;
const LOOP_LIMIT: u32 = 5;
const SENTINEL: u32 = 0xAAAA;

/// The buffers every test handler sees.
#[derive(Clone, Copy)]
struct Bufs {
    data: BufferRef,
    out: BufferRef,
    cnt: BufferRef,
}

/// A handler `name(zero: u32, x: u32)` with the shared buffers.
fn handler(
    id: u32,
    name: &str,
    body: impl FnOnce(&mut BlockBuilder<'_>, Bufs, Var, Var),
) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, name);
    let bufs = Bufs {
        data: h.buffer("data", U32, Access::Read),
        out: h.buffer("out", U32, Access::ReadWrite),
        cnt: h.buffer("cnt", U32, Access::Atomic),
    };
    let zero = h.arg("zero", U32);
    let x = h.arg("x", U32);
    h.body(|b| body(b, bufs, zero, x));
    h.finish().unwrap()
}

fn handlers() -> Vec<OpcodeHandler> {
    vec![
        handler(1, "oob", |b, f, _, x| b.store(f.out, 0u32, f.data.at(x))),
        handler(2, "div", |b, f, z, x| b.store(f.out, 0u32, x / z)),
        handler(3, "rem", |b, f, z, x| b.store(f.out, 0u32, x % z)),
        handler(4, "spin", |b, f, _, _| {
            b.loop_(|b| b.eval(f.cnt.fetch_add(0u32, 1u32)));
        }),
        handler(5, "user", |b, _, _, x| b.fault(x)),
        handler(6, "badprio", |b, _, _, x| {
            b.spawn(x, 1, vec![0u32.into(), 0u32.into()]);
        }),
        // Earlier statements persist; the faulting one stores nothing; the
        // handler ends after it.
        handler(10, "persist", |b, f, _, _| {
            b.store(f.out, 0u32, 7u32);
            b.store(f.out, 1u32, f.data.at(99u32));
            b.store(f.out, 2u32, 9u32);
        }),
        handler(11, "atomic_after_fault", |b, f, z, _| {
            b.let_("x", (Expr::from(1u32) / z) + f.cnt.fetch_add(0u32, 1u32));
        }),
        handler(12, "first_wins", |b, f, z, _| {
            b.let_("x", f.data.at(50u32) + (Expr::from(1u32) / z));
        }),
        handler(13, "index_then_value", |b, f, _, _| {
            b.store(f.out, f.data.at(60u32), f.data.at(70u32));
        }),
        handler(14, "short_circuit", |b, f, z, _| {
            let a = b.let_(
                "a",
                Expr::from(false).and((Expr::from(1u32) / z).equals(0u32)),
            );
            let c = b.let_(
                "c",
                Expr::from(true).or((Expr::from(1u32) / z).equals(0u32)),
            );
            b.if_(c.and(!a), |b| b.store(f.out, 0u32, 1u32));
        }),
        handler(15, "select_both", |b, _, z, _| {
            b.let_("x", Expr::from(1u32).select(true, Expr::from(1u32) / z));
        }),
        handler(16, "spawn_after_fault", |b, f, _, _| {
            b.spawn(Priority::Normal, 10, vec![f.data.at(80u32), 0u32.into()]);
        }),
        handler(17, "printf_after_fault", |b, _, z, _| {
            b.printf("{}", vec![Expr::from(1u32) / z]);
        }),
        handler(18, "store_oob", |b, f, _, _| b.store(f.out, 100u32, 5u32)),
        handler(19, "cas_after_fault", |b, f, z, _| {
            b.compare_exchange(f.cnt, 0u32, 0u32, Expr::from(1u32) / z);
        }),
        handler(20, "atomic_index_oob", |b, f, _, _| {
            b.eval(f.cnt.fetch_add(f.data.at(90u32), 1u32));
        }),
        handler(21, "loop_partial", |b, f, _, _| {
            b.for_range("i", 0u32, 10u32, |b, i| b.store(f.out, i, i + 100u32));
        }),
        handler(22, "faulting_condition", |b, f, _, _| {
            b.if_(f.data.at(40u32).equals(0u32), |b| {
                b.store(f.out, 0u32, 1u32)
            });
        }),
        handler(23, "while_condition", |b, f, _, _| {
            b.while_(f.data.at(41u32).equals(0u32), |b| {
                b.store(f.out, 0u32, 1u32)
            });
        }),
        handler(24, "fault_in_nested_body", |b, f, z, _| {
            b.store(f.out, 0u32, 1u32);
            b.if_(true, |b| {
                b.block(|b| {
                    b.store(f.out, 1u32, 2u32);
                    b.let_("x", Expr::from(1u32) / z);
                    b.store(f.out, 2u32, 3u32);
                });
            });
            b.store(f.out, 3u32, 4u32);
        }),
        handler(25, "while_loop_limit", |b, f, _, _| {
            b.while_(true, |b| b.eval(f.cnt.fetch_add(1u32, 1u32)));
        }),
        handler(26, "user_code_faults_first", |b, f, z, _| {
            b.fault(f.data.at(30u32) + (Expr::from(1u32) / z));
        }),
    ]
}

fn fault_program() -> vyre_core::Program {
    let config = ProgramConfig {
        loop_limit: LOOP_LIMIT,
        tenants: 4,
        ..small_config()
    };
    program(
        config,
        &[
            ("data", plain(U32)),
            ("out", plain(U32)),
            ("cnt", atomic_u32()),
        ],
        handlers(),
    )
}

fn host() -> Host {
    let mut host = Host::new(fault_program(), 1, 77);
    host.enable(1, true);
    host.set_buffer("data", &[0, 1, 2, 3]);
    host
}

fn reset(host: &mut Host) {
    host.set_buffer("out", &[SENTINEL; 10]);
    host.set_buffer("cnt", &[0, 0]);
}

/// Publishes one NORMAL task of tenant 1 and runs one round; returns the
/// fault records, after checking the slot's status and the counters.
fn run_one(host: &mut Host, opcode: u32, x: u32) -> Vec<support::FaultRecord> {
    reset(host);
    host.publish(Priority::Normal, opcode, 1, &[0, x]);
    let round_before = host.ctrl(ctrl::ROUND);
    let s = host.submit(1);
    let faults = host.faults();
    assert_eq!(
        s.summary[ctrl::FAULTED as usize] + s.summary[ctrl::EXECUTED as usize],
        1,
        "opcode {opcode}"
    );
    assert_eq!(s.summary[ctrl::FAULT_COUNT as usize], faults.len() as u32);
    for f in &faults {
        assert_eq!(host.engine.machine().status(f[0]), status::FAULT);
        // The work pass ran in the round after the first M.
        assert_eq!(f[6], round_before + 1);
    }
    host.clear();
    faults
}

fn normal_start(host: &Host) -> u32 {
    host.program.config().partitions()[Priority::Normal.index()].0
}

#[test]
fn every_fault_kind_is_recorded_with_its_words() {
    let mut host = host();
    let start = normal_start(&host);
    let cases = [
        (1, 100, fault::OUT_OF_BOUNDS, 100),
        (2, 6, fault::DIVIDE_BY_ZERO, 0),
        (3, 6, fault::DIVIDE_BY_ZERO, 0),
        (4, 0, fault::LOOP_LIMIT, LOOP_LIMIT),
        (5, 0xBEEF, fault::USER, 0xBEEF),
        (6, 9, fault::BAD_PRIORITY, 9),
        (25, 0, fault::LOOP_LIMIT, LOOP_LIMIT),
    ];
    for (opcode, x, code, detail) in cases {
        let faults = run_one(&mut host, opcode, x);
        assert_eq!(faults.len(), 1, "opcode {opcode}");
        let f = faults[0];
        assert_eq!(
            f,
            [start, opcode, code, detail, 1, 2, f[6], 0, 0],
            "opcode {opcode}"
        );
    }
    // The loops ran exactly `loop_limit` bodies before the fault.
    run_one(&mut host, 4, 0);
    // (run_one reset cnt before running; read it before the next reset)
    assert_eq!(host.buffer("cnt"), [LOOP_LIMIT, 0]);
    // The decoded kinds.
    assert_eq!(
        FaultKind::from_words(fault::LOOP_LIMIT, LOOP_LIMIT),
        FaultKind::LoopLimit { limit: LOOP_LIMIT }
    );
}

#[test]
fn unknown_opcode_faults_on_the_lane_that_claimed_it() {
    let mut host = host();
    let start = normal_start(&host);
    reset(&mut host);
    let mut w = [0u32; SLOT_WORDS as usize];
    w[slot::OPCODE as usize] = 0xDEAD;
    w[slot::TENANT as usize] = 1;
    host.publish_raw(2, w);
    let round = host.ctrl(ctrl::ROUND);
    host.submit(1);
    assert_eq!(
        host.faults(),
        [[
            start,
            0xDEAD,
            fault::UNKNOWN_OPCODE,
            0xDEAD,
            1,
            2,
            round + 1,
            0,
            0
        ]]
    );
    assert_eq!(host.ctrl(ctrl::FAULTED), 1);
    assert_eq!(host.ctrl(ctrl::EXECUTED), 0);
}

#[test]
fn bad_tenant_faults_in_maintenance() {
    let mut host = host();
    let start = host.program.config().partitions()[Priority::Low.index()].0;
    let mut w = [0u32; SLOT_WORDS as usize];
    w[slot::OPCODE as usize] = 1;
    w[slot::TENANT as usize] = 99;
    host.publish_raw(3, w);
    let round = host.ctrl(ctrl::ROUND);
    let s = host.submit(2);
    // Faulted by the first M of the submission: before its finalize.
    assert_eq!(
        host.faults(),
        [[start, 1, fault::BAD_TENANT, 99, 99, 3, round, u32::MAX, 0]]
    );
    assert_eq!(s.summary[ctrl::FAULTED as usize], 1);
    assert_eq!(s.summary[ctrl::PLACED as usize], 1);
    assert_eq!(host.engine.machine().status(start), status::FAULT);
    // A FAULT slot stays until the host recycles it: nothing reuses it.
    host.submit(1);
    assert_eq!(host.ctrl(ctrl::FAULT_COUNT), 1);
    host.clear();
    assert_eq!(host.engine.machine().status(start), status::EMPTY);
}

#[test]
fn a_faulting_statement_has_no_side_effects_and_ends_the_handler() {
    let mut host = host();
    let start = normal_start(&host);
    let oob = |d| [start, 0, fault::OUT_OF_BOUNDS, d, 1, 2];
    let div0 = [start, 0, fault::DIVIDE_BY_ZERO, 0, 1, 2];

    let check = |host: &mut Host, opcode: u32, want: Option<[u32; 6]>| {
        let faults = run_one(host, opcode, 0);
        match want {
            None => assert!(faults.is_empty(), "opcode {opcode}: {faults:?}"),
            Some(mut w) => {
                w[1] = opcode;
                assert_eq!(faults.len(), 1, "opcode {opcode}");
                assert_eq!(faults[0][..6], w, "opcode {opcode}");
            }
        }
    };

    check(&mut host, 10, Some(oob(99)));
    let out = host.buffer("out");
    assert_eq!(out[..3], [7, SENTINEL, SENTINEL]);

    check(&mut host, 11, Some(div0));
    assert_eq!(host.buffer("cnt"), [0, 0], "no atomic after a fault");

    check(&mut host, 12, Some(oob(50)));

    check(&mut host, 13, Some(oob(60)));

    check(&mut host, 14, None);
    assert_eq!(host.buffer("out")[0], 1, "&& and || short-circuit");

    check(&mut host, 15, Some(div0));

    check(&mut host, 16, Some(oob(80)));
    assert_eq!(host.ctrl(ctrl::SPAWNED), 0);
    assert_eq!(host.ctrl(ctrl::FREE_NEXT + 2), 0, "no free slot taken");

    check(&mut host, 17, Some(div0));
    assert_eq!(host.ctrl(ctrl::PRINTF_COUNT), 0);

    check(&mut host, 18, Some(oob(100)));
    assert_eq!(host.buffer("out"), vec![SENTINEL; 10]);

    check(&mut host, 19, Some(div0));
    assert_eq!(host.buffer("cnt"), [0, 0]);

    check(&mut host, 20, Some(oob(90)));
    assert_eq!(host.buffer("cnt"), [0, 0]);

    let mut want = [start, 21, fault::LOOP_LIMIT, LOOP_LIMIT, 1, 2];
    want[1] = 21;
    check(&mut host, 21, Some(want));
    let out = host.buffer("out");
    assert_eq!(out[..5], [100, 101, 102, 103, 104]);
    assert_eq!(out[5..], [SENTINEL; 5]);

    check(&mut host, 22, Some(oob(40)));
    assert_eq!(host.buffer("out")[0], SENTINEL);

    check(&mut host, 23, Some(oob(41)));
    assert_eq!(host.buffer("out")[0], SENTINEL);

    check(&mut host, 24, Some(div0));
    assert_eq!(host.buffer("out")[..4], [1, 2, SENTINEL, SENTINEL]);

    check(&mut host, 26, Some(oob(30)));
}

#[test]
fn fault_log_never_overflows_and_records_every_slot() {
    // Fill every NORMAL slot with faulting tasks: the log holds them all.
    let mut host = host();
    let size = host.program.config().partitions()[2].1;
    reset(&mut host);
    for _ in 0..size {
        host.publish(Priority::Normal, 5, 1, &[0, 1]);
    }
    host.submit(1);
    let faults = host.faults();
    assert_eq!(faults.len() as u32, size);
    let mut slots: Vec<u32> = faults.iter().map(|f| f[0]).collect();
    slots.sort();
    let start = normal_start(&host);
    assert_eq!(slots, (start..start + size).collect::<Vec<_>>());
}

#[test]
fn lane_iteration_budget_stops_claiming_but_finishes_the_task() {
    let mut h = HandlerBuilder::new(1, "four");
    let cnt = h.buffer("cnt", U32, Access::Atomic);
    h.body(|b| {
        b.for_range("i", 0u32, 4u32, |b, _| b.eval(cnt.fetch_add(0u32, 1u32)));
    });
    let config = ProgramConfig {
        iteration_budget: 10,
        ..small_config()
    };
    let p = program(config, &[("cnt", atomic_u32())], vec![h.finish().unwrap()]);
    let mut host = Host::new(p, 1, 5);
    host.zeroed_buffer("cnt", 1);
    for _ in 0..6 {
        host.publish(Priority::Normal, 1, 0, &[]);
    }
    // Claims after 0, 4 and 8 iterations; the third task runs to 12.
    let s = host.submit(1);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 3);
    assert_eq!(host.buffer("cnt"), [12]);
    // A summary counts its own submission's tasks: the other three.
    let s = host.submit(1);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 3);
}

#[test]
fn printf_records_and_drops_past_capacity() {
    let mut h = HandlerBuilder::new(1, "say");
    let x = h.arg("x", U32);
    let y = h.arg("y", ScalarType::I32);
    h.body(|b| b.printf("x={} y={}", vec![x.into(), y.into()]));
    let config = ProgramConfig {
        printf_capacity: 3,
        ..small_config()
    };
    let p = program(config, &[], vec![h.finish().unwrap()]);
    let mut host = Host::new(p, 1, 5);
    for i in 0..5u32 {
        host.publish(Priority::Normal, 1, 0, &[i, (-(i as i32)) as u32]);
    }
    host.submit(1);
    assert_eq!(host.ctrl(ctrl::PRINTF_COUNT), 5);
    let records = host.printfs();
    assert_eq!(records.len(), 3);
    let id = host.program.printf_id(0, "x={} y={}").unwrap();
    for (i, r) in records.iter().enumerate() {
        let i = i as u32;
        assert_eq!(*r, [id, i, (-(i as i32)) as u32, 0, 0, 0, 0, 0]);
        let fmt = &host.program.printf_formats()[r[0] as usize];
        assert_eq!(fmt.render(&r[1..7]), format!("x={i} y={}", -(i as i32)));
    }
}
