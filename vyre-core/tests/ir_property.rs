//! IR property test: randomly generated handlers — mostly well-typed, but
//! with ill-typed and ill-scoped pieces mixed in (random local and buffer
//! ids, operands of the wrong type, locals used outside their scope or
//! declared twice, `break` outside loops, bad signatures, spawns of
//! unknown opcodes or with wrong arguments, printf arity errors, names
//! that are not identifiers, local arrays used as values, scalars
//! indexed, stores into immutable arrays, array lengths out of range or
//! initialisers of the wrong length) — are either rejected with a typed error
//! (by the validator, or by program assembly), or lower to WGSL that naga
//! accepts with every validation flag and capability, and run on the
//! reference backend within its budgets: `run()` returns `Ok` (faults are
//! fine), and the books balance. Nothing panics anywhere.
//!
//! A seed drives a small deterministic generator (proptest supplies it);
//! expression and statement depth are bounded. Cases:
//! `VYRE_FUZZ_CASES` × 8 (default 48 × 8).
//!
//! One file on purpose (near 1000 lines): the generator serves this
//! property alone, and the tests assert on what it produces (chaos rates
//! that get handlers rejected, valid handlers that run and fault), so its
//! knobs and the checks and tallies that judge it change together; split
//! apart, neither half reads without the other.

mod info_walk;
mod random_gen;
mod wgsl_common;

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use random_gen::Rng;
use vyre_core::ir::{
    validate_handler, Access, ArrayInit, AtomicOp, BinOp, Block, BufferId, BufferKind, CtxValue,
    Expr, Intrinsic, Literal, LocalId, ScalarType, Stmt, SwitchCase, UnOp, ValidationErrorKind,
    MAX_ARRAY_LEN,
};
use vyre_core::program::{BufferParam, LocalDecl, OpcodeHandler, Program, ProgramConfig};
use vyre_core::{AssemblyError, Gpu, Priority, RawTask, RunLimits, Runtime, Task};
use wgsl_common::validate_source;

use ScalarType::{Bool, F32, I32, U32};

const ID: u32 = 0x42;
const MAX_EXPR_DEPTH: u32 = 3;
const MAX_STMT_DEPTH: u32 = 3;
const ALL_TYPES: [ScalarType; 6] = [Bool, U32, I32, F32, ScalarType::U64, ScalarType::I64];
/// Valid local arrays have 1 ..= this many elements.
const ARRAY_LEN: u32 = 8;

struct Gen {
    rng: Rng,
    /// Percent of nodes that are generated without regard for types or
    /// scopes (0 for a case that must be valid).
    chaos: u32,
    locals: Vec<LocalDecl>,
    arg_count: usize,
    /// Locals in scope, innermost block last.
    scopes: Vec<Vec<u32>>,
    buffers: Vec<BufferParam>,
    loop_depth: u32,
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    }
}

impl Gen {
    fn wild(&mut self) -> bool {
        self.chaos > 0 && self.rng.chance(self.chaos)
    }

    fn any_type(&mut self) -> ScalarType {
        self.rng.pick(&ALL_TYPES)
    }

    fn name(&mut self, base: &str) -> String {
        if self.wild() {
            // Not identifiers, or WGSL keywords, or reserved prefixes.
            return self
                .rng
                .pick(&[
                    "", "1x", "a b", "é", "loop", "vy_ctrl", "u_x", "_", "fn", "x-y",
                ])
                .to_string();
        }
        format!("{base}{}", self.locals.len())
    }

    fn literal(&mut self, ty: ScalarType) -> Literal {
        let r = &mut self.rng;
        let bits = r.next() as u32;
        match ty {
            Bool => Literal::Bool(r.chance(50)),
            U32 => Literal::U32(r.pick(&[0, 1, 2, 7, u32::MAX, bits])),
            I32 => Literal::I32(r.pick(&[0, 1, -1, i32::MIN, i32::MAX, bits as i32])),
            F32 => Literal::F32(r.pick(&[
                0.0,
                -0.0,
                1.5,
                f32::NAN,
                f32::INFINITY,
                f32::MIN_POSITIVE,
                f32::from_bits(bits),
            ])),
            ScalarType::U64 => Literal::U64(r.pick(&[0, 1, u64::MAX, u64::from(bits) << 29])),
            ScalarType::I64 => Literal::I64(r.pick(&[0, -1, i64::MIN, i64::MAX])),
        }
    }

