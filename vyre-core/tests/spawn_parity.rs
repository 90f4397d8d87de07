//! Spawned work on every scheduler variant against the reference
//! interpreter: a chain of spawns longer than its partition, chains cut
//! by the claim budget and by a fault, and a label-correcting BFS whose
//! spawns fan out. Results, counts, faults, refusals, books and rounds
//! agree.

mod support;
mod wgsl_common;

use std::collections::VecDeque;
use std::sync::Arc;

use support::variants::{on_every_variant, on_reference};
use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::{Priority, Runtime};

const U32: ScalarType = ScalarType::U32;

/// `step(n, tag)`: counts itself in `hits[tag % 4]`, faults on tag 999,
/// and while `n > 0` spawns `step(n - 1, tag + 1)` at LOW, into a
/// partition of `low_slots` slots.
fn chain_program(low_slots: u32, claim_budget: u32) -> Program {
    let mut h = HandlerBuilder::new(3, "step");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let n = h.arg("n", U32);
    let tag = h.arg("tag", U32);
    h.body(|b| {
        b.if_(tag.equals(999u32), |b| b.fault(7u32));
        b.eval(hits.fetch_add(tag % 4u32, 1u32));
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Low, 3, vec![n - 1u32, tag + 1u32]);
        });
    });
    Program::builder("chain")
        .config(ProgramConfig {
            workgroup_size: 64,
            slots: 32 + low_slots,
            partition_sizes: Some([8, 8, 8, low_slots, 8]),
            claim_budget,
            ..ProgramConfig::default()
        })
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(h.finish().expect("step"))
        .build()
        .expect("program")
}

/// What must not depend on the backend or the variant: executed, faults,
/// spawned, refused, the hits, and whether the books balance.
type Outcome = (u64, usize, u64, u64, Vec<u32>, bool);

/// Publishes `chains` as `(n, tag)` at HIGH, runs, and returns the outcome
/// and the rounds it took.
fn run_chains(rt: &mut Runtime, chains: &[(u32, u32)]) -> (Outcome, u64) {
    let hits = rt.buffer::<u32>("hits").unwrap();
    rt.upload(hits, &[0; 4]).unwrap();
    for &(n, tag) in chains {
        rt.publish_with(0, Priority::High, 3, 1, |_, w| {
            w[0] = n;
            w[1] = tag;
        })
        .unwrap();
    }
    let r = rt.run().unwrap();
    let books = rt.accounting();
    let balanced = books.balanced() && books.waiting == 0;
    (
        (
            r.executed,
            r.faults.len(),
            r.spawned,
            r.spawn_overflows,
            rt.read(hits).unwrap(),
            balanced,
        ),
        r.rounds,
    )
}

#[test]
fn a_chain_longer_than_its_partition_runs_a_step_a_round_without_refusals() {
    // 300 steps through a LOW partition of 4 slots: one step a round, each
    // spawn taking a slot its parent's round left EMPTY.
    let p = Arc::new(chain_program(4, 1000));
    let (expected, reference_rounds) = run_chains(&mut on_reference(&p, 64), &[(299, 0)]);
    assert_eq!(expected, (300, 0, 299, 0, vec![75; 4], true));
    assert!(reference_rounds >= 300, "{reference_rounds}");
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        assert_eq!(
            run_chains(&mut rt, &[(299, 0)]),
            (expected.clone(), reference_rounds),
            "{options:?}"
        );
    }
}

#[test]
fn chains_cut_by_the_claim_budget_and_a_fault_keep_their_books() {
    // A claim budget of 2 ends each lane's pass after two tasks: the
    // next rounds run the rest. Forty chains of 20 steps; one step faults
    // (tag 999), and its chain ends there.
    let p = Arc::new(chain_program(200, 2));
    let chains: Vec<(u32, u32)> = (0..40).map(|c| (19, 990 + c * 100)).collect();
    let (expected, _) = run_chains(&mut on_reference(&p, 64), &chains);
    assert_eq!((expected.0, expected.1, expected.3), (789, 1, 0));
    assert!(expected.5, "the reference's books balance");
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        let (outcome, rounds) = run_chains(&mut rt, &chains);
        assert_eq!(outcome, expected, "{options:?}");
        assert!(rounds > 1, "{options:?}: the budget ends passes early");
    }
}

