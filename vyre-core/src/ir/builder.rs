//! A builder for handler bodies that reads like the Rust it stands for.
//!
//! ```
//! use vyre_core::ir::{Access, HandlerBuilder, ScalarType};
//! use vyre_core::Priority;
//!
//! // fn visit(offsets: &Buffer<u32>, edges: &Buffer<u32>,
//! //          dist: &Buffer<Atomic<u32>>, node: u32, depth: u32)
//! let mut h = HandlerBuilder::new(0x100, "visit");
//! let offsets = h.buffer("offsets", ScalarType::U32, Access::Read);
//! let edges = h.buffer("edges", ScalarType::U32, Access::Read);
//! let dist = h.buffer("dist", ScalarType::U32, Access::Atomic);
//! let node = h.arg("node", ScalarType::U32);
//! let depth = h.arg("depth", ScalarType::U32);
//! h.body(|b| {
//!     b.for_range("e", offsets.at(node), offsets.at(node + 1u32), |b, e| {
//!         let next = b.let_("next", edges.at(e));
//!         let old = dist.fetch_min(next, depth + 1u32);
//!         b.if_(old.gt(depth + 1u32), |b| {
//!             b.spawn(Priority::High, 0x100, vec![next.into(), (depth + 1u32).into()]);
//!         });
//!     });
//! });
//! let handler = h.finish().expect("valid handler");
//! assert_eq!(handler.arg_types(), vec![ScalarType::U32, ScalarType::U32]);
//! ```

use std::ops;

use super::expr::{BufferId, Expr, LocalId};
use super::handler::{BufferParam, LocalDecl, OpcodeHandler};
use super::stmt::{Block, Stmt, SwitchCase};
use super::validate::{type_of, validate_handler, ValidationError, ValidationErrorKind};
use vyre_lang::{Access, Literal, ScalarType};
use vyre_lang::{AtomicOp, BinOp, CtxValue, Intrinsic, UnOp};

/// A local variable (or task argument) being built: a copyable handle that
/// turns into an [`Expr`] wherever one is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    /// The local's index.
    pub id: LocalId,
    /// The local's type.
    pub ty: ScalarType,
}

impl From<Var> for Expr {
    fn from(v: Var) -> Expr {
        Expr::Local(v.id)
    }
}

/// A buffer parameter being built: a copyable handle whose methods make
/// the expressions that touch the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferRef {
    /// The buffer's index among the handler's buffer parameters.
    pub id: BufferId,
    /// Element type.
    pub elem: ScalarType,
    /// Declared access.
    pub access: Access,
}

impl BufferRef {
    /// `buf[index]` (plain buffers).
    pub fn at(self, index: impl Into<Expr>) -> Expr {
        Expr::Load {
            buffer: self.id,
            index: Box::new(index.into()),
        }
    }

    /// `buf.len()`.
    pub fn len(self) -> Expr {
        Expr::Len { buffer: self.id }
    }

    /// An atomic operation on `buf[index]`; `value` is `None` for `load`.
    pub fn atomic(self, op: AtomicOp, index: impl Into<Expr>, value: Option<Expr>) -> Expr {
        Expr::Atomic {
            op,
            buffer: self.id,
            index: Box::new(index.into()),
            value: value.map(Box::new),
        }
    }

    /// `buf[index].load()`.
    pub fn load(self, index: impl Into<Expr>) -> Expr {
        self.atomic(AtomicOp::Load, index, None)
    }
}

macro_rules! atomic_methods {
    ($($name:ident => $op:ident),* $(,)?) => {
        impl BufferRef {
            $(
                #[doc = concat!("`buf[index].", stringify!($name), "(value)`.")]
                pub fn $name(self, index: impl Into<Expr>, value: impl Into<Expr>) -> Expr {
                    self.atomic(AtomicOp::$op, index, Some(value.into()))
                }
            )*
        }
    };
}
atomic_methods!(
    fetch_add => FetchAdd, fetch_sub => FetchSub, fetch_min => FetchMin,
    fetch_max => FetchMax, fetch_and => FetchAnd, fetch_or => FetchOr,
    fetch_xor => FetchXor, swap => Swap,
);

