//! Random well-typed handler bodies, built through `HandlerBuilder`,
//! lower to WGSL that naga accepts.
//!
//! A seed drives a small deterministic generator (proptest supplies and
//! shrinks the seed): expressions of a requested type up to a bounded
//! depth, statements of every kind up to a bounded nesting, with locals
//! and local arrays tracked by scope and mutability so that the builder's
//! validator accepts every body. Array indices are sometimes in range,
//! sometimes not (the lowering's bounds checks must still validate).

mod wgsl_common;

use std::cell::RefCell;

use proptest::prelude::*;
use vyre_core::ir::{
    ctx, Access, ArrayInit, ArrayVar, AtomicOp, BinOp, BlockBuilder, BufferKind, BufferRef,
    CtxValue, Expr, HandlerBuilder, Intrinsic, Literal, ScalarType, UnOp, Var,
};
use vyre_core::program::Program;
use wgsl_common::{check_loop_guards, validate_source};

use ScalarType::{Bool, F32, I32, I64, U32, U64};

const OPCODE: u32 = 0x42;
const MAX_EXPR_DEPTH: u32 = 4;
const MAX_STMT_DEPTH: u32 = 3;
const MAX_BLOCK_LEN: u32 = 4;
const TOP_LEVEL_STMTS: u32 = 12;
/// Local arrays have 1 ..= this many elements.
const MAX_ARRAY_LEN: u32 = 8;

/// splitmix64: small, deterministic, good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone, Copy)]
struct Local {
    /// For an array, its element type.
    var: Var,
    mutable: bool,
    /// `Some(n)`: a local array of `n` elements.
    len: Option<u32>,
}

impl Local {
    fn scalar(var: Var, mutable: bool) -> Self {
        Local {
            var,
            mutable,
            len: None,
        }
    }

    fn array(a: ArrayVar, mutable: bool) -> Self {
        Local {
            var: Var {
                id: a.id,
                ty: a.elem,
            },
            mutable,
            len: Some(a.len),
        }
    }

    fn as_array(self) -> Option<ArrayVar> {
        self.len.map(|len| ArrayVar {
            id: self.var.id,
            elem: self.var.ty,
            len,
        })
    }
}

struct Buffers {
    plain_read: [BufferRef; 3],
    plain_write: [BufferRef; 3],
    atomic: [BufferRef; 2],
}

struct Gen {
    rng: Rng,
    /// Locals in scope, innermost block last.
    scopes: Vec<Vec<Local>>,
    loop_depth: u32,
    names: u32,
}

impl Gen {
    fn locals_of(&self, ty: ScalarType, mutable_only: bool) -> Vec<Local> {
        self.scopes
            .iter()
            .flatten()
            .filter(|l| l.len.is_none() && l.var.ty == ty && (l.mutable || !mutable_only))
            .copied()
            .collect()
    }

    /// Arrays in scope: of element type `ty` (any, if `None`), mutable
    /// ones only if `mutable_only`.
    fn arrays_of(&self, ty: Option<ScalarType>, mutable_only: bool) -> Vec<ArrayVar> {
        self.scopes
            .iter()
            .flatten()
            .filter(|l| ty.is_none_or(|t| l.var.ty == t) && (l.mutable || !mutable_only))
            .filter_map(|l| l.as_array())
            .collect()
    }

    fn name(&mut self) -> String {
        self.names += 1;
        // Some names are WGSL keywords on purpose.
        const WORDS: [&str; 8] = ["x", "loop", "var", "fn", "ptr", "array", "vy_t0", "value"];
        format!("{}{}", WORDS[(self.names % 8) as usize], self.names)
    }
}

type G<'a> = &'a RefCell<Gen>;

/// The body of one `match` arm, as `BlockBuilder::switch` takes it.
type Arm<'a> = Box<dyn FnOnce(&mut BlockBuilder<'_>) + 'a>;

fn pick<T: Copy>(g: G, items: &[T]) -> T {
    let i = g.borrow_mut().rng.below(items.len() as u32) as usize;
    items[i]
}

