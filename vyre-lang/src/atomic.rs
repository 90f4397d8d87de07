//! Atomic operations on an element of an atomic buffer.

/// Read-modify-write and load operations on an element of an atomic buffer.
/// Each yields the element's previous value. (Stores are the statement
/// `Stmt::AtomicStore`; compare-exchange is
/// `Stmt::CompareExchange`.)
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
