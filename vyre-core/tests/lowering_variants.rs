//! Every scheduler variant of `LowerOptions` validates with naga and, on
//! wgpu (lavapipe in CI), runs a scheduling scenario to the same results
//! as the reference interpreter: priorities, spawns, tenants (parked
//! work), faults, anti-starvation, inboxes larger than a partition, and
//! spawns into partitions that fill up.

mod support;
mod wgsl_common;

use std::sync::Arc;

use support::variants::{on_every_variant, on_reference};
use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, CtxValue, Expr, HandlerBuilder, ScalarType, Var};
use vyre_core::lower::{wgsl_with, LowerOptions};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::{Priority, Runtime};
use wgsl_common::validate_source;

const U32: ScalarType = ScalarType::U32;

/// `work(tag, fanout)`: logs its priority, faults on tag 13, spawns
/// `fanout` children at a lower priority. `tenants` sizes the tenant
/// table (the maintain pass keeps up to 256 entries in workgroup memory
/// and reads the rest from the control block).
fn program(workgroup_size: u32, starvation_limit: u32, tenants: u32) -> Program {
    let mut h = HandlerBuilder::new(7, "work");
    let per_priority = h.buffer("per_priority", U32, Access::Atomic);
    let seen = h.buffer("seen", U32, Access::Atomic);
    let tag = h.arg("tag", U32);
    let fanout = h.arg("fanout", U32);
    h.body(|b| {
        b.if_(tag.equals(13u32), |b| b.fault(99u32));
        b.eval(per_priority.fetch_add(vyre_core::ir::ctx(CtxValue::Priority), 1u32));
        b.eval(seen.fetch_add(tag % 64u32, 1u32));
        b.for_range("i", 0u32, fanout, |b, i| {
            let p = (vyre_core::ir::ctx(CtxValue::Priority) + 1u32).min(4u32);
            b.spawn(p, 7, vec![tag * 3u32 + i + 100u32, 0u32.into()]);
        });
    });
    support::tenant_runs::program(
        "variants",
        ProgramConfig {
            workgroup_size,
            slots: 1000,
            tenants,
            inbox_capacity: 64,
            claim_budget: 5,
            starvation_limit,
            ..ProgramConfig::default()
        },
        h.finish().expect("handler"),
    )
}

/// What must not depend on the backend or the variant.
type Outcome = (u64, u64, u64, u64, [u64; 5], u64, Vec<u32>, Vec<u32>, bool);

fn scenario(rt: &mut Runtime) -> Outcome {
    // Tenants 0, 1 and the table's last, which is disabled first.
    let runs = support::tenant_runs::around_a_disabled_tenant(rt, |rt, last| {
        for k in 0..400u32 {
            let p = Priority::ALL[(k % 5) as usize];
            let tenant = [0, 1, last][(k % 3) as usize];
            rt.publish_with(tenant, p, 7, 1, |_, w| {
                w[0] = k;
                w[1] = u32::from(k % 7 == 0);
            })
            .unwrap();
        }
    });
    let (first, second) = (&runs.first, &runs.second);
    (
        first.executed + second.executed,
        (first.faults.len() + second.faults.len()) as u64,
        first.spawned + second.spawned,
        first.spawn_overflows + second.spawn_overflows,
        runs.by_priority,
        first.parked,
        runs.buffers.0.clone(),
        runs.buffers.1.clone(),
        runs.balanced,
    )
}

#[test]
fn every_variant_validates() {
    for options in LowerOptions::all() {
        for wg in [1, 64, 256] {
            let src = wgsl_with(&program(wg, 3, 3), &options);
            if let Err(e) = validate_source(&src) {
                panic!("{options:?}, workgroup size {wg}: {e}");
            }
        }
    }
}

#[test]
fn every_variant_matches_the_reference() {
    for (wg, starvation, tenants) in [(1, 0, 3), (4, 3, 300), (64, 16, 3)] {
        let p = Arc::new(program(wg, starvation, tenants));
        let mut reference = on_reference(&p, wg * 2);
        let expected = scenario(&mut reference);
        assert!(expected.8, "the reference's books balance");
        assert_eq!(expected.3, 0, "no spawn finds its partition full");
        assert!(
            expected.1 > 0 && expected.2 > 0 && expected.5 > 0,
            "{expected:?}"
        );
        let Some(ctx) = test_context() else { continue };
        for (options, mut rt) in on_every_variant(&ctx, &p) {
            assert_eq!(
                scenario(&mut rt),
                expected,
                "{options:?}, workgroup size {wg}, starvation limit {starvation}, {tenants} tenants"
            );
        }
    }
}

