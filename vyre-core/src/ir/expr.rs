//! Expressions of the handler IR.

use super::types::{Literal, ScalarType};

/// A local variable of one handler body: an index into
/// [`OpcodeHandler::locals`](crate::program::OpcodeHandler::locals).
/// Task arguments are the first locals, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A buffer parameter of one handler: an index into
/// [`OpcodeHandler::buffers`](crate::program::OpcodeHandler::buffers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BufferId(pub u32);

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x` on `i32` (wrapping) and `f32`.
    Neg,
    /// `!x`: logical not on `bool`, bitwise not on `u32`/`i32`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+` (integers wrap).
    Add,
    /// `-` (integers wrap).
    Sub,
    /// `*` (integers wrap).
    Mul,
    /// `/`: integer division by zero faults the slot.
    Div,
    /// `%`: integer remainder by zero faults the slot.
    Rem,
    /// `&` on integers and `bool`.
    BitAnd,
    /// `|` on integers and `bool`.
    BitOr,
    /// `^` on integers and `bool`.
    BitXor,
    /// `<<`: the right operand is `u32`; the amount is taken modulo 32.
    Shl,
    /// `>>`: arithmetic on `i32`, logical on `u32`; amount modulo 32.
    Shr,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `&&`, short-circuiting.
    And,
    /// `||`, short-circuiting.
    Or,
}

impl BinOp {
    /// True for the comparisons, whose result is `bool`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    /// The Rust spelling of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// Scalar intrinsics: the scalar methods of the handler language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// `a.min(b)` on any numeric type.
    Min,
    /// `a.max(b)` on any numeric type.
    Max,
    /// `x.clamp(lo, hi)` on any numeric type.
    Clamp,
    /// `x.abs()` on `i32` (wrapping) and `f32`.
    Abs,
    /// `a.wrapping_add(b)` on integers.
    WrappingAdd,
    /// `a.wrapping_sub(b)` on integers.
    WrappingSub,
    /// `a.wrapping_mul(b)` on integers.
    WrappingMul,
    /// `x.count_ones() -> u32` on integers.
    CountOnes,
    /// `x.leading_zeros() -> u32` on integers.
    LeadingZeros,
    /// `x.trailing_zeros() -> u32` on integers.
    TrailingZeros,
    /// `x.rotate_left(n: u32)` on integers.
    RotateLeft,
    /// `x.rotate_right(n: u32)` on integers.
    RotateRight,
    /// `x.reverse_bits()` on integers.
    ReverseBits,
    /// `x.sqrt()` on `f32`.
    Sqrt,
    /// `x.floor()` on `f32`.
    Floor,
    /// `x.ceil()` on `f32`.
    Ceil,
    /// `x.round()` on `f32`: half away from zero, as in Rust.
    Round,
    /// `x.sin()` on `f32`.
    Sin,
    /// `x.cos()` on `f32`.
    Cos,
    /// `x.exp()` on `f32`.
    Exp,
    /// `x.ln()` on `f32`.
    Ln,
    /// `x.powf(y)` on `f32`.
    Powf,
    /// `a.mul_add(b, c)` = `a * b + c` on `f32`.
    MulAdd,
}

impl Intrinsic {
    /// Every intrinsic, for tests and tables.
    pub const ALL: [Intrinsic; 23] = [
        Intrinsic::Min,
        Intrinsic::Max,
        Intrinsic::Clamp,
        Intrinsic::Abs,
        Intrinsic::WrappingAdd,
        Intrinsic::WrappingSub,
        Intrinsic::WrappingMul,
        Intrinsic::CountOnes,
        Intrinsic::LeadingZeros,
        Intrinsic::TrailingZeros,
        Intrinsic::RotateLeft,
        Intrinsic::RotateRight,
        Intrinsic::ReverseBits,
        Intrinsic::Sqrt,
        Intrinsic::Floor,
        Intrinsic::Ceil,
        Intrinsic::Round,
        Intrinsic::Sin,
        Intrinsic::Cos,
        Intrinsic::Exp,
        Intrinsic::Ln,
        Intrinsic::Powf,
        Intrinsic::MulAdd,
    ];

