//! Typed handles to the megakernel's declared buffers.

use std::marker::PhantomData;

use crate::ir::ScalarType;

/// An element type a buffer can hold on the host side: `u32`, `i32`, `f32`.
pub trait Element: bytemuck::Pod + Send + Sync + 'static {
    /// The matching scalar type.
    const TYPE: ScalarType;
}

impl Element for u32 {
    const TYPE: ScalarType = ScalarType::U32;
}
impl Element for i32 {
    const TYPE: ScalarType = ScalarType::I32;
}
impl Element for f32 {
    const TYPE: ScalarType = ScalarType::F32;
}
impl Element for u64 {
    const TYPE: ScalarType = ScalarType::U64;
}
impl Element for i64 {
    const TYPE: ScalarType = ScalarType::I64;
}

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