/// `name(n)`: `n` spawns of `leaf` in a loop, spawn `i` into partition
/// `partition(i)`; `leaf(i)` counts itself in `hits[i]`.
fn spawner_program(name: &str, sizes: [u32; 5], partition: impl Fn(Var) -> Expr) -> Program {
    let mut spawner = HandlerBuilder::new(1, name);
    let n = spawner.arg("n", U32);
    spawner.body(|b| {
        b.for_range("i", 0u32, n, |b, i| {
            b.spawn(partition(i), 2, vec![i.into()]);
        });
    });
    let mut leaf = HandlerBuilder::new(2, "leaf");
    let hits = leaf.buffer("hits", U32, Access::Atomic);
    let i = leaf.arg("i", U32);
    leaf.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    Program::builder(name)
        .config(ProgramConfig {
            slots: sizes.iter().sum(),
            partition_sizes: Some(sizes),
            ..ProgramConfig::default()
        })
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(spawner.finish().expect("spawner"))
        .opcode(leaf.finish().expect("leaf"))
        .build()
        .expect("program")
}

/// `fan(n)`: `n` spawns of `leaf`, alternately into the LOW and the IDLE
/// partition.
fn fan_program() -> Program {
    spawner_program("fan", [4, 8, 4, 16, 8], |i| i % 2u32 + 3u32)
}

/// Two runs of fans whose spawns overrun the LOW (16 slots) and IDLE (8)
/// partitions within one pass: per run, spawned, refused, executed and the
/// leaves' count.
fn fan_scenario(rt: &mut Runtime) -> Vec<(u64, u64, u64, u32)> {
    [&[10u32, 20, 30][..], &[40]]
        .iter()
        .map(|fans| spawner_run(rt, fans))
        .collect()
}

/// One run of HIGH spawner tasks (`fan`, `relay` or `burst`) of the given
/// sizes: what its report and the leaves' counts say.
#[derive(Debug, PartialEq)]
struct SpawnerRun {
    spawned: u64,
    refused: u64,
    executed: u64,
    by_priority: [u64; 5],
    /// `hits[i]`: how many times child `i` ran.
    hits: Vec<u32>,
}

fn spawner_hits(rt: &mut Runtime, sizes: &[u32]) -> SpawnerRun {
    let hits = rt.buffer::<u32>("hits").unwrap();
    let children = sizes.iter().copied().max().unwrap_or(0);
    rt.upload(hits, &vec![0; children.max(1) as usize]).unwrap();
    for &n in sizes {
        rt.publish_with(0, Priority::High, 1, 1, |_, w| w[0] = n)
            .unwrap();
    }
    let r = rt.run().unwrap();
    SpawnerRun {
        spawned: r.spawned,
        refused: r.spawn_overflows,
        executed: r.executed,
        by_priority: r.executed_by_priority,
        hits: rt.read(hits).unwrap(),
    }
}

/// [`spawner_hits`] as spawned, refused, executed and the leaves' count.
fn spawner_run(rt: &mut Runtime, sizes: &[u32]) -> (u64, u64, u64, u32) {
    let r = spawner_hits(rt, sizes);
    (r.spawned, r.refused, r.executed, r.hits.iter().sum())
}

#[test]
fn spawns_fill_partitions_exactly_on_every_variant() {
    let p = Arc::new(fan_program());
    let expected = fan_scenario(&mut on_reference(&p, 8));
    // Each run's fans run in one pass: every free slot of both
    // partitions is taken (none refused early), every other spawn is
    // refused, and the second run finds both lists full again.
    assert_eq!(expected, [(24, 36, 27, 24), (24, 16, 25, 24)]);
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        assert_eq!(fan_scenario(&mut rt), expected, "{options:?}");
    }
}

/// `relay(n)`: `n` spawns of `leaf`, in runs of `run` that alternate
/// between the LOW and the IDLE partition (64 slots each).
fn relay_program(run: u32) -> Program {
    spawner_program("relay", [4, 8, 8, 64, 64], move |i| (i / run) % 2u32 + 3u32)
}

