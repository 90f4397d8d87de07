//! Expressions of the handler IR.

use vyre_lang::{AtomicOp, BinOp, CtxValue, Intrinsic, Literal, Priority, ScalarType, UnOp};

/// A local variable of one handler body: an index into
/// [`OpcodeHandler::locals`](crate::ir::OpcodeHandler::locals).
/// Task arguments are the first locals, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A buffer parameter of one handler: an index into
/// [`OpcodeHandler::buffers`](crate::ir::OpcodeHandler::buffers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BufferId(pub u32);

/// An expression. Every expression has one [`ScalarType`], which the
/// validator computes and checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Literal),
    /// The value of a local (or task argument).
    Local(LocalId),
    /// A unary operation.
    Unary {
        /// The operator.
        op: UnOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A binary operation. Both operands have the same type, except for
    /// shifts, whose right operand is `u32`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `value as to`, between scalar types (Rust's `as` rules: float to int
    /// saturates; `bool` converts only to integers).
    Cast {
        /// Target type.
        to: ScalarType,
        /// Converted value.
        value: Box<Expr>,
    },
    /// `if cond { if_true } else { if_false }` over pure operands: both
    /// operands are evaluated.
    Select {
        /// Condition (`bool`).
        cond: Box<Expr>,
        /// Value when true.
        if_true: Box<Expr>,
        /// Value when false.
        if_false: Box<Expr>,
    },
    /// A scalar intrinsic; `args[0]` is the receiver.
    Intrinsic {
        /// Which intrinsic.
        func: Intrinsic,
        /// Receiver and operands.
        args: Vec<Expr>,
    },
    /// `buffer[index]` on a plain buffer. Out of bounds faults the slot.
    Load {
        /// The buffer.
        buffer: BufferId,
        /// Element index (`u32`).
        index: Box<Expr>,
    },
    /// `buffer.len() -> u32`.
    Len {
        /// The buffer.
        buffer: BufferId,
    },
    /// An atomic operation on `buffer[index]` of an atomic buffer; yields
    /// the previous value.
    Atomic {
        /// The operation.
        op: AtomicOp,
        /// The atomic buffer.
        buffer: BufferId,
        /// Element index (`u32`).
        index: Box<Expr>,
        /// The operand (absent for `load`).
        value: Option<Box<Expr>>,
    },
    /// A value from the scheduler.
    Ctx(CtxValue),
    /// `buf[index].field` (or `.field[i]`) of a struct buffer: one scalar
    /// of element `index` (out of bounds faults with the index; an element
    /// index outside the field's array faults with that index).
    LoadField {
        /// The struct buffer.
        buffer: BufferId,
        /// The element's index (`u32`).
        index: Box<Expr>,
        /// Which scalar of the element.
        field: FieldRef,
    },
    /// `array[index]` on a local array: the element (`index` is `u32`; out
    /// of bounds faults the task with `OUT_OF_BOUNDS`, detail = the index).
    Index {
        /// The array local.
        array: LocalId,
        /// The element's index.
        index: Box<Expr>,
    },
    /// `index` itself, after checking it against `len`: out of bounds
    /// faults the task with `OUT_OF_BOUNDS`, detail = the index (the value
    /// is then clamped below `len`). It checks one subscript of a
    /// flattened array (`a[j].pos[k]` of a local array of structs is one
    /// local array indexed `j * 2 + k`, each of `j` and `k` checked on
    /// its own, so a fault names the subscript Rust would).
    CheckIndex {
        /// The index (`u32`).
        index: Box<Expr>,
        /// The length it must stay below.
        len: u32,
    },
}

/// One scalar of a struct element: a scalar field (nested fields
/// flattened: `best.id`), or an element of an array field; inside
/// elements of arrays of structs (`all[j].id`) when `rows` say which.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    /// Word offset, within the struct, of the field (of an array field's
    /// first element), in element 0 of every array of structs of `rows`.
    pub word: u32,
    /// The scalar read or written.
    pub ty: ScalarType,
    /// For an element of an array field: its index (`u32`) and the array's
    /// length; the element is at `word + index * ty.words()`.
    pub element: Option<(Box<Expr>, u32)>,
    /// The arrays of structs the field sits in, outermost first: row `r`
    /// moves it `r.index * r.stride` words (each index checked against
    /// its length before the array field's, as Rust indexes).
    pub rows: Vec<FieldRow>,
}

