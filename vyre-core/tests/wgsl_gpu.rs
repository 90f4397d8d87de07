//! The generated WGSL runs on a real wgpu adapter (Mesa's lavapipe in CI)
//! and computes what the handler language says: every fault kind with its
//! record, printf records, spawns through the ring, and a breadth-first
//! search to completion. Integer and exact f32 results are checked
//! against Rust in `wgsl_gpu_semantics.rs`.
//!
//! The minimal host (`wgsl_common/machine.rs`) runs the WGSL on its own,
//! independently of the runtime. Without an adapter the tests print a
//! notice and pass, unless `VYRE_REQUIRE_GPU=1`.

mod wgsl_common;

use vyre_core::ir::{
    Access, BlockBuilder, BufferKind, CtxValue, Expr, HandlerBuilder, Literal, ScalarType,
};
use vyre_core::program::Program;
use vyre_core::protocol::{ctrl, fault, status, PRINTF_RECORD_WORDS};
use vyre_core::Priority;

use ScalarType::{Bool, F32, I32, U32};

use wgsl_common::machine::{config, gpu, Machine};

/// The body of one `match` arm, as `BlockBuilder::switch` takes it.
type Arm = Box<dyn FnOnce(&mut BlockBuilder<'_>)>;

// ---- faults ----

#[test]
fn every_fault_kind_is_recorded_with_its_detail() {
    let Some(gpu) = gpu() else { return };
    let mut h = HandlerBuilder::new(0x20, "faulty");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let kind = h.arg("kind", U32);
    let x = h.arg("x", U32);
    h.body(|b| {
        let arms: Vec<(Vec<Literal>, Arm)> = vec![
            // Out of bounds: the load faults, the store does not happen.
            (
                vec![1u32.into()],
                Box::new(move |b| b.store(data, 0u32, data.at(x))),
            ),
            // Division by zero inside a store's value: no store.
            (
                vec![2u32.into()],
                Box::new(move |b| b.store(data, 1u32, Expr::from(7u32) / (x - x))),
            ),
            // Loop limit.
            (
                vec![3u32.into()],
                Box::new(move |b| {
                    b.loop_(|b| b.store(data, 2u32, data.at(2u32) + 1u32));
                }),
            ),
            // A user fault.
            (vec![4u32.into()], Box::new(move |b| b.fault(x + 1000u32))),
            // Spawn at a bad priority.
            (
                vec![5u32.into()],
                Box::new(move |b| {
                    b.spawn(x, 0x20, vec![0u32.into(), 0u32.into()]);
                    b.store(data, 3u32, 99u32);
                }),
            ),
            // First fault wins: OOB (index evaluated first) before division.
            (
                vec![6u32.into()],
                Box::new(move |b| b.store(data, data.at(x) + 0u32, Expr::from(1u32) / (x - x))),
            ),
        ];
        b.switch(kind, arms, |_| {});
    });
    let program = Program::builder("faults")
        .config(config(64))
        .tenants(2)
        .buffer("data", BufferKind::plain(U32))
        .opcode(h.finish().expect("valid"))
        .build()
        .expect("valid program");
    let mut m = Machine::new(&gpu, program, &[vec![0; 4]], 1);
    m.publish(Priority::Critical, 0x20, 0, &[1, 77]);
    m.publish(Priority::High, 0x20, 0, &[2, 5]);
    m.publish(Priority::Normal, 0x20, 0, &[3, 0]);
    m.publish(Priority::Low, 0x20, 1, &[4, 5]);
    m.publish(Priority::Idle, 0x20, 0, &[5, 9]);
    m.publish(Priority::Normal, 0x20, 0, &[6, 1234]);
    m.publish(Priority::Normal, 0xBAD, 1, &[]);
    m.publish(Priority::Normal, 0x20, 2, &[1, 1]);
    m.submit(1);
    let mut got: Vec<(u32, u32, u32)> = m.faults().iter().map(|r| (r[2], r[3], r[7])).collect();
    got.sort_unstable();
    let lane_of = |code| {
        got.iter()
            .find(|f| f.0 == code)
            .map(|f| f.2)
            .unwrap_or_default()
    };
    let mut want = vec![
        (fault::OUT_OF_BOUNDS, 77, lane_of(fault::OUT_OF_BOUNDS)),
        (fault::DIVIDE_BY_ZERO, 0, lane_of(fault::DIVIDE_BY_ZERO)),
        (fault::LOOP_LIMIT, 100, lane_of(fault::LOOP_LIMIT)),
        (fault::UNKNOWN_OPCODE, 0xBAD, lane_of(fault::UNKNOWN_OPCODE)),
        (fault::BAD_TENANT, 2, u32::MAX),
        (fault::USER, 1005, lane_of(fault::USER)),
        (fault::BAD_PRIORITY, 9, lane_of(fault::BAD_PRIORITY)),
    ];
    // kind 6: OUT_OF_BOUNDS with detail 1234 (the first fault).
    want.push((fault::OUT_OF_BOUNDS, 1234, lane_of(fault::OUT_OF_BOUNDS)));
    want.sort_unstable();
    let got_codes: Vec<(u32, u32)> = got.iter().map(|f| (f.0, f.1)).collect();
    let want_codes: Vec<(u32, u32)> = want.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(got_codes, want_codes);
    assert!(got
        .iter()
        .any(|f| f.0 == fault::BAD_TENANT && f.2 == u32::MAX));
    assert_eq!(m.ctrl_word(ctrl::FAULTED), 8);
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), 0);
    // No side effect after a fault: the stores did not happen, the loop
    // ran exactly the limit's iterations.
    assert_eq!(m.buffer(0, 4), vec![0, 0, 100, 0]);
    for r in m.faults() {
        assert_eq!(m.slot_status(r[0]), status::FAULT);
        // The maintain pass of the first M faults bad tenants before the
        // first round is counted; the work pass runs in round 1.
        let round = if r[7] == u32::MAX { 0 } else { 1 };
        assert_eq!(r[6], round, "round of {r:?}");
    }
}

