//! Expression evaluation with protocol.md's fault rules. Recursion follows
//! the expression tree only (statements never recurse: see `lane.rs`).

use super::ops::{self, truth, word};
use crate::cpu::{Claimed, CpuMachine, TaskFault, TaskState};
use crate::ir::{AtomicOp, BinOp, CtxValue, Expr, ExprId, HandlerInfo, Literal};

/// What one expression evaluation sees: the machine, the task's state,
/// locals and words, the handler's types and the lane running it.
pub(super) struct Env<'a> {
    pub machine: &'a mut CpuMachine,
    pub state: &'a mut TaskState,
    pub locals: &'a [Literal],
    pub arrays: &'a [Vec<Literal>],
    pub task: &'a Claimed,
    pub handler: usize,
    pub info: &'a HandlerInfo,
    pub lane: u32,
}

impl Env<'_> {
    /// Evaluates `e`, numbered `id` (`ir::HandlerInfo`), operands left to
    /// right. A faulting operation
    /// records its fault (if none is recorded) and yields a zero of its
    /// type; evaluation goes on, and the task-side operations of
    /// [`CpuMachine`] suppress every side effect once a fault is recorded.
    /// `&&` and `||` short-circuit; `Select` evaluates all three operands.
    pub fn eval(&mut self, e: &Expr, id: ExprId) -> Literal {
        let info = self.info;
        let first = info.operand(id);
        let second = info.next_expr(first);
        match e {
            Expr::Lit(l) => *l,
            Expr::Local(id) => self
                .locals
                .get(id.0 as usize)
                .copied()
                .unwrap_or(Literal::U32(0)),
            Expr::Unary { op, operand } => {
                let v = self.eval(operand, first);
                ops::unary(*op, v)
            }
            Expr::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                let l = self.eval(lhs, first);
                Literal::Bool(truth(l) && truth(self.eval(rhs, second)))
            }
            Expr::Binary {
                op: BinOp::Or,
                lhs,
                rhs,
            } => {
                let l = self.eval(lhs, first);
                Literal::Bool(truth(l) || truth(self.eval(rhs, second)))
            }
            Expr::Binary { op, lhs, rhs } => {
                let l = self.eval(lhs, first);
                let r = self.eval(rhs, second);
                ops::binary(*op, l, r).unwrap_or_else(|fault| {
                    self.state.record(fault);
                    ops::zero(info.ty(id))
                })
            }
            Expr::Cast { to, value } => {
                let v = self.eval(value, first);
                ops::cast(*to, v)
            }
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.eval(cond, first);
                let t = self.eval(if_true, second);
                let f = self.eval(if_false, info.next_expr(second));
                if truth(c) {
                    t
                } else {
                    f
                }
            }
            Expr::Intrinsic { func, args } => {
                let mut vals = [Literal::U32(0); 3];
                let n = args.len().min(vals.len());
                for ((slot, a), aid) in vals.iter_mut().zip(args).zip(info.siblings(first)) {
                    *slot = self.eval(a, aid);
                }
                func.eval(&vals[..n])
            }
            Expr::Load { buffer, index } => {
                let i = word(self.eval(index, first));
                let bits = self
                    .machine
                    .task_load(self.state, self.handler, buffer.0, i);
                Literal::from_words(info.ty(id), bits)
            }
            Expr::Len { buffer } => Literal::U32(self.machine.task_len(self.handler, buffer.0)),
            Expr::Atomic {
                op,
                buffer,
                index,
                value,
            } => {
                let i = word(self.eval(index, first));
                let operand = match value {
                    Some(v) => word(self.eval(v, second)),
                    None => 0,
                };
                let op: AtomicOp = *op;
                let bits =
                    self.machine
                        .task_atomic(self.state, self.handler, buffer.0, op, i, operand);
                Literal::from_word(info.ty(id), bits)
            }
            Expr::LoadField {
                buffer,
                index,
                field,
            } => {
                let i = word(self.eval(index, first));
                let mut id = second;
                let mut subscripts = Vec::new();
                for (e, len, stride) in field.bounded_subscripts() {
                    subscripts.push((word(self.eval(e, id)), len, stride));
                    id = info.next_expr(id);
                }
                let n = field.ty.words() as usize;
                let bits = self.machine.task_load_field(
                    self.state,
                    self.handler,
                    buffer.0,
                    i,
                    field.word,
                    n,
                    &subscripts,
                );
                Literal::from_words(field.ty, bits)
            }
            Expr::Index { array, index } => {
                let i = word(self.eval(index, first));
                let element = self
                    .arrays
                    .get(array.0 as usize)
                    .and_then(|a| a.get(i as usize))
                    .copied();
                element.unwrap_or_else(|| {
                    self.state.record(TaskFault::out_of_bounds(i));
                    ops::zero(info.ty(id))
                })
            }
            Expr::CheckIndex { index, len } => {
                let i = word(self.eval(index, first));
                if i >= *len {
                    self.state.record(TaskFault::out_of_bounds(i));
                    return Literal::U32(len.saturating_sub(1));
                }
                Literal::U32(i)
            }
            Expr::Ctx(v) => Literal::U32(match v {
                CtxValue::Lane => self.lane,
                CtxValue::Slot => self.task.slot,
                CtxValue::Tenant => self.task.tenant,
                CtxValue::Priority => self.task.priority,
            }),
        }
    }
}
