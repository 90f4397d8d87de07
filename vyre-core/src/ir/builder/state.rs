//! [`HandlerState`]: the tables of one handler under construction, which
//! the handler's builder and the builders of all its blocks share.

use super::handles::Var;
use crate::ir::expr::{Expr, LocalId};
use crate::ir::handler::{BufferParam, LocalDecl};
use crate::ir::validate::type_of;
use vyre_lang::ScalarType;

/// State shared by every block of one handler under construction: the
/// builders of nested blocks all declare locals into the same table.
#[derive(Debug)]
pub(super) struct HandlerState {
    pub(super) buffers: Vec<BufferParam>,
    pub(super) locals: Vec<LocalDecl>,
}

impl HandlerState {
    pub(super) fn new_local(&mut self, name: &str, ty: ScalarType, mutable: bool) -> Var {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(LocalDecl::scalar(name, ty, mutable));
        Var { id, ty }
    }

    /// The type of `e`, for declaring locals. An ill-typed expression gets
    /// `u32` here; the validator reports the real error in `finish`.
    pub(super) fn type_of(&self, e: &Expr) -> ScalarType {
        type_of(e, &self.locals, &self.buffers, &|_| true).unwrap_or(ScalarType::U32)
    }
}
