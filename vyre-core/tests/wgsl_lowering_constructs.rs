//! The WGSL lowering of every IR construct: each statement and expression
//! variant, nested control flow, every intrinsic, atomic and cast on every
//! type, and special literals lower to WGSL that naga parses and
//! validates.

mod wgsl_common;

use std::collections::HashSet;

use vyre_core::ir::{
    Access, AtomicOp, BinOp, BlockBuilder, BufferKind, Expr, HandlerBuilder, Intrinsic, Literal,
    ScalarType,
};
use wgsl_common::{check_loop_guards, handler_text, lower_and_validate};

use wgsl_common::fixtures::sink_program;
use wgsl_common::{awkward, finish, program, TYPES};
use ScalarType::{Bool, F32, I32, U32};

#[test]
fn every_statement_and_expression_variant() {
    let (src, _) = lower_and_validate(&sink_program());
    if std::env::var_os("VYRE_DUMP_WGSL").is_some() {
        println!("{src}");
    }
    let text = handler_text(&src, "sink");
    // Match is an if / else-if chain, never a WGSL switch.
    assert!(!text.contains("switch"), "{text}");
    assert!(text.contains("== (-2147483647i - 1i)"), "{text}");
    // Inclusive ranges test the last value before incrementing.
    assert!(
        text.contains(
            "if (vy_exit2 == vy_LOOP_RUNNING && l24_k == 4294967295u) { vy_exit2 = vy_LOOP_DONE; }"
        ),
        "{text}"
    );
    assert!(text.contains("continuing {"), "{text}");
    // Short-circuit with a fallible right operand becomes an `if`.
    assert!(text.contains("var vy_t"), "{text}");
    assert!(text.contains("vy_printf("), "{text}");
    assert!(text.contains("vy_fail(vy_FAULT_USER, 7u);"), "{text}");
    assert!(text.contains("vy_shutdown();"), "{text}");
    assert!(text.contains("vy_cas_u_at("), "{text}");
    assert!(text.contains("vy_div_u32("), "{text}");
    assert!(text.contains("vy_rem_u32("), "{text}");
    // Inside a loop the handler ends through the loop's exit state.
    assert!(
        text.contains("if (vy_tick()) { vy_exit0 = vy_LOOP_RETURN; continue; }"),
        "{text}"
    );
    assert_eq!(check_loop_guards(&src), Ok(6));
}

