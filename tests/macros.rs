//! What `#[opcode]` and `#[device]` generate for the handlers of
//! `macro_support::handlers`, which use every construct of the handler
//! language: IR that validates and has the expected shape, metadata, typed
//! task encoders, and a typed error for device recursion. That the IR does
//! what the original function does is `tests/macros_host.rs`.

mod macro_support;

use macro_support::handlers::{
    arith, atomics, by_const, control, devices, faulty, other, recursive, sched, visit, BASE,
};
use macro_support::validated;
use vyre::host::{BufferMeta, HandlerError};
use vyre::ir::{Access, Expr, Literal, ScalarType, Stmt};

#[test]
fn every_handler_validates() {
    for h in [
        visit::handler(),
        arith::handler(),
        control::handler(),
        atomics::handler(),
        sched::handler(),
        other::handler(),
        by_const::handler(),
        devices::handler(),
        faulty::handler(),
    ] {
        validated(&h);
    }
}

#[test]
fn metadata() {
    assert_eq!(visit::ID, 0x100);
    assert_eq!(visit::NAME, "visit");
    assert_eq!(visit::ARGS, &[ScalarType::U32, ScalarType::U32]);
    assert_eq!(visit::ARG_NAMES, &["node", "depth"]);
    assert_eq!(
        visit::BUFFERS,
        &[
            BufferMeta::new("offsets", ScalarType::U32, Access::Read),
            BufferMeta::new("edges", ScalarType::U32, Access::Read),
            BufferMeta::new("dist", ScalarType::U32, Access::Atomic),
        ]
    );
    assert_eq!(arith::BUFFERS[1].access, Access::ReadWrite);
    assert_eq!(
        arith::ARGS,
        &[
            ScalarType::U32,
            ScalarType::U32,
            ScalarType::I32,
            ScalarType::F32
        ]
    );
    assert_eq!(other::ARGS, &[ScalarType::F32, ScalarType::Bool]);
    assert_eq!(by_const::ID, BASE + 1);
    // FNV-1a 32 of "other".
    let mut h: u32 = 0x811c_9dc5;
    for b in b"other" {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    assert_eq!(other::ID, h);
    // Const-usable metadata, for megakernel!'s assertions.
    const FOUND: Option<usize> = BufferMeta::find(visit::BUFFERS, "dist");
    const OK: bool = visit::BUFFERS[2].admits(vyre::ir::BufferKind::atomic(ScalarType::U32));
    assert_eq!(FOUND, Some(2));
    const { assert!(OK) };
    assert!(!visit::BUFFERS[0].admits(vyre::ir::BufferKind::atomic(ScalarType::U32)));
}

#[test]
fn task_encoders_are_typed() {
    let t = visit::task(3, 4);
    assert_eq!(t.opcode(), 0x100);
    assert_eq!(t.args(), &[Literal::U32(3), Literal::U32(4)]);
    let t = other::task(1.5, true);
    assert_eq!(t.args(), &[Literal::F32(1.5), Literal::Bool(true)]);
    assert_eq!(
        arith::task(1, 2, -3, 0.25).arg_types(),
        arith::ARGS.to_vec()
    );
}

#[test]
fn visit_ir_shape() {
    let h = visit::handler();
    assert_eq!(h.arg_count, 2);
    let Stmt::For {
        start,
        body,
        inclusive: false,
        ..
    } = &h.body.stmts()[0]
    else {
        panic!("expected a for loop: {h:#?}");
    };
    assert!(matches!(start, Expr::Load { .. }));
    let Stmt::If { then_body, .. } = &body.stmts()[1] else {
        panic!("{body:#?}")
    };
    let Stmt::Spawn {
        opcode,
        priority,
        args,
        result: None,
    } = &then_body.stmts()[0]
    else {
        panic!("{then_body:#?}")
    };
    assert_eq!(*opcode, visit::ID);
    assert_eq!(*priority, Expr::Lit(Literal::U32(1)));
    assert_eq!(args.len(), 2);
}

#[test]
fn device_recursion_is_a_typed_error() {
    match recursive::try_handler() {
        Err(HandlerError::DeviceRecursion { cycle }) => {
            assert!(cycle.contains("ping") && cycle.contains("pong"), "{cycle}");
        }
        other => panic!("expected a recursion error, got {other:?}"),
    }
    let panicked = std::panic::catch_unwind(recursive::handler);
    assert!(panicked.is_err());
}
