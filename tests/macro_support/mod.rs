//! Test support for the macro tests: a small single-lane interpreter of the
//! handler IR (the semantics of docs/protocol.md "Inside a task"), used to
//! check that the IR `#[opcode]` generates does what the original function
//! does on the host.

#![allow(dead_code)]

use vyre::host::{Ctx, HostBuffer, HostBuffers, Outcome};
use vyre::ir::*;
use vyre::program::OpcodeHandler;
use vyre::FaultKind;

/// What one task did.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub buffers: Vec<Vec<u32>>,
    pub fault: Option<FaultKind>,
    pub spawns: Vec<(u32, u32, Vec<u32>)>,
    pub prints: Vec<String>,
    pub shutdown: bool,
}

enum Flow {
    Next,
    Break,
    Continue,
    Return,
    Stop,
}

struct Interp<'a> {
    h: &'a OpcodeHandler,
    locals: Vec<Literal>,
    buffers: Vec<Vec<u32>>,
    fault: Option<FaultKind>,
    spawns: Vec<(u32, u32, Vec<u32>)>,
    prints: Vec<String>,
    shutdown: bool,
    loops: u32,
    loop_limit: u32,
    ctx: [u32; 4],
}

/// Runs `h` once with `args` over `buffers` (words), ctx values
/// `[lane, slot, tenant, priority]`.
pub fn run_ir(
    h: &OpcodeHandler,
    buffers: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    loop_limit: u32,
) -> Run {
    let mut it = Interp {
        h,
        locals: vec![Literal::U32(0); h.locals.len()],
        buffers: buffers.to_vec(),
        fault: None,
        spawns: Vec::new(),
        prints: Vec::new(),
        shutdown: false,
        loops: 0,
        loop_limit,
        ctx,
    };
    for (i, a) in h.args().iter().enumerate() {
        it.locals[i] = Literal::from_word(a.ty, args.get(i).copied().unwrap_or(0));
    }
    it.block(&h.body);
    Run {
        buffers: it.buffers,
        fault: it.fault,
        spawns: it.spawns,
        prints: it.prints,
        shutdown: it.shutdown,
    }
}

fn zero(ty: ScalarType) -> Literal {
    Literal::from_word(ty, 0)
}

