//! A generator of random, well-typed handler bodies, built through
//! `HandlerBuilder` from a seed: expressions of a requested type up to a
//! bounded depth, statements of every kind up to a bounded nesting, with
//! locals and local arrays tracked by scope and mutability so that the
//! builder's validator accepts every body. Array indices are sometimes in
//! range, sometimes not (the lowering's bounds checks must hold).
//!
//! A [`Profile`] says what the handlers may use: `wgsl_random.rs` asks for
//! everything (its programs only have to lower to valid WGSL);
//! `random_differential.rs` leaves out what may differ between backends by
//! design (`f32` rounding, the lane and slot a task runs on, a shutdown
//! racing other tasks), so that its programs must compute the same on the
//! reference interpreter and on wgpu.

#![allow(dead_code)]

use std::cell::RefCell;

use vyre_core::ir::{
    ctx, Access, ArrayInit, ArrayVar, AtomicOp, BinOp, BlockBuilder, BufferKind, BufferRef,
    CtxValue, Expr, HandlerBuilder, Intrinsic, Literal, ScalarType, UnOp, Var,
};
use vyre_core::program::{OpcodeHandler, ProgramBuilder};

use ScalarType::{Bool, F32, I32, I64, U32, U64};

/// What a generated handler may use.
pub struct Profile {
    /// The scalar types of its locals, arrays and expressions, and of the
    /// plain buffers it stores to.
    pub types: &'static [ScalarType],
    /// The `ctx` values its expressions read.
    pub ctx: &'static [CtxValue],
    /// Its arguments, in order.
    pub args: &'static [(&'static str, ScalarType)],
    /// The opcode its spawns name, and that opcode's argument types.
    pub spawn_opcode: u32,
    pub spawn_args: &'static [ScalarType],
    /// Whether it may call `shutdown()`.
    pub shutdown: bool,
    /// Whether most tasks should run to their end rather than fault
    /// early: buffer indices are `index & 15` (in bounds of a buffer of
    /// [`TAME_BUFFER_LEN`]), local array indices in bounds, `for` ranges
    /// between small values (0..=7 to 0..=15; literals in half of them),
    /// no `while` and spawn priorities valid.
    /// Otherwise each is anything, and out of bounds on purpose at times.
    pub tame: bool,
}

/// The buffer length for which a tame handler's buffer indices are in
/// bounds.
pub const TAME_BUFFER_LEN: usize = 16;

/// Every construct, every type: for programs that only need to lower.
pub const EVERYTHING: Profile = Profile {
    types: &[Bool, U32, I32, F32, U64, I64],
    ctx: &[
        CtxValue::Lane,
        CtxValue::Slot,
        CtxValue::Tenant,
        CtxValue::Priority,
    ],
    args: &[("a", U32), ("b", I32), ("c", F32), ("d", Bool)],
    spawn_opcode: 0x42,
    spawn_args: &[U32, I32, F32, Bool],
    shutdown: true,
    tame: false,
};

const MAX_EXPR_DEPTH: u32 = 4;
const MAX_STMT_DEPTH: u32 = 3;
const MAX_BLOCK_LEN: u32 = 4;
const TOP_LEVEL_STMTS: u32 = 12;
/// Local arrays have 1 ..= this many elements.
const MAX_ARRAY_LEN: u32 = 8;

/// splitmix64: small, deterministic, good enough to pick shapes (also
/// the IR property test's generator's).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
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
    plain_read: Vec<BufferRef>,
    plain_write: Vec<BufferRef>,
    atomic: Vec<BufferRef>,
}