#[test]
fn nested_loops_with_break_and_continue_in_match_arms() {
    let mut h = HandlerBuilder::new(2, "nest");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let n = h.arg("n", U32);
    h.body(|b| {
        b.for_range("i", 0u32, n, |b, i| {
            let mut_i = b.let_mut("acc", 0u32);
            b.loop_(|b| {
                b.switch(
                    i,
                    vec![
                        (
                            vec![Literal::U32(1)],
                            Box::new(|b: &mut BlockBuilder<'_>| b.break_()),
                        ),
                        (
                            vec![Literal::U32(2), Literal::U32(3)],
                            Box::new(move |b: &mut BlockBuilder<'_>| {
                                b.assign(mut_i, mut_i + 1u32);
                                b.if_(mut_i.gt(2u32), |b| b.break_());
                                b.continue_();
                            }),
                        ),
                    ],
                    |b| {
                        b.while_(Expr::from(mut_i).lt(4u32), |b| {
                            b.assign(mut_i, mut_i + 1u32);
                            b.switch(
                                mut_i,
                                vec![(
                                    vec![Literal::U32(2)],
                                    Box::new(|b: &mut BlockBuilder<'_>| b.continue_()),
                                )],
                                |b| b.break_(),
                            );
                        });
                        b.break_();
                    },
                );
            });
            b.store(out, i, mut_i);
        });
    });
    let p = program("nest", &[("out", BufferKind::plain(U32))], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    let text = handler_text(&src, "nest");
    assert!(!text.contains("switch"), "{text}");
    assert_eq!(text.matches("loop {").count(), 3, "{text}");
    assert_eq!(check_loop_guards(&src), Ok(3));
}

#[test]
fn every_intrinsic_on_every_type() {
    let mut h = HandlerBuilder::new(3, "intrinsics");
    let vu = h.arg("vu", U32);
    let vi = h.arg("vi", I32);
    let vf = h.arg("vf", F32);
    let mut covered = 0;
    h.body(|b| {
        for func in Intrinsic::ALL {
            for ty in [U32, I32, F32] {
                if func.result_type(ty).is_none() {
                    continue;
                }
                let local = |t: ScalarType| -> Expr {
                    match t {
                        U32 => vu.into(),
                        I32 => vi.into(),
                        _ => vf.into(),
                    }
                };
                let operand_ty = |i: usize| {
                    let rotate = matches!(func, Intrinsic::RotateLeft | Intrinsic::RotateRight);
                    if i > 0 && rotate {
                        U32
                    } else {
                        ty
                    }
                };
                let from_locals = (0..func.arity()).map(|i| local(operand_ty(i))).collect();
                let from_literals = (0..func.arity())
                    .map(|i| awkward(operand_ty(i), i + covered))
                    .collect();
                let mixed = (0..func.arity())
                    .map(|i| {
                        if i == 0 {
                            awkward(operand_ty(i), covered + 1)
                        } else {
                            local(operand_ty(i))
                        }
                    })
                    .collect();
                for args in [from_locals, from_literals, mixed] {
                    let name = format!("{}_{}", func.method_name(), ty);
                    b.let_(&name, Expr::Intrinsic { func, args });
                }
                covered += 1;
            }
        }
    });
    assert_eq!(covered, 39);
    let p = program("intrinsics", &[], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    let text = handler_text(&src, "intrinsics");
    for needle in [
        "countOneBits(bitcast<u32>(",
        "countLeadingZeros(",
        "countTrailingZeros(",
        "reverseBits(",
        "vy_rotl(",
        "vy_rotr(",
        "vy_round(",
        "fma(",
        "pow(",
        "log(",
        "min(max(",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    // Rust's round, not WGSL's half-to-even round().
    assert!(!text.contains(" round("), "{text}");
}

#[test]
fn every_atomic_operation_on_u32_and_i32() {
    let mut h = HandlerBuilder::new(4, "atomics");
    let au = h.buffer("au", U32, Access::Atomic);
    let ai = h.buffer("ai", I32, Access::Atomic);
    let i = h.arg("i", U32);
    let vi = h.arg("vi", I32);
    h.body(|b| {
        for (buf, value) in [(au, Expr::from(i)), (ai, Expr::from(vi))] {
            for op in AtomicOp::ALL {
                let operand = op.has_operand().then(|| value.clone());
                b.eval(buf.atomic(op, i, operand.clone()));
                b.let_(op.method_name(), buf.atomic(op, 7u32, operand));
            }
            b.atomic_store(buf, i, value.clone());
            let (old, ok) = b.compare_exchange(buf, i, value.clone(), value.clone());
            b.if_(ok, |b| b.atomic_store(buf, 0u32, old));
        }
        // All-literal operands.
        b.eval(ai.fetch_sub(0u32, i32::MIN));
        b.eval(au.fetch_add(u32::MAX, u32::MAX));
    });
    let p = program(
        "atomics",
        &[
            ("au", BufferKind::atomic(U32)),
            ("ai", BufferKind::atomic(I32)),
        ],
        vec![finish(h)],
    );
    let (src, _) = lower_and_validate(&p);
    for op in [
        "load", "add", "sub", "min", "max", "and", "or", "xor", "swap", "store",
    ] {
        for buf in ["au", "ai"] {
            assert!(
                src.contains(&format!("fn vy_atomic_{op}_u_{buf}(")),
                "no helper for {op} on {buf}"
            );
        }
    }
    assert!(src.contains("struct vy_cas_result_u32"));
    assert!(src.contains("struct vy_cas_result_i32"));
    assert!(src.contains("atomicCompareExchangeWeak(&u_ai[index], current, replacement)"));
}

#[test]
fn every_cast_pair() {
    let mut h = HandlerBuilder::new(5, "casts");
    let vb = h.arg("vb", Bool);
    let vu = h.arg("vu", U32);
    let vi = h.arg("vi", I32);
    let vf = h.arg("vf", F32);
    let vw = h.arg("vw", ScalarType::U64);
    let vs = h.arg("vs", ScalarType::I64);
    let mut pairs = 0;
    h.body(|b| {
        for from in TYPES {
            for to in TYPES {
                let valid = match (from, to) {
                    (Bool, F32) => false,
                    (f, Bool) => f == Bool,
                    _ => true,
                };
                if !valid {
                    continue;
                }
                pairs += 1;
                let local: Expr = match from {
                    Bool => vb.into(),
                    U32 => vu.into(),
                    I32 => vi.into(),
                    F32 => vf.into(),
                    ScalarType::U64 => vw.into(),
                    ScalarType::I64 => vs.into(),
                };
                for (k, value) in [local, awkward(from, 0), awkward(from, 7)]
                    .into_iter()
                    .enumerate()
                {
                    b.let_(&format!("{from}_as_{to}_{k}"), value.cast(to));
                }
            }
        }
    });
    // Every pair of the six types but the casts to bool (from anything
    // but bool) and from bool to f32.
    assert_eq!(pairs, 6 * 6 - 5 - 1);
    let p = program("casts", &[], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("fn vy_f32_to_i32("));
    assert!(src.contains("fn vy_f32_to_u32("));
    assert!(src.contains("select(0u, 1u, "));
    assert!(src.contains("fn vy_f32_from_u64("));
    assert!(src.contains("fn vy_i64_from_f32("));
}

#[test]
fn special_literals_are_exact_and_never_constant_folded() {
    let mut h = HandlerBuilder::new(9, "specials");
    let out = h.buffer("out", F32, Access::ReadWrite);
    let iout = h.buffer("iout", I32, Access::ReadWrite);
    let uout = h.buffer("uout", U32, Access::ReadWrite);
    let normals = [
        1.0f32,
        -1.0,
        0.1,
        f32::MAX,
        -f32::MAX,
        f32::MIN_POSITIVE,
        f32::EPSILON,
        3.4028235e38,
        16_777_217.0,
        1e16,
        1.5e-7,
        std::f32::consts::PI,
        123456.79,
    ];
    let specials = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        1e-45,
        1e-40,
        0.0,
    ];
    h.body(|b| {
        for (i, v) in normals.iter().chain(specials.iter()).enumerate() {
            b.store(out, i as u32, *v);
        }
        let binop = |op, l: Expr, r: Expr| Expr::Binary {
            op,
            lhs: Box::new(l),
            rhs: Box::new(r),
        };
        // Each would be a shader-creation error if naga folded it.
        b.store(iout, 0u32, binop(BinOp::Add, i32::MAX.into(), 1i32.into()));
        b.store(iout, 1u32, binop(BinOp::Sub, i32::MIN.into(), 1i32.into()));
        b.store(
            iout,
            2u32,
            binop(BinOp::Mul, i32::MIN.into(), (-1i32).into()),
        );
        b.store(iout, 3u32, -Expr::from(i32::MIN));
        b.store(
            iout,
            4u32,
            binop(BinOp::Div, i32::MIN.into(), (-1i32).into()),
        );
        b.store(
            iout,
            5u32,
            binop(BinOp::Rem, i32::MIN.into(), (-1i32).into()),
        );
        b.store(iout, 6u32, binop(BinOp::Shl, (-1i32).into(), 31u32.into()));
        b.store(iout, 7u32, binop(BinOp::Shl, 1i32.into(), 40u32.into()));
        b.store(iout, 8u32, binop(BinOp::Div, 1i32.into(), 0i32.into()));
        b.store(iout, 9u32, Expr::from(3.0e9f32).cast(I32));
        b.store(
            iout,
            10u32,
            Expr::from(i32::MIN).call(Intrinsic::Abs, vec![]),
        );
        b.store(uout, 0u32, binop(BinOp::Mul, u32::MAX.into(), 2u32.into()));
        b.store(uout, 1u32, binop(BinOp::Shl, u32::MAX.into(), 31u32.into()));
        b.store(uout, 2u32, binop(BinOp::Rem, 1u32.into(), 0u32.into()));
        b.store(uout, 3u32, Expr::from(-1.0f32).cast(U32));
        b.store(uout, 4u32, Expr::from(f32::NAN).cast(U32));
        b.store(out, 30u32, binop(BinOp::Div, 1.0f32.into(), 0.0f32.into()));
        b.store(
            out,
            31u32,
            binop(BinOp::Mul, f32::MAX.into(), 2.0f32.into()),
        );
        b.store(
            out,
            32u32,
            Expr::from(-1.0f32).call(Intrinsic::Sqrt, vec![]),
        );
        b.store(out, 33u32, Expr::from(0.0f32).call(Intrinsic::Ln, vec![]));
        b.store(out, 34u32, binop(BinOp::Rem, 1.0f32.into(), 0.0f32.into()));
        b.store(
            out,
            35u32,
            Expr::from(f32::MAX).call(Intrinsic::Exp, vec![]),
        );
        b.store(out, 36u32, Expr::from(u32::MAX).cast(F32));
        b.store(
            out,
            37u32,
            Expr::from(f32::NAN).call(Intrinsic::Round, vec![]),
        );
        b.let_("nan_eq", Expr::from(f32::NAN).equals(f32::NAN));
        b.let_("umax", u32::MAX);
        b.let_("imin", i32::MIN);
        b.let_("imax", i32::MAX);
    });
    let p = program(
        "specials",
        &[
            ("out", BufferKind::plain(F32)),
            ("iout", BufferKind::plain(I32)),
            ("uout", BufferKind::plain(U32)),
        ],
        vec![finish(h)],
    );
    let (src, module) = lower_and_validate(&p);
    // Every finite normal literal reaches naga with its exact bits.
    let mut seen = HashSet::new();
    for (_, f) in module.functions.iter() {
        for (_, e) in f.expressions.iter() {
            if let naga::Expression::Literal(naga::Literal::F32(v)) = e {
                seen.insert(v.to_bits());
            }
        }
    }
    for v in normals {
        assert!(seen.contains(&v.to_bits()), "{v:?} not found exactly");
    }
    // Special values are spelled by their bits.
    for v in specials
        .iter()
        .filter(|v| !v.is_normal() && v.to_bits() != 0)
    {
        let spelled = format!("vy_f32_bits({:#010x}u)", v.to_bits());
        assert!(src.contains(&spelled), "missing {spelled}");
    }
    assert!(src.contains("4294967295u"));
    assert!(src.contains("2147483647i"));
}