fn literal(g: G, ty: ScalarType) -> Expr {
    let mut gen = g.borrow_mut();
    let r = &mut gen.rng;
    match ty {
        Bool => Expr::lit(r.chance(50)),
        U32 => Expr::lit(match r.below(4) {
            0 => u32::MAX,
            1 => r.below(8),
            2 => 0,
            _ => r.next() as u32,
        }),
        I32 => Expr::lit(match r.below(5) {
            0 => i32::MIN,
            1 => i32::MAX,
            2 => -(r.below(8) as i32),
            3 => r.below(8) as i32,
            _ => r.next() as i32,
        }),
        F32 => Expr::lit(match r.below(8) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -0.0,
            4 => 1e-45,
            5 => f32::MAX,
            6 => r.below(100) as f32 * 0.25 - 5.0,
            _ => f32::from_bits(r.next() as u32),
        }),
        U64 => Expr::lit(match r.below(4) {
            0 => u64::MAX,
            1 => u64::from(r.below(8)),
            2 => 1 << 63,
            _ => r.next(),
        }),
        I64 => Expr::lit(match r.below(4) {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => -i64::from(r.below(8)),
            _ => r.next() as i64,
        }),
    }
}

fn binary(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    }
}

/// A random expression of type `ty`.
fn expr(g: G, b: &Buffers, ty: ScalarType, depth: u32) -> Expr {
    let leaf = depth >= MAX_EXPR_DEPTH || g.borrow_mut().rng.chance(25);
    if leaf {
        let locals = g.borrow().locals_of(ty, false);
        let arrays = g.borrow().arrays_of(Some(ty), false);
        let choice = g.borrow_mut().rng.below(5);
        return match choice {
            0 | 1 if !locals.is_empty() => pick(g, &locals).var.into(),
            4 if !arrays.is_empty() => {
                let a = pick(g, &arrays);
                a.at(array_index(g, b, a.len, depth))
            }
            2 if ty == U32 => {
                if g.borrow_mut().rng.chance(50) {
                    ctx(pick(
                        g,
                        &[
                            CtxValue::Lane,
                            CtxValue::Slot,
                            CtxValue::Tenant,
                            CtxValue::Priority,
                        ],
                    ))
                } else {
                    pick(g, &b.plain_read).len()
                }
            }
            _ => literal(g, ty),
        };
    }
    let d = depth + 1;
    let choice = g.borrow_mut().rng.below(11);
    match (choice, ty) {
        (0, I32 | F32 | I64) => -expr(g, b, ty, d),
        (0, _) if ty != F32 => Expr::Unary {
            op: UnOp::Not,
            operand: Box::new(expr(g, b, ty, d)),
        },
        (1, U32 | I32 | F32 | U64 | I64) => {
            let op = pick(
                g,
                &[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::Rem],
            );
            binary(op, expr(g, b, ty, d), expr(g, b, ty, d))
        }
        (2, Bool | U32 | I32 | U64 | I64) => {
            let op = pick(g, &[BinOp::BitAnd, BinOp::BitOr, BinOp::BitXor]);
            binary(op, expr(g, b, ty, d), expr(g, b, ty, d))
        }
        (2, _) | (3, U32 | I32 | U64 | I64) => {
            if ty == F32 {
                return expr(g, b, ty, d);
            }
            let op = pick(g, &[BinOp::Shl, BinOp::Shr]);
            binary(op, expr(g, b, ty, d), expr(g, b, U32, d))
        }
        (3, Bool) => {
            let t = pick(g, &[Bool, U32, I32, F32, U64, I64]);
            let ops: &[BinOp] = if t == Bool {
                &[BinOp::Eq, BinOp::Ne, BinOp::And, BinOp::Or]
            } else {
                &[
                    BinOp::Eq,
                    BinOp::Ne,
                    BinOp::Lt,
                    BinOp::Le,
                    BinOp::Gt,
                    BinOp::Ge,
                ]
            };
            let op = pick(g, ops);
            binary(op, expr(g, b, t, d), expr(g, b, t, d))
        }
        (4, _) => {
            let froms: &[ScalarType] = match ty {
                Bool => &[Bool],
                F32 => &[U32, I32, F32, U64, I64],
                _ => &[Bool, U32, I32, F32, U64, I64],
            };
            let from = pick(g, froms);
            expr(g, b, from, d).cast(ty)
        }
        (5, _) => expr(g, b, ty, d).select(expr(g, b, Bool, d), expr(g, b, ty, d)),
        (6, _) if ty != Bool => intrinsic(g, b, ty, d),
        (7, U32 | I32 | F32) => {
            let buf = match ty {
                U32 => pick(g, &[b.plain_read[0], b.plain_write[0]]),
                I32 => pick(g, &[b.plain_read[1], b.plain_write[1]]),
                _ => pick(g, &[b.plain_read[2], b.plain_write[2]]),
            };
            buf.at(expr(g, b, U32, d))
        }
        (8, U32 | I32) => {
            let buf = if ty == U32 { b.atomic[0] } else { b.atomic[1] };
            let op = pick(g, &AtomicOp::ALL);
            let value = op.has_operand().then(|| expr(g, b, ty, d));
            buf.atomic(op, expr(g, b, U32, d), value)
        }
        (9, Bool) => {
            let op = pick(g, &[BinOp::And, BinOp::Or]);
            binary(op, expr(g, b, Bool, d), expr(g, b, Bool, d))
        }
        (10, _) if !g.borrow().arrays_of(Some(ty), false).is_empty() => {
            let arrays = g.borrow().arrays_of(Some(ty), false);
            let a = pick(g, &arrays);
            a.at(array_index(g, b, a.len, d))
        }
        _ => expr(g, b, ty, depth.max(MAX_EXPR_DEPTH)),
    }
}