    fn in_scope(&self, ty: ScalarType, mutable: bool) -> Vec<u32> {
        self.scopes
            .iter()
            .flatten()
            .copied()
            .filter(|&l| {
                let d = &self.locals[l as usize];
                d.array.is_none() && d.ty == ty && (d.mutable || !mutable)
            })
            .collect()
    }

    /// Local arrays in scope: of element type `ty` (any, if `None`),
    /// mutable ones only if `mutable`.
    fn arrays_in_scope(&self, ty: Option<ScalarType>, mutable: bool) -> Vec<u32> {
        self.scopes
            .iter()
            .flatten()
            .copied()
            .filter(|&l| {
                let d = &self.locals[l as usize];
                d.array.is_some() && ty.is_none_or(|t| d.ty == t) && (d.mutable || !mutable)
            })
            .collect()
    }

    /// A local id: in scope and of type `ty`, or (wild) anything, declared
    /// or not, inside the table or not, an array in scope or not.
    fn local(&mut self, ty: ScalarType, mutable: bool) -> Option<u32> {
        if self.wild() {
            let arrays = self.arrays_in_scope(None, false);
            if !arrays.is_empty() && self.rng.chance(40) {
                return Some(self.rng.pick(&arrays));
            }
            return Some(self.rng.below(self.locals.len() as u32 + 3));
        }
        let c = self.in_scope(ty, mutable);
        (!c.is_empty()).then(|| self.rng.pick(&c))
    }

    /// A local array: in scope, of element type `ty` (any, if `None`),
    /// mutable if asked; or (wild) an immutable array or any local.
    fn array(&mut self, ty: Option<ScalarType>, mutable: bool) -> Option<u32> {
        if self.wild() {
            let arrays = self.arrays_in_scope(None, false);
            if !arrays.is_empty() && self.rng.chance(50) {
                return Some(self.rng.pick(&arrays));
            }
            return Some(self.rng.below(self.locals.len() as u32 + 2));
        }
        let c = self.arrays_in_scope(ty, mutable);
        (!c.is_empty()).then(|| self.rng.pick(&c))
    }

    /// An index into an array of `len` elements: mostly in range, sometimes
    /// just past the end or far out, sometimes any `u32` expression.
    fn array_index(&mut self, len: u32, depth: u32) -> Expr {
        match self.rng.below(8) {
            0 if depth < MAX_EXPR_DEPTH => self.expr(U32, depth + 1),
            1 => Expr::Lit(Literal::U32(self.rng.pick(&[
                len,
                len.wrapping_add(1),
                u32::MAX,
            ]))),
            _ => Expr::Lit(Literal::U32(self.rng.below(len))),
        }
    }

    /// `array[index]` of an array with elements of `ty` (a literal if
    /// there is none in scope).
    fn index_expr(&mut self, ty: ScalarType, depth: u32) -> Expr {
        match self.array(Some(ty), false) {
            Some(a) => {
                let len = self.locals.get(a as usize).and_then(|d| d.array);
                Expr::Index {
                    array: LocalId(a),
                    index: Box::new(self.array_index(len.unwrap_or(1), depth)),
                }
            }
            None => Expr::Lit(self.literal(ty)),
        }
    }

    /// A buffer of the handler whose access and element satisfy `pred`, or
    /// (wild) any id, in the table or not.
    fn buffer(&mut self, pred: impl Fn(&BufferParam) -> bool) -> Option<u32> {
        if self.wild() {
            return Some(self.rng.below(self.buffers.len() as u32 + 2));
        }
        let c: Vec<u32> = (0..self.buffers.len() as u32)
            .filter(|&i| pred(&self.buffers[i as usize]))
            .collect();
        (!c.is_empty()).then(|| self.rng.pick(&c))
    }

    fn index(&mut self, depth: u32) -> Box<Expr> {
        Box::new(self.expr(U32, depth + 1))
    }

    /// An expression of type `ty` (or, wild, of any shape).
    fn expr(&mut self, ty: ScalarType, depth: u32) -> Expr {
        if self.wild() {
            let ty = self.any_type();
            return self.shape(ty, depth);
        }
        self.shape(ty, depth)
    }

