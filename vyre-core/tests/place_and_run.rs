//! The place pass (`docs/protocol.md`, "Place and run"): a submission
//! that starts on an empty ring of a program that neither spawns, requests
//! nor reads its lane places each partition's first inbox entries and runs
//! them in one pass. On wgpu (lavapipe in CI) every scheduler variant runs
//! a scenario with it to the same results as the reference interpreter:
//! priorities, parked tenants, faults, and inboxes and batches
//! larger than a partition (the rest placed by the rounds' maintenance).

mod support;

use support::variants::{on_every_variant, on_reference};

use std::sync::Arc;

use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, CtxValue, HandlerBuilder, ScalarType};
use vyre_core::lower::{wgsl_with, LowerOptions, ENTRY_PLACE};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::{FaultKind, Priority, Runtime};

const U32: ScalarType = ScalarType::U32;

/// `work(tag)`: faults on tags 13 mod 50 from `faults_from` on, else
/// counts its priority and its tag. It neither spawns nor reads its lane.
fn program(workgroup_size: u32, tenants: u32, faults_from: u32) -> Program {
    // 60 slots a partition at most: 200 tasks a priority need the rounds'
    // maintenance for the rest.
    program_of(workgroup_size, tenants, faults_from, 300)
}

/// [`program`] on a ring of `slots` slots.
fn program_of(workgroup_size: u32, tenants: u32, faults_from: u32, slots: u32) -> Program {
    let mut h = HandlerBuilder::new(7, "work");
    let per_priority = h.buffer("per_priority", U32, Access::Atomic);
    let seen = h.buffer("seen", U32, Access::Atomic);
    let tag = h.arg("tag", U32);
    h.body(|b| {
        b.if_((tag % 50u32).equals(13u32).and(tag.ge(faults_from)), |b| {
            b.fault(99u32)
        });
        b.eval(per_priority.fetch_add(vyre_core::ir::ctx(CtxValue::Priority), 1u32));
        b.eval(seen.fetch_add(tag % 64u32, 1u32));
    });
    support::tenant_runs::program(
        "place and run",
        ProgramConfig {
            workgroup_size,
            slots,
            tenants,
            inbox_capacity: 512,
            ..ProgramConfig::default()
        },
        h.finish().expect("handler"),
    )
}

/// What must not depend on the backend or the variant: executed, the
/// faults (kind and priority, sorted), executed per priority, parked after
/// the first run, the two buffers, and whether the books balance.
type Outcome = (
    u64,
    Vec<(u32, u32)>,
    [u64; 5],
    u64,
    Vec<u32>,
    Vec<u32>,
    bool,
);

/// Runs the scenario; also returns the lanes the faults name.
fn scenario(rt: &mut Runtime) -> (Outcome, Vec<u32>) {
    // Tenants 0, 1 and the table's last, disabled for the first run.
    let runs = support::tenant_runs::around_a_disabled_tenant(rt, |rt, last| {
        for k in 0..1000u32 {
            let p = Priority::ALL[(k % 5) as usize];
            let tenant = if k % 7 == 0 { last } else { k % 2 };
            rt.publish_with(tenant, p, 7, 1, |_, w| w[0] = k).unwrap();
        }
    });
    let (first, second) = (&runs.first, &runs.second);
    let faults: Vec<_> = first.faults.iter().chain(&second.faults).collect();
    let mut kinds: Vec<(u32, u32)> = faults.iter().map(|f| (f.kind.code(), f.priority)).collect();
    kinds.sort_unstable();
    let lanes = faults
        .iter()
        .filter(|f| f.kind == FaultKind::User { code: 99 })
        .map(|f| f.lane)
        .collect();
    (
        (
            first.executed + second.executed,
            kinds,
            runs.by_priority,
            first.parked,
            runs.buffers.0.clone(),
            runs.buffers.1.clone(),
            runs.balanced,
        ),
        lanes,
    )
}

#[test]
fn only_programs_that_neither_spawn_nor_read_their_lane_place_and_run() {
    assert!(program(64, 3, 0).places_and_runs());
    assert!(wgsl_with(&program(64, 3, 0), &LowerOptions::default())
        .contains(&format!("fn {ENTRY_PLACE}(")));
    for reads in [CtxValue::Lane, CtxValue::Slot] {
        let mut h = HandlerBuilder::new(1, "who");
        let out = h.buffer("out", U32, Access::ReadWrite);
        h.body(|b| b.store(out, 0u32, vyre_core::ir::ctx(reads)));
        let p = Program::builder("who")
            .buffer("out", BufferKind::plain(U32))
            .opcode(h.finish().expect("handler"))
            .build()
            .expect("program");
        // A task's slot is the same kind of value either way; its lane is
        // not (the place pass runs one task per invocation).
        assert_eq!(p.places_and_runs(), reads != CtxValue::Lane);
        assert_eq!(
            wgsl_with(&p, &LowerOptions::default()).contains(&format!("fn {ENTRY_PLACE}(")),
            p.places_and_runs()
        );
    }
    let mut h = HandlerBuilder::new(1, "again");
    h.body(|b| {
        b.spawn(Priority::Low, 1, vec![]);
    });
    let p = Program::builder("spawner")
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    assert!(!p.places_and_runs());
}

