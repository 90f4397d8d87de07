//! Host API fuzzing: random sequences of every host call — checked,
//! per-tenant and raw publishing, `run()` under any limits (valid or not),
//! tenant switches, typed buffer handles (write, read, resize, upload,
//! with valid and invalid offsets, lengths, element types and names, and
//! handles that belong to another runtime), and construction with sizes
//! and limits in and out of range — on the reference interpreter for every
//! case and on wgpu (lavapipe in CI) for fewer.
//!
//! The handlers spawn (beyond partition capacity: the rings are tiny),
//! fault in every way, print, shut down, and touch buffers whose lengths
//! the host keeps changing. After **every** step:
//! - nothing panicked;
//! - a call the test's model says is invalid returned the typed error the
//!   model predicts, and a valid call succeeded;
//! - the books balance exactly: `executed + faulted + parked + waiting ==
//!   published + spawned`, with `published` counted by the test itself;
//! - buffer reads return what the model holds (what was written, resized
//!   or uploaded since the contents were last read back);
//! - every run's report agrees with the books and describes each fault
//!   fully (slot in its partition, opcode, code).
//!
//! Spawn overflows are spawn *attempts* refused because the target
//! partition was full: they never became tasks, so they are not part of
//! the invariant (`Accounting::spawn_overflows` counts them apart).
//!
//! At the end of each case every tenant is enabled and the ring drained:
//! nothing may be left waiting or parked, so every published or spawned
//! task was executed or faulted.
//!
//! Cases: `VYRE_FUZZ_CASES` (default 48 on the reference backend; wgpu
//! runs a quarter of them, at least 2).
//!
//! Layout: [`program`] (the handlers and configurations under test),
//! [`steps`] (the host calls and their strategies), [`model`] (what the
//! test expects), [`driver`] (applies steps to both) and [`checks`] (the
//! assertions after every step), [`construction`] (configurations in and
//! out of range), [`stats`] (the printed totals). The tests stay here, in
//! the crate root, so that their names are those `docs/reliability.md`
//! gives.

// The root's test helpers, shared rather than copied.
#[path = "../../../tests/common/mod.rs"]
mod common;

#[path = "../shared/fuzz_cases.rs"]
mod fuzz_cases;

mod checks;
mod construction;
mod driver;
mod model;
mod program;
mod stats;
mod steps;

use std::sync::OnceLock;

use proptest::prelude::*;
use vyre::prelude::*;

use construction::{config, config_small, config_valid};
use driver::Driver;
use fuzz_cases::{cases, runner};
use model::{limits_valid, REFUSED};
use program::{configs, faulty, float, fork, program, work, BUFFERS, FAULTY, FORK};
use stats::Stats;
use steps::{case, limits, Case};

/// The wgpu backend, created once per test binary (device creation is slow
/// on software drivers); `None` with a printed notice when there is no
/// adapter, a failure with `VYRE_REQUIRE_GPU=1`.
fn wgpu() -> Option<Gpu> {
    static GPU: OnceLock<Option<Gpu>> = OnceLock::new();
    GPU.get_or_init(|| common::wgpu_backend("fuzz_host"))
        .clone()
}

fn exercise(gpu: &Gpu, case: &Case, stats: &'static Stats) {
    stats.add(&stats.cases, 1);
    let configs = configs();
    let mut d = Driver::new(gpu, &configs[case.config], stats);
    d.check_books("new");
    for (i, s) in case.steps.iter().enumerate() {
        d.step(i, s);
    }
    d.drain();
    stats.add(&stats.refused, REFUSED.with(|r| r.replace(0)));
}

static REFERENCE_STATS: Stats = Stats::new();
static WGPU_STATS: Stats = Stats::new();

#[test]
fn random_host_calls_on_the_reference_backend() {
    let mut runner = runner(cases());
    runner
        .run(&case(1..64, configs().len()), |case| {
            let gpu = Gpu::reference()
                .with_workgroups(case.workgroups)
                .with_seed(case.seed);
            exercise(&gpu, &case, &REFERENCE_STATS);
            Ok(())
        })
        .unwrap();
    REFERENCE_STATS.print("host fuzz, reference");
}

