//! [`HandlerBuilder`]: a handler's buffer and local tables under
//! construction, its arguments and body, and the validation that
//! [`finish`](HandlerBuilder::finish) runs.

use super::block::BlockBuilder;
use super::handles::{BufferRef, Var};
use super::state::HandlerState;
use crate::ir::expr::BufferId;
use crate::ir::handler::{BufferParam, OpcodeHandler};
use crate::ir::stmt::{Block, Stmt};
use crate::ir::validate::{validate_handler, ValidationError, ValidationErrorKind};
use vyre_lang::{Access, ScalarType, StructLayout};

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
            structure: None,
        });
        BufferRef { id, elem, access }
    }

    /// Declares a buffer parameter of `#[derive(Element)]` structs of
    /// `layout` (`<T as Element>::LAYOUT`'s struct): its scalars are read
    /// with [`BufferRef::field`] and written with
    /// [`BlockBuilder::store_field`](crate::ir::BlockBuilder::store_field).
    pub fn struct_buffer(
        &mut self,
        name: &str,
        layout: &'static StructLayout,
        access: Access,
    ) -> BufferRef {
        let id = BufferId(self.state.buffers.len() as u32);
        self.state.buffers.push(BufferParam {
            name: name.to_string(),
            elem: ScalarType::U32,
            access,
            structure: Some(layout),
        });
        BufferRef {
            id,
            elem: ScalarType::U32,
            access,
        }
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
