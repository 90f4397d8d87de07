//! The WGSL lowering: every construct of the IR, every buffer kind and a
//! sweep of configurations lower to WGSL that naga parses and validates,
//! with the bindings, entry points and names the runtime relies on.

mod wgsl_common;

use std::collections::HashSet;

use vyre_core::ir::{
    ctx, Access, AtomicOp, BinOp, BlockBuilder, BufferKind, CtxValue, Expr, HandlerBuilder,
    Intrinsic, Literal, ScalarType, Stmt, UnOp,
};
use vyre_core::lower::{
    buffer_binding, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_POINTS, ENTRY_PREPARE, ENTRY_WORK,
    MAINTAIN_WORKGROUP_SIZE,
};
use vyre_core::program::{OpcodeHandler, Program, ProgramConfig};
use vyre_core::Priority;
use wgsl_common::{check_loop_guards, handler_text, lower_and_validate};

use ScalarType::{Bool, F32, I32, U32};

const TYPES: [ScalarType; 4] = [Bool, U32, I32, F32];

fn finish(h: HandlerBuilder) -> OpcodeHandler {
    h.finish().expect("valid handler")
}

/// A program with the given buffers and handlers, default config.
fn program(name: &str, buffers: &[(&str, BufferKind)], handlers: Vec<OpcodeHandler>) -> Program {
    let mut b = Program::builder(name);
    for (n, k) in buffers {
        b = b.buffer(*n, *k);
    }
    for h in handlers {
        b = b.opcode(h);
    }
    b.build().expect("valid program")
}

/// A literal of type `ty` that is awkward for WGSL (extreme or special).
fn awkward(ty: ScalarType, which: usize) -> Expr {
    match ty {
        Bool => Expr::lit(which % 2 == 0),
        U32 => Expr::lit([u32::MAX, 0, 1, 0x8000_0000][which % 4]),
        I32 => Expr::lit([i32::MIN, i32::MAX, -1, 0][which % 4]),
        F32 => Expr::lit(
            [
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                -0.0,
                f32::MAX,
                -f32::MAX,
                1e-45,
                3.0e9,
            ][which % 8],
        ),
    }
}