    fn shape(&mut self, ty: ScalarType, depth: u32) -> Expr {
        let leaf = depth >= MAX_EXPR_DEPTH || self.rng.chance(30);
        if leaf {
            return match self.rng.below(5) {
                0 | 1 => match self.local(ty, false) {
                    Some(l) => Expr::Local(LocalId(l)),
                    None => Expr::Lit(self.literal(ty)),
                },
                2 if ty == U32 => match self.rng.below(5) {
                    4 => match self.buffer(|_| true) {
                        Some(b) => Expr::Len {
                            buffer: BufferId(b),
                        },
                        None => Expr::Ctx(CtxValue::Slot),
                    },
                    i => Expr::Ctx(
                        [
                            CtxValue::Lane,
                            CtxValue::Slot,
                            CtxValue::Tenant,
                            CtxValue::Priority,
                        ][i as usize],
                    ),
                },
                4 => self.index_expr(ty, depth),
                _ => Expr::Lit(self.literal(ty)),
            };
        }
        let d = depth + 1;
        match self.rng.below(12) {
            0 => {
                let op = match ty {
                    F32 => UnOp::Neg,
                    I32 => self.rng.pick(&[UnOp::Neg, UnOp::Not]),
                    _ if self.wild() => UnOp::Neg,
                    _ => UnOp::Not,
                };
                Expr::Unary {
                    op,
                    operand: Box::new(self.expr(ty, d)),
                }
            }
            1 => {
                let numeric = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::Rem];
                let bitwise = [BinOp::BitAnd, BinOp::BitOr, BinOp::BitXor];
                let op = match ty {
                    _ if self.wild() => self.rng.pick(&[BinOp::Add, BinOp::BitXor, BinOp::And]),
                    Bool => self.rng.pick(&bitwise),
                    F32 => self.rng.pick(&numeric),
                    _ if self.rng.chance(60) => self.rng.pick(&numeric),
                    _ => self.rng.pick(&bitwise),
                };
                bin(op, self.expr(ty, d), self.expr(ty, d))
            }
            2 if ty.is_integer() || self.wild() => {
                let op = self.rng.pick(&[BinOp::Shl, BinOp::Shr]);
                bin(op, self.expr(ty, d), self.expr(U32, d))
            }
            3 if ty == Bool => {
                let t = self.any_type();
                let op = if t == Bool {
                    self.rng
                        .pick(&[BinOp::Eq, BinOp::Ne, BinOp::And, BinOp::Or])
                } else {
                    self.rng.pick(&[
                        BinOp::Eq,
                        BinOp::Ne,
                        BinOp::Lt,
                        BinOp::Le,
                        BinOp::Gt,
                        BinOp::Ge,
                    ])
                };
                bin(op, self.expr(t, d), self.expr(t, d))
            }
            4 => {
                let from = match ty {
                    _ if self.wild() => self.any_type(),
                    Bool => Bool,
                    F32 => self.rng.pick(&[U32, I32, F32]),
                    _ => self.any_type(),
                };
                Expr::Cast {
                    to: ty,
                    value: Box::new(self.expr(from, d)),
                }
            }
            5 => Expr::Select {
                cond: Box::new(self.expr(Bool, d)),
                if_true: Box::new(self.expr(ty, d)),
                if_false: Box::new(self.expr(ty, d)),
            },
            6 => {
                let candidates: Vec<(Intrinsic, ScalarType)> = Intrinsic::ALL
                    .iter()
                    .flat_map(|&f| [U32, I32, F32].map(|r| (f, r)))
                    .filter(|&(f, r)| f.result_type(r) == Some(ty) || self.chaos > 0)
                    .collect();
                if candidates.is_empty() {
                    return Expr::Lit(self.literal(ty));
                }
                let (func, recv) = self.rng.pick(&candidates);
                let rotate = matches!(func, Intrinsic::RotateLeft | Intrinsic::RotateRight);
                let mut args = vec![self.expr(recv, d)];
                for _ in 1..func.arity() {
                    let t = if rotate { U32 } else { recv };
                    args.push(self.expr(t, d));
                }
                if self.wild() {
                    args.truncate(self.rng.below(4) as usize);
                }
                Expr::Intrinsic { func, args }
            }
            7 | 8 => match self.buffer(|b| b.access != Access::Atomic && b.elem == ty) {
                Some(b) => Expr::Load {
                    buffer: BufferId(b),
                    index: self.index(d),
                },
                None => Expr::Lit(self.literal(ty)),
            },
            9 => match self.buffer(|b| b.access == Access::Atomic && b.elem == ty) {
                Some(b) => {
                    let op = self.rng.pick(&AtomicOp::ALL);
                    let value =
                        (op.has_operand() != self.wild()).then(|| Box::new(self.expr(ty, d)));
                    Expr::Atomic {
                        op,
                        buffer: BufferId(b),
                        index: self.index(d),
                        value,
                    }
                }
                None => Expr::Lit(self.literal(ty)),
            },
            11 => self.index_expr(ty, d),
            _ => match self.local(ty, false) {
                Some(l) => Expr::Local(LocalId(l)),
                None => Expr::Lit(self.literal(ty)),
            },
        }
    }

    /// Declares a new local (or, wild, reuses one) and brings it in scope.
    fn declare(&mut self, ty: ScalarType, mutable: bool) -> u32 {
        if self.wild() && !self.locals.is_empty() {
            let l = self.rng.below(self.locals.len() as u32 + 2);
            if let Some(s) = self.scopes.last_mut() {
                s.push(l.min(self.locals.len() as u32 - 1));
            }
            return l;
        }
        let id = self.locals.len() as u32;
        let name = self.name("v");
        self.locals.push(LocalDecl::scalar(name, ty, mutable));
        self.scopes.last_mut().expect("a scope").push(id);
        id
    }

    /// Declares a new local array (or, wild, reuses a local, array or
    /// not) and brings it in scope.
    fn declare_array(&mut self, ty: ScalarType, len: u32, mutable: bool) -> u32 {
        if self.wild() && !self.locals.is_empty() {
            let l = self.rng.below(self.locals.len() as u32);
            self.scopes.last_mut().expect("a scope").push(l);
            return l;
        }
        let id = self.locals.len() as u32;
        let name = self.name("s");
        self.locals.push(LocalDecl {
            array: Some(len),
            ..LocalDecl::scalar(name, ty, mutable)
        });
        self.scopes.last_mut().expect("a scope").push(id);
        id
    }

    /// `let [mut] a = [v; N]` or `[x, y, …]`; wild: a length of zero or
    /// over the limit, a list of another length.
    fn let_array(&mut self) -> Stmt {
        let ty = self.any_type();
        let mut len = 1 + self.rng.below(ARRAY_LEN);
        if self.wild() {
            len = self.rng.pick(&[0, MAX_ARRAY_LEN + 1, u32::MAX]);
        }
        let init = if self.rng.chance(50) {
            ArrayInit::Repeat(self.expr(ty, 1))
        } else {
            let mut n = len.min(ARRAY_LEN);
            if self.wild() {
                n = if n > 0 && self.rng.chance(50) {
                    n - 1
                } else {
                    n + 1
                };
            }
            ArrayInit::List((0..n).map(|_| self.expr(ty, 2)).collect())
        };
        let mutable = self.rng.chance(50);
        let array = LocalId(self.declare_array(ty, len, mutable));
        Stmt::LetArray { array, init }
    }

    fn block(&mut self, depth: u32, in_loop: bool) -> Block {
        self.scopes.push(Vec::new());
        if in_loop {
            self.loop_depth += 1;
        }
        let n = self.rng.below(4);
        let stmts = (0..n).map(|_| self.stmt(depth + 1)).collect();
        if in_loop {
            self.loop_depth -= 1;
        }
        self.scopes.pop();
        Block(stmts)
    }

    fn stmt(&mut self, depth: u32) -> Stmt {
        let nest = depth < MAX_STMT_DEPTH;
        loop {
            match self.rng.below(24) {
                0 | 1 => {
                    let ty = self.any_type();
                    let value = self.expr(ty, 0);
                    let mutable = self.rng.chance(50);
                    let local = LocalId(self.declare(ty, mutable));
                    return Stmt::Let { local, value };
                }
                2 => {
                    let ty = self.any_type();
                    if let Some(l) = self.local(ty, true) {
                        let value = self.expr(ty, 0);
                        return Stmt::Assign {
                            local: LocalId(l),
                            value,
                        };
                    }
                }
                3 => {
                    if let Some(b) = self.buffer(|b| b.access == Access::ReadWrite) {
                        let ty = self.buffers.get(b as usize).map_or(U32, |p| p.elem);
                        return Stmt::Store {
                            buffer: BufferId(b),
                            index: self.expr(U32, 0),
                            value: self.expr(ty, 0),
                        };
                    }
                }
                4 => {
                    if let Some(b) = self.buffer(|b| b.access == Access::Atomic) {
                        let ty = self.buffers.get(b as usize).map_or(U32, |p| p.elem);
                        if self.rng.chance(50) {
                            return Stmt::AtomicStore {
                                buffer: BufferId(b),
                                index: self.expr(U32, 0),
                                value: self.expr(ty, 0),
                            };
                        }
                        let (index, current, new) =
                            (self.expr(U32, 0), self.expr(ty, 0), self.expr(ty, 0));
                        let old = LocalId(self.declare(ty, false));
                        let exchanged = LocalId(self.declare(Bool, false));
                        return Stmt::CompareExchange {
                            buffer: BufferId(b),
                            index,
                            current,
                            new,
                            old,
                            exchanged,
                        };
                    }
                }
                5 => {
                    let ty = self.any_type();
                    return Stmt::Eval(self.expr(ty, 0));
                }
                6 | 7 if nest => {
                    let cond = self.expr(Bool, 0);
                    return Stmt::If {
                        cond,
                        then_body: self.block(depth, false),
                        else_body: self.block(depth, false),
                    };
                }
                8 if nest => {
                    let ty = if self.rng.chance(50) { U32 } else { I32 };
                    let selector = self.expr(ty, 0);
                    let mut cases = Vec::new();
                    let mut used = Vec::new();
                    for _ in 0..self.rng.below(4) {
                        let mut values = Vec::new();
                        for _ in 0..1 + self.rng.below(2) {
                            let t = if self.wild() { self.any_type() } else { ty };
                            let v = self.literal(t);
                            if !used.contains(&v.to_word()) || self.wild() {
                                used.push(v.to_word());
                                values.push(v);
                            }
                        }
                        cases.push(SwitchCase {
                            values,
                            body: self.block(depth, false),
                        });
                    }
                    return Stmt::Switch {
                        selector,
                        cases,
                        default: self.block(depth, false),
                    };
                }
                9 if nest => {
                    let ty = if self.rng.chance(50) { U32 } else { I32 };
                    let (start, end) = (self.expr(ty, 0), self.expr(ty, 0));
                    self.scopes.push(Vec::new());
                    let var = LocalId(self.declare(ty, false));
                    let body = self.block(depth, true);
                    self.scopes.pop();
                    return Stmt::For {
                        var,
                        start,
                        end,
                        inclusive: self.rng.chance(50),
                        body,
                    };
                }
                10 if nest => {
                    let cond = self.expr(Bool, 0);
                    return Stmt::While {
                        cond,
                        body: self.block(depth, true),
                    };
                }
                11 if nest => {
                    let mut body = self.block(depth, true);
                    if self.rng.chance(70) {
                        let cond = self.expr(Bool, 0);
                        body.0.insert(
                            0,
                            Stmt::If {
                                cond,
                                then_body: Block(vec![Stmt::Break]),
                                else_body: Block::new(),
                            },
                        );
                    }
                    return Stmt::Loop { body };
                }
                12 if self.loop_depth > 0 || self.wild() => {
                    return if self.rng.chance(50) {
                        Stmt::Break
                    } else {
                        Stmt::Continue
                    };
                }
                13 if self.rng.chance(30) => return Stmt::Return,
                14 if nest => return Stmt::Block(self.block(depth, false)),
                15 | 16 => {
                    let priority = if self.rng.chance(80) {
                        Expr::Lit(Literal::U32(self.rng.below(6)))
                    } else {
                        self.expr(U32, 0)
                    };
                    let opcode = if self.wild() { 0x99 } else { ID };
                    let types: Vec<ScalarType> =
                        self.locals[..self.arg_count].iter().map(|l| l.ty).collect();
                    let mut args: Vec<Expr> = types.iter().map(|&t| self.expr(t, 1)).collect();
                    if self.wild() {
                        let ty = self.any_type();
                        args.push(self.expr(ty, 1));
                    }
                    let result = self
                        .rng
                        .chance(50)
                        .then(|| LocalId(self.declare(Bool, false)));
                    return Stmt::Spawn {
                        priority,
                        opcode,
                        args,
                        result,
                    };
                }
                17 if self.rng.chance(40) => {
                    return Stmt::Fault {
                        code: self.expr(U32, 0),
                    }
                }
                18 if self.rng.chance(10) => return Stmt::Shutdown,
                19 => {
                    let n = self.rng.below(4) as usize;
                    let mut format = String::from("p");
                    for _ in 0..n {
                        format.push_str(" {}");
                    }
                    if self.rng.chance(20) {
                        format.push_str(" {{}}");
                    }
                    // printf! prints 32-bit values and bool; a wild case
                    // may still pass a 64-bit one (a typed rejection).
                    let mut args: Vec<Expr> = (0..n)
                        .map(|_| {
                            let mut t = self.any_type();
                            if t.is_wide() && !self.wild() {
                                t = U32;
                            }
                            self.expr(t, 1)
                        })
                        .collect();
                    if self.wild() {
                        args.push(Expr::Lit(Literal::U32(1)));
                    }
                    return Stmt::Printf { format, args };
                }
                20 | 21 => return self.let_array(),
                22 => {
                    if let Some(a) = self.array(None, true) {
                        let decl = self.locals.get(a as usize);
                        let ty = decl.map_or(U32, |d| d.ty);
                        let len = decl.and_then(|d| d.array).unwrap_or(1);
                        return Stmt::StoreIndex {
                            array: LocalId(a),
                            index: self.array_index(len, 0),
                            value: self.expr(ty, 0),
                        };
                    }
                }
                _ => {}
            }
        }
    }
}

