//! The scalar and buffer types of the handler language, and scalar values.

use std::fmt;

/// A scalar type: the type of every local, argument and expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `bool`; stored as one slot word (0 or 1) when it is a task argument.
    Bool,
    /// `u32`.
    U32,
    /// `i32`.
    I32,
    /// `f32`.
    F32,
}

impl ScalarType {
    /// The Rust spelling of the type (`u32`, `bool`, ...).
    pub fn rust_name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::U32 => "u32",
            ScalarType::I32 => "i32",
            ScalarType::F32 => "f32",
        }
    }

    /// Every scalar type.
    pub const ALL: [ScalarType; 4] = [
        ScalarType::Bool,
        ScalarType::U32,
        ScalarType::I32,
        ScalarType::F32,
    ];

    /// The type whose Rust spelling is `name` (`"u32"` → `U32`).
    pub fn from_rust_name(name: &str) -> Option<ScalarType> {
        ScalarType::ALL.into_iter().find(|t| t.rust_name() == name)
    }

    /// True for `u32` and `i32`.
    pub fn is_integer(self) -> bool {
        matches!(self, ScalarType::U32 | ScalarType::I32)
    }

    /// True for `u32`, `i32` and `f32`.
    pub fn is_numeric(self) -> bool {
        !matches!(self, ScalarType::Bool)
    }

    /// True for the types a buffer element may have (`u32`, `i32`, `f32`).
    pub fn is_buffer_element(self) -> bool {
        self.is_numeric()
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rust_name())
    }
}

/// How a handler (or a program) may touch a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `&Buffer<T>`: loads and `len()` only.
    Read,
    /// `&mut Buffer<T>`: loads, stores and `len()`.
    ReadWrite,
    /// `&Buffer<Atomic<T>>`: atomic methods and `len()` only.
    Atomic,
}

impl Access {
    /// The Rust parameter type that asks for this access, for messages.
    pub fn rust_form(self, elem: ScalarType) -> String {
        match self {
            Access::Read => format!("&Buffer<{elem}>"),
            Access::ReadWrite => format!("&mut Buffer<{elem}>"),
            Access::Atomic => format!("&Buffer<Atomic<{elem}>>"),
        }
    }
}

/// The kind of a buffer that a megakernel declares: its element type and
/// whether its elements are atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferKind {
    /// Element type: `u32`, `i32` or `f32` (atomic buffers: `u32` or `i32`).
    pub elem: ScalarType,
    /// Whether the elements are `Atomic<T>`.
    pub atomic: bool,
}

impl BufferKind {
    /// A buffer of plain elements.
    pub const fn plain(elem: ScalarType) -> Self {
        BufferKind {
            elem,
            atomic: false,
        }
    }

    /// A buffer of atomic elements.
    pub const fn atomic(elem: ScalarType) -> Self {
        BufferKind { elem, atomic: true }
    }

    /// Whether a handler asking for `access` to elements of type `elem` may
    /// bind to a buffer of this kind.
    pub fn admits(self, elem: ScalarType, access: Access) -> bool {
        self.elem == elem && (access == Access::Atomic) == self.atomic
    }
}

impl fmt::Display for BufferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.atomic {
            write!(f, "Atomic<{}>", self.elem)
        } else {
            write!(f, "{}", self.elem)
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    /// A `bool` literal.
    Bool(bool),
    /// A `u32` literal.
    U32(u32),
    /// An `i32` literal.
    I32(i32),
    /// An `f32` literal.
    F32(f32),
}

impl Literal {
    /// The type of the literal.
    pub fn ty(self) -> ScalarType {
        match self {
            Literal::Bool(_) => ScalarType::Bool,
            Literal::U32(_) => ScalarType::U32,
            Literal::I32(_) => ScalarType::I32,
            Literal::F32(_) => ScalarType::F32,
        }
    }

    /// The literal as one slot word (the bit pattern the GPU stores).
    pub fn to_word(self) -> u32 {
        match self {
            Literal::Bool(b) => b as u32,
            Literal::U32(v) => v,
            Literal::I32(v) => v as u32,
            Literal::F32(v) => v.to_bits(),
        }
    }

    /// The literal of type `ty` whose bit pattern is `word`.
    pub fn from_word(ty: ScalarType, word: u32) -> Self {
        match ty {
            ScalarType::Bool => Literal::Bool(word != 0),
            ScalarType::U32 => Literal::U32(word),
            ScalarType::I32 => Literal::I32(word as i32),
            ScalarType::F32 => Literal::F32(f32::from_bits(word)),
        }
    }
}

impl From<bool> for Literal {
    fn from(v: bool) -> Self {
        Literal::Bool(v)
    }
}
impl From<u32> for Literal {
    fn from(v: u32) -> Self {
        Literal::U32(v)
    }
}
impl From<i32> for Literal {
    fn from(v: i32) -> Self {
        Literal::I32(v)
    }
}
impl From<f32> for Literal {
    fn from(v: f32) -> Self {
        Literal::F32(v)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(v) => write!(f, "{v}"),
            Literal::U32(v) => write!(f, "{v}u32"),
            Literal::I32(v) => write!(f, "{v}i32"),
            Literal::F32(v) => write!(f, "{v:?}f32"),
        }
    }
}