/// Label-correcting BFS (the handler language documentation's `visit`,
/// `wgsl_common::fixtures::bfs_visit`): each visit lowers its neighbours'
/// distances and spawns a visit of every neighbour whose distance dropped,
/// at HIGH, into a ring that holds them all.
fn bfs_program(workgroup_size: u32) -> Program {
    Program::builder("bfs")
        .config(ProgramConfig {
            workgroup_size,
            slots: 8192,
            partition_sizes: Some([16, 8128, 16, 16, 16]),
            ..ProgramConfig::default()
        })
        .buffer("offsets", BufferKind::plain(U32))
        .buffer("edges", BufferKind::plain(U32))
        .buffer("dist", BufferKind::atomic(U32))
        .opcode(wgsl_common::fixtures::bfs_visit())
        .build()
        .expect("program")
}

/// A random graph of `n` vertices and about `4n` directed edges in CSR
/// form (a fixed linear congruential generator), and its BFS distances
/// from vertex 0 (`u32::MAX`: unreached).
fn graph(n: u32) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut state = 0x2545_f491_u32;
    let mut next = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        state >> 8
    };
    let mut offsets = vec![0];
    let mut edges = Vec::new();
    for _ in 0..n {
        for _ in 0..next() % 9 {
            edges.push(next() % n);
        }
        offsets.push(edges.len() as u32);
    }
    let mut dist = vec![u32::MAX; n as usize];
    dist[0] = 0;
    let mut queue = VecDeque::from([0u32]);
    while let Some(v) = queue.pop_front() {
        for &u in &edges[offsets[v as usize] as usize..offsets[v as usize + 1] as usize] {
            if dist[u as usize] == u32::MAX {
                dist[u as usize] = dist[v as usize] + 1;
                queue.push_back(u);
            }
        }
    }
    (offsets, edges, dist)
}

#[test]
fn bfs_distances_are_exact_on_every_variant() {
    // Spawns fan out from lanes of small and large workgroups; the
    // distances and the books are the CPU's and the reference's either
    // way.
    let (offsets, edges, want) = graph(2000);
    assert!(want.iter().filter(|&&d| d != u32::MAX).count() > 1000);
    let search = |rt: &mut Runtime| {
        let o = rt.buffer::<u32>("offsets").unwrap();
        let e = rt.buffer::<u32>("edges").unwrap();
        let d = rt.buffer::<u32>("dist").unwrap();
        rt.upload(o, &offsets).unwrap();
        rt.upload(e, &edges).unwrap();
        let mut dist = vec![u32::MAX; want.len()];
        dist[0] = 0;
        rt.upload(d, &dist).unwrap();
        rt.publish_with(0, Priority::High, 0x100, 1, |_, w| {
            w[0] = 0;
            w[1] = 0;
        })
        .unwrap();
        let r = rt.run().unwrap();
        let books = rt.accounting();
        assert!(books.balanced() && books.waiting == 0, "{books:?}");
        assert_eq!((r.faults.len(), r.spawn_overflows), (0, 0));
        (rt.read(d).unwrap(), r.executed == r.spawned + 1)
    };
    for wg in [4, 64] {
        let p = Arc::new(bfs_program(wg));
        assert_eq!(search(&mut on_reference(&p, wg * 2)), (want.clone(), true));
        let Some(ctx) = test_context() else { return };
        for (options, mut rt) in on_every_variant(&ctx, &p) {
            assert_eq!(
                search(&mut rt),
                (want.clone(), true),
                "{options:?}, workgroup size {wg}"
            );
        }
    }
}
