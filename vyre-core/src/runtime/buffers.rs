//! Typed handles to the megakernel's declared buffers.

use std::marker::PhantomData;

use crate::ir::ScalarType;
use vyre_lang::Layout;

/// An element type a buffer can hold: `u32`, `i32`, `f32`, `u64`, `i64`,
/// or a `#[repr(C)]` struct of those with `#[derive(Element)]`. Its
/// [`LAYOUT`](Self::LAYOUT) says what the GPU sees: a scalar, or a struct's
/// fields at their word offsets.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a GPU type: it is not a vyre `Element`",
    label = "not a vyre `Element`",
    note = "buffer elements and handler structs are u32, i32, f32, u64, i64, or `#[repr(C)]` structs of those with `#[derive(Element)]`"
)]
pub trait Element: bytemuck::Pod + Send + Sync + 'static {
    /// What one element is on the GPU.
    const LAYOUT: Layout;
}

macro_rules! scalar_element {
    ($($t:ty => $s:ident),*) => {$(
        impl Element for $t {
            const LAYOUT: Layout = Layout::Scalar(ScalarType::$s);
        }
    )*};
}
scalar_element!(u32 => U32, i32 => I32, f32 => F32, u64 => U64, i64 => I64);

/// A typed handle to one declared buffer of a [`Runtime`](super::Runtime),
/// obtained with [`Runtime::buffer`](super::Runtime::buffer). Atomic
/// buffers are read and written through their element type (`u32` for
/// `Atomic<u32>`).
///
/// A handle belongs to the runtime that made it: another runtime refuses
/// it with [`Error::ForeignBuffer`](crate::Error::ForeignBuffer) rather
/// than touching one of its own buffers that happens to share the index.
#[derive(Debug)]
pub struct BufferHandle<T: Element> {
    pub(crate) index: usize,
    /// The [`Runtime::id`](super::Runtime) of the runtime that made it.
    pub(crate) runtime: u64,
    _elem: PhantomData<fn() -> T>,
}

impl<T: Element> BufferHandle<T> {
    pub(crate) fn new(index: usize, runtime: u64) -> Self {
        BufferHandle {
            index,
            runtime,
            _elem: PhantomData,
        }
    }

    /// The buffer's index among the program's declared buffers.
    pub fn index(&self) -> usize {
        self.index
    }
}

impl<T: Element> Clone for BufferHandle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Element> Copy for BufferHandle<T> {}