/// A random handler and the program around it. `chaos` is the percent of
/// nodes generated without regard for types and scopes.
fn random_handler(seed: u64, chaos: u32) -> (OpcodeHandler, Vec<(String, BufferKind)>) {
    let mut g = Gen {
        rng: Rng(seed),
        chaos,
        locals: Vec::new(),
        arg_count: 0,
        scopes: vec![Vec::new()],
        buffers: Vec::new(),
        loop_depth: 0,
    };
    for i in 0..g.rng.below(5) {
        let (elem, access) = match g.rng.below(4) {
            0 => (g.rng.pick(&[U32, I32, F32]), Access::Read),
            1 => (g.rng.pick(&[U32, I32, F32]), Access::ReadWrite),
            _ => (g.rng.pick(&[U32, I32]), Access::Atomic),
        };
        let elem = if g.wild() { g.any_type() } else { elem };
        let name = if g.wild() {
            g.rng.pick(&["b0", "", "9", "loop"]).to_string()
        } else {
            format!("b{i}")
        };
        g.buffers.push(BufferParam {
            name,
            elem,
            access,
            structure: None,
        });
    }
    let args = g.rng.below(5) as usize;
    for _ in 0..args {
        let ty = g.any_type();
        let name = g.name("a");
        g.locals.push(LocalDecl::scalar(name, ty, false));
    }
    g.arg_count = args;
    g.scopes[0] = (0..args as u32).collect();
    let stmts: Vec<Stmt> = (0..1 + g.rng.below(8)).map(|_| g.stmt(0)).collect();
    let mut arg_count = args;
    if g.wild() {
        // Signatures that do not fit the local table or a slot.
        arg_count = g.rng.pick(&[args + 1, g.locals.len() + 3, 13, usize::MAX]);
    }
    let id = if g.wild() { 0xFFFF_0007 } else { ID };
    let name = if g.wild() {
        g.rng.pick(&["", "2x", "op name", "ok"]).to_string()
    } else {
        "h".to_string()
    };
    // The program declares each buffer under its name (first occurrence),
    // with the kind the handler asks for — or, wild, another kind or none.
    let mut declared: Vec<(String, BufferKind)> = Vec::new();
    for b in g.buffers.clone() {
        if declared.iter().any(|(n, _)| *n == b.name) {
            continue;
        }
        let mut kind = if b.access == Access::Atomic {
            BufferKind::atomic(b.elem)
        } else {
            BufferKind::plain(b.elem)
        };
        if g.wild() {
            if g.rng.chance(50) {
                continue;
            }
            kind.atomic = !kind.atomic;
        }
        declared.push((b.name.clone(), kind));
    }
    let handler = OpcodeHandler {
        id,
        name,
        buffers: g.buffers,
        arg_count,
        locals: g.locals,
        body: Block(stmts),
    };
    (handler, declared)
}

