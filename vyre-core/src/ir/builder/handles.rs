//! The handles a handler body names: locals and arguments ([`Var`]),
//! buffer parameters ([`BufferRef`], whose methods make the loads, lengths
//! and atomics that touch them) and context values ([`ctx`]).

use crate::ir::expr::{BufferId, Expr, FieldRef, LocalId};
use vyre_lang::{Access, AtomicOp, CtxValue, ScalarType};

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

/// A local array being built (`let a = [v; N];`): a copyable handle whose
/// [`at`](Self::at) reads an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayVar {
    /// The array local's index.
    pub id: LocalId,
    /// Element type.
    pub elem: ScalarType,
    /// Number of elements.
    pub len: u32,
}

impl ArrayVar {
    /// `array[index]` (`index` is `u32`; out of bounds faults the task).
    pub fn at(self, index: impl Into<Expr>) -> Expr {
        Expr::Index {
            array: self.id,
            index: Box::new(index.into()),
        }
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
    /// `buf[index].field` on a struct buffer: the scalar `field` names.
    pub fn field(self, index: impl Into<Expr>, field: FieldRef) -> Expr {
        Expr::LoadField {
            buffer: self.id,
            index: Box::new(index.into()),
            field,
        }
    }

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

/// `ctx.lane()`, `ctx.slot()`, `ctx.tenant()`, `ctx.priority()`.
pub fn ctx(value: CtxValue) -> Expr {
    Expr::Ctx(value)
}