impl Interp<'_> {
    fn set_fault(&mut self, k: FaultKind) {
        if self.fault.is_none() {
            self.fault = Some(k);
        }
    }

    fn block(&mut self, b: &Block) -> Flow {
        for s in b.stmts() {
            match self.stmt(s) {
                Flow::Next => {}
                f => return f,
            }
            if self.fault.is_some() {
                return Flow::Stop;
            }
        }
        Flow::Next
    }

    fn tick(&mut self) -> bool {
        self.loops += 1;
        if self.loops > self.loop_limit {
            self.set_fault(FaultKind::LoopLimit {
                limit: self.loop_limit,
            });
            return false;
        }
        true
    }

    fn run_loop_body(&mut self, body: &Block) -> Option<Flow> {
        if !self.tick() {
            return Some(Flow::Stop);
        }
        match self.block(body) {
            Flow::Break => Some(Flow::Next),
            Flow::Continue | Flow::Next => None,
            f => Some(f),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> Flow {
        match s {
            Stmt::Let { local, value } | Stmt::Assign { local, value } => {
                let v = self.expr(value);
                if self.fault.is_none() {
                    self.locals[local.0 as usize] = v;
                }
            }
            Stmt::Store {
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index).to_word();
                let v = self.expr(value).to_word();
                if self.fault.is_none() {
                    let b = &mut self.buffers[buffer.0 as usize];
                    match b.get_mut(i as usize) {
                        Some(slot) => *slot = v,
                        None => self.set_fault(FaultKind::OutOfBounds { index: i }),
                    }
                }
            }
            Stmt::AtomicStore {
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index).to_word();
                let v = self.expr(value).to_word();
                if self.fault.is_none() {
                    match self.buffers[buffer.0 as usize].get_mut(i as usize) {
                        Some(slot) => *slot = v,
                        None => self.set_fault(FaultKind::OutOfBounds { index: i }),
                    }
                }
            }
            Stmt::CompareExchange {
                buffer,
                index,
                current,
                new,
                old,
                exchanged,
            } => {
                let i = self.expr(index).to_word();
                let c = self.expr(current).to_word();
                let n = self.expr(new).to_word();
                let elem = self.h.buffers[buffer.0 as usize].elem;
                if self.fault.is_none() {
                    match self.buffers[buffer.0 as usize].get_mut(i as usize) {
                        Some(slot) => {
                            let prev = *slot;
                            let ok = prev == c;
                            if ok {
                                *slot = n;
                            }
                            self.locals[old.0 as usize] = Literal::from_word(elem, prev);
                            self.locals[exchanged.0 as usize] = Literal::Bool(ok);
                        }
                        None => self.set_fault(FaultKind::OutOfBounds { index: i }),
                    }
                }
            }
            Stmt::Eval(e) => {
                self.expr(e);
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.expr(cond);
                if self.fault.is_some() {
                    return Flow::Stop;
                }
                return if c == Literal::Bool(true) {
                    self.block(then_body)
                } else {
                    self.block(else_body)
                };
            }
            Stmt::Switch {
                selector,
                cases,
                default,
            } => {
                let v = self.expr(selector);
                if self.fault.is_some() {
                    return Flow::Stop;
                }
                for c in cases {
                    if c.values.contains(&v) {
                        return self.block(&c.body);
                    }
                }
                return self.block(default);
            }
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let s = self.expr(start);
                let e = self.expr(end);
                if self.fault.is_some() {
                    return Flow::Stop;
                }
                let (mut i, e) = (s.to_word(), e.to_word());
                let signed = s.ty() == ScalarType::I32;
                let more = |i: u32| {
                    if signed {
                        if *inclusive {
                            (i as i32) <= (e as i32)
                        } else {
                            (i as i32) < (e as i32)
                        }
                    } else if *inclusive {
                        i <= e
                    } else {
                        i < e
                    }
                };
                while more(i) {
                    self.locals[var.0 as usize] = Literal::from_word(s.ty(), i);
                    if let Some(f) = self.run_loop_body(body) {
                        return f;
                    }
                    if *inclusive && i == e {
                        break;
                    }
                    i = i.wrapping_add(1);
                }
            }
            Stmt::While { cond, body } => loop {
                let c = self.expr(cond);
                if self.fault.is_some() {
                    return Flow::Stop;
                }
                if c != Literal::Bool(true) {
                    break;
                }
                if let Some(f) = self.run_loop_body(body) {
                    return f;
                }
            },
            Stmt::Loop { body } => loop {
                if let Some(f) = self.run_loop_body(body) {
                    return f;
                }
            },
            Stmt::Break => return Flow::Break,
            Stmt::Continue => return Flow::Continue,
            Stmt::Return => return Flow::Return,
            Stmt::Block(b) => return self.block(b),
            Stmt::Spawn {
                priority,
                opcode,
                args,
                result,
            } => {
                let p = self.expr(priority).to_word();
                let a: Vec<u32> = args.iter().map(|a| self.expr(a).to_word()).collect();
                if self.fault.is_some() {
                    return Flow::Stop;
                }
                if p > 4 {
                    self.set_fault(FaultKind::BadPriority { priority: p });
                    return Flow::Stop;
                }
                self.spawns.push((p, *opcode, a));
                if let Some(r) = result {
                    self.locals[r.0 as usize] = Literal::Bool(true);
                }
            }
            Stmt::Fault { code } => {
                let c = self.expr(code).to_word();
                self.set_fault(FaultKind::User { code: c });
                return Flow::Stop;
            }
            Stmt::Shutdown => self.shutdown = true,
            Stmt::Printf { format, args } => {
                let a: Vec<Literal> = args.iter().map(|a| self.expr(a)).collect();
                if self.fault.is_none() {
                    self.prints.push(vyre::host::render(format, &a));
                }
            }
        }
        Flow::Next
    }

    fn load(&mut self, buffer: BufferId, i: u32) -> u32 {
        match self.buffers[buffer.0 as usize].get(i as usize) {
            Some(v) => *v,
            None => {
                self.set_fault(FaultKind::OutOfBounds { index: i });
                0
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Literal {
        use Literal::*;
        match e {
            Expr::Lit(l) => *l,
            Expr::Local(l) => self.locals[l.0 as usize],
            Expr::Unary { op, operand } => match (op, self.expr(operand)) {
                (UnOp::Neg, I32(v)) => I32(v.wrapping_neg()),
                (UnOp::Neg, F32(v)) => F32(-v),
                (UnOp::Not, Bool(v)) => Bool(!v),
                (UnOp::Not, U32(v)) => U32(!v),
                (UnOp::Not, I32(v)) => I32(!v),
                (op, v) => panic!("bad unary {op:?} {v:?}"),
            },
            Expr::Binary { op, lhs, rhs } => {
                if matches!(op, BinOp::And | BinOp::Or) {
                    let l = self.expr(lhs);
                    let short = (*op == BinOp::And) != (l == Bool(true));
                    return if short { l } else { self.expr(rhs) };
                }
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                self.binary(*op, l, r)
            }
            Expr::Cast { to, value } => {
                let v = self.expr(value);
                match (v, to) {
                    (U32(x), ScalarType::I32) => I32(x as i32),
                    (U32(x), ScalarType::F32) => F32(x as f32),
                    (I32(x), ScalarType::U32) => U32(x as u32),
                    (I32(x), ScalarType::F32) => F32(x as f32),
                    (F32(x), ScalarType::U32) => U32(x as u32),
                    (F32(x), ScalarType::I32) => I32(x as i32),
                    (Bool(b), ScalarType::U32) => U32(b as u32),
                    (Bool(b), ScalarType::I32) => I32(b as i32),
                    (v, _) => v,
                }
            }
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.expr(cond);
                let t = self.expr(if_true);
                let f = self.expr(if_false);
                if c == Bool(true) {
                    t
                } else {
                    f
                }
            }
            Expr::Intrinsic { func, args } => {
                let a: Vec<Literal> = args.iter().map(|a| self.expr(a)).collect();
                intrinsic(*func, &a)
            }
            Expr::Load { buffer, index } => {
                let i = self.expr(index).to_word();
                let elem = self.h.buffers[buffer.0 as usize].elem;
                let w = self.load(*buffer, i);
                Literal::from_word(elem, w)
            }
            Expr::Len { buffer } => U32(self.buffers[buffer.0 as usize].len() as u32),
            Expr::Atomic {
                op,
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index).to_word();
                let v = value.as_ref().map(|v| self.expr(v));
                let elem = self.h.buffers[buffer.0 as usize].elem;
                if self.fault.is_some() {
                    return zero(elem);
                }
                let Some(slot) = self.buffers[buffer.0 as usize].get_mut(i as usize) else {
                    self.set_fault(FaultKind::OutOfBounds { index: i });
                    return zero(elem);
                };
                let old = *slot;
                let w = v.map(|v| v.to_word()).unwrap_or(0);
                let signed = elem == ScalarType::I32;
                *slot = match op {
                    AtomicOp::Load => old,
                    AtomicOp::FetchAdd => old.wrapping_add(w),
                    AtomicOp::FetchSub => old.wrapping_sub(w),
                    AtomicOp::FetchMin => {
                        if signed {
                            (old as i32).min(w as i32) as u32
                        } else {
                            old.min(w)
                        }
                    }
                    AtomicOp::FetchMax => {
                        if signed {
                            (old as i32).max(w as i32) as u32
                        } else {
                            old.max(w)
                        }
                    }
                    AtomicOp::FetchAnd => old & w,
                    AtomicOp::FetchOr => old | w,
                    AtomicOp::FetchXor => old ^ w,
                    AtomicOp::Swap => w,
                };
                Literal::from_word(elem, old)
            }
            Expr::Ctx(c) => U32(match c {
                CtxValue::Lane => self.ctx[0],
                CtxValue::Slot => self.ctx[1],
                CtxValue::Tenant => self.ctx[2],
                CtxValue::Priority => self.ctx[3],
            }),
        }
    }

    fn binary(&mut self, op: BinOp, l: Literal, r: Literal) -> Literal {
        use Literal::*;
        let div0 = |s: &mut Self| {
            s.set_fault(FaultKind::DivideByZero);
        };
        match (l, r) {
            (U32(a), U32(b)) => match op {
                BinOp::Add => U32(a.wrapping_add(b)),
                BinOp::Sub => U32(a.wrapping_sub(b)),
                BinOp::Mul => U32(a.wrapping_mul(b)),
                BinOp::Div | BinOp::Rem if b == 0 => {
                    div0(self);
                    U32(0)
                }
                BinOp::Div => U32(a / b),
                BinOp::Rem => U32(a % b),
                BinOp::BitAnd => U32(a & b),
                BinOp::BitOr => U32(a | b),
                BinOp::BitXor => U32(a ^ b),
                BinOp::Shl => U32(a.wrapping_shl(b)),
                BinOp::Shr => U32(a.wrapping_shr(b)),
                _ => Bool(cmp(op, a.partial_cmp(&b))),
            },
            (I32(a), U32(b)) if matches!(op, BinOp::Shl | BinOp::Shr) => I32(if op == BinOp::Shl {
                a.wrapping_shl(b)
            } else {
                a.wrapping_shr(b)
            }),
            (I32(a), I32(b)) => match op {
                BinOp::Add => I32(a.wrapping_add(b)),
                BinOp::Sub => I32(a.wrapping_sub(b)),
                BinOp::Mul => I32(a.wrapping_mul(b)),
                BinOp::Div | BinOp::Rem if b == 0 => {
                    div0(self);
                    I32(0)
                }
                BinOp::Div => I32(a.wrapping_div(b)),
                BinOp::Rem => I32(a.wrapping_rem(b)),
                BinOp::BitAnd => I32(a & b),
                BinOp::BitOr => I32(a | b),
                BinOp::BitXor => I32(a ^ b),
                _ => Bool(cmp(op, a.partial_cmp(&b))),
            },
            (F32(a), F32(b)) => match op {
                BinOp::Add => F32(a + b),
                BinOp::Sub => F32(a - b),
                BinOp::Mul => F32(a * b),
                BinOp::Div => F32(a / b),
                BinOp::Rem => F32(a % b),
                _ => Bool(cmp(op, a.partial_cmp(&b))),
            },
            (Bool(a), Bool(b)) => match op {
                BinOp::BitAnd | BinOp::And => Bool(a & b),
                BinOp::BitOr | BinOp::Or => Bool(a | b),
                BinOp::BitXor => Bool(a ^ b),
                BinOp::Eq => Bool(a == b),
                BinOp::Ne => Bool(a != b),
                _ => panic!("bad bool op {op:?}"),
            },
            (l, r) => panic!("bad operands {l:?} {op:?} {r:?}"),
        }
    }
}