fn config() -> ProgramConfig {
    ProgramConfig {
        workgroup_size: 4,
        slots: 20,
        tenants: 2,
        inbox_capacity: 8,
        claim_budget: 8,
        iteration_budget: 256,
        loop_limit: 64,
        printf_capacity: 8,
        ..ProgramConfig::default()
    }
}

/// What happened to one random handler.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    rejected_by_validator: u64,
    rejected_by_assembly: u64,
    ran: u64,
    faults: u64,
    executed: u64,
}

fn check(seed: u64, chaos: u32, tally: &mut Tally) {
    let (handler, declared) = random_handler(seed, chaos);
    let validation = validate_handler(&handler);
    if let Ok(info) = &validation {
        info_walk::check(&handler, info);
    }
    let mut builder = Program::builder("ir_property").config(config());
    for (name, kind) in &declared {
        builder = builder.buffer(name.clone(), *kind);
    }
    let built = builder.opcode(handler.clone()).build();
    let program = match (built, &validation) {
        (Ok(p), Ok(_)) => p,
        (Err(AssemblyError::Validation(e)), Err(v)) => {
            assert_eq!(&e, v, "seed {seed:#x}: assembly and validator disagree");
            tally.rejected_by_validator += 1;
            return;
        }
        (Err(_), Err(_)) => {
            // Assembly checks the configuration and buffers first.
            tally.rejected_by_validator += 1;
            return;
        }
        (Err(e), Ok(_)) => {
            // A valid handler that does not fit its program: buffers
            // missing or of another kind, spawns of unknown opcodes or
            // with wrong arguments, reserved ids.
            let _ = e.to_string();
            tally.rejected_by_assembly += 1;
            return;
        }
        (Ok(_), Err(v)) => panic!("seed {seed:#x}: assembled although invalid: {v}\n{handler:#?}"),
    };
    let src = program.wgsl();
    if let Err(msg) = validate_source(&src) {
        panic!(
            "seed {seed:#x}: a valid handler lowered to WGSL naga rejects:\n{msg}\n{handler:#?}"
        );
    }

    // Run it on the reference interpreter, with buffers of random sizes.
    let mut rng = Rng(seed ^ 0xABCD);
    let gpu = Gpu::reference()
        .with_seed(seed)
        .with_workgroups(1 + rng.below(2));
    let mut rt = Runtime::new(&gpu, program.clone()).expect("runtime");
    for (name, kind) in &declared {
        let len = rng.below(6) as usize;
        let words: Vec<u32> = (0..len)
            .map(|_| {
                let bits = rng.next() as u32;
                rng.pick(&[0, 1, 3, u32::MAX, bits])
            })
            .collect();
        let r = match kind.elem {
            U32 => rt.buffer::<u32>(name).and_then(|h| rt.upload(h, &words)),
            I32 => {
                let v: Vec<i32> = words.iter().map(|&w| w as i32).collect();
                rt.buffer::<i32>(name).and_then(|h| rt.upload(h, &v))
            }
            ScalarType::U64 | ScalarType::I64 => {
                let v: Vec<u64> = words
                    .iter()
                    .map(|&w| u64::from(w) * 0x1_0000_0001)
                    .collect();
                if kind.elem == ScalarType::U64 {
                    rt.buffer::<u64>(name).and_then(|h| rt.upload(h, &v))
                } else {
                    let v: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                    rt.buffer::<i64>(name).and_then(|h| rt.upload(h, &v))
                }
            }
            _ => {
                let v: Vec<f32> = words.iter().map(|&w| f32::from_bits(w)).collect();
                rt.buffer::<f32>(name).and_then(|h| rt.upload(h, &v))
            }
        };
        r.unwrap_or_else(|e| panic!("seed {seed:#x}: buffer `{name}`: {e}"));
    }
    let types = handler.arg_types();
    let mut g = Gen {
        rng: Rng(seed ^ 0x1234),
        chaos: 0,
        locals: Vec::new(),
        arg_count: 0,
        scopes: vec![],
        buffers: vec![],
        loop_depth: 0,
    };
    for i in 0..1 + rng.below(6) {
        let args: Vec<Literal> = types.iter().map(|&t| g.literal(t)).collect();
        rt.publish(Priority::ALL[(i % 5) as usize], Task::new(ID, args))
            .unwrap_or_else(|e| panic!("seed {seed:#x}: publish: {e}"));
    }
    rt.publish_raw(
        Priority::Low,
        RawTask {
            opcode: ID,
            tenant: 0,
            args: std::array::from_fn(|_| rng.next() as u32),
        },
    );
    rt.set_limits(RunLimits {
        max_rounds: 200,
        time_limit: Some(Duration::from_secs(10)),
        max_rounds_per_submission: 8,
    })
    .unwrap();
    let report = rt
        .run()
        .unwrap_or_else(|e| panic!("seed {seed:#x}: run failed: {e}\n{handler:#?}"));
    let books = rt.accounting();
    assert!(books.balanced(), "seed {seed:#x}: {books:?}");
    tally.ran += 1;
    tally.faults += report.faults.len() as u64;
    tally.executed += report.executed;
}