fn bfs_visit() -> OpcodeHandler {
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

fn bfs() -> Program {
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

#[test]
fn bfs_example_lowers_and_validates() {
    let (src, module) = lower_and_validate(&bfs());
    let text = handler_text(&src, "visit");
    assert!(
        text.contains("fn op_visit(l0_node: u32, l1_depth: u32)"),
        "{text}"
    );
    assert!(text.contains("vy_atomic_min_u_dist("), "{text}");
    assert!(text.contains("vy_spawn(1u, 256u, "), "{text}");
    let names: Vec<_> = module
        .entry_points
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for e in ENTRY_POINTS {
        assert!(names.contains(&e), "missing entry point {e}: {names:?}");
    }
}

#[test]
fn entry_points_have_the_documented_workgroup_sizes() {
    for wg in [1, 64, 256] {
        let p = Program::builder("wg")
            .workgroup_size(wg)
            .buffer("offsets", BufferKind::plain(U32))
            .buffer("edges", BufferKind::plain(U32))
            .buffer("dist", BufferKind::atomic(U32))
            .opcode(bfs_visit())
            .build()
            .unwrap();
        let (_, module) = lower_and_validate(&p);
        let size = |name: &str| {
            module
                .entry_points
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.workgroup_size)
                .unwrap_or_else(|| panic!("no entry point {name}"))
        };
        assert_eq!(size(ENTRY_PREPARE), [1, 1, 1]);
        assert_eq!(size(ENTRY_MAINTAIN), [MAINTAIN_WORKGROUP_SIZE, 1, 1]);
        assert_eq!(size(ENTRY_FINALIZE), [1, 1, 1]);
        assert_eq!(size(ENTRY_WORK), [wg, 1, 1]);
        for e in &module.entry_points {
            assert_eq!(e.stage, naga::ShaderStage::Compute);
        }
    }
}

/// A handler that uses every statement and every expression variant.
fn kitchen_sink() -> OpcodeHandler {
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

fn sink_program() -> Program {
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
    assert_eq!(pairs, 12);
    let p = program("casts", &[], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("fn vy_f32_to_i32("));
    assert!(src.contains("fn vy_f32_to_u32("));
    assert!(src.contains("select(0u, 1u, "));
}

#[test]
fn buffer_kinds_and_access_modes() {
    let mut reader = HandlerBuilder::new(10, "reader");
    let ro_u = reader.buffer("ro_u32", U32, Access::Read);
    let shared = reader.buffer("shared_f32", F32, Access::Read);
    let ro_i = reader.buffer("ro_i32", I32, Access::Read);
    reader.body(|b| {
        let x = b.let_("x", ro_u.at(0u32));
        let y = b.let_("y", shared.at(x));
        b.let_("z", ro_i.at(ro_i.len()));
        b.printf("{}", vec![y.into()]);
    });
    let mut writer = HandlerBuilder::new(11, "writer");
    let shared_w = writer.buffer("shared_f32", F32, Access::ReadWrite);
    let rw_i = writer.buffer("rw_i32", I32, Access::ReadWrite);
    let au = writer.buffer("au32", U32, Access::Atomic);
    let ai = writer.buffer("ai32", I32, Access::Atomic);
    writer.body(|b| {
        b.store(shared_w, 0u32, 1.5f32);
        b.store(rw_i, au.fetch_add(0u32, 1u32), ai.fetch_sub(0u32, 1i32));
    });
    let buffers = [
        ("ro_u32", BufferKind::plain(U32)),
        ("shared_f32", BufferKind::plain(F32)),
        ("ro_i32", BufferKind::plain(I32)),
        ("rw_i32", BufferKind::plain(I32)),
        ("au32", BufferKind::atomic(U32)),
        ("ai32", BufferKind::atomic(I32)),
        ("unused", BufferKind::plain(F32)),
    ];
    let p = program("kinds", &buffers, vec![finish(reader), finish(writer)]);
    let (src, module) = lower_and_validate(&p);
    let expect = [
        ("vy_ring", 0, true),
        ("vy_ctrl", 1, true),
        ("u_ro_u32", buffer_binding(0), false),
        ("u_shared_f32", buffer_binding(1), true),
        ("u_ro_i32", buffer_binding(2), false),
        ("u_rw_i32", buffer_binding(3), true),
        ("u_au32", buffer_binding(4), true),
        ("u_ai32", buffer_binding(5), true),
        ("u_unused", buffer_binding(6), false),
    ];
    for (name, binding, writable) in expect {
        let (_, var) = module
            .global_variables
            .iter()
            .find(|(_, v)| v.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no global {name}"));
        let rb = var.binding.as_ref().expect("bound");
        assert_eq!((rb.group, rb.binding), (0, binding), "{name}");
        match var.space {
            naga::AddressSpace::Storage { access } => {
                assert_eq!(
                    access.contains(naga::StorageAccess::STORE),
                    writable,
                    "{name}"
                );
            }
            other => panic!("{name} in {other:?}"),
        }
    }
    assert!(src.contains("var<storage, read> u_ro_u32: array<u32>;"));
    assert!(src.contains("var<storage, read_write> u_shared_f32: array<f32>;"));
    assert!(src.contains("var<storage, read_write> u_au32: array<atomic<u32>>;"));
    assert!(src.contains("var<storage, read_write> u_ai32: array<atomic<i32>>;"));
}

#[test]
fn program_without_buffers() {
    let mut h = HandlerBuilder::new(7, "alone");
    let n = h.arg("n", U32);
    h.body(|b| {
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Idle, 7, vec![n - 1u32]);
        });
    });
    let mut empty = HandlerBuilder::new(8, "empty");
    empty.body(|_| {});
    let p = program("alone", &[], vec![finish(h), finish(empty)]);
    let (src, module) = lower_and_validate(&p);
    assert!(src.contains("fn op_empty() {"));
    assert_eq!(
        module
            .global_variables
            .iter()
            .filter(|(_, v)| v.binding.is_some())
            .count(),
        2
    );
}