// ---- printf, ctx values, spawn chains ----

#[test]
fn printf_records_and_spawn_chains() {
    let Some(gpu) = gpu() else { return };
    let mut h = HandlerBuilder::new(0x30, "chain");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let n = h.arg("n", U32);
    let f = h.arg("f", F32);
    let i = h.arg("i", I32);
    let flag = h.arg("flag", Bool);
    h.body(|b| {
        b.eval(hits.fetch_add(n, 1u32));
        b.printf(
            "n={} f={} i={} flag={} prio={} tenant={}",
            vec![
                n.into(),
                f.into(),
                i.into(),
                flag.into(),
                vyre_core::ir::ctx(CtxValue::Priority),
                vyre_core::ir::ctx(CtxValue::Tenant),
            ],
        );
        b.if_(n.lt(9u32), |b| {
            b.spawn(
                Priority::Low,
                0x30,
                vec![n + 1u32, f * 2.0f32, -Expr::from(i), !Expr::from(flag)],
            );
        });
    });
    let program = Program::builder("chain")
        .config(config(40))
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(h.finish().expect("valid"))
        .build()
        .expect("valid program");
    let mut m = Machine::new(&gpu, program, &[vec![0; 10]], 1);
    m.publish(Priority::High, 0x30, 3, &[0, 1.5f32.to_bits(), 7, 1]);
    m.submit(12);
    assert_eq!(m.buffer(0, 10), vec![1; 10]);
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), 10);
    assert_eq!(m.ctrl_word(ctrl::SPAWNED), 9);
    assert_eq!(m.ctrl_word(ctrl::PRINTF_COUNT), 10);
    let by_prio = m.ctrl_words(ctrl::EXECUTED_BY_PRIORITY, 5);
    assert_eq!(by_prio, vec![0, 1, 0, 9, 0]);
    let layout = m.program.control_layout();
    assert_eq!(m.ctrl_word(layout.executed_by_op), 10);
    let records = m.ctrl_words(layout.printf_log, 10 * PRINTF_RECORD_WORDS);
    let mut seen: Vec<Vec<u32>> = records
        .chunks(PRINTF_RECORD_WORDS as usize)
        .map(|r| r[..7].to_vec())
        .collect();
    seen.sort_unstable();
    let mut want = Vec::new();
    for k in 0..10u32 {
        let f = 1.5f32 * (1u32 << k) as f32;
        let i = if k % 2 == 0 { 7i32 } else { -7 };
        let prio = if k == 0 { 1 } else { 3 };
        want.push(vec![
            0,
            k,
            f.to_bits(),
            i as u32,
            u32::from(k % 2 == 0),
            prio,
            3,
        ]);
    }
    want.sort_unstable();
    assert_eq!(seen, want);
}

// ---- breadth-first search ----

#[test]
fn breadth_first_search_reaches_every_vertex_at_its_depth() {
    let Some(gpu) = gpu() else { return };
    // A small graph in CSR form: a ring of 24 vertices plus chords.
    let n = 24u32;
    let mut adj: Vec<Vec<u32>> = (0..n).map(|v| vec![(v + 1) % n, (v + n - 1) % n]).collect();
    adj[0].push(12);
    adj[5].push(17);
    let mut offsets = vec![0u32];
    let mut edges = Vec::new();
    for a in &adj {
        edges.extend(a);
        offsets.push(edges.len() as u32);
    }
    // Rust's BFS.
    let mut want = vec![u32::MAX; n as usize];
    want[0] = 0;
    let mut queue = std::collections::VecDeque::from([0u32]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v as usize] {
            if want[w as usize] == u32::MAX {
                want[w as usize] = want[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    let program = Program::builder("bfs")
        .config(config(500))
        .buffer("offsets", BufferKind::plain(U32))
        .buffer("edges", BufferKind::plain(U32))
        .buffer("dist", BufferKind::atomic(U32))
        .opcode(wgsl_common::fixtures::bfs_visit())
        .build()
        .expect("valid program");
    let mut init = vec![u32::MAX; n as usize];
    init[0] = 0;
    let mut m = Machine::new(&gpu, program, &[offsets, edges, init], 2);
    m.publish(Priority::High, 0x100, 0, &[0, 0]);
    for _ in 0..10 {
        m.submit(8);
    }
    assert_eq!(m.buffer(2, n as usize), want);
    assert_eq!(m.ctrl_word(ctrl::FAULT_COUNT), 0);
    assert_eq!(m.ctrl_word(ctrl::SPAWN_OVERFLOW), 0);
    let lists = m.ctrl_words(ctrl::LIST_LEN, 5);
    assert_eq!(lists, vec![0; 5], "work left over");
}