fn cases() -> u32 {
    std::env::var("VYRE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(48)
        * 8
}

fn run_property(name: &str, chaos: impl Fn(u64) -> u32) -> Tally {
    let mut tally = Tally::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let t = std::cell::RefCell::new(&mut tally);
    runner
        .run(&any::<u64>(), |seed| {
            check(seed, chaos(seed), &mut t.borrow_mut());
            Ok(())
        })
        .unwrap();
    eprintln!("{name}: {} cases: {tally:?}", cases());
    tally
}

#[test]
fn random_ir_is_rejected_with_a_typed_error_or_lowers_and_runs() {
    // A few wild nodes per handler: most handlers are rejected, each for
    // one reason, and some slip through valid.
    let t = run_property("mixed", |seed| [1, 2, 5, 10][(seed % 4) as usize]);
    assert!(t.rejected_by_validator > 0, "{t:?}");
}

#[test]
fn random_valid_ir_lowers_to_wgsl_naga_accepts_and_runs() {
    let t = run_property("valid", |_| 0);
    assert!(
        t.ran * 2 > cases() as u64,
        "most valid handlers assemble and run: {t:?}"
    );
    assert!(t.executed > 0 && t.faults > 0, "{t:?}");
}

/// Array misuse in the generator reaches each of the validator's array
/// errors (deterministic seeds, validation only).
#[test]
fn array_misuse_is_rejected_with_each_array_error() {
    let mut seen = [0u32; 4];
    for seed in 0..1500 {
        let (handler, _) = random_handler(seed, 10);
        let Err(e) = validate_handler(&handler) else {
            continue;
        };
        let i = match e.kind {
            ValidationErrorKind::ArrayAsValue { .. } => 0,
            ValidationErrorKind::NotAnArray { .. } => 1,
            ValidationErrorKind::ArrayLength { .. } => 2,
            ValidationErrorKind::ArrayInitLength { .. } => 3,
            _ => continue,
        };
        seen[i] += 1;
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "[ArrayAsValue, NotAnArray, ArrayLength, ArrayInitLength]: {seen:?}"
    );
}

/// Found by this test: a handler whose `arg_count` exceeds its local table
/// made the validator index past the table (a panic). It is now a typed
/// error, before any body check.
#[test]
fn more_arguments_than_locals_is_a_typed_error() {
    for (arg_count, locals) in [(1, 0), (3, 2), (12, 1)] {
        let h = OpcodeHandler {
            id: ID,
            name: "h".into(),
            buffers: vec![],
            arg_count,
            locals: (0..locals)
                .map(|i| LocalDecl::scalar(format!("a{i}"), U32, false))
                .collect(),
            body: Block(vec![Stmt::Return]),
        };
        let e = validate_handler(&h).unwrap_err();
        assert_eq!(
            e.kind,
            vyre_core::ir::ValidationErrorKind::ArgumentsWithoutLocals { arg_count, locals }
        );
        let built = Program::builder("p").opcode(h).build();
        assert!(
            matches!(built, Err(AssemblyError::Validation(_))),
            "{built:?}"
        );
    }
}