macro_rules! binary_operators {
    ($($trait:ident :: $method:ident => $op:ident),* $(,)?) => {$(
        impl<R: Into<Expr>> ops::$trait<R> for Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                Expr::Binary { op: BinOp::$op, lhs: Box::new(self), rhs: Box::new(rhs.into()) }
            }
        }
        impl<R: Into<Expr>> ops::$trait<R> for Var {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                ops::$trait::$method(Expr::from(self), rhs)
            }
        }
    )*};
}
binary_operators!(
    Add::add => Add, Sub::sub => Sub, Mul::mul => Mul, Div::div => Div, Rem::rem => Rem,
    BitAnd::bitand => BitAnd, BitOr::bitor => BitOr, BitXor::bitxor => BitXor,
    Shl::shl => Shl, Shr::shr => Shr,
);

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Unary {
            op: UnOp::Neg,
            operand: Box::new(self),
        }
    }
}
impl ops::Neg for Var {
    type Output = Expr;
    fn neg(self) -> Expr {
        -Expr::from(self)
    }
}
impl ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        Expr::Unary {
            op: UnOp::Not,
            operand: Box::new(self),
        }
    }
}
impl ops::Not for Var {
    type Output = Expr;
    fn not(self) -> Expr {
        !Expr::from(self)
    }
}

macro_rules! expr_methods {
    ($ty:ty) => {
        impl $ty {
            fn binary(self, op: BinOp, rhs: impl Into<Expr>) -> Expr {
                Expr::Binary {
                    op,
                    lhs: Box::new(self.into()),
                    rhs: Box::new(rhs.into()),
                }
            }
            /// `self < rhs`.
            pub fn lt(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Lt, rhs)
            }
            /// `self <= rhs`.
            pub fn le(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Le, rhs)
            }
            /// `self > rhs`.
            pub fn gt(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Gt, rhs)
            }
            /// `self >= rhs`.
            pub fn ge(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Ge, rhs)
            }
            /// `self == rhs`.
            pub fn equals(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Eq, rhs)
            }
            /// `self != rhs`.
            pub fn not_equals(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Ne, rhs)
            }
            /// `self && rhs` (short-circuiting).
            pub fn and(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::And, rhs)
            }
            /// `self || rhs` (short-circuiting).
            pub fn or(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Or, rhs)
            }
            /// `self as to`.
            pub fn cast(self, to: ScalarType) -> Expr {
                Expr::Cast {
                    to,
                    value: Box::new(self.into()),
                }
            }
            /// A scalar method: `self.func(operands...)`.
            pub fn call(self, func: Intrinsic, operands: Vec<Expr>) -> Expr {
                let mut args = vec![self.into()];
                args.extend(operands);
                Expr::Intrinsic { func, args }
            }
            /// `self.min(rhs)`.
            pub fn min(self, rhs: impl Into<Expr>) -> Expr {
                self.call(Intrinsic::Min, vec![rhs.into()])
            }
            /// `self.max(rhs)`.
            pub fn max(self, rhs: impl Into<Expr>) -> Expr {
                self.call(Intrinsic::Max, vec![rhs.into()])
            }
            /// `if cond { self } else { other }`, both evaluated.
            pub fn select(self, cond: impl Into<Expr>, other: impl Into<Expr>) -> Expr {
                Expr::Select {
                    cond: Box::new(cond.into()),
                    if_true: Box::new(self.into()),
                    if_false: Box::new(other.into()),
                }
            }
        }
    };
}
expr_methods!(Expr);
expr_methods!(Var);

/// `ctx.lane()`, `ctx.slot()`, `ctx.tenant()`, `ctx.priority()`.
pub fn ctx(value: CtxValue) -> Expr {
    Expr::Ctx(value)
}

/// State shared by every block of one handler under construction.
#[derive(Debug)]
struct HandlerState {
    buffers: Vec<BufferParam>,
    locals: Vec<LocalDecl>,
}

impl HandlerState {
    fn new_local(&mut self, name: &str, ty: ScalarType, mutable: bool) -> Var {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(LocalDecl {
            name: name.to_string(),
            ty,
            mutable,
        });
        Var { id, ty }
    }

    /// The type of `e`, for declaring locals. An ill-typed expression gets
    /// `u32` here; the validator reports the real error in `finish`.
    fn type_of(&self, e: &Expr) -> ScalarType {
        type_of(e, &self.locals, &self.buffers, &|_| true).unwrap_or(ScalarType::U32)
    }
}

/// Builds one [`OpcodeHandler`]: declare buffers and arguments, then the
/// body, then [`finish`](HandlerBuilder::finish) validates it.
#[derive(Debug)]
pub struct HandlerBuilder {
    id: u32,
    name: String,
    state: HandlerState,
    arg_count: usize,
    body: Vec<Stmt>,
    late_arg: Option<String>,
}

impl HandlerBuilder {
    /// Starts a handler with opcode `id` and `name`.
    pub fn new(id: u32, name: impl Into<String>) -> Self {
        HandlerBuilder {
            id,
            name: name.into(),
            state: HandlerState {
                buffers: Vec::new(),
                locals: Vec::new(),
            },
            arg_count: 0,
            body: Vec::new(),
            late_arg: None,
        }
    }