#[test]
fn random_host_calls_on_wgpu() {
    let Some(gpu) = wgpu() else { return };
    let mut runner = runner((cases() / 4).max(2));
    // Two configurations only: each new one compiles its pipelines.
    runner
        .run(&case(1..32, 2), |case| {
            let gpu = gpu.clone().with_workgroups(case.workgroups);
            exercise(&gpu, &case, &WGPU_STATS);
            Ok(())
        })
        .unwrap();
    WGPU_STATS.print("host fuzz, wgpu");
}

#[test]
fn construction_with_any_sizes_and_limits() {
    let mut runner = runner(cases() * 8);
    let built = std::cell::Cell::new(0u32);
    runner
        .run(
            &(
                config(),
                prop_oneof![
                    Just(0u32),
                    1u32..5,
                    Just(65_535),
                    Just(65_536),
                    Just(u32::MAX)
                ],
                limits(),
            ),
            |(c, workgroups, limits)| {
                let valid = config_valid(&c);
                let v = c.validate();
                assert_eq!(v.is_ok(), valid, "{c:?}: {v:?}");
                let mut b = Program::builder("config").config(c.clone());
                for (name, kind) in BUFFERS {
                    b = b.buffer(name, kind);
                }
                let p = b
                    .opcode(work())
                    .opcode(fork())
                    .opcode(faulty())
                    .opcode(float())
                    .build();
                match (&p, &v) {
                    (Err(e), Err(v)) => assert_eq!(e, v),
                    (Ok(_), Ok(())) => {}
                    _ => panic!("{c:?}: build {p:?} but validate {v:?}"),
                }
                let Ok(p) = p else { return Ok(()) };
                if !config_small(&c) {
                    return Ok(());
                }
                // Only small lane counts are worth instantiating on a CPU.
                let wg_ok = (1..=65_535).contains(&workgroups);
                let lanes = workgroups as u64 * c.workgroup_size as u64;
                if wg_ok && lanes > 4096 {
                    return Ok(());
                }
                let gpu = Gpu::reference().with_workgroups(workgroups);
                let rt = Runtime::new(&gpu, p);
                let mut rt = match (rt, wg_ok) {
                    (Ok(rt), true) => rt,
                    (
                        Err(Error::InvalidRunOption {
                            option: "workgroups",
                            ..
                        }),
                        false,
                    ) => return Ok(()),
                    (rt, _) => panic!("{c:?} with {workgroups} workgroups: {rt:?}"),
                };
                built.set(built.get() + 1);
                let got = rt.set_limits(limits);
                assert_eq!(got.is_ok(), limits_valid(&limits), "{limits:?}: {got:?}");
                rt.publish(
                    Priority::Low,
                    Task::new(FORK, [2u32, 2, 3].map(Literal::U32)),
                )
                .unwrap();
                rt.publish(
                    Priority::High,
                    Task::new(FAULTY, [2u32, 0].map(Literal::U32)),
                )
                .unwrap();
                rt.set_limits(RunLimits::default()).unwrap();
                let r = rt.run().unwrap();
                assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
                assert_eq!(r.stop, StopReason::Idle, "{r:?}");
                assert_eq!(r.waiting + r.parked, 0, "{r:?}");
                // The endless loop faults; with a tiny loop limit so may a
                // fork's `for`.
                assert!(r.faults.iter().any(|f| f.opcode == FAULTY), "{r:?}");
                assert!(
                    r.faults
                        .iter()
                        .all(|f| matches!(f.kind, FaultKind::LoopLimit { .. })),
                    "{r:?}"
                );
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "construction: {} small valid configurations instantiated and run",
        built.get()
    );
}

#[test]
fn wgpu_refuses_invalid_workgroups_with_typed_errors() {
    let Some(gpu) = wgpu() else { return };
    let p = program(&configs()[0]);
    for wg in [0, 65_536, u32::MAX] {
        let r = Runtime::new(&gpu.clone().with_workgroups(wg), p.clone());
        assert!(
            matches!(
                r,
                Err(Error::InvalidRunOption {
                    option: "workgroups",
                    ..
                })
            ),
            "{wg}: {r:?}"
        );
    }
}