fn cmp(op: BinOp, o: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (op, o) {
        (_, None) => op == BinOp::Ne,
        (BinOp::Eq, Some(o)) => o == Equal,
        (BinOp::Ne, Some(o)) => o != Equal,
        (BinOp::Lt, Some(o)) => o == Less,
        (BinOp::Le, Some(o)) => o != Greater,
        (BinOp::Gt, Some(o)) => o == Greater,
        (BinOp::Ge, Some(o)) => o != Less,
        _ => panic!("not a comparison {op:?}"),
    }
}

fn intrinsic(f: Intrinsic, a: &[Literal]) -> Literal {
    use Literal::*;
    match (f, a) {
        (Intrinsic::Min, [U32(x), U32(y)]) => U32(*x.min(y)),
        (Intrinsic::Min, [I32(x), I32(y)]) => I32(*x.min(y)),
        (Intrinsic::Min, [F32(x), F32(y)]) => F32(x.min(*y)),
        (Intrinsic::Max, [U32(x), U32(y)]) => U32(*x.max(y)),
        (Intrinsic::Max, [I32(x), I32(y)]) => I32(*x.max(y)),
        (Intrinsic::Max, [F32(x), F32(y)]) => F32(x.max(*y)),
        (Intrinsic::Clamp, [U32(x), U32(l), U32(h)]) => U32((*x).clamp(*l, *h)),
        (Intrinsic::Clamp, [I32(x), I32(l), I32(h)]) => I32((*x).clamp(*l, *h)),
        (Intrinsic::Clamp, [F32(x), F32(l), F32(h)]) => F32(x.clamp(*l, *h)),
        (Intrinsic::Abs, [I32(x)]) => I32(x.wrapping_abs()),
        (Intrinsic::Abs, [F32(x)]) => F32(x.abs()),
        (Intrinsic::WrappingAdd, [U32(x), U32(y)]) => U32(x.wrapping_add(*y)),
        (Intrinsic::WrappingAdd, [I32(x), I32(y)]) => I32(x.wrapping_add(*y)),
        (Intrinsic::WrappingSub, [U32(x), U32(y)]) => U32(x.wrapping_sub(*y)),
        (Intrinsic::WrappingSub, [I32(x), I32(y)]) => I32(x.wrapping_sub(*y)),
        (Intrinsic::WrappingMul, [U32(x), U32(y)]) => U32(x.wrapping_mul(*y)),
        (Intrinsic::WrappingMul, [I32(x), I32(y)]) => I32(x.wrapping_mul(*y)),
        (Intrinsic::CountOnes, [v]) => U32(v.to_word().count_ones()),
        (Intrinsic::LeadingZeros, [v]) => U32(v.to_word().leading_zeros()),
        (Intrinsic::TrailingZeros, [v]) => U32(v.to_word().trailing_zeros()),
        (Intrinsic::RotateLeft, [U32(x), U32(n)]) => U32(x.rotate_left(*n)),
        (Intrinsic::RotateLeft, [I32(x), U32(n)]) => I32(x.rotate_left(*n)),
        (Intrinsic::RotateRight, [U32(x), U32(n)]) => U32(x.rotate_right(*n)),
        (Intrinsic::RotateRight, [I32(x), U32(n)]) => I32(x.rotate_right(*n)),
        (Intrinsic::ReverseBits, [U32(x)]) => U32(x.reverse_bits()),
        (Intrinsic::ReverseBits, [I32(x)]) => I32(x.reverse_bits()),
        (Intrinsic::Sqrt, [F32(x)]) => F32(x.sqrt()),
        (Intrinsic::Floor, [F32(x)]) => F32(x.floor()),
        (Intrinsic::Ceil, [F32(x)]) => F32(x.ceil()),
        (Intrinsic::Round, [F32(x)]) => F32(x.round()),
        (Intrinsic::Sin, [F32(x)]) => F32(x.sin()),
        (Intrinsic::Cos, [F32(x)]) => F32(x.cos()),
        (Intrinsic::Exp, [F32(x)]) => F32(x.exp()),
        (Intrinsic::Ln, [F32(x)]) => F32(x.ln()),
        (Intrinsic::Powf, [F32(x), F32(y)]) => F32(x.powf(*y)),
        (Intrinsic::MulAdd, [F32(x), F32(y), F32(z)]) => F32(x.mul_add(*y, *z)),
        (f, a) => panic!("bad intrinsic {f:?} {a:?}"),
    }
}