    /// Declares a buffer parameter; it binds by `name` to the megakernel's
    /// buffer of the same name.
    pub fn buffer(&mut self, name: &str, elem: ScalarType, access: Access) -> BufferRef {
        let id = BufferId(self.state.buffers.len() as u32);
        self.state.buffers.push(BufferParam {
            name: name.to_string(),
            elem,
            access,
        });
        BufferRef { id, elem, access }
    }

    /// Declares the next task argument. Declare every argument before
    /// writing the body; a late one is reported by
    /// [`finish`](HandlerBuilder::finish).
    pub fn arg(&mut self, name: &str, ty: ScalarType) -> Var {
        if self.state.locals.len() != self.arg_count && self.late_arg.is_none() {
            self.late_arg = Some(name.to_string());
        }
        self.arg_count += 1;
        self.state.new_local(name, ty, false)
    }

    /// Appends statements to the body.
    pub fn body(&mut self, f: impl FnOnce(&mut BlockBuilder<'_>)) -> &mut Self {
        let mut b = BlockBuilder {
            state: &mut self.state,
            stmts: std::mem::take(&mut self.body),
        };
        f(&mut b);
        self.body = b.stmts;
        self
    }

    /// Validates and returns the handler.
    pub fn finish(self) -> Result<OpcodeHandler, ValidationError> {
        if let Some(name) = self.late_arg {
            return Err(ValidationError {
                handler: self.name,
                kind: ValidationErrorKind::ArgumentAfterBody { name },
            });
        }
        let handler = OpcodeHandler {
            id: self.id,
            name: self.name,
            buffers: self.state.buffers,
            arg_count: self.arg_count,
            locals: self.state.locals,
            body: Block(self.body),
        };
        validate_handler(&handler)?;
        Ok(handler)
    }
}

/// Builds one block of statements. Nested blocks are built by closures
/// that receive a child builder.
#[derive(Debug)]
pub struct BlockBuilder<'h> {
    state: &'h mut HandlerState,
    stmts: Vec<Stmt>,
}

