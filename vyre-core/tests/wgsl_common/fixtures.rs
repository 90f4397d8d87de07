//! The programs the WGSL lowering tests lower again and again: the
//! breadth-first search of the handler language's documentation, and a
//! kitchen sink that uses every statement and expression variant.

use vyre_core::ir::{
    ctx, Access, BlockBuilder, BufferKind, CtxValue, Expr, HandlerBuilder, Intrinsic, Literal,
    ScalarType, Stmt, UnOp,
};
use vyre_core::program::{OpcodeHandler, Program};
use vyre_core::Priority;

use super::{finish, program};
use ScalarType::{Bool, F32, I32, U32};

pub fn bfs_visit() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(0x100, "visit");
    let offsets = h.buffer("offsets", U32, Access::Read);
    let edges = h.buffer("edges", U32, Access::Read);
    let dist = h.buffer("dist", U32, Access::Atomic);
    let node = h.arg("node", U32);
    let depth = h.arg("depth", U32);
    h.body(|b| {
        b.for_range("e", offsets.at(node), offsets.at(node + 1u32), |b, e| {
            let next = b.let_("next", edges.at(e));
            let old = dist.fetch_min(next, depth + 1u32);
            b.if_(old.gt(depth + 1u32), |b| {
                b.spawn(Priority::High, 0x100, vec![next.into(), depth + 1u32]);
            });
        });
    });
    finish(h)
}

pub fn bfs() -> Program {
    program(
        "bfs",
        &[
            ("offsets", BufferKind::plain(U32)),
            ("edges", BufferKind::plain(U32)),
            ("dist", BufferKind::atomic(U32)),
        ],
        vec![bfs_visit()],
    )
}

/// A handler that uses every statement and every expression variant.
pub fn kitchen_sink() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(1, "sink");
    let ro = h.buffer("ro", F32, Access::Read);
    let rw = h.buffer("rw", U32, Access::ReadWrite);
    let at = h.buffer("at", I32, Access::Atomic);
    let a = h.arg("a", U32);
    let b = h.arg("b", I32);
    let c = h.arg("c", F32);
    let d = h.arg("d", Bool);
    h.body(|bb| {
        let x = bb.let_("x", a + 1u32);
        let m = bb.let_mut("m", b);
        bb.assign(m, -Expr::from(m));
        bb.assign(m, !Expr::from(m));
        let f = bb.let_("f", ro.at(x));
        let n = bb.let_("n", rw.len());
        bb.store(rw, x, n / a);
        bb.store(rw, ro.len(), n % a);
        bb.atomic_store(at, 0u32, b);
        let (old, ok) = bb.compare_exchange(at, 1u32, b, m);
        bb.eval(at.fetch_add(2u32, old));
        let q = bb.let_("q", at.load(3u32));
        let _cast = bb.let_("cast", f.cast(I32));
        let _sel = bb.let_("sel", Expr::from(x).select(d, a));
        let _sel2 = bb.let_("sel2", ro.at(1u32).select(ok, ro.at(2u32)));
        let _intr = bb.let_("intr", c.call(Intrinsic::MulAdd, vec![f.into(), c.into()]));
        let lane = bb.let_("lane", ctx(CtxValue::Lane));
        let slot = bb.let_("slot", ctx(CtxValue::Slot));
        let tenant = bb.let_("tenant", ctx(CtxValue::Tenant));
        let prio = bb.let_("prio", ctx(CtxValue::Priority));
        let sc_and = bb.let_("sc_and", Expr::from(d).and(ro.at(lane).gt(0.0f32)));
        let _sc_or = bb.let_("sc_or", Expr::from(sc_and).or((a / x).equals(0u32)));
        let _pure_and = bb.let_("pure_and", Expr::from(d).and(ok));
        bb.if_else(
            ok,
            |b| b.assign(m, m + 1i32),
            |b| {
                b.assign(
                    m,
                    Expr::from(m).call(Intrinsic::WrappingMul, vec![2i32.into()]),
                )
            },
        );
        bb.switch(
            q,
            vec![
                (
                    vec![Literal::I32(1), Literal::I32(i32::MIN)],
                    Box::new(|b: &mut BlockBuilder<'_>| b.printf("one {}", vec![q.into()])),
                ),
                (
                    vec![Literal::I32(-7)],
                    Box::new(|b: &mut BlockBuilder<'_>| b.shutdown()),
                ),
            ],
            |b| b.eval(at.swap(4u32, 5i32)),
        );
        bb.for_range("i", 0u32, n, |b, i| {
            b.if_(i.equals(3u32), |b| b.continue_());
            b.if_(i.equals(5u32), |b| b.break_());
            b.store(rw, i, i);
        });
        bb.for_range_inclusive("j", i32::MAX - 2, i32::MAX, |b, j| {
            b.eval(at.fetch_max(0u32, j));
        });
        bb.for_range_inclusive("k", u32::MAX - 1, u32::MAX, |b, k| {
            b.store(rw, 0u32, k);
        });
        bb.while_(Expr::from(m).lt(10i32), |b| b.assign(m, m + 1i32));
        bb.while_(rw.at(0u32).lt(10u32), |b| {
            b.store(rw, 0u32, rw.at(0u32) + 1u32)
        });
        bb.loop_(|b| b.break_());
        bb.block(|b| {
            let inner = b.let_("inner", 1u32);
            b.store(rw, inner, slot + tenant + prio);
        });
        let spawned = bb.spawn(
            Priority::Low,
            1,
            vec![a.into(), b.into(), c.into(), d.into()],
        );
        bb.push(Stmt::Spawn {
            priority: Expr::from(x),
            opcode: 1,
            args: vec![x.into(), m.into(), f.into(), spawned.into()],
            result: None,
        });
        bb.printf(
            "u={} i={} f={} b={} {{literal}}",
            vec![a.into(), b.into(), c.into(), d.into()],
        );
        bb.if_(d, |b| b.fault(7u32));
        bb.if_(spawned, |b| b.fault(rw.at(99u32)));
        bb.if_(!Expr::from(d), |b| b.return_());
        bb.eval(Expr::Unary {
            op: UnOp::Not,
            operand: Box::new(Expr::from(true)),
        });
    });
    finish(h)
}

pub fn sink_program() -> Program {
    program(
        "sink",
        &[
            ("ro", BufferKind::plain(F32)),
            ("rw", BufferKind::plain(U32)),
            ("at", BufferKind::atomic(I32)),
        ],
        vec![kitchen_sink()],
    )
}
