//! [`BlockBuilder`]: the statements of one block, nested blocks built by
//! closures over a child builder that shares the handler's tables.

use super::handles::{ArrayVar, BufferRef, Var};
use super::state::HandlerState;
use crate::ir::expr::{Expr, FieldRef};
use crate::ir::handler::LocalDecl;
use crate::ir::stmt::{ArrayInit, Block, Stmt, SwitchCase};
use vyre_lang::{Literal, ScalarType};

/// Builds one block of statements. Nested blocks are built by closures
/// that receive a child builder.
#[derive(Debug)]
pub struct BlockBuilder<'h> {
    pub(super) state: &'h mut HandlerState,
    pub(super) stmts: Vec<Stmt>,
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

    /// `buf[index].field = value;` on a read-write struct buffer.
    pub fn store_field(
        &mut self,
        buf: BufferRef,
        index: impl Into<Expr>,
        field: FieldRef,
        value: impl Into<Expr>,
    ) {
        self.stmts.push(Stmt::StoreField {
            buffer: buf.id,
            index: index.into(),
            field,
            value: value.into(),
        });
    }

    /// `let [mut] name = [v; len];` (`ArrayInit::Repeat`) or `[a, b, …]`
    /// (`ArrayInit::List`, `len` elements): a local array of `elem`.
    pub fn let_array(
        &mut self,
        name: &str,
        elem: ScalarType,
        len: u32,
        mutable: bool,
        init: ArrayInit,
    ) -> ArrayVar {
        let id = crate::ir::LocalId(self.state.locals.len() as u32);
        self.state.locals.push(LocalDecl {
            array: Some(len),
            ..LocalDecl::scalar(name, elem, mutable)
        });
        self.stmts.push(Stmt::LetArray { array: id, init });
        ArrayVar { id, elem, len }
    }

    /// `array[index] = value;`
    pub fn store_index(&mut self, array: ArrayVar, index: impl Into<Expr>, value: impl Into<Expr>) {
        self.stmts.push(Stmt::StoreIndex {
            array: array.id,
            index: index.into(),
            value: value.into(),
        });
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

    /// A device→host request of kind `kind` with `args`, whose reply goes
    /// to a new task of `opcode` at `priority` after the arguments `given`
    /// (`docs/protocol.md`, "Host requests") — returns the `bool` local
    /// that says whether the request was taken.
    pub fn request(
        &mut self,
        priority: impl Into<Expr>,
        kind: u32,
        args: Vec<Expr>,
        opcode: u32,
        given: Vec<Expr>,
    ) -> Var {
        let result = self.state.new_local("requested", ScalarType::Bool, false);
        self.stmts.push(Stmt::Request {
            priority: priority.into(),
            kind,
            args,
            opcode,
            given,
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
