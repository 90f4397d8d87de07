//! Loops that the GPU driver cuts short fault the task (`LOOP_CUT`); they
//! never let it complete with a wrong result.
//!
//! Mesa's lavapipe (the software Vulkan driver CI runs on) lets one shader
//! invocation take about 65,535 loop back-edges in all, then leaves every
//! loop at its next back-edge as if it had ended. Hardware drivers do not.
//! So on wgpu each scenario here ends one of two ways, and the test says
//! which: exact results (hardware), or a `LoopCut` fault with none of the
//! task's later effects (lavapipe). The reference interpreter never cuts a
//! loop and must compute everything exactly.

mod common;

use common::wgpu_backend;
use vyre::ir::{Access, BufferKind, Expr, HandlerBuilder, ScalarType, Var};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};

const U32: ScalarType = ScalarType::U32;
/// Iterations of the long task: well past lavapipe's cap.
const LONG: u32 = 100_000;
/// Iterations after which the short task returns from inside its loop.
const SHORT_STOP: u32 = 30_000;
/// What `out` holds before any task stores into it.
const UNTOUCHED: u32 = 0xDEAD_BEEF;

/// The hash the handlers compute over `0..=last` (wrapping, as on every
/// backend).
fn hash(last: u32) -> u32 {
    (0..=last).fold(0u32, |acc, i| acc.wrapping_mul(31).wrapping_add(i))
}

/// One step of the hash, in the IR.
fn step(acc: Var, i: impl Into<Expr>) -> Expr {
    Expr::from(acc) * 31u32 + i.into()
}

/// The three loop statements, each with the same handler signature
/// `(n, stop, at)`: hash `i` over `0..n`; at `i == stop` store the hash so
/// far into `out[at]` and return from inside the loop; after the loop
/// store the hash of all `n` values into `out[at]`.
fn spinner(kind: &str, id: u32) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, kind);
    let out = h.buffer("out", U32, Access::ReadWrite);
    let n = h.arg("n", U32);
    let stop = h.arg("stop", U32);
    let at = h.arg("at", U32);
    h.body(|b| {
        let acc = b.let_mut("acc", 0u32);
        let early = |b: &mut vyre::ir::BlockBuilder<'_>, i: Expr| {
            b.if_(i.equals(stop), |b| {
                b.store(out, at, acc);
                b.return_();
            });
        };
        match kind {
            "for_loop" => b.for_range("i", 0u32, n, |b, i| {
                b.assign(acc, step(acc, i));
                early(b, i.into());
            }),
            "while_loop" => {
                let i = b.let_mut("i", 0u32);
                b.while_(Expr::from(i).lt(n), |b| {
                    b.assign(acc, step(acc, i));
                    early(b, i.into());
                    b.assign(i, i + 1u32);
                });
            }
            _ => {
                let i = b.let_mut("i", 0u32);
                b.loop_(|b| {
                    b.if_(Expr::from(i).ge(n), |b| b.break_());
                    b.assign(acc, step(acc, i));
                    early(b, i.into());
                    b.assign(i, i + 1u32);
                });
            }
        }
        b.store(out, at, acc);
    });
    h.finish().unwrap()
}

/// A program of one handler with room for long loops, run by one lane so
/// that both tasks share one invocation (and lavapipe's one budget).
fn program(name: &str, handlers: Vec<OpcodeHandler>, config: ProgramConfig) -> Program {
    let mut b = Program::builder(name)
        .config(ProgramConfig {
            workgroup_size: 1,
            loop_limit: 4 * LONG,
            iteration_budget: 1 << 20,
            ..config
        })
        .buffer("out", BufferKind::plain(U32));
    for h in handlers {
        b = b.opcode(h);
    }
    b.build().unwrap()
}

/// How a backend ended a scenario.
#[derive(Debug, PartialEq)]
enum Path {
    /// Every task computed its exact result.
    Exact,
    /// The driver cut the long task's loop: it faulted `LoopCut` (after
    /// this many of its iterations) and stored nothing after the loop.
    Cut(u32),
}