struct Gen {
    rng: Rng,
    profile: &'static Profile,
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
                    let values = g.borrow().profile.ctx;
                    ctx(pick(g, values))
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
            let t = any_type(g);
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
            let froms = allowed(g, froms);
            let from = pick(g, &froms);
            expr(g, b, from, d).cast(ty)
        }
        (5, _) => expr(g, b, ty, d).select(expr(g, b, Bool, d), expr(g, b, ty, d)),
        (6, _) if ty != Bool => intrinsic(g, b, ty, d),
        (7, U32 | I32 | F32) => {
            let buf = match ty {
                U32 => pick(g, &[b.plain_read[0], b.plain_write[0]]),
                I32 => pick(g, &[b.plain_read[1], b.plain_write[1]]),
                // Only with `f32` in the profile, so the third buffers exist.
                _ => pick(g, &[b.plain_read[2], b.plain_write[2]]),
            };
            buf.at(buffer_index(g, b, d))
        }
        (8, U32 | I32) => {
            let buf = if ty == U32 { b.atomic[0] } else { b.atomic[1] };
            let op = pick(g, &AtomicOp::ALL);
            let value = op.has_operand().then(|| expr(g, b, ty, d));
            buf.atomic(op, buffer_index(g, b, d), value)
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
        0 if depth < MAX_EXPR_DEPTH => {
            let index = expr(g, b, U32, depth + 1);
            match g.borrow().profile.tame {
                true => binary(BinOp::Rem, index, Expr::lit(len)),
                false => index,
            }
        }
        1 if !g.borrow().profile.tame => {
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

/// A buffer index: any `u32` expression, masked where the profile says.
fn buffer_index(g: G, b: &Buffers, depth: u32) -> Expr {
    let index = expr(g, b, U32, depth);
    match g.borrow().profile.tame {
        true => index & Expr::lit(TAME_BUFFER_LEN as u32 - 1),
        false => index,
    }
}

fn intrinsic(g: G, b: &Buffers, ty: ScalarType, d: u32) -> Expr {
    // Intrinsics whose result is `ty`, with their receiver type.
    let mut options = Vec::new();
    for func in Intrinsic::ALL {
        for recv in allowed(g, &[U32, I32, F32, U64, I64]) {
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
    let types = g.borrow().profile.types;
    pick(g, types)
}

/// The types of `candidates` the profile allows, in their order.
fn allowed(g: G, candidates: &[ScalarType]) -> Vec<ScalarType> {
    let types = g.borrow().profile.types;
    candidates
        .iter()
        .copied()
        .filter(|t| types.contains(t))
        .collect()
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
            let index = buffer_index(g, b, 1);
            let value = expr(g, b, buf.elem, 1);
            bb.store(buf, index, value);
        }
        4 => {
            let buf = pick(g, &b.atomic);
            let index = buffer_index(g, b, 1);
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
            let index = buffer_index(g, b, 1);
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
            let mut start = expr(g, b, ty, 1);
            let mut end = expr(g, b, ty, 1);
            if g.borrow().profile.tame {
                let small = |n: u32| match ty {
                    U32 => Expr::lit(n),
                    _ => Expr::lit(n as i32),
                };
                // Literal ends in half of the loops: a constant trip,
                // charged once without a ticking copy when it fits.
                if g.borrow_mut().rng.chance(50) {
                    let (a, b) = {
                        let r = &mut g.borrow_mut().rng;
                        (r.below(8), r.below(16))
                    };
                    start = small(a);
                    end = small(b);
                } else {
                    start = start & small(7);
                    end = end & small(15);
                }
            }
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
        // A `while` on a random condition mostly runs into the loop limit.
        10 if nested && !g.borrow().profile.tame => {
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
            let tame = g.borrow().profile.tame;
            let priority = if tame || g.borrow_mut().rng.chance(70) {
                Expr::lit(g.borrow_mut().rng.below(5))
            } else {
                expr(g, b, U32, 1)
            };
            let (opcode, types) = {
                let p = g.borrow().profile;
                (p.spawn_opcode, p.spawn_args)
            };
            let args = types.iter().map(|&t| expr(g, b, t, 2)).collect();
            let ok = bb.spawn(priority, opcode, args);
            declare(g, ok, false);
        }
        15 => {
            let n = g.borrow_mut().rng.below(7) as usize;
            let args: Vec<Expr> = (0..n)
                .map(|_| {
                    // printf! prints 32-bit values and bool.
                    let t = pick(g, &allowed(g, &[Bool, U32, I32, F32]));
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
        17 if g.borrow().profile.shutdown && g.borrow_mut().rng.chance(20) => bb.shutdown(),
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

/// The buffers a generated handler declares, in order: name, element
/// type, access; those of an element type its profile has not are left
/// out (a profile without `f32` has six).
pub const BUFFERS: [(&str, ScalarType, Access); 8] = [
    ("ru", U32, Access::Read),
    ("ri", I32, Access::Read),
    ("rf", F32, Access::Read),
    ("wu", U32, Access::ReadWrite),
    ("wi", I32, Access::ReadWrite),
    ("wf", F32, Access::ReadWrite),
    ("au", U32, Access::Atomic),
    ("ai", I32, Access::Atomic),
];

/// The [`BUFFERS`] a handler of `profile` declares.
pub fn buffers_of(profile: &Profile) -> impl Iterator<Item = (&'static str, ScalarType, Access)> {
    let types = profile.types;
    BUFFERS
        .into_iter()
        .filter(move |(_, elem, _)| types.contains(elem))
}

/// `builder` with the buffers of `profile`'s handlers declared as the
/// program's buffers, each under the name `name` gives it (`None`: not
/// declared here, e.g. one that another handler's call declared already).
pub fn declare_buffers(
    mut builder: ProgramBuilder,
    profile: &Profile,
    name: impl Fn(&str) -> Option<String>,
) -> ProgramBuilder {
    for (base, elem, access) in buffers_of(profile) {
        let kind = match access {
            Access::Atomic => BufferKind::atomic(elem),
            _ => BufferKind::plain(elem),
        };
        if let Some(name) = name(base) {
            builder = builder.buffer(name, kind);
        }
    }
    builder
}

/// A random handler (seeded) of opcode `opcode` over the buffers of
/// `profile` ([`buffers_of`]), each under the program buffer's name
/// `buffer` gives it, using what `profile` allows: twelve top-level
/// statements.
pub fn random_handler(
    seed: u64,
    profile: &'static Profile,
    opcode: u32,
    name: &str,
    buffer: impl Fn(&str) -> String,
) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(opcode, name);
    let mut buffers = Buffers {
        plain_read: Vec::new(),
        plain_write: Vec::new(),
        atomic: Vec::new(),
    };
    for (base, elem, access) in buffers_of(profile) {
        let r = h.buffer(&buffer(base), elem, access);
        match access {
            Access::Read => buffers.plain_read.push(r),
            Access::Atomic => buffers.atomic.push(r),
            _ => buffers.plain_write.push(r),
        }
    }
    let args: Vec<Var> = profile
        .args
        .iter()
        .map(|&(name, ty)| h.arg(name, ty))
        .collect();
    let g = RefCell::new(Gen {
        rng: Rng(seed),
        profile,
        scopes: vec![args.iter().map(|&var| Local::scalar(var, false)).collect()],
        loop_depth: 0,
        names: 0,
    });
    h.body(|bb| {
        for _ in 0..TOP_LEVEL_STMTS {
            stmt(&g, &buffers, bb, 0);
        }
    });
    h.finish().expect("the generator builds valid handlers")
}
