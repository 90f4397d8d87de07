//! Three-way parity: the same `megakernel!` workloads on the native backend
//! (the original Rust functions), the reference interpreter (the IR the
//! macro produced) and wgpu (the WGSL lowering; lavapipe in CI), over
//! proptest-generated inputs.
//!
//! The seventeen handlers of [`handlers`] together use every construct of
//! the handler language (DESIGN §2, `docs/language.md`), `u64` and `i64`,
//! local arrays and `#[derive(Element)]` struct buffers and locals
//! included; the table at the end of `docs/architecture.md` ("native
//! backend") lists which handler covers what. Integer results (the 64-bit
//! buffers and the struct buffer's integer fields bit for bit), faults,
//! spawns, printf lines and counters must be identical on every backend;
//! `f32` results must agree within WGSL's accuracy, with the tolerance of
//! each operation given by [`compare::F32_OPS`].
//!
//! Cases: `VYRE_PARITY_CASES` (default 6). Without a wgpu adapter the wgpu
//! leg is skipped with a notice, unless `VYRE_REQUIRE_GPU=1`.
//!
//! Layout: [`handlers`] (the handlers and the megakernel under test),
//! [`workload`] (the generated inputs and one run of them), [`compare`]
//! (exact and within-tolerance comparison); the tests stay here.

// The root's test helpers, shared rather than copied.
#[path = "../../../tests/common/mod.rs"]
mod common;

mod compare;
mod handlers;
mod workload;

use std::cell::RefCell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vyre::prelude::*;

use compare::compare;
use handlers::{spawn_tree, stop, Parity, Rec, Tally, LOOP_LIMIT};
use workload::{case, run_case, Case};

