//! The handlers of `macro_support::handlers` on the host: the IR
//! `#[opcode]` generated, run by vyre's CPU machine, does what the original
//! function does through its generated `__native` entry point; and the
//! handlers called directly are plain Rust. What the macros generate is
//! `tests/macros.rs`.

mod macro_support;

use macro_support::handlers::{
    arith, atomics, control, devices, faulty, find_first, other, sched, square, visit,
};
use macro_support::{run_ir, run_native, validated, Run};
use vyre::ir::Stmt;
use vyre::prelude::*;
use vyre::program::OpcodeHandler;

type Native = fn(&Ctx, &vyre::host::HostBuffers, &[usize], &[u32]);

/// The handlers `h` spawns, which a program of `h` must contain.
fn spawn_targets(h: &OpcodeHandler) -> Vec<OpcodeHandler> {
    let mut ids = Vec::new();
    vyre::ir::visit_stmts(&h.body, &mut |s| {
        if let Stmt::Spawn { opcode, .. } = s {
            ids.push(*opcode);
        }
    });
    [visit::handler(), sched::handler(), other::handler()]
        .into_iter()
        .filter(|t| ids.contains(&t.id))
        .collect()
}

/// Runs the IR (on vyre's CPU machine) and the original function on the
/// same inputs and compares.
fn same(
    h: &OpcodeHandler,
    native: Native,
    words: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    limit: u32,
) -> Run {
    let ir = run_ir(h, &spawn_targets(h), words, args, ctx, limit);
    let host = run_native(h, native, words, args, ctx, limit);
    assert_eq!(
        ir, host,
        "IR and host differ for {} with args {args:?}",
        h.name
    );
    ir
}

#[test]
fn visit_on_the_host_and_in_ir() {
    let h = visit::handler();
    // 0 -> 1, 0 -> 2, 1 -> 2
    let offsets = vec![0, 2, 3, 3];
    let edges = vec![1, 2, 2];
    let dist = vec![0, u32::MAX, 1];
    let r = same(
        &h,
        visit::__native,
        &[offsets.clone(), edges.clone(), dist],
        &[0, 0],
        [0, 0, 0, 2],
        100,
    );
    assert_eq!(r.buffers[2], vec![0, 1, 1]);
    assert_eq!(r.spawns, vec![(1, 0x100, vec![1, 1])]);

    // As plain Rust, with a recording Ctx.
    let (offsets, edges) = (Buffer::from(offsets), Buffer::from(edges));
    let dist = Buffer::<Atomic<u32>>::from_values([0, u32::MAX, u32::MAX]);
    let out = Ctx::call(|ctx| visit(ctx, &offsets, &edges, &dist, 0, 0));
    assert!(out.is_done());
    assert_eq!(out.tasks(), vec![&visit::task(1, 1), &visit::task(2, 1)]);
    assert_eq!(dist.to_values(), vec![0, 1, 1]);
}

#[test]
fn arith_matches_the_host() {
    let h = arith::handler();
    let cases: &[(u32, u32, i32, f32)] = &[
        (7, 3, -17, 2.5),
        (0, 0, 0, 0.0),
        (u32::MAX, 1, i32::MAX, -3.75),
        (123_456, 789, -1_000_000, 1e6),
        (5, 5, 9, -0.5),
        (1 << 31, 31, -1, 123.456),
        (42, 100, 3, f32::MAX),
    ];
    for &(a, b, x, f) in cases {
        let words = vec![vec![0; 32], vec![0; 16], vec![0; 16]];
        same(
            &h,
            arith::__native,
            &words,
            &[a, b, x as u32, f.to_bits()],
            [0; 4],
            100,
        );
    }
}

#[test]
fn control_matches_the_host() {
    let h = control::handler();
    for n in [0u32, 1, 2, 3, 5, 17, 64, 999, 1000] {
        for sel in [-5i32, -1, 0, 1, 2, 3, 4, 7, 9, 10, 50] {
            same(
                &h,
                control::__native,
                &[vec![0; 16]],
                &[n, sel as u32],
                [0; 4],
                1 << 16,
            );
        }
    }
}

#[test]
fn atomics_match_the_host() {
    let h = atomics::handler();
    for (v, w) in [(0u32, 0i32), (3, -3), (5, 7), (100, i32::MAX), (9, -100)] {
        let acc: Vec<u32> = vec![1, 50, 7, 7, 0xF0F0, 0x0F, 0xFF, 3, 0, 0, 5, 9, 0, 3, 0, 9];
        let iacc = vec![2u32, (-2i32) as u32, 10, 0];
        same(
            &h,
            atomics::__native,
            &[acc, iacc, vec![0; 16]],
            &[v, w as u32],
            [0; 4],
            100,
        );
    }
}