#[test]
fn twelve_arguments_of_every_type() {
    let mut h = HandlerBuilder::new(30, "wide");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let args: Vec<_> = (0..12)
        .map(|i| h.arg(&format!("a{i}"), TYPES[i % 4]))
        .collect();
    h.body(|b| {
        let mut acc: Expr = 0u32.into();
        for a in &args {
            let word = match a.ty {
                F32 => a.cast(I32).cast(U32),
                _ => a.cast(U32),
            };
            acc = acc + word;
        }
        b.store(out, 0u32, acc);
        b.if_(args[1].lt(100u32), |b| {
            let next: Vec<Expr> = args
                .iter()
                .enumerate()
                .map(|(i, a)| if i == 1 { *a + 1u32 } else { (*a).into() })
                .collect();
            b.spawn(Priority::Normal, 30, next);
        });
    });
    let p = program("wide", &[("out", BufferKind::plain(U32))], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("bitcast<f32>(vy_arg(base, 11u))"), "{src}");
    assert!(src.contains("vy_arg(base, 8u) != 0u"));
    let text = handler_text(&src, "wide");
    assert!(
        !text.contains(", 0u)"),
        "all twelve words are arguments:\n{text}"
    );
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

#[test]
fn config_sweep() {
    let mut count = 0;
    for workgroup_size in [1, 64, 256] {
        for (slots, sizes) in [
            (5, Some([1, 1, 1, 1, 1])),
            (1000, Some([100, 200, 400, 200, 100])),
            (1 << 16, Some([1, 1, (1 << 16) - 4, 1, 1])),
        ] {
            for explicit in [false, true] {
                for tenants in [1, 16] {
                    for starvation_limit in [0, 8] {
                        let config = ProgramConfig {
                            workgroup_size,
                            slots,
                            partition_sizes: if explicit { sizes } else { None },
                            tenants,
                            starvation_limit,
                            ..ProgramConfig::default()
                        };
                        let p = Program::builder("sweep")
                            .config(config.clone())
                            .buffer("offsets", BufferKind::plain(U32))
                            .buffer("edges", BufferKind::plain(U32))
                            .buffer("dist", BufferKind::atomic(U32))
                            .opcode(bfs_visit())
                            .build()
                            .expect("valid config");
                        let (src, _) = lower_and_validate(&p);
                        for (i, (start, size)) in config.partitions().iter().enumerate() {
                            assert!(
                                src.contains(&format!("const vy_PART{i}_START: u32 = {start}u;"))
                            );
                            assert!(src.contains(&format!("const vy_PART{i}_SIZE: u32 = {size}u;")));
                        }
                        assert!(src.contains(&format!(
                            "const vy_STARVATION_LIMIT: u32 = {starvation_limit}u;"
                        )));
                        assert!(src.contains(&format!("const vy_TENANTS: u32 = {tenants}u;")));
                        count += 1;
                    }
                }
            }
        }
    }
    assert_eq!(count, 72);
}

#[test]
fn names_are_hygienic() {
    let keywords = [
        "loop", "var", "fn", "ptr", "array", "texture", "vy_fault", "vy_t0", "vy_lane", "u_x",
        "op_sink", "l0_a", "select", "new", "from", "self", "let", "bitcast", "f32", "true",
        "return", "struct", "atomic", "_", "__x", "a b", "1x", "",
    ];
    let mut h = HandlerBuilder::new(20, "vy_work");
    let buf = h.buffer("vy_ring", U32, Access::ReadWrite);
    let arg = h.arg("override", U32);
    let arg2 = h.arg("vy_slot", I32);
    h.body(|b| {
        let mut prev: Expr = arg.into();
        for name in keywords {
            let v = b.let_mut(name, prev.clone() + 1u32);
            b.assign(v, v + arg2.cast(U32));
            prev = v.into();
        }
        b.store(buf, prev.clone(), prev.clone());
        b.for_range("loop", 0u32, prev, |b, i| {
            b.store(buf, i, i);
        });
    });
    let mut other = HandlerBuilder::new(21, "op_sink");
    let other_buf = other.buffer("u_x", F32, Access::Read);
    other.body(|b| {
        b.let_("vy_fault", other_buf.at(0u32));
    });
    let p = program(
        "hygiene",
        &[
            ("vy_ring", BufferKind::plain(U32)),
            ("u_x", BufferKind::plain(F32)),
        ],
        vec![finish(h), finish(other)],
    );
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("fn op_vy_work(l0_override: u32, l1_vy_slot: i32)"));
    assert!(src.contains("fn op_op_sink()"));
    assert!(src.contains("var<storage, read_write> u_vy_ring: array<u32>;"));
    assert!(src.contains("var<storage, read> u_u_x: array<f32>;"));
    assert!(src.contains("var l2_loop: u32"));
    assert!(src.contains("var l4_fn: u32"));
    assert!(src.contains("var l8_vy_fault: u32"));
    assert!(src.contains("var l27_a_b: u32"));
    assert!(src.contains("var l29_: u32"));
    assert!(src.contains("let l0_vy_fault: f32"));
}

#[test]
fn dispatch_decodes_arguments_by_type() {
    let (src, _) = lower_and_validate(&sink_program());
    assert!(src.contains(
        "op_sink(vy_arg(base, 0u), bitcast<i32>(vy_arg(base, 1u)), \
         bitcast<f32>(vy_arg(base, 2u)), vy_arg(base, 3u) != 0u);"
    ));
    assert!(src.contains("case 1u: { // sink"));
    assert!(src.contains("vy_fail(vy_FAULT_UNKNOWN_OPCODE, opcode);"));
}

