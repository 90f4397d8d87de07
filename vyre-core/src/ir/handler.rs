//! One opcode handler: its id, name, parameters and IR body.

use super::stmt::Block;
use vyre_lang::{Access, ScalarType, StructLayout};

/// A buffer parameter of a handler. It binds, by name, to the megakernel's
/// buffer of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferParam {
    /// Parameter (and buffer) name.
    pub name: String,
    /// Element type.
    pub elem: ScalarType,
    /// How the handler uses it.
    pub access: Access,
    /// For a buffer of `#[derive(Element)]` structs, their layout (`elem`
    /// is then `u32`, the words they are stored as; the handler reaches
    /// them field by field: [`Expr::LoadField`](crate::ir::Expr::LoadField),
    /// [`Stmt::StoreField`](crate::ir::Stmt::StoreField)).
    pub structure: Option<&'static StructLayout>,
}

/// A local variable of a handler; task arguments are the first locals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDecl {
    /// Source name (hygienic names are made from it in generated code).
    pub name: String,
    /// Type (the element type of an array).
    pub ty: ScalarType,
    /// Declared `mut`.
    pub mutable: bool,
    /// `Some(n)`: a fixed-size array `[ty; n]` (declared by
    /// [`Stmt::LetArray`](crate::ir::Stmt::LetArray), read through
    /// [`Expr::Index`], written through
    /// [`Stmt::StoreIndex`](crate::ir::Stmt::StoreIndex)); `None`: a scalar.
    ///
    /// [`Expr::Index`]: crate::ir::Expr::Index
    pub array: Option<u32>,
}

impl LocalDecl {
    /// A scalar local.
    pub fn scalar(name: impl Into<String>, ty: ScalarType, mutable: bool) -> Self {
        LocalDecl {
            name: name.into(),
            ty,
            mutable,
            array: None,
        }
    }
}

/// An opcode handler: what `#[opcode]` produces, or what
/// [`HandlerBuilder`](crate::ir::HandlerBuilder) builds by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct OpcodeHandler {
    /// Opcode id; `0xFFFF_0000..` is reserved.
    pub id: u32,
    /// Handler name (an identifier).
    pub name: String,
    /// Buffer parameters in declaration order.
    pub buffers: Vec<BufferParam>,
    /// How many of the first `locals` are task arguments.
    pub arg_count: usize,
    /// Every local: arguments first, then body locals.
    pub locals: Vec<LocalDecl>,
    /// The body.
    pub body: Block,
}

impl OpcodeHandler {
    /// The task arguments.
    pub fn args(&self) -> &[LocalDecl] {
        &self.locals[..self.arg_count.min(self.locals.len())]
    }

    /// Slot words the task arguments take: one each, two for `u64` and
    /// `i64`.
    pub fn arg_words(&self) -> usize {
        self.args().iter().map(|a| a.ty.words() as usize).sum()
    }

    /// The types of the task arguments, in order.
    pub fn arg_types(&self) -> Vec<ScalarType> {
        self.args().iter().map(|a| a.ty).collect()
    }
}
