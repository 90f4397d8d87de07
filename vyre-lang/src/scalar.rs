//! The scalar types of the handler language, buffer access modes, and
//! scalar values.

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
    /// `u64`: two slot words (low first) as a task argument, a
    /// `vec2<u32>` (low, high) in WGSL.
    U64,
    /// `i64`: stored as `u64` is (two's complement).
    I64,
}

impl ScalarType {
    /// The Rust spelling of the type (`u32`, `bool`, ...).
    pub const fn rust_name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::U32 => "u32",
            ScalarType::I32 => "i32",
            ScalarType::F32 => "f32",
            ScalarType::U64 => "u64",
            ScalarType::I64 => "i64",
        }
    }

    /// Every scalar type.
    pub const ALL: [ScalarType; 6] = [
        ScalarType::Bool,
        ScalarType::U32,
        ScalarType::I32,
        ScalarType::F32,
        ScalarType::U64,
        ScalarType::I64,
    ];

    /// The type whose Rust spelling is `name` (`"u32"` → `U32`).
    pub fn from_rust_name(name: &str) -> Option<ScalarType> {
        ScalarType::ALL.into_iter().find(|t| t.rust_name() == name)
    }

    /// True for `u32`, `i32`, `u64` and `i64`.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            ScalarType::U32 | ScalarType::I32 | ScalarType::U64 | ScalarType::I64
        )
    }

    /// True for the signed integers `i32` and `i64`.
    pub fn is_signed(self) -> bool {
        matches!(self, ScalarType::I32 | ScalarType::I64)
    }

    /// True for `u64` and `i64`, which take two words.
    pub fn is_wide(self) -> bool {
        matches!(self, ScalarType::U64 | ScalarType::I64)
    }

    /// Slot (and buffer) words one value takes: 2 for `u64` and `i64`,
    /// 1 otherwise.
    pub fn words(self) -> u32 {
        if self.is_wide() {
            2
        } else {
            1
        }
    }

    /// True for every type but `bool`.
    pub fn is_numeric(self) -> bool {
        !matches!(self, ScalarType::Bool)
    }

    /// True for the types a buffer element may have (every numeric type).
    pub fn is_buffer_element(self) -> bool {
        self.is_numeric()
    }

    /// True for the types an atomic buffer element may have (`u32`, `i32`).
    pub fn is_atomic_element(self) -> bool {
        matches!(self, ScalarType::U32 | ScalarType::I32)
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
    /// A `u64` literal.
    U64(u64),
    /// An `i64` literal.
    I64(i64),
}

impl Literal {
    /// The type of the literal.
    pub fn ty(self) -> ScalarType {
        match self {
            Literal::Bool(_) => ScalarType::Bool,
            Literal::U32(_) => ScalarType::U32,
            Literal::I32(_) => ScalarType::I32,
            Literal::F32(_) => ScalarType::F32,
            Literal::U64(_) => ScalarType::U64,
            Literal::I64(_) => ScalarType::I64,
        }
    }

    /// The literal's low slot word (the whole bit pattern of a 32-bit
    /// value; the low half of a 64-bit one).
    pub fn to_word(self) -> u32 {
        self.to_words()[0]
    }

    /// The literal's bits as two words, low first (the high word is 0 for
    /// the 32-bit types); [`ScalarType::words`] says how many count.
    pub fn to_words(self) -> [u32; 2] {
        let wide = |v: u64| [v as u32, (v >> 32) as u32];
        match self {
            Literal::Bool(b) => [b as u32, 0],
            Literal::U32(v) => [v, 0],
            Literal::I32(v) => [v as u32, 0],
            Literal::F32(v) => [v.to_bits(), 0],
            Literal::U64(v) => wide(v),
            Literal::I64(v) => wide(v as u64),
        }
    }

    /// The literal's bits as a `u64` (zero-extended for the 32-bit types).
    pub fn to_bits64(self) -> u64 {
        let [lo, hi] = self.to_words();
        u64::from(lo) | (u64::from(hi) << 32)
    }

    /// The literal of type `ty` whose bit pattern is `word` (the low word,
    /// the high word zero, for the 64-bit types).
    pub fn from_word(ty: ScalarType, word: u32) -> Self {
        Literal::from_words(ty, [word, 0])
    }

    /// The literal of type `ty` whose bit pattern is `words`, low first
    /// (the high word is ignored for the 32-bit types).
    pub fn from_words(ty: ScalarType, words: [u32; 2]) -> Self {
        let wide = u64::from(words[0]) | (u64::from(words[1]) << 32);
        match ty {
            ScalarType::Bool => Literal::Bool(words[0] != 0),
            ScalarType::U32 => Literal::U32(words[0]),
            ScalarType::I32 => Literal::I32(words[0] as i32),
            ScalarType::F32 => Literal::F32(f32::from_bits(words[0])),
            ScalarType::U64 => Literal::U64(wide),
            ScalarType::I64 => Literal::I64(wide as i64),
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
impl From<u64> for Literal {
    fn from(v: u64) -> Self {
        Literal::U64(v)
    }
}
impl From<i64> for Literal {
    fn from(v: i64) -> Self {
        Literal::I64(v)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(v) => write!(f, "{v}"),
            Literal::U32(v) => write!(f, "{v}u32"),
            Literal::I32(v) => write!(f, "{v}i32"),
            Literal::F32(v) => write!(f, "{v:?}f32"),
            Literal::U64(v) => write!(f, "{v}u64"),
            Literal::I64(v) => write!(f, "{v}i64"),
        }
    }
}
