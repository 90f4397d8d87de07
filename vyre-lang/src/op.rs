//! The unary and binary operators of the handler language.

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

    /// True for `<`, `<=`, `>` and `>=` (which `bool` does not have).
    pub fn is_ordering(self) -> bool {
        matches!(self, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    /// True for `<<` and `>>`, whose right operand is `u32`.
    pub fn is_shift(self) -> bool {
        matches!(self, BinOp::Shl | BinOp::Shr)
    }

    /// True for the short-circuiting `&&` and `||`.
    pub fn is_logic(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
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