#[test]
fn every_variant_places_and_runs_as_the_reference_runs() {
    for (wg, tenants) in [(1, 3), (64, 300)] {
        let p = Arc::new(program(wg, tenants, 0));
        let mut reference = on_reference(&p, wg * 2);
        let (expected, _) = scenario(&mut reference);
        assert!(expected.6, "the reference's books balance");
        assert!(
            expected.1.len() == 20 && expected.3 > 0,
            "faults and parked tasks: {expected:?}"
        );
        let Some(ctx) = test_context() else { return };
        for (options, mut rt) in on_every_variant(&ctx, &p) {
            let lanes = rt.lanes();
            let (outcome, fault_lanes) = scenario(&mut rt);
            assert_eq!(
                outcome, expected,
                "{options:?}, workgroup size {wg}, {tenants} tenants"
            );
            // The place pass ran tasks: a fault it records names its
            // invocation, past the work pass's lanes for entries that
            // far into the partitions.
            assert!(
                fault_lanes.iter().any(|&l| l >= lanes),
                "{options:?}: no fault from the place pass ({fault_lanes:?}, {lanes} lanes)"
            );
        }
    }
}

#[test]
fn later_rounds_place_and_run_while_nothing_faulted_or_parked() {
    // Tasks of tags 913 and 963 fault, in the fourth round of the first
    // run: each partition holds 60 of its 200 tasks a round. One lane
    // (workgroup size 1, two lanes): a fault the place pass records
    // names its invocation, a work lane's is 0 or 1.
    let p = Arc::new(program(1, 3, 900));
    let run = |rt: &mut Runtime| {
        let runs = support::tenant_runs::around_a_disabled_tenant(rt, |rt, _| {
            for k in 0..1000u32 {
                let p = Priority::ALL[(k % 5) as usize];
                rt.publish_with(k % 2, p, 7, 1, |_, w| w[0] = k).unwrap();
            }
        });
        let mut faults: Vec<(u32, u32, u32)> = runs
            .first
            .faults
            .iter()
            .map(|f| (f.kind.code(), f.priority, f.round))
            .collect();
        faults.sort_unstable();
        let lanes: Vec<u32> = runs.first.faults.iter().map(|f| f.lane).collect();
        (
            (
                runs.first.executed,
                runs.by_priority,
                runs.buffers.clone(),
                runs.balanced,
            ),
            faults,
            lanes,
        )
    };
    let mut reference = on_reference(&p, 2);
    let (expected, faults, _) = run(&mut reference);
    assert_eq!(faults.len(), 2, "{faults:?}");
    assert!(expected.3, "the reference's books balance");
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        let lanes = rt.lanes();
        let (outcome, gpu_faults, fault_lanes) = run(&mut rt);
        assert_eq!(outcome, expected, "{options:?}");
        assert_eq!(gpu_faults.len(), 2, "{options:?}: {gpu_faults:?}");
        assert!(
            gpu_faults.iter().all(|&(_, _, round)| round >= 2)
                && fault_lanes.iter().all(|&l| l >= lanes),
            "{options:?}: the faults of a later round came from the place pass \
             ({gpu_faults:?}, lanes {fault_lanes:?}, {lanes} lanes)"
        );
    }
}

#[test]
fn an_invocation_places_several_entries_past_the_grid_it_is_given() {
    // 400 slots a partition: the 1,000 tasks are placed at once. The work
    // grid is two lanes (workgroup size 1), so the place grid is one
    // workgroup of 256 invocations, and entries 256 and up are each an
    // invocation's second, third or fourth.
    let p = Arc::new(program_of(1, 3, 0, 2000));
    let mut reference = on_reference(&p, 2);
    let (expected, _) = scenario(&mut reference);
    assert!(expected.6, "the reference's books balance");
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        let (outcome, fault_lanes) = scenario(&mut rt);
        assert_eq!(outcome, expected, "{options:?}");
        assert!(
            fault_lanes.iter().any(|&l| l >= 256),
            "{options:?}: no fault from an entry past the place grid ({fault_lanes:?})"
        );
    }
}

#[test]
fn a_batch_its_partitions_hold_runs_in_one_submission_of_three_dispatches() {
    // Prepare, place and finalize: with every inbox entry placed and run
    // at once, the first maintain and every round after the place pass
    // would have had no workgroups, and are not recorded. A batch larger
    // than a partition still gets its rounds (which place the rest), and
    // a submission that starts with maintain records no place pass.
    let run = |rt: &mut Runtime, tasks: u32| {
        let pp = rt.buffer::<u32>("per_priority").unwrap();
        let seen = rt.buffer::<u32>("seen").unwrap();
        rt.upload(pp, &[0; 5]).unwrap();
        rt.upload(seen, &[0; 64]).unwrap();
        for k in 0..tasks {
            let p = Priority::ALL[(k % 5) as usize];
            rt.publish_with(0, p, 7, 1, |_, w| w[0] = k).unwrap();
        }
        let report = rt.run().expect("run");
        assert_eq!(rt.read(pp).unwrap(), [tasks / 5; 5]);
        report
    };
    let Some(ctx) = test_context() else { return };
    // 400 slots a partition: 1,000 tasks fit; 60 slots: they do not.
    let fits = Arc::new(program_of(1, 1, u32::MAX, 2000));
    let tight = Arc::new(program_of(1, 1, u32::MAX, 300));
    for (options, mut rt) in on_every_variant(&ctx, &fits) {
        let r = run(&mut rt, 1000);
        assert_eq!(r.executed, 1000, "{options:?}: {r:?}");
        assert_eq!((r.submissions, r.dispatches), (1, 3), "{options:?}");
    }
    for (options, mut rt) in on_every_variant(&ctx, &tight) {
        let r = run(&mut rt, 1000);
        assert_eq!(r.executed, 1000, "{options:?}");
        assert!(r.dispatches > 3 * r.submissions, "{options:?}: {r:?}");
    }
}
