//! Charged loops (`lower/handler.rs`, `vy_charge`): a `for` over a range
//! with no `break` and no loop inside is charged its iterations at once
//! when they fit under the loop limit and then runs without a tick per
//! iteration; one that does not fit ticks as before. Either way the task
//! reaches `LOOP_LIMIT` at the same iteration, with the same effects
//! before it: every scheduler variant on wgpu (lavapipe in CI; the
//! unguarded variants are the ones with charged loops) against the
//! reference interpreter, with tasks that fit, that fit one loop but not
//! the next, and that fit none, in the place pass and in the work pass.

mod support;

use std::sync::Arc;

use support::variants::{on_every_variant, on_reference};
use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, CtxValue, Expr, HandlerBuilder, ScalarType};
use vyre_core::lower::wgsl_with;
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::{Fault, Priority, Runtime};

const U32: ScalarType = ScalarType::U32;
const I32: ScalarType = ScalarType::I32;
const LOOP_LIMIT: u32 = 500;

/// `count(task, n)`: `n` iterations adding 1 to `sum[2·task]` (skipping
/// nothing: a `continue` on odd `j` after the add), then `n` iterations
/// over `-3..n-3` (`i32`) adding 1 to `sum[2·task + 1]`. With `reads_lane`
/// it also reads `ctx.lane()`, so that it runs in the work pass, not the
/// place pass.
fn program(reads_lane: bool) -> Program {
    let mut h = HandlerBuilder::new(3, "count");
    let sum = h.buffer("sum", U32, Access::Atomic);
    let task = h.arg("task", U32);
    let n = h.arg("n", U32);
    h.body(|b| {
        if reads_lane {
            b.let_("lane", vyre_core::ir::ctx(CtxValue::Lane));
        }
        b.for_range("j", 0u32, n, |b, j| {
            b.eval(sum.fetch_add(task * 2u32, 1u32));
            b.if_((j % 2u32).equals(1u32), |b| b.continue_());
        });
        let signed_n = b.let_("signed_n", Expr::from(n).cast(I32));
        b.for_range("k", -3i32, Expr::from(signed_n) - 3i32, |b, _| {
            b.eval(sum.fetch_add(task * 2u32 + 1u32, 1u32));
        });
    });
    assemble("charged loops", h, reads_lane)
}