/// One array of structs a [`FieldRef`] goes through (`all: [Inner; 4]`):
/// which element, of how many, how many words apart.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    /// The element's index (`u32`).
    pub index: Box<Expr>,
    /// The array's length.
    pub len: u32,
    /// Words from one element to the next (the inner struct's size).
    pub stride: u32,
}

impl FieldRef {
    /// A scalar field of type `ty` at word `word` of the struct.
    pub fn scalar(word: u32, ty: ScalarType) -> Self {
        FieldRef {
            word,
            ty,
            element: None,
            rows: Vec::new(),
        }
    }

    /// Element `index` of the array field of `len` scalars of type `ty`
    /// starting at word `word`.
    pub fn element(word: u32, ty: ScalarType, index: impl Into<Expr>, len: u32) -> Self {
        FieldRef {
            word,
            ty,
            element: Some((Box::new(index.into()), len)),
            rows: Vec::new(),
        }
    }

    /// The same field inside elements of arrays of structs (outermost
    /// first).
    pub fn within(mut self, rows: Vec<FieldRow>) -> Self {
        self.rows = rows;
        self
    }

    /// The subscripts of this field in evaluation order: the rows, then
    /// the array field's element.
    pub fn subscripts(&self) -> impl Iterator<Item = &Expr> {
        self.bounded_subscripts().map(|(e, _, _)| e)
    }

    /// [`subscripts`](Self::subscripts), each with the length it must stay
    /// below and the words one step of it moves the field.
    pub fn bounded_subscripts(&self) -> impl Iterator<Item = (&Expr, u32, u32)> {
        self.rows
            .iter()
            .map(|r| (&*r.index, r.len, r.stride))
            .chain(
                self.element
                    .as_ref()
                    .map(|(e, len)| (&**e, *len, self.ty.words())),
            )
    }
}

impl Expr {
    /// A literal expression.
    pub fn lit(value: impl Into<Literal>) -> Expr {
        Expr::Lit(value.into())
    }

    /// Whether evaluating this expression can fault the slot (index out of
    /// bounds, integer division or remainder by zero) or touch memory.
    pub fn may_fault(&self) -> bool {
        match self {
            Expr::Lit(_) | Expr::Local(_) | Expr::Ctx(_) | Expr::Len { .. } => false,
            Expr::Load { .. }
            | Expr::Atomic { .. }
            | Expr::Index { .. }
            | Expr::CheckIndex { .. }
            | Expr::LoadField { .. } => true,
            Expr::Unary { operand, .. } => operand.may_fault(),
            Expr::Binary { op, lhs, rhs } => {
                matches!(op, BinOp::Div | BinOp::Rem) || lhs.may_fault() || rhs.may_fault()
            }
            Expr::Cast { value, .. } => value.may_fault(),
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => cond.may_fault() || if_true.may_fault() || if_false.may_fault(),
            Expr::Intrinsic { args, .. } => args.iter().any(Expr::may_fault),
        }
    }
}

impl From<Literal> for Expr {
    fn from(v: Literal) -> Self {
        Expr::Lit(v)
    }
}
impl From<bool> for Expr {
    fn from(v: bool) -> Self {
        Expr::Lit(Literal::Bool(v))
    }
}
impl From<u32> for Expr {
    fn from(v: u32) -> Self {
        Expr::Lit(Literal::U32(v))
    }
}
impl From<i32> for Expr {
    fn from(v: i32) -> Self {
        Expr::Lit(Literal::I32(v))
    }
}
impl From<f32> for Expr {
    fn from(v: f32) -> Self {
        Expr::Lit(Literal::F32(v))
    }
}
impl From<LocalId> for Expr {
    fn from(v: LocalId) -> Self {
        Expr::Local(v)
    }
}
impl From<Priority> for Expr {
    fn from(p: Priority) -> Self {
        Expr::from(p as u32)
    }
}