/// An index into an array of `len` elements: mostly a literal in range,
/// sometimes one past the end or far out, sometimes any `u32` expression.
fn array_index(g: G, b: &Buffers, len: u32, depth: u32) -> Expr {
    let choice = g.borrow_mut().rng.below(10);
    match choice {
        0 if depth < MAX_EXPR_DEPTH => expr(g, b, U32, depth + 1),
        1 => {
            let past = len + g.borrow_mut().rng.below(3);
            Expr::lit(pick(g, &[past, u32::MAX]))
        }
        2 => {
            // In range at run time, but not a literal.
            let i = Expr::lit(g.borrow_mut().rng.below(len));
            let zero = expr(g, b, U32, MAX_EXPR_DEPTH) & Expr::lit(0u32);
            binary(BinOp::Add, i, zero)
        }
        3 if depth < MAX_EXPR_DEPTH => {
            // Two subscripts of a flattened array (`a[j].w[k]` of an
            // array of structs): each checked on its own.
            let inner = 1 + g.borrow_mut().rng.below(len);
            let rows = len.div_ceil(inner);
            let j = Expr::CheckIndex {
                index: Box::new(array_index(g, b, rows, depth + 1)),
                len: rows,
            };
            let k = Expr::CheckIndex {
                index: Box::new(array_index(g, b, inner, depth + 1)),
                len: inner,
            };
            binary(BinOp::Add, binary(BinOp::Mul, j, Expr::lit(inner)), k)
        }
        _ => Expr::lit(g.borrow_mut().rng.below(len)),
    }
}

fn intrinsic(g: G, b: &Buffers, ty: ScalarType, d: u32) -> Expr {
    // Intrinsics whose result is `ty`, with their receiver type.
    let mut options = Vec::new();
    for func in Intrinsic::ALL {
        for recv in [U32, I32, F32, U64, I64] {
            if func.result_type(recv) == Some(ty) {
                options.push((func, recv));
            }
        }
    }
    if options.is_empty() {
        return literal(g, ty);
    }
    let (func, recv) = pick(g, &options);
    let rotate = matches!(func, Intrinsic::RotateLeft | Intrinsic::RotateRight);
    let args = (0..func.arity())
        .map(|i| {
            let t = if i > 0 && rotate { U32 } else { recv };
            expr(g, b, t, d)
        })
        .collect();
    Expr::Intrinsic { func, args }
}