#[test]
fn protocol_constants_come_from_protocol_rs() {
    use vyre_core::protocol::{ctrl, fault, status};
    let p = bfs();
    let src = p.wgsl();
    let layout = p.control_layout();
    for (name, value) in [
        ("CTRL_SHUTDOWN", ctrl::SHUTDOWN),
        ("CTRL_LIST_NEXT", ctrl::LIST_NEXT),
        ("CTRL_FAULTED", ctrl::FAULTED),
        ("STATUS_PUBLISHED", status::PUBLISHED),
        ("FAULT_LOOP_LIMIT", fault::LOOP_LIMIT),
        ("FAULT_LOOP_CUT", fault::LOOP_CUT),
        ("LANE_STATE", layout.lane_state),
        ("CLAIM_LIST", layout.claim_list),
    ] {
        assert!(
            src.contains(&format!("const vy_{name}: u32 = {value}u;")),
            "vy_{name}"
        );
    }
}

#[test]
fn lowering_is_deterministic() {
    assert_eq!(sink_program().wgsl(), sink_program().wgsl());
}

// ---- loops a driver may cut (lower/handler.rs, "Loops a driver may cut") ----

/// `for i in 0..n { while acc < i { if acc == 99 { return; } acc += 1;
/// if acc == 50 { break; } } } out[0] = acc;`
fn cut_candidate() -> Program {
    let mut h = HandlerBuilder::new(9, "spin");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let n = h.arg("n", U32);
    h.body(|b| {
        let acc = b.let_mut("acc", 0u32);
        b.for_range("i", 0u32, n, |b, i| {
            b.while_(Expr::from(acc).lt(i), |b| {
                b.if_(acc.equals(99u32), |b| b.return_());
                b.assign(acc, acc + 1u32);
                b.if_(acc.equals(50u32), |b| b.break_());
            });
        });
        b.store(out, 0u32, acc);
    });
    program("spin", &[("out", BufferKind::plain(U32))], vec![finish(h)])
}

/// The shape of a guarded loop, as documented in `docs/protocol.md`: the
/// exit state is set wherever the program leaves the loop and tested at
/// its top (the only `break`); `return` inside a loop becomes the state
/// LOOP_RETURN, passed on outwards; after each loop `vy_loop_end` faults
/// LOOP_CUT when nothing but the driver left it.
#[test]
fn a_guarded_loop_has_the_documented_shape() {
    let (src, _) = lower_and_validate(&cut_candidate());
    let text = handler_text(&src, "spin");
    let want = "\
fn op_spin(l0_n: u32) {
    var l1_acc: u32 = 0u;
    var l2_i: u32 = 0u;
    var vy_exit0: u32 = vy_LOOP_RUNNING;
    loop {
        if (vy_exit0 != vy_LOOP_RUNNING) { break; }
        if (l2_i >= l0_n) { vy_exit0 = vy_LOOP_DONE; continue; }
        if (vy_tick()) { vy_exit0 = vy_LOOP_RETURN; continue; }
        var vy_exit1: u32 = vy_LOOP_RUNNING;
        loop {
            if (vy_exit1 != vy_LOOP_RUNNING) { break; }
            if (!(l1_acc < l2_i)) { vy_exit1 = vy_LOOP_DONE; continue; }
            if (vy_tick()) { vy_exit1 = vy_LOOP_RETURN; continue; }
            if (l1_acc == 99u) {
                vy_exit1 = vy_LOOP_RETURN; continue;
            }
            l1_acc = (l1_acc + 1u);
            if (l1_acc == 50u) {
                vy_exit1 = vy_LOOP_DONE; continue;
            }
        }
        if (vy_loop_end(vy_exit1)) { vy_exit0 = vy_LOOP_RETURN; continue; }
        continuing {
            l2_i = l2_i + 1u;
        }
    }
    if (vy_loop_end(vy_exit0)) { return; }
    vy_store_u_out(0u, l1_acc);
    if (vy_fault != 0u) { return; }
}";
    assert_eq!(text, want);
    assert!(src.contains(
        "fn vy_loop_end(state: u32) -> bool {\n    \
         if (state == vy_LOOP_RUNNING) {\n        \
         vy_fail(vy_FAULT_LOOP_CUT, vy_task_iters);\n    }\n    \
         return state != vy_LOOP_DONE;\n}"
    ));
    assert_eq!(check_loop_guards(&src), Ok(2));
}

