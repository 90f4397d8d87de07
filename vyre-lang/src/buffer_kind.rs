//! The kind of buffer a megakernel declares: element type, atomicity, and
//! (for a buffer of `#[derive(Element)]` structs) the struct's layout.
//!
//! It sits above both `scalar` and `layout`, so neither has to know about it.

use std::fmt;

use crate::layout::{Layout, StructLayout};
use crate::scalar::{Access, ScalarType};

/// The kind of a buffer that a megakernel declares: its element type and
/// whether its elements are atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferKind {
    /// Element type: any numeric type (atomic buffers: `u32` or `i32`); a
    /// struct buffer's is `u32`, the words it is stored as.
    pub elem: ScalarType,
    /// Whether the elements are `Atomic<T>`.
    pub atomic: bool,
    /// For a buffer of `#[derive(Element)]` structs, their layout.
    pub structure: Option<&'static StructLayout>,
}

impl BufferKind {
    /// A buffer of plain elements.
    pub const fn plain(elem: ScalarType) -> Self {
        BufferKind {
            elem,
            atomic: false,
            structure: None,
        }
    }

    /// A buffer of atomic elements.
    pub const fn atomic(elem: ScalarType) -> Self {
        BufferKind {
            elem,
            atomic: true,
            structure: None,
        }
    }

    /// A buffer of plain elements of `layout` (a scalar or a struct).
    pub const fn of(layout: Layout) -> Self {
        match layout {
            Layout::Scalar(s) => BufferKind::plain(s),
            Layout::Struct(s) => BufferKind {
                elem: ScalarType::U32,
                atomic: false,
                structure: Some(s),
            },
        }
    }

    /// The element's layout.
    pub const fn layout(&self) -> Layout {
        match self.structure {
            Some(s) => Layout::Struct(s),
            None => Layout::Scalar(self.elem),
        }
    }

    /// Words one element takes (a struct's size, two for `u64`/`i64`).
    pub const fn element_words(&self) -> u32 {
        self.layout().words()
    }

    /// Whether a handler asking for `access` to elements of type `elem` may
    /// bind to a buffer of this kind (not to a struct buffer).
    pub fn admits(self, elem: ScalarType, access: Access) -> bool {
        self.structure.is_none() && self.elem == elem && (access == Access::Atomic) == self.atomic
    }
}

impl fmt::Display for BufferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.structure {
            f.write_str(s.name)
        } else if self.atomic {
            write!(f, "Atomic<{}>", self.elem)
        } else {
            write!(f, "{}", self.elem)
        }
    }
}