fn any_type(g: G) -> ScalarType {
    pick(g, &[Bool, U32, I32, F32, U64, I64])
}

fn block(g: G, b: &Buffers, bb: &mut BlockBuilder<'_>, depth: u32) {
    g.borrow_mut().scopes.push(Vec::new());
    let n = 1 + g.borrow_mut().rng.below(MAX_BLOCK_LEN);
    for _ in 0..n {
        stmt(g, b, bb, depth);
    }
    g.borrow_mut().scopes.pop();
}

fn declare(g: G, var: Var, mutable: bool) {
    declare_local(g, Local::scalar(var, mutable));
}

fn declare_local(g: G, local: Local) {
    if let Some(scope) = g.borrow_mut().scopes.last_mut() {
        scope.push(local);
    }
}

fn loop_body(g: G, b: &Buffers, bb: &mut BlockBuilder<'_>, depth: u32) {
    g.borrow_mut().loop_depth += 1;
    block(g, b, bb, depth + 1);
    g.borrow_mut().loop_depth -= 1;
}

fn stmt(g: G, b: &Buffers, bb: &mut BlockBuilder<'_>, depth: u32) {
    let nested = depth < MAX_STMT_DEPTH;
    let choice = g.borrow_mut().rng.below(23);
    match choice {
        0 | 1 => {
            let ty = any_type(g);
            let value = expr(g, b, ty, 0);
            let name = g.borrow_mut().name();
            let mutable = g.borrow_mut().rng.chance(60);
            let var = if mutable {
                bb.let_mut(&name, value)
            } else {
                bb.let_(&name, value)
            };
            declare(g, var, mutable);
        }
        2 => {
            let ty = any_type(g);
            let targets = g.borrow().locals_of(ty, true);
            if targets.is_empty() {
                return stmt(g, b, bb, MAX_STMT_DEPTH);
            }
            let target = pick(g, &targets);
            let value = expr(g, b, ty, 0);
            bb.assign(target.var, value);
        }
        3 => {
            let buf = pick(g, &b.plain_write);
            let index = expr(g, b, U32, 1);
            let value = expr(g, b, buf.elem, 1);
            bb.store(buf, index, value);
        }
        4 => {
            let buf = pick(g, &b.atomic);
            let index = expr(g, b, U32, 1);
            if g.borrow_mut().rng.chance(50) {
                let value = expr(g, b, buf.elem, 1);
                bb.atomic_store(buf, index, value);
            } else {
                let current = expr(g, b, buf.elem, 1);
                let new = expr(g, b, buf.elem, 1);
                let (old, ok) = bb.compare_exchange(buf, index, current, new);
                declare(g, old, false);
                declare(g, ok, false);
            }
        }
        5 => {
            let buf = pick(g, &b.atomic);
            let op = pick(g, &AtomicOp::ALL);
            let index = expr(g, b, U32, 1);
            let value = op.has_operand().then(|| expr(g, b, buf.elem, 1));
            bb.eval(buf.atomic(op, index, value));
        }
        6 | 7 if nested => {
            let cond = expr(g, b, Bool, 0);
            if g.borrow_mut().rng.chance(50) {
                bb.if_(cond, |bb| block(g, b, bb, depth + 1));
            } else {
                bb.if_else(
                    cond,
                    |bb| block(g, b, bb, depth + 1),
                    |bb| block(g, b, bb, depth + 1),
                );
            }
        }
        8 if nested => {
            let ty = pick(g, &[U32, I32]);
            let selector = expr(g, b, ty, 0);
            let arms = g.borrow_mut().rng.below(4);
            let mut used = std::collections::HashSet::new();
            let mut cases: Vec<(Vec<Literal>, Arm<'_>)> = Vec::new();
            for _ in 0..arms {
                let mut values = Vec::new();
                let count = 1 + g.borrow_mut().rng.below(3);
                for _ in 0..count {
                    let Expr::Lit(v) = literal(g, ty) else {
                        continue;
                    };
                    if used.insert(v.to_word()) {
                        values.push(v);
                    }
                }
                cases.push((values, Box::new(move |bb| block(g, b, bb, depth + 1))));
            }
            bb.switch(selector, cases, |bb| {
                if g.borrow_mut().rng.chance(70) {
                    block(g, b, bb, depth + 1);
                }
            });
        }
        9 if nested => {
            let ty = pick(g, &[U32, I32]);
            let start = expr(g, b, ty, 1);
            let end = expr(g, b, ty, 1);
            let name = g.borrow_mut().name();
            let body = |bb: &mut BlockBuilder<'_>, var: Var| {
                g.borrow_mut().scopes.push(vec![Local::scalar(var, false)]);
                loop_body(g, b, bb, depth);
                g.borrow_mut().scopes.pop();
            };
            if g.borrow_mut().rng.chance(50) {
                bb.for_range(&name, start, end, body);
            } else {
                bb.for_range_inclusive(&name, start, end, body);
            }
        }
        10 if nested => {
            let cond = expr(g, b, Bool, 0);
            bb.while_(cond, |bb| loop_body(g, b, bb, depth));
        }
        11 if nested => bb.loop_(|bb| {
            loop_body(g, b, bb, depth);
            bb.break_();
        }),
        12 if nested => bb.block(|bb| block(g, b, bb, depth + 1)),
        13 if g.borrow().loop_depth > 0 => {
            if g.borrow_mut().rng.chance(50) {
                bb.break_();
            } else {
                bb.continue_();
            }
        }
        14 => {
            let priority = if g.borrow_mut().rng.chance(70) {
                Expr::lit(g.borrow_mut().rng.below(5))
            } else {
                expr(g, b, U32, 1)
            };
            let args = vec![
                expr(g, b, U32, 2),
                expr(g, b, I32, 2),
                expr(g, b, F32, 2),
                expr(g, b, Bool, 2),
            ];
            let ok = bb.spawn(priority, OPCODE, args);
            declare(g, ok, false);
        }
        15 => {
            let n = g.borrow_mut().rng.below(7) as usize;
            let args: Vec<Expr> = (0..n)
                .map(|_| {
                    // printf! prints 32-bit values and bool.
                    let t = pick(g, &[Bool, U32, I32, F32]);
                    expr(g, b, t, 1)
                })
                .collect();
            let format = (0..n).map(|i| format!("a{i}={{}} ")).collect::<String>();
            bb.printf(&format, args);
        }
        16 if g.borrow_mut().rng.chance(20) => {
            let code = expr(g, b, U32, 1);
            bb.fault(code);
        }
        17 if g.borrow_mut().rng.chance(20) => bb.shutdown(),
        18 if g.borrow_mut().rng.chance(10) => bb.return_(),
        19 | 20 => {
            let elem = any_type(g);
            let len = 1 + g.borrow_mut().rng.below(MAX_ARRAY_LEN);
            let init = if g.borrow_mut().rng.chance(50) {
                ArrayInit::Repeat(expr(g, b, elem, 1))
            } else {
                ArrayInit::List((0..len).map(|_| expr(g, b, elem, 2)).collect())
            };
            let name = g.borrow_mut().name();
            let mutable = g.borrow_mut().rng.chance(60);
            let array = bb.let_array(&name, elem, len, mutable, init);
            declare_local(g, Local::array(array, mutable));
        }
        21 => {
            let targets = g.borrow().arrays_of(None, true);
            if targets.is_empty() {
                return stmt(g, b, bb, MAX_STMT_DEPTH);
            }
            let a = pick(g, &targets);
            let index = array_index(g, b, a.len, 1);
            let value = expr(g, b, a.elem, 1);
            bb.store_index(a, index, value);
        }
        _ => {
            let ty = any_type(g);
            let value = expr(g, b, ty, 0);
            bb.eval(value);
        }
    }
}