/// No `return` inside any loop of the module and every handler loop
/// guarded, in every scheduler variant.
#[test]
fn no_loop_of_any_variant_can_be_cut_silently() {
    use vyre_core::lower::{wgsl_with, ClaimVariant, LowerOptions};
    for p in [sink_program(), bfs(), cut_candidate()] {
        for claims in ClaimVariant::ALL {
            let src = wgsl_with(
                &p,
                &LowerOptions {
                    claims,
                    ..LowerOptions::default()
                },
            );
            wgsl_common::validate_source(&src).expect("valid WGSL");
            if let Err(e) = check_loop_guards(&src) {
                panic!("{} {claims:?}: {e}", p.name());
            }
        }
    }
}

/// The checker itself finds what it looks for: the shapes the lowering
/// had before the guard fail it.
#[test]
fn the_loop_guard_checker_rejects_unguarded_loops() {
    let (src, _) = lower_and_validate(&cut_candidate());
    let broken = [
        // A `return` inside a loop (how LOOP_LIMIT ended a handler).
        src.replacen(
            "if (vy_tick()) { vy_exit1 = vy_LOOP_RETURN; continue; }",
            "if (vy_tick()) { return; }",
            1,
        ),
        // A plain `break` (how `break` and loop conditions were lowered).
        src.replacen(
            "if (l1_acc == 50u) {\n                vy_exit1 = vy_LOOP_DONE; continue;",
            "if (l1_acc == 50u) {\n                break;",
            1,
        ),
        // No test after the loop.
        src.replacen("    if (vy_loop_end(vy_exit0)) { return; }\n", "", 1),
        // A flag set before the break instead of a state read at the top.
        src.replacen(
            "        if (vy_exit1 != vy_LOOP_RUNNING) { break; }\n",
            "",
            1,
        ),
    ];
    for (i, b) in broken.iter().enumerate() {
        assert_ne!(b, &src, "case {i} did not apply");
        assert!(check_loop_guards(b).is_err(), "case {i} passed");
    }
}

/// A spawn's slot probe faults LOOP_CUT when cut (rather than reporting a
/// full partition), and the argument words of spawns and printf records
/// are written without a loop.
#[test]
fn spawn_probes_fault_when_cut_and_argument_writes_are_unrolled() {
    use vyre_core::protocol::{MAX_ARGS, PRINTF_MAX_ARGS};
    let (src, _) = lower_and_validate(&sink_program());
    let func = |name: &str| {
        let start = src
            .find(&format!("fn {name}("))
            .unwrap_or_else(|| panic!("no {name}"));
        let rest = &src[start..];
        rest[..rest.find("\n}\n").expect("end of function")].to_string()
    };
    let spawn = func("vy_spawn");
    assert!(
        spawn.contains("if (probe == 0u) {")
            && spawn.contains("vy_fail(vy_FAULT_LOOP_CUT, vy_task_iters);"),
        "{spawn}"
    );
    assert!(spawn.contains("vy_write_args(base + vy_SLOT_ARG0, args);"));
    let args = func("vy_write_args");
    assert_eq!(args.matches("atomicStore(&vy_ring[at + ").count(), MAX_ARGS);
    let printf = func("vy_write_printf_args");
    assert_eq!(
        printf.matches("atomicStore(&vy_ctrl[at + ").count(),
        PRINTF_MAX_ARGS
    );
    for f in [&args, &printf, &func("vy_printf")] {
        assert!(!f.contains("for (") && !f.contains("loop {"), "{f}");
    }
}

#[test]
fn unguarded_lowering_has_plain_loops_and_validates() {
    use vyre_core::lower::{wgsl_with, LowerOptions};
    for p in [sink_program(), bfs(), cut_candidate()] {
        let plain = wgsl_with(
            &p,
            &LowerOptions {
                guard_loops: false,
                ..LowerOptions::default()
            },
        );
        wgsl_common::validate_source(&plain).expect("valid WGSL");
        assert!(!plain.contains("vy_exit"), "{}: {plain}", p.name());
        assert!(!plain.contains("vy_loop_end(vy_exit"), "{}", p.name());
    }
    // The same handler loops, guarded by default.
    for p in [bfs(), cut_candidate()] {
        let guarded = wgsl_with(&p, &LowerOptions::default());
        assert!(guarded.contains("vy_loop_end(vy_exit0)"), "{}", p.name());
    }
}