/// Host buffers from words, of the handler's buffer kinds.
pub fn host_buffers(h: &OpcodeHandler, words: &[Vec<u32>]) -> HostBuffers {
    h.buffers
        .iter()
        .zip(words)
        .map(|(b, w)| {
            let kind = BufferKind {
                elem: b.elem,
                atomic: b.access == Access::Atomic,
            };
            HostBuffer::from_words(kind, w)
        })
        .collect()
}

/// Runs the original function through its `__native` entry point, the way
/// the native backend does, and reports the same things as `run_ir`.
pub fn run_native(
    h: &OpcodeHandler,
    native: fn(&Ctx, &HostBuffers, &[usize], &[u32]),
    words: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    loop_limit: u32,
) -> Run {
    let buffers = host_buffers(h, words);
    let bindings: Vec<usize> = (0..words.len()).collect();
    let ctx_obj = Ctx::new()
        .with_lane(ctx[0])
        .with_slot(ctx[1])
        .with_tenant(ctx[2])
        .with_priority(vyre::Priority::from_index(ctx[3]).unwrap())
        .with_loop_limit(loop_limit);
    let out: Outcome<()> = ctx_obj.run(|c| native(c, &buffers, &bindings, args));
    Run {
        buffers: (0..words.len())
            .map(|i| buffers.get(i).unwrap().to_words())
            .collect(),
        fault: out.fault(),
        spawns: out
            .spawns
            .iter()
            .map(|s| {
                (
                    s.priority as u32,
                    s.task.opcode(),
                    s.task.args().iter().map(|a| a.to_word()).collect(),
                )
            })
            .collect(),
        prints: out.prints,
        shutdown: out.shutdown,
    }
}