impl BlockBuilder<'_> {
    fn child(&mut self, f: impl FnOnce(&mut BlockBuilder<'_>)) -> Block {
        let mut b = BlockBuilder {
            state: &mut *self.state,
            stmts: Vec::new(),
        };
        f(&mut b);
        Block(b.stmts)
    }

    /// Appends a raw statement.
    pub fn push(&mut self, stmt: Stmt) {
        self.stmts.push(stmt);
    }

    /// Declares a fresh local without emitting a statement (for statements
    /// built by hand with [`push`](Self::push)).
    pub fn new_local(&mut self, name: &str, ty: ScalarType, mutable: bool) -> Var {
        self.state.new_local(name, ty, mutable)
    }

    /// `let name = value;`
    pub fn let_(&mut self, name: &str, value: impl Into<Expr>) -> Var {
        self.declare(name, value.into(), false)
    }

    /// `let mut name = value;`
    pub fn let_mut(&mut self, name: &str, value: impl Into<Expr>) -> Var {
        self.declare(name, value.into(), true)
    }

    fn declare(&mut self, name: &str, value: Expr, mutable: bool) -> Var {
        let ty = self.state.type_of(&value);
        let var = self.state.new_local(name, ty, mutable);
        self.stmts.push(Stmt::Let {
            local: var.id,
            value,
        });
        var
    }

    /// `var = value;`
    pub fn assign(&mut self, var: Var, value: impl Into<Expr>) {
        self.stmts.push(Stmt::Assign {
            local: var.id,
            value: value.into(),
        });
    }

    /// `buf[index] = value;`
    pub fn store(&mut self, buf: BufferRef, index: impl Into<Expr>, value: impl Into<Expr>) {
        self.stmts.push(Stmt::Store {
            buffer: buf.id,
            index: index.into(),
            value: value.into(),
        });
    }

    /// `buf[index].store(value);` on an atomic buffer.
    pub fn atomic_store(&mut self, buf: BufferRef, index: impl Into<Expr>, value: impl Into<Expr>) {
        self.stmts.push(Stmt::AtomicStore {
            buffer: buf.id,
            index: index.into(),
            value: value.into(),
        });
    }

    /// `buf[index].compare_exchange(current, new)`: returns the locals
    /// `(old, exchanged)`.
    pub fn compare_exchange(
        &mut self,
        buf: BufferRef,
        index: impl Into<Expr>,
        current: impl Into<Expr>,
        new: impl Into<Expr>,
    ) -> (Var, Var) {
        let old = self.state.new_local("old", buf.elem, false);
        let exchanged = self.state.new_local("exchanged", ScalarType::Bool, false);
        self.stmts.push(Stmt::CompareExchange {
            buffer: buf.id,
            index: index.into(),
            current: current.into(),
            new: new.into(),
            old: old.id,
            exchanged: exchanged.id,
        });
        (old, exchanged)
    }

    /// Evaluates an expression for its side effects (`buf[i].fetch_add(1);`).
    pub fn eval(&mut self, e: impl Into<Expr>) {
        self.stmts.push(Stmt::Eval(e.into()));
    }

    /// `if cond { then }`.
    pub fn if_(&mut self, cond: impl Into<Expr>, then: impl FnOnce(&mut BlockBuilder<'_>)) {
        self.if_else(cond, then, |_| {});
    }

    /// `if cond { then } else { otherwise }`.
    pub fn if_else(
        &mut self,
        cond: impl Into<Expr>,
        then: impl FnOnce(&mut BlockBuilder<'_>),
        otherwise: impl FnOnce(&mut BlockBuilder<'_>),
    ) {
        let cond = cond.into();
        let then_body = self.child(then);
        let else_body = self.child(otherwise);
        self.stmts.push(Stmt::If {
            cond,
            then_body,
            else_body,
        });
    }

    /// `match selector { values => ..., _ => default }`: `arms` lists the
    /// literal values of each arm and a closure for its body.
    #[allow(clippy::type_complexity)]
    pub fn switch(
        &mut self,
        selector: impl Into<Expr>,
        arms: Vec<(Vec<Literal>, Box<dyn FnOnce(&mut BlockBuilder<'_>) + '_>)>,
        default: impl FnOnce(&mut BlockBuilder<'_>),
    ) {
        let selector = selector.into();
        let cases = arms
            .into_iter()
            .map(|(values, body)| SwitchCase {
                values,
                body: self.child(body),
            })
            .collect();
        let default = self.child(default);
        self.stmts.push(Stmt::Switch {
            selector,
            cases,
            default,
        });
    }

    /// `for name in start..end { body }`.
    pub fn for_range(
        &mut self,
        name: &str,
        start: impl Into<Expr>,
        end: impl Into<Expr>,
        body: impl FnOnce(&mut BlockBuilder<'_>, Var),
    ) {
        self.for_loop(name, start.into(), end.into(), false, body);
    }

    /// `for name in start..=end { body }`.
    pub fn for_range_inclusive(
        &mut self,
        name: &str,
        start: impl Into<Expr>,
        end: impl Into<Expr>,
        body: impl FnOnce(&mut BlockBuilder<'_>, Var),
    ) {
        self.for_loop(name, start.into(), end.into(), true, body);
    }

    fn for_loop(
        &mut self,
        name: &str,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: impl FnOnce(&mut BlockBuilder<'_>, Var),
    ) {
        let ty = self.state.type_of(&start);
        let var = self.state.new_local(name, ty, false);
        let body = self.child(|b| body(b, var));
        self.stmts.push(Stmt::For {
            var: var.id,
            start,
            end,
            inclusive,
            body,
        });
    }

    /// `while cond { body }`.
    pub fn while_(&mut self, cond: impl Into<Expr>, body: impl FnOnce(&mut BlockBuilder<'_>)) {
        let cond = cond.into();
        let body = self.child(body);
        self.stmts.push(Stmt::While { cond, body });
    }

    /// `loop { body }`.
    pub fn loop_(&mut self, body: impl FnOnce(&mut BlockBuilder<'_>)) {
        let body = self.child(body);
        self.stmts.push(Stmt::Loop { body });
    }

    /// `{ body }`.
    pub fn block(&mut self, body: impl FnOnce(&mut BlockBuilder<'_>)) {
        let body = self.child(body);
        self.stmts.push(Stmt::Block(body));
    }

    /// `break;`
    pub fn break_(&mut self) {
        self.stmts.push(Stmt::Break);
    }

    /// `continue;`
    pub fn continue_(&mut self) {
        self.stmts.push(Stmt::Continue);
    }

    /// `return;`
    pub fn return_(&mut self) {
        self.stmts.push(Stmt::Return);
    }

    /// `let ok = ctx.spawn(priority, opcode::task(args...));` — returns the
    /// `bool` local that says whether the task was queued.
    pub fn spawn(&mut self, priority: impl Into<Expr>, opcode: u32, args: Vec<Expr>) -> Var {
        let result = self.state.new_local("spawned", ScalarType::Bool, false);
        self.stmts.push(Stmt::Spawn {
            priority: priority.into(),
            opcode,
            args,
            result: Some(result.id),
        });
        result
    }

    /// `ctx.fault(code)`.
    pub fn fault(&mut self, code: impl Into<Expr>) {
        self.stmts.push(Stmt::Fault { code: code.into() });
    }

    /// `ctx.shutdown()`.
    pub fn shutdown(&mut self) {
        self.stmts.push(Stmt::Shutdown);
    }

    /// `vyre::printf!(format, args...)`.
    pub fn printf(&mut self, format: &str, args: Vec<Expr>) {
        self.stmts.push(Stmt::Printf {
            format: format.to_string(),
            args,
        });
    }
}
