//! Expression evaluation with protocol.md's fault rules. Recursion follows
//! the expression tree only (statements never recurse: see `lane.rs`).

use super::ops::{self, truth, word};
use crate::cpu::{Claimed, CpuMachine, TaskState};
use crate::ir::{AtomicOp, BinOp, BufferId, CtxValue, Expr, Literal, ScalarType};

/// What one expression evaluation sees: the machine, the task's state,
/// locals and words, and the lane running it.
pub(super) struct Env<'a> {
    pub machine: &'a mut CpuMachine,
    pub state: &'a mut TaskState,
    pub locals: &'a [Literal],
    pub task: &'a Claimed,
    pub handler: usize,
    pub lane: u32,
}

impl Env<'_> {
    /// The element type of the handler's buffer parameter `buffer`.
    pub fn elem(&self, buffer: BufferId) -> ScalarType {
        self.machine
            .program()
            .handlers()
            .get(self.handler)
            .and_then(|h| h.buffers.get(buffer.0 as usize))
            .map_or(ScalarType::U32, |b| b.elem)
    }

    /// Evaluates `e`, operands left to right. A faulting operation
    /// records its fault (if none is recorded) and yields a zero of its
    /// type; evaluation goes on, and the task-side operations of
    /// [`CpuMachine`] suppress every side effect once a fault is recorded.
    /// `&&` and `||` short-circuit; `Select` evaluates all three operands.
    pub fn eval(&mut self, e: &Expr) -> Literal {
        match e {
            Expr::Lit(l) => *l,
            Expr::Local(id) => self
                .locals
                .get(id.0 as usize)
                .copied()
                .unwrap_or(Literal::U32(0)),
            Expr::Unary { op, operand } => {
                let v = self.eval(operand);
                ops::unary(*op, v)
            }
            Expr::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                let l = self.eval(lhs);
                Literal::Bool(truth(l) && truth(self.eval(rhs)))
            }
            Expr::Binary {
                op: BinOp::Or,
                lhs,
                rhs,
            } => {
                let l = self.eval(lhs);
                Literal::Bool(truth(l) || truth(self.eval(rhs)))
            }
            Expr::Binary { op, lhs, rhs } => {
                let l = self.eval(lhs);
                let r = self.eval(rhs);
                ops::binary(*op, l, r).unwrap_or_else(|fault| {
                    self.state.record(fault);
                    ops::zero(l.ty())
                })
            }
            Expr::Cast { to, value } => {
                let v = self.eval(value);
                ops::cast(*to, v)
            }
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.eval(cond);
                let t = self.eval(if_true);
                let f = self.eval(if_false);
                if truth(c) {
                    t
                } else {
                    f
                }
            }
            Expr::Intrinsic { func, args } => {
                let mut vals = [Literal::U32(0); 3];
                let n = args.len().min(vals.len());
                for (slot, a) in vals.iter_mut().zip(args) {
                    *slot = self.eval(a);
                }
                func.eval(&vals[..n])
            }
            Expr::Load { buffer, index } => {
                let i = word(self.eval(index));
                let bits = self
                    .machine
                    .task_load(self.state, self.handler, buffer.0, i);
                Literal::from_word(self.elem(*buffer), bits)
            }
            Expr::Len { buffer } => Literal::U32(self.machine.task_len(self.handler, buffer.0)),
            Expr::Atomic {
                op,
                buffer,
                index,
                value,
            } => {
                let i = word(self.eval(index));
                let operand = match value {
                    Some(v) => word(self.eval(v)),
                    None => 0,
                };
                let op: AtomicOp = *op;
                let bits =
                    self.machine
                        .task_atomic(self.state, self.handler, buffer.0, op, i, operand);
                Literal::from_word(self.elem(*buffer), bits)
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