/// A task that returns from inside its loop, then (same lane, same
/// dispatch) a task whose loop runs `LONG` iterations: the second either
/// stores its exact hash or faults with `LoopCut` — never a wrong hash.
/// The first task leaves the loop the other way (a `return` inside it), so
/// a guard that kept a stale "left normally" from it would be caught.
#[test]
fn a_cut_handler_loop_faults_and_stores_nothing_after_it() {
    let kinds = [("for_loop", 1), ("while_loop", 2), ("loop_stmt", 3)];
    let mut backends = vec![Gpu::reference().with_workgroups(1)];
    backends.extend(wgpu_backend("loop cut").map(|g| g.with_workgroups(1)));
    for gpu in &backends {
        let wgpu = gpu.kind() == BackendKind::Wgpu;
        for (kind, id) in kinds {
            let p = program("spin", vec![spinner(kind, id)], ProgramConfig::default());
            let mut rt = Runtime::new(gpu, p).unwrap();
            let out = rt.buffer::<u32>("out").unwrap();
            rt.upload(out, &[UNTOUCHED, UNTOUCHED]).unwrap();
            let task =
                |n: u32, stop: u32, at: u32| Task::new(id, [n.into(), stop.into(), at.into()]);
            // HIGH first: the lane runs the short task, then the long one.
            rt.publish(Priority::High, task(LONG, SHORT_STOP, 0))
                .unwrap();
            rt.publish(Priority::Normal, task(LONG, u32::MAX, 1))
                .unwrap();
            let r = rt.run().unwrap();
            let got = rt.read(out).unwrap();
            assert_eq!(r.stop, StopReason::Idle, "{kind}: {r:?}");
            assert!(rt.accounting().balanced(), "{kind}");
            // The short task stays far below the cap: always exact.
            assert_eq!(got[0], hash(SHORT_STOP), "{kind} on {}", gpu.description());
            let path = match r.faults.as_slice() {
                [] => {
                    assert_eq!(got[1], hash(LONG - 1), "{kind} on {}", gpu.description());
                    assert_eq!(r.executed, 2);
                    Path::Exact
                }
                [f] => {
                    let FaultKind::LoopCut { iterations } = f.kind else {
                        panic!("{kind}: unexpected fault {f:?}");
                    };
                    assert_eq!(f.opcode, id, "{kind}");
                    assert!(iterations > 0 && iterations < LONG, "{kind}: {f:?}");
                    assert_eq!(got[1], UNTOUCHED, "{kind}: stored after a cut loop");
                    assert_eq!(r.executed, 1);
                    Path::Cut(iterations)
                }
                faults => panic!("{kind}: {faults:?}"),
            };
            eprintln!(
                "loop cut: {kind} on {}: {}",
                gpu.description(),
                match path {
                    Path::Exact => "exact result (the driver did not cut the loop)".to_string(),
                    Path::Cut(n) =>
                        format!("the driver cut the loop after {n} iterations: faulted LoopCut, nothing stored"),
                }
            );
            if !wgpu {
                assert_eq!(path, Path::Exact, "{kind}: the reference never cuts a loop");
            }
        }
    }
}

/// Opcode of [`prober`].
const PROBER: u32 = 10;
/// Opcode of [`child`].
const CHILD: u32 = 11;
/// Opcode of the parked filler tasks.
const FILLER: u32 = 12;
/// Slots per partition.
const PART: u32 = 1024;
/// Iterations the prober spins before it spawns: just under lavapipe's
/// cap, so that a spawn that looped (as spawns once probed slots) would
/// run out of what is left of it in a nearly full partition.
const SPIN: u32 = 65_400;

/// `prober(n)`: hashes `0..n`, spawns `child(hash)` at LOW, and stores
/// `1 + spawned` into `out[0]`.
fn prober() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(PROBER, "prober");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let n = h.arg("n", U32);
    h.body(|b| {
        let acc = b.let_mut("acc", 0u32);
        b.for_range("i", 0u32, n, |b, i| b.assign(acc, step(acc, i)));
        let ok = b.spawn(Priority::Low, CHILD, vec![acc.into()]);
        b.store(out, 0u32, Expr::from(ok).cast(U32) + 1u32);
    });
    h.finish().unwrap()
}

/// `child(x)`: `out[1] = x`.
fn child() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(CHILD, "child");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let x = h.arg("x", U32);
    h.body(|b| b.store(out, 1u32, x));
    h.finish().unwrap()
}

/// `filler()`: does nothing; its tasks stay parked in LOW (tenant 1 is
/// disabled) and fill all but one of its slots.
fn filler() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FILLER, "filler");
    h.body(|_| {});
    h.finish().unwrap()
}