/// A lane keeps the free-list positions it reserved in one partition
/// (`docs/protocol.md`, "Spawn"; and, in a probe of session 24, the
/// entries it loaded ahead): spawns that switch partitions must still
/// write each child into a slot of its own partition, once. Runs no
/// longer than `SPAWN_SINGLES` (2 of 2) take one position at a time, so
/// each run continues its partition's list where the last run there
/// stopped, and the GPU matches the reference exactly: every child runs
/// once, with its own argument, at its own priority. Longer runs (11) end
/// inside a block of positions the lane reserved, which the switch
/// leaves unused until the next pass: some spawns may be refused, but
/// every child granted runs once, at its own priority, and every other
/// is counted as refused.
#[test]
fn spawn_runs_switching_partitions_run_every_child_once() {
    let sizes = [100u32];
    for (run, low) in [(2u32, 50u64), (11, 55)] {
        let p = Arc::new(relay_program(run));
        let expected = spawner_hits(&mut on_reference(&p, 8), &sizes);
        assert_eq!(
            expected,
            SpawnerRun {
                spawned: 100,
                refused: 0,
                executed: 101,
                by_priority: [0, 1, 0, low, 100 - low],
                hits: vec![1; 100],
            },
            "the reference runs every child (runs of {run})"
        );
        let Some(ctx) = test_context() else { continue };
        for (options, mut rt) in on_every_variant(&ctx, &p) {
            let first = spawner_hits(&mut rt, &sizes);
            let what = format!("{options:?}, runs of {run}");
            if run <= vyre_core::lower::SPAWN_SINGLES {
                assert_eq!(first, expected, "{what}");
            }
            let SpawnerRun {
                spawned,
                refused,
                executed,
                by_priority,
                hits,
            } = &first;
            assert_eq!(spawned + refused, 100, "{what}: every spawn counted");
            assert_eq!(*executed, 1 + spawned, "{what}");
            assert!(hits.iter().all(|&h| h <= 1), "{what}: {hits:?}");
            let ran = |part: u32| {
                (0..100u32)
                    .filter(|i| (i / run) % 2 + 3 == part && hits[*i as usize] == 1)
                    .count() as u64
            };
            assert_eq!(
                *by_priority,
                [0, 1, 0, ran(3), ran(4)],
                "{what}: each child granted ran once, at its priority"
            );
            assert_eq!(ran(3) + ran(4), *spawned, "{what}");
            // The positions left unused are free again at the next pass.
            assert_eq!(spawner_hits(&mut rt, &sizes), first, "{what}: again");
        }
    }
}

/// `burst(n)`: `n` spawns of `leaf` into the LOW partition (64 slots).
fn burst_program() -> Program {
    spawner_program("burst", [4, 8, 8, 64, 8], |_| 3u32.into())
}

/// A task spawning a long run into one partition reserves free-list
/// positions in growing blocks on the GPU ([`vyre_core::lower::SPAWN_BLOCK`]). One such
/// task still fills the partition exactly, as the reference does; several
/// at once may leave positions reserved and unused when the list runs out
/// (a spawn refused while some of those slots are EMPTY), but every spawn
/// is either accepted and run or refused and counted, none is granted past
/// the free slots, and the unused slots are free again in the next pass.
#[test]
fn spawn_bursts_reserve_blocks_and_lose_no_slot() {
    let p = Arc::new(burst_program());
    let lone = spawner_run(&mut on_reference(&p, 8), &[100]);
    assert_eq!(lone, (64, 36, 65, 64), "the reference fills LOW exactly");
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        assert_eq!(spawner_run(&mut rt, &[100]), lone, "{options:?}: one burst");
        let bursts = [20u32; 6];
        let (spawned, refused, executed, hits) = spawner_run(&mut rt, &bursts);
        let attempts: u64 = bursts.iter().map(|&n| u64::from(n)).sum();
        assert_eq!(
            spawned + refused,
            attempts,
            "{options:?}: every spawn counted"
        );
        assert_eq!(executed, bursts.len() as u64 + spawned, "{options:?}");
        assert_eq!(
            u64::from(hits),
            spawned,
            "{options:?}: every spawned task ran"
        );
        assert!(
            spawned <= 64,
            "{options:?}: {spawned} spawns granted past 64 free slots"
        );
        assert!(refused > 0, "{options:?}: 120 spawns fit 64 slots");
        // The slots reserved and not used came back.
        assert_eq!(
            spawner_run(&mut rt, &[100]),
            lone,
            "{options:?}: the next burst"
        );
    }
}
