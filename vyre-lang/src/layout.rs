//! Buffer element layouts: a scalar, or a `#[repr(C)]` struct whose fields
//! are scalars, fixed-size arrays and other such structs, as
//! `#[derive(Element)]` describes it. A layout counts 32-bit words: every
//! element type the GPU holds is a whole number of words, and a struct has
//! no padding (the derive refuses one that has), so its fields are at the
//! word offsets the host's `repr(C)` layout puts them.
//!
//! Layouts are `const`: the derive writes one as a constant, so that
//! `megakernel!` can check a buffer's element type at compile time.

use crate::scalar::ScalarType;

/// What one buffer element (or one struct field) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// A scalar: `u32`, `i32`, `f32` (one word), `u64`, `i64` (two).
    Scalar(ScalarType),
    /// A struct.
    Struct(&'static StructLayout),
}

impl Layout {
    /// Words one value takes.
    pub const fn words(&self) -> u32 {
        match self {
            Layout::Scalar(s) => {
                if matches!(s, ScalarType::U64 | ScalarType::I64) {
                    2
                } else {
                    1
                }
            }
            Layout::Struct(s) => s.words,
        }
    }

    /// The type's name as Rust spells it (`u32`, `Particle`).
    pub const fn name(&self) -> &'static str {
        match self {
            Layout::Scalar(s) => s.rust_name(),
            Layout::Struct(s) => s.name,
        }
    }

    /// The scalar, if this is one.
    pub const fn scalar(&self) -> Option<ScalarType> {
        match self {
            Layout::Scalar(s) => Some(*s),
            Layout::Struct(_) => None,
        }
    }
}

/// The layout of a `#[derive(Element)]` struct.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StructLayout {
    /// The struct's name.
    pub name: &'static str,
    /// Its size in words (the host's `size_of`, divided by 4).
    pub words: u32,
    /// Its fields, in declaration (and memory) order.
    pub fields: &'static [FieldLayout],
}

/// One field of a [`StructLayout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldLayout {
    /// The field's name.
    pub name: &'static str,
    /// Its offset from the start of the struct, in words.
    pub word: u32,
    /// Its type (an array's element type).
    pub ty: Layout,
    /// `Some(n)` for a fixed-size array `[ty; n]`.
    pub len: Option<u32>,
}

impl FieldLayout {
    /// Words the field takes.
    pub const fn words(&self) -> u32 {
        match self.len {
            Some(n) => n * self.ty.words(),
            None => self.ty.words(),
        }
    }
}

impl StructLayout {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldLayout> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Whether two layouts are the same type (for structs: the same name,
/// size and fields; two derives of one struct in different crates
/// compare equal).
pub const fn same_layout(a: &Layout, b: &Layout) -> bool {
    match (a, b) {
        (Layout::Scalar(x), Layout::Scalar(y)) => *x as u8 == *y as u8,
        (Layout::Struct(x), Layout::Struct(y)) => same_struct(x, y),
        _ => false,
    }
}

const fn same_struct(a: &StructLayout, b: &StructLayout) -> bool {
    if !str_eq(a.name, b.name) || a.words != b.words || a.fields.len() != b.fields.len() {
        return false;
    }
    let mut i = 0;
    while i < a.fields.len() {
        let (x, y) = (&a.fields[i], &b.fields[i]);
        let len_eq = match (x.len, y.len) {
            (Some(m), Some(n)) => m == n,
            (None, None) => true,
            _ => false,
        };
        if !str_eq(x.name, y.name) || x.word != y.word || !len_eq || !same_layout(&x.ty, &y.ty) {
            return false;
        }
        i += 1;
    }
    true
}

/// String equality usable in const context.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const INNER: StructLayout = StructLayout {
        name: "Inner",
        words: 3,
        fields: &[
            FieldLayout {
                name: "a",
                word: 0,
                ty: Layout::Scalar(ScalarType::U64),
                len: None,
            },
            FieldLayout {
                name: "b",
                word: 2,
                ty: Layout::Scalar(ScalarType::F32),
                len: None,
            },
        ],
    };

    #[test]
    fn words_and_equality() {
        assert_eq!(Layout::Scalar(ScalarType::I64).words(), 2);
        assert_eq!(Layout::Struct(&INNER).words(), 3);
        assert_eq!(INNER.fields[0].words(), 2);
        let arr = FieldLayout {
            name: "v",
            word: 0,
            ty: Layout::Struct(&INNER),
            len: Some(4),
        };
        assert_eq!(arr.words(), 12);
        assert!(same_layout(
            &Layout::Struct(&INNER),
            &Layout::Struct(&INNER)
        ));
        assert!(!same_layout(
            &Layout::Struct(&INNER),
            &Layout::Scalar(ScalarType::U32)
        ));
        assert_eq!(INNER.field("b").map(|f| f.word), Some(2));
        assert_eq!(Layout::Struct(&INNER).name(), "Inner");
    }
}