/// A spawn never reports a full partition (false, an overflow) when a
/// slot was free, however little of lavapipe's loop cap is left: LOW has
/// one EMPTY slot among parked tasks, and the spawner spins almost to the
/// cap first. Spawns take their slot off the free list without a loop, so
/// the spawn finds the slot; the only cut lavapipe may make is the
/// spinning loop's own (the scheduler's loops count towards the cap too),
/// which faults `LoopCut` before the spawn.
#[test]
fn a_spawn_after_a_long_loop_finds_the_one_free_slot() {
    let p = program(
        "probe",
        vec![prober(), child(), filler()],
        ProgramConfig {
            slots: 5 * PART,
            tenants: 2,
            inbox_capacity: PART,
            ..ProgramConfig::default()
        },
    );
    let mut backends = vec![Gpu::reference().with_workgroups(1)];
    backends.extend(wgpu_backend("spawn after a long loop").map(|g| g.with_workgroups(1)));
    for gpu in &backends {
        let mut rt = Runtime::new(gpu, p.clone()).unwrap();
        let out = rt.buffer::<u32>("out").unwrap();
        rt.upload(out, &[UNTOUCHED, UNTOUCHED]).unwrap();
        rt.disable_tenant(1).unwrap();
        for _ in 0..PART - 1 {
            rt.publish_for(1, Priority::Low, Task::new(FILLER, []))
                .unwrap();
        }
        rt.publish(Priority::High, Task::new(PROBER, [SPIN.into()]))
            .unwrap();
        let r = rt.run().unwrap();
        let got = rt.read(out).unwrap();
        assert_eq!(r.parked, u64::from(PART - 1), "{r:?}");
        assert_eq!(r.spawn_overflows, 0, "a free slot was there: {r:?}");
        assert!(rt.accounting().balanced());
        let what = match r.faults.as_slice() {
            [] => {
                assert_eq!(got, [2, hash(SPIN - 1)], "spawned and ran");
                assert_eq!((r.spawned, r.executed), (1, 2));
                "exact result (the spawn found the free slot)".to_string()
            }
            [f] => {
                let FaultKind::LoopCut { iterations } = f.kind else {
                    panic!("unexpected fault {f:?}");
                };
                assert!(gpu.kind() == BackendKind::Wgpu, "the reference cut a loop");
                assert_eq!(f.opcode, PROBER);
                assert_eq!(got, [UNTOUCHED, UNTOUCHED], "nothing after the cut");
                assert_eq!((r.spawned, r.executed), (0, 0));
                assert!(iterations < SPIN, "a spawn has no loop to cut: {f:?}");
                format!("the driver cut the spinning loop after {iterations} iterations: faulted LoopCut")
            }
            faults => panic!("{faults:?}"),
        };
        eprintln!("spawn after a long loop on {}: {what}", gpu.description());
    }
}

/// Short tasks published with the long one.
const SHORT_TASKS: u32 = 300;

/// A cut in one lane loses nothing else: in workgroups of 64 lanes, one
/// lane's task loops `LONG` times while the others run short tasks. On
/// lavapipe the cut ends the claim loop of that lane's group of lanes
/// early; every short task still runs exactly once and is counted, and
/// the books balance. (With the cooperative claim loop, whose iterations
/// meet at barriers, lavapipe ended the workgroup before the other groups
/// added their counters: 56 executed tasks went uncounted. The runtime
/// now lowers with per-lane claims on software adapters.)
#[test]
fn a_cut_in_one_lane_loses_no_other_task() {
    let p = Program::builder("crowd")
        .config(ProgramConfig {
            workgroup_size: 64,
            slots: 1024,
            inbox_capacity: 1024,
            loop_limit: 4 * LONG,
            ..ProgramConfig::default()
        })
        .buffer("out", BufferKind::plain(U32))
        .opcode(spinner("for_loop", 1))
        .build()
        .unwrap();
    let mut backends = vec![Gpu::reference().with_workgroups(2)];
    backends.extend(wgpu_backend("crowd cut").map(|g| g.with_workgroups(2)));
    for gpu in &backends {
        let mut rt = Runtime::new(gpu, p.clone()).unwrap();
        let out = rt.buffer::<u32>("out").unwrap();
        rt.upload(out, &vec![UNTOUCHED; SHORT_TASKS as usize + 1])
            .unwrap();
        let task = |n: u32, at: u32| Task::new(1, [n.into(), u32::MAX.into(), at.into()]);
        rt.publish(Priority::High, task(LONG, SHORT_TASKS)).unwrap();
        for k in 0..SHORT_TASKS {
            rt.publish(Priority::Normal, task(100 + k, k)).unwrap();
        }
        let r = rt.run().unwrap();
        let got = rt.read(out).unwrap();
        assert_eq!(r.stop, StopReason::Idle, "{r:?}");
        assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
        for k in 0..SHORT_TASKS {
            assert_eq!(got[k as usize], hash(100 + k - 1), "short task {k}");
        }
        let long = got[SHORT_TASKS as usize];
        let what = match r.faults.as_slice() {
            [] => {
                assert_eq!(long, hash(LONG - 1));
                assert_eq!(r.executed, u64::from(SHORT_TASKS) + 1);
                "every task exact".to_string()
            }
            [f] => {
                assert!(matches!(f.kind, FaultKind::LoopCut { .. }), "{f:?}");
                assert!(gpu.kind() == BackendKind::Wgpu, "the reference cut a loop");
                assert_eq!(long, UNTOUCHED);
                assert_eq!(r.executed, u64::from(SHORT_TASKS));
                format!(
                    "the long task faulted {:?}; all {SHORT_TASKS} short tasks exact in {} rounds",
                    f.kind, r.rounds
                )
            }
            faults => panic!("{faults:?}"),
        };
        eprintln!("crowd cut on {}: {what}", gpu.description());
    }
}