/// A program with one random handler (seeded) over every buffer kind.
fn random_program(seed: u64) -> Program {
    let mut h = HandlerBuilder::new(OPCODE, "random");
    let buffers = Buffers {
        plain_read: [
            h.buffer("ru", U32, Access::Read),
            h.buffer("ri", I32, Access::Read),
            h.buffer("rf", F32, Access::Read),
        ],
        plain_write: [
            h.buffer("wu", U32, Access::ReadWrite),
            h.buffer("wi", I32, Access::ReadWrite),
            h.buffer("wf", F32, Access::ReadWrite),
        ],
        atomic: [
            h.buffer("au", U32, Access::Atomic),
            h.buffer("ai", I32, Access::Atomic),
        ],
    };
    let args = [
        h.arg("a", U32),
        h.arg("b", I32),
        h.arg("c", F32),
        h.arg("d", Bool),
    ];
    let g = RefCell::new(Gen {
        rng: Rng(seed),
        scopes: vec![args.iter().map(|&var| Local::scalar(var, false)).collect()],
        loop_depth: 0,
        names: 0,
    });
    h.body(|bb| {
        for _ in 0..TOP_LEVEL_STMTS {
            stmt(&g, &buffers, bb, 0);
        }
    });
    let handler = h.finish().expect("the generator builds valid handlers");
    Program::builder(format!("random_{seed:x}"))
        .buffer("ru", BufferKind::plain(U32))
        .buffer("ri", BufferKind::plain(I32))
        .buffer("rf", BufferKind::plain(F32))
        .buffer("wu", BufferKind::plain(U32))
        .buffer("wi", BufferKind::plain(I32))
        .buffer("wf", BufferKind::plain(F32))
        .buffer("au", BufferKind::atomic(U32))
        .buffer("ai", BufferKind::atomic(I32))
        .opcode(handler)
        .build()
        .expect("valid program")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_handlers_lower_to_valid_wgsl(seed in any::<u64>()) {
        let program = random_program(seed);
        let src = program.wgsl();
        if let Err(msg) = validate_source(&src) {
            prop_assert!(false, "seed {seed:#x}:\n{msg}");
        }
        if let Err(msg) = check_loop_guards(&src) {
            prop_assert!(false, "seed {seed:#x}: {msg}");
        }
        // Without naga's loop bounding and division guards too.
        wgsl_common::prove_every_variant(&program);
    }
}