/// The program of handler `h` over a `sum` buffer, with a loop limit of
/// [`LOOP_LIMIT`]; it places and runs unless the handler reads its lane.
fn assemble(name: &str, h: HandlerBuilder, reads_lane: bool) -> Program {
    let p = Program::builder(name)
        .config(ProgramConfig {
            slots: 64,
            loop_limit: LOOP_LIMIT,
            ..ProgramConfig::default()
        })
        .buffer("sum", BufferKind::atomic(U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    assert_eq!(p.places_and_runs(), !reads_lane);
    p
}

/// Loop counts of the tasks: both loops fit; the first fits and the
/// second does not (it ticks to the limit); neither fits; zero; exactly
/// the limit over both.
const COUNTS: [u32; 6] = [200, 300, 600, 0, 250, 499];

/// Runs one task per count; the sums and the faults (task's opcode
/// argument is its index, so a fault's slot does not matter: they are
/// compared by kind, sorted).
fn run(rt: &mut Runtime) -> (Vec<u32>, Vec<String>) {
    let sum = rt.buffer::<u32>("sum").unwrap();
    rt.upload(sum, &[0; 2 * COUNTS.len()]).unwrap();
    for (task, &n) in COUNTS.iter().enumerate() {
        rt.publish_with(0, Priority::Normal, 3, 1, |_, w| {
            w[0] = task as u32;
            w[1] = n;
        })
        .unwrap();
    }
    run_published(rt)
}

/// Runs what is published; the `sum` buffer and the faults' kinds,
/// sorted, after checking the books.
fn run_published(rt: &mut Runtime) -> (Vec<u32>, Vec<String>) {
    let sum = rt.buffer::<u32>("sum").unwrap();
    let report = rt.run().unwrap();
    assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
    let mut faults: Vec<String> = report
        .faults
        .iter()
        .map(|f: &Fault| format!("{:?}", f.kind))
        .collect();
    faults.sort();
    (rt.read(sum).unwrap(), faults)
}

#[test]
fn charged_loops_reach_the_loop_limit_where_ticking_loops_do() {
    for reads_lane in [false, true] {
        let p = Arc::new(program(reads_lane));
        let mut reference = on_reference(&p, 4);
        let expected = run(&mut reference);
        // 200 + 200; 300 + 200 (cut at the limit); 500 + 0; 0 + 0;
        // 250 + 250; 499 + 1.
        assert_eq!(
            expected.0,
            vec![200, 200, 300, 200, 500, 0, 0, 0, 250, 250, 499, 1],
            "the reference's sums"
        );
        assert_eq!(expected.1.len(), 3, "{:?}", expected.1);
        let Some(ctx) = test_context() else { return };
        for (options, mut rt) in on_every_variant(&ctx, &p) {
            assert_eq!(
                wgsl_with(&p, &options).contains("vy_charge(vy_"),
                !options.guard_loops,
                "{options:?}: charged loops exactly where loops are unguarded"
            );
            assert_eq!(
                run(&mut rt),
                expected,
                "{options:?}, reads its lane: {reads_lane}"
            );
        }
    }
}

/// `fixed(task)`: loops with constant bounds. On even tasks a loop of 200;
/// then, on every task, one of 300 (to an immutable local) and one over
/// `-20..40` (60). Under the
/// limit of 500 the first two are charged with no ticking copy (at most
/// 200, then 500, iterations can have run before them — the bound adds
/// the even tasks' branch whichever path a task takes); the third may
/// not fit and keeps both forms: an even task reaches the limit at its
/// first iteration, an odd one runs it whole. `reads_lane` as in
/// [`program`].
fn constant_program(reads_lane: bool) -> Program {
    let mut h = HandlerBuilder::new(4, "fixed");
    let sum = h.buffer("sum", U32, Access::Atomic);
    let task = h.arg("task", U32);
    h.body(|b| {
        if reads_lane {
            b.let_("lane", vyre_core::ir::ctx(CtxValue::Lane));
        }
        b.if_((task % 2u32).equals(0u32), |b| {
            b.for_range("a", 0u32, 200u32, |b, _| {
                b.eval(sum.fetch_add(task * 3u32, 1u32));
            });
        });
        // An immutable local declared with a literal is as constant (a
        // `#[device]` function's argument given as one becomes such a
        // local).
        let hi = b.let_("hi", Expr::from(300u32));
        b.for_range("b", 0u32, hi, |b, _| {
            b.eval(sum.fetch_add(task * 3u32 + 1u32, 1u32));
        });
        b.for_range("c", -20i32, 40i32, |b, _| {
            b.eval(sum.fetch_add(task * 3u32 + 2u32, 1u32));
        });
    });
    assemble("constant loops", h, reads_lane)
}

#[test]
fn constant_loops_that_always_fit_are_charged_without_a_ticking_copy() {
    for reads_lane in [false, true] {
        let p = Arc::new(constant_program(reads_lane));
        constant_loops_on_every_variant(&p, reads_lane);
    }
}

/// The sums and faults of `constant_program` on the reference, then on
/// every scheduler variant on wgpu.
fn constant_loops_on_every_variant(p: &Arc<Program>, reads_lane: bool) {
    let run = |rt: &mut Runtime| {
        let sum = rt.buffer::<u32>("sum").unwrap();
        rt.upload(sum, &[0; 3 * 4]).unwrap();
        for task in 0..4u32 {
            rt.publish_with(0, Priority::Normal, 4, 1, |_, w| w[0] = task)
                .unwrap();
        }
        run_published(rt)
    };
    let expected = run(&mut on_reference(p, 4));
    assert_eq!(
        expected.0,
        vec![200, 300, 0, 0, 300, 60, 200, 300, 0, 0, 300, 60],
        "the reference's sums"
    );
    assert_eq!(expected.1.len(), 2, "{:?}", expected.1);
    let Some(ctx) = test_context() else { return };
    for (options, mut rt) in on_every_variant(&ctx, p) {
        let wgsl = wgsl_with(p, &options);
        let charged = ["_ = vy_charge(200u);", "_ = vy_charge(300u);"];
        for c in charged {
            assert_eq!(wgsl.contains(c), !options.guard_loops, "{options:?}: {c}");
        }
        // The third keeps the test and its ticking copy.
        assert_eq!(
            wgsl.matches("vy_charge(vy_").count(),
            usize::from(!options.guard_loops),
            "{options:?}"
        );
        assert_eq!(
            run(&mut rt),
            expected,
            "{options:?}, reads its lane: {reads_lane}"
        );
    }
}