    /// The Rust method name (`wrapping_add`, `sqrt`, ...).
    pub fn method_name(self) -> &'static str {
        match self {
            Intrinsic::Min => "min",
            Intrinsic::Max => "max",
            Intrinsic::Clamp => "clamp",
            Intrinsic::Abs => "abs",
            Intrinsic::WrappingAdd => "wrapping_add",
            Intrinsic::WrappingSub => "wrapping_sub",
            Intrinsic::WrappingMul => "wrapping_mul",
            Intrinsic::CountOnes => "count_ones",
            Intrinsic::LeadingZeros => "leading_zeros",
            Intrinsic::TrailingZeros => "trailing_zeros",
            Intrinsic::RotateLeft => "rotate_left",
            Intrinsic::RotateRight => "rotate_right",
            Intrinsic::ReverseBits => "reverse_bits",
            Intrinsic::Sqrt => "sqrt",
            Intrinsic::Floor => "floor",
            Intrinsic::Ceil => "ceil",
            Intrinsic::Round => "round",
            Intrinsic::Sin => "sin",
            Intrinsic::Cos => "cos",
            Intrinsic::Exp => "exp",
            Intrinsic::Ln => "ln",
            Intrinsic::Powf => "powf",
            Intrinsic::MulAdd => "mul_add",
        }
    }

    /// The intrinsic whose Rust method name is `name`.
    pub fn from_method_name(name: &str) -> Option<Intrinsic> {
        Intrinsic::ALL.into_iter().find(|i| i.method_name() == name)
    }

    /// Number of operands, the receiver included.
    pub fn arity(self) -> usize {
        match self {
            Intrinsic::Clamp | Intrinsic::MulAdd => 3,
            Intrinsic::Min
            | Intrinsic::Max
            | Intrinsic::WrappingAdd
            | Intrinsic::WrappingSub
            | Intrinsic::WrappingMul
            | Intrinsic::RotateLeft
            | Intrinsic::RotateRight
            | Intrinsic::Powf => 2,
            _ => 1,
        }
    }

    /// The result type for a receiver of type `receiver`, or `None` when the
    /// intrinsic does not exist for that type. Operand types are checked by
    /// the validator: they equal the receiver's, except the `u32` amount of
    /// the rotations.
    pub fn result_type(self, receiver: ScalarType) -> Option<ScalarType> {
        use ScalarType::*;
        match (self, receiver) {
            (Intrinsic::Min | Intrinsic::Max | Intrinsic::Clamp, U32 | I32 | F32) => Some(receiver),
            (Intrinsic::Abs, I32 | F32) => Some(receiver),
            (
                Intrinsic::WrappingAdd
                | Intrinsic::WrappingSub
                | Intrinsic::WrappingMul
                | Intrinsic::RotateLeft
                | Intrinsic::RotateRight
                | Intrinsic::ReverseBits,
                U32 | I32,
            ) => Some(receiver),
            (
                Intrinsic::CountOnes | Intrinsic::LeadingZeros | Intrinsic::TrailingZeros,
                U32 | I32,
            ) => Some(U32),
            (
                Intrinsic::Sqrt
                | Intrinsic::Floor
                | Intrinsic::Ceil
                | Intrinsic::Round
                | Intrinsic::Sin
                | Intrinsic::Cos
                | Intrinsic::Exp
                | Intrinsic::Ln
                | Intrinsic::Powf
                | Intrinsic::MulAdd,
                F32,
            ) => Some(F32),
            _ => None,
        }
    }
}

/// Read-modify-write and load operations on an element of an atomic buffer.
/// Each yields the element's previous value. (Stores are the statement
/// [`Stmt::AtomicStore`](super::Stmt::AtomicStore); compare-exchange is
/// [`Stmt::CompareExchange`](super::Stmt::CompareExchange).)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// `load()`: no operand.
    Load,
    /// `fetch_add(v)` (wrapping).
    FetchAdd,
    /// `fetch_sub(v)` (wrapping).
    FetchSub,
    /// `fetch_min(v)`.
    FetchMin,
    /// `fetch_max(v)`.
    FetchMax,
    /// `fetch_and(v)`.
    FetchAnd,
    /// `fetch_or(v)`.
    FetchOr,
    /// `fetch_xor(v)`.
    FetchXor,
    /// `swap(v)`.
    Swap,
}

impl AtomicOp {
    /// Every atomic operation.
    pub const ALL: [AtomicOp; 9] = [
        AtomicOp::Load,
        AtomicOp::FetchAdd,
        AtomicOp::FetchSub,
        AtomicOp::FetchMin,
        AtomicOp::FetchMax,
        AtomicOp::FetchAnd,
        AtomicOp::FetchOr,
        AtomicOp::FetchXor,
        AtomicOp::Swap,
    ];

    /// The Rust method name.
    pub fn method_name(self) -> &'static str {
        match self {
            AtomicOp::Load => "load",
            AtomicOp::FetchAdd => "fetch_add",
            AtomicOp::FetchSub => "fetch_sub",
            AtomicOp::FetchMin => "fetch_min",
            AtomicOp::FetchMax => "fetch_max",
            AtomicOp::FetchAnd => "fetch_and",
            AtomicOp::FetchOr => "fetch_or",
            AtomicOp::FetchXor => "fetch_xor",
            AtomicOp::Swap => "swap",
        }
    }

    /// The operation whose Rust method name is `name`.
    pub fn from_method_name(name: &str) -> Option<AtomicOp> {
        AtomicOp::ALL.into_iter().find(|o| o.method_name() == name)
    }

    /// Whether the operation takes a value operand.
    pub fn has_operand(self) -> bool {
        self != AtomicOp::Load
    }
}

/// A value the scheduler gives the running task (`ctx.lane()`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CtxValue {
    /// `ctx.lane() -> u32`: the global index of the executing lane.
    Lane,
    /// `ctx.slot() -> u32`: the ring slot of the running task.
    Slot,
    /// `ctx.tenant() -> u32`: the tenant of the running task.
    Tenant,
    /// `ctx.priority()`: the running task's priority as `u32`, 0 = CRITICAL
    /// to 4 = IDLE.
    Priority,
}

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
            Expr::Load { .. } | Expr::Atomic { .. } => true,
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