#[test]
fn generator_covers_the_language() {
    // Across a few seeds the generator emits every statement kind that
    // matters for the lowering.
    let mut all = String::new();
    for seed in 0..64 {
        all.push_str(&random_program(seed).wgsl());
    }
    for needle in [
        "== vy_LOOP_RUNNING && ",
        "continuing {",
        "vy_LOOP_RETURN; continue;",
        "fn vy_spawn_",
        "vy_printf(",
        "vy_fail(vy_FAULT_USER",
        "vy_shutdown();",
        "} else if ",
        "vy_cas_u_a",
        "vy_div_",
        "vy_rem_",
        "vy_f32_bits(",
        "var vy_t",
        // Local arrays of every element type, read and written with
        // their bounds checks.
        "> = array<bool, ",
        "> = array<u32, ",
        "> = array<i32, ",
        "> = array<f32, ",
        "> = array<vec2<u32>, ",
        "u) { vy_fail(vy_FAULT_OUT_OF_BOUNDS, ",
        "u)];",
        "u)] = ",
    ] {
        assert!(all.contains(needle), "no `{needle}` in 64 random programs");
    }
}

/// Found by this test: a store into a local array at a constant index out
/// of bounds lowered to `a[vy_t0] = …` behind the bounds check, with
/// `let vy_t0 = 5u;`; naga folds the `let` and rejects the constant
/// index even in the branch that never runs. The store's index is now
/// clamped like a read's.
#[test]
fn constant_out_of_bounds_array_store_lowers_to_valid_wgsl() {
    for index in [2u32, 5, u32::MAX] {
        let mut h = HandlerBuilder::new(OPCODE, "store_oob");
        h.body(|bb| {
            let a = bb.let_array("a", U32, 2, true, ArrayInit::Repeat(Expr::lit(0u32)));
            bb.store_index(a, index, 1u32);
        });
        let program = Program::builder("store_oob")
            .opcode(h.finish().expect("valid"))
            .build()
            .expect("valid program");
        if let Err(msg) = validate_source(&program.wgsl()) {
            panic!("index {index}:\n{msg}");
        }
    }
}