fn cases() -> u32 {
    std::env::var("VYRE_PARITY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

fn instance(gpu: &Gpu) -> Parity {
    Parity::builder(gpu).workgroups(2).seed(11).build().unwrap()
}

#[test]
fn native_reference_and_wgpu_agree_on_generated_workloads() {
    let started = std::time::Instant::now();
    let native = RefCell::new(instance(&Gpu::cpu()));
    let reference = RefCell::new(instance(&Gpu::reference()));
    let wgpu = common::wgpu_backend("parity").map(|g| RefCell::new(instance(&g)));
    assert_eq!(native.borrow().backend(), BackendKind::Native);
    assert_eq!(reference.borrow().backend(), BackendKind::Reference);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let ran = std::cell::Cell::new((0u32, 0u64));
    // Time spent in each backend's cases: native, reference, wgpu.
    let spent = RefCell::new([std::time::Duration::ZERO; 3]);
    let timed = |i: usize, k: &RefCell<Parity>, c: &Case| {
        let t = std::time::Instant::now();
        let r = run_case(&mut k.borrow_mut(), c);
        spent.borrow_mut()[i] += t.elapsed();
        r
    };
    let result = runner.run(&case(), |c| {
        let n = timed(0, &native, &c);
        let (cases, tasks) = ran.get();
        ran.set((cases + 1, tasks + n.0.outcome.executed));
        // Sanity: the workload did what it is meant to exercise.
        prop_assert!(n.0.outcome.executed > 0);
        let r = timed(1, &reference, &c);
        compare("reference", &c, &n, &r)?;
        if let Some(w) = &wgpu {
            let w = timed(2, w, &c);
            compare("wgpu", &c, &n, &w)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (cases, tasks) = ran.get();
    let [n, r, w] = *spent.borrow();
    eprintln!(
        "parity: {cases} cases ({tasks} tasks) in {:?}: native {n:?}, reference {r:?}, wgpu {}",
        started.elapsed(),
        if wgpu.is_some() {
            format!("{w:?}")
        } else {
            "skipped".into()
        },
    );
}

/// Every fault kind a handler can raise appears, with the same records, on
/// every backend (a fixed workload, so that none depends on luck).
#[test]
fn every_fault_kind_is_reported_alike() {
    let c = Case {
        ints: vec![(1, 2, 3)],
        signed: vec![(-7, 2)],
        floats: vec![(0.5, 2.0)],
        controls: vec![(9, 7)],
        atomics: vec![(5, -5)],
        atomic_init: vec![0; 64],
        data: vec![1, 2, 3],
        lookups: vec![2, 3, 40],
        divides: vec![(10, 0), (10, 3)],
        spins: vec![(LOOP_LIMIT, 0), (LOOP_LIMIT + 1, 0), (LOOP_LIMIT + 1, 1)],
        ctxs: vec![(1, 0, 4), (2, 4, 3)],
        tree: (2, 3),
        devices: vec![(3, 12345 + 100 * 7)],
        prints: vec![(1, -1, 0.25, true)],
        parked: Some(3),
        // Both divide by zero after their other statements; the i64_ops
        // task that u64_ops spawns (y = 5 >> 3) does too.
        wides: vec![(5, 0, 3)],
        swides: vec![(-7, 0, 0.5)],
        wdata: vec![1, u64::MAX],
        // `t[9]` of an 8-element local array; `recs[0].vals[5]` of a
        // `[u32; 4]` field (after the stores to `recs[0]` before it).
        arrays: vec![(1, 2, 9, 0, 0)],
        cells: vec![(0, 1, 5, 3, -1)],
        recs: vec![
            Rec {
                key: u64::MAX,
                skey: i64::MIN,
                vals: [1, 2, 3, 4],
                inner: Tally {
                    lo: 5,
                    sign: -6,
                    w: [7, 8],
                },
                bins: [9, -10, 11],
                f: 0.25,
            };
            2
        ],
    };
    let gpus = [
        Some(Gpu::cpu()),
        Some(Gpu::reference()),
        common::wgpu_backend("faults"),
    ];
    let mut results = Vec::new();
    for gpu in gpus.into_iter().flatten() {
        let mut k = instance(&gpu);
        results.push(run_case(&mut k, &c));
    }
    let (first, rest) = results.split_first().unwrap();
    for r in rest {
        compare("another backend", &c, first, r).unwrap();
    }
    let kinds: Vec<FaultKind> = first.0.outcome.faults.iter().map(|f| f.1).collect();
    for kind in [
        FaultKind::OutOfBounds { index: 3 },
        FaultKind::OutOfBounds { index: 40 },
        FaultKind::OutOfBounds { index: 9 },
        FaultKind::OutOfBounds { index: 5 },
        FaultKind::DivideByZero,
        FaultKind::LoopLimit { limit: LOOP_LIMIT },
        FaultKind::User { code: 4 },
        FaultKind::BadPriority { priority: 6 },
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    // 4 out of bounds (lookup twice, arrays, cells), 1 + 3 divisions (i32,
    // u64, i64 twice), 2 loop limits, 1 user fault, and the 3 depth-1
    // nodes of the tree spawning at priority 6.
    assert_eq!(kinds.len(), 14, "{kinds:?}");
    // The tree's 3 + 9 and u64_ops's i64_ops, spawned before it faulted.
    assert_eq!(first.0.outcome.spawned, 3 + 9 + 1);
    assert_eq!(first.0.outcome.printf.len(), 2);
}

/// Spawns past a full partition are refused and counted alike, and
/// `ctx.shutdown()` stops every backend.
#[test]
fn overflow_and_shutdown_agree() {
    let run = |gpu: &Gpu| {
        let mut k = instance(gpu);
        k.acc().upload(&[0; 16]).unwrap();
        // Levels of 2 (LOW), 4 (IDLE), 8 (LOW), 16 (NORMAL), 32 (LOW),
        // 64 (CRITICAL), 128 (LOW), 256 (LOW: 128 fit beside their 128
        // running parents), 256 (LOW: 128 fit) and 256 (HIGH: all fit).
        // Two children a task: a lane then reserves exactly the positions
        // it uses (docs/protocol.md, "Spawn"), so the refusals are the
        // same on every backend whichever lane ran which task. With three,
        // a lane's third spawn reserves two positions, the one left over
        // is lost to the pass, and the count depends on how the tasks fell
        // to lanes: a loaded lavapipe once refused 7 more than native.
        k.publish(Priority::Critical, spawn_tree::task(10, 2))
            .unwrap();
        let r = k.run().unwrap();
        let a = (r.spawned, r.spawn_overflows, k.acc().read().unwrap());
        k.publish(Priority::Idle, stop::task()).unwrap();
        let s = k.run().unwrap();
        (a, s.stop, s.executed)
    };
    let native = run(&Gpu::cpu());
    assert_eq!(native.1, StopReason::Shutdown);
    assert_eq!(native.0 .1, (256 - 128) + (256 - 128), "{native:?}");
    assert_eq!(native, run(&Gpu::reference()));
    if let Some(gpu) = common::wgpu_backend("overflow_and_shutdown_agree") {
        assert_eq!(native, run(&gpu));
    }
}