#[test]
fn sched_matches_the_host() {
    let h = sched::handler();
    for prio in 0..5u32 {
        for (depth, k) in [(0u32, 0i32), (3, 5), (7, 42), (2, -1)] {
            let r = same(
                &h,
                sched::__native,
                &[vec![0; 16]],
                &[depth, k as u32],
                [5, 9, 2, prio],
                100,
            );
            if depth > 0 && k != -1 {
                assert_eq!(r.spawns.len(), 3);
                assert_eq!(r.spawns[1].1, other::ID);
                assert_eq!(r.spawns[2].2, vec![1.5f32.to_bits(), 0]);
            }
            if k == -1 {
                assert_eq!(r.fault, Some(vyre::FaultKind::User { code: depth + 3 }));
            } else {
                assert_eq!(r.prints.len(), 2);
                assert_eq!(r.prints[1], "plain {braces}");
            }
            assert_eq!(r.shutdown, k == 42);
        }
    }
}

#[test]
fn devices_match_the_host() {
    let h = devices::handler();
    validated(&h);
    let data = vec![4u32, 7, 1, 9, 0, 2];
    for a in [0u32, 1, 2, 3, 4, 7, 9, 25, 99, 1500, 1999] {
        same(
            &h,
            devices::__native,
            &[data.clone(), vec![0; 4], vec![0; 16]],
            &[a],
            [0; 4],
            1 << 16,
        );
    }
    // The device bodies are inlined: no call remains, and each call has its
    // own locals.
    assert!(h.locals.len() > 20);
}

#[test]
fn faults_match_the_host() {
    let h = faulty::handler();
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[1, 2, 3], [0; 4], 100);
    assert_eq!(r.fault, None);
    assert_eq!(r.buffers[0], vec![5, 3]);
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[9, 2, 3], [0; 4], 100);
    assert_eq!(r.fault, Some(vyre::FaultKind::OutOfBounds { index: 9 }));
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[1, 0, 3], [0; 4], 100);
    assert_eq!(r.fault, Some(vyre::FaultKind::DivideByZero));
    let r = same(
        &h,
        faulty::__native,
        &[vec![0; 2]],
        &[1, 1, 1000],
        [0; 4],
        100,
    );
    assert_eq!(r.fault, Some(vyre::FaultKind::LoopLimit { limit: 100 }));
}

#[test]
fn handlers_are_plain_rust() {
    // Called directly, outside any run: ordinary Rust semantics.
    let mut out = Buffer::from(vec![0u32; 2]);
    faulty(&mut out, 1, 5, 4);
    assert_eq!(out.as_slice(), &[2, 4]);
    let panicked = std::panic::catch_unwind(move || {
        let mut out = Buffer::from(vec![0u32; 2]);
        faulty(&mut out, 7, 5, 0)
    });
    assert!(panicked.is_err());

    // Through Ctx::run: faults, spawns, prints and shutdown are reported.
    let ctx = Ctx::new().with_priority(Priority::Critical).with_lane(3);
    let mut log = Buffer::from(vec![0u32; 16]);
    let out = ctx.run(|ctx| sched(ctx, &mut log, 2, 42));
    assert!(out.is_done());
    assert!(out.shutdown);
    assert_eq!(
        out.prints,
        vec![
            "depth 2 k 42 half 0.5 flag true".to_string(),
            "plain {braces}".into()
        ]
    );
    assert_eq!(out.spawns.len(), 3);
    assert_eq!(out.spawns[0].task, sched::task(1, 43));
    assert_eq!(log[0], 3);
    assert_eq!(log[4], 1);
    let out = Ctx::new()
        .with_spawn_capacity(1)
        .run(|ctx| sched(ctx, &mut log, 1, 0));
    assert_eq!(
        out.spawns.iter().map(|s| s.accepted).collect::<Vec<_>>(),
        vec![true, false, false]
    );
    assert_eq!(log[8], 1);
    let out = Ctx::call(|ctx| sched(ctx, &mut log, 1, -1));
    assert_eq!(out.fault(), Some(vyre::FaultKind::User { code: 4 }));

    // Device functions are plain functions too.
    assert_eq!(square(12), 144);
    assert_eq!(find_first(&Buffer::from(vec![3u32, 4]), 4), 1);
}
