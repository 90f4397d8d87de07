//! [`BufferAccess`]: a typed view of one declared buffer of a megakernel.

use crate::error::Result;
use crate::runtime::{BufferHandle, Element, Runtime};

/// One declared buffer of a megakernel instance, as its accessor method
/// (`bfs.dist()`) returns it: write, upload, read and resize it with its
/// element type (`u32` for an `Atomic<u32>` buffer). Every range is
/// checked: an access outside the buffer is [`Error::BufferRange`](crate::Error::BufferRange).
#[derive(Debug)]
pub struct BufferAccess<'a, T: Element> {
    runtime: &'a mut Runtime,
    handle: BufferHandle<T>,
}

impl<'a, T: Element> BufferAccess<'a, T> {
    /// The accessor of declared buffer `index` of `runtime`'s program,
    /// whose element type is `T` (the generated code knows both).
    #[doc(hidden)]
    pub fn __new(runtime: &'a mut Runtime, index: usize) -> Self {
        BufferAccess {
            runtime,
            handle: BufferHandle::new(index),
        }
    }

    /// The buffer's handle, for the [`Runtime`] API.
    pub fn handle(&self) -> BufferHandle<T> {
        self.handle
    }

    /// The buffer's name.
    pub fn name(&self) -> &str {
        self.runtime
            .program()
            .buffers()
            .get(self.handle.index)
            .map_or("", |b| b.name.as_str())
    }

    /// Number of elements.
    pub fn len(&self) -> u64 {
        self.runtime.len(self.handle)
    }

    /// Whether the buffer has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes `data` from element `offset`; the range must lie inside the
    /// buffer.
    pub fn write(&mut self, offset: u64, data: &[T]) -> Result<()> {
        self.runtime.write(self.handle, offset, data)
    }

    /// Replaces the contents with `data`, resizing the buffer to fit.
    pub fn upload(&mut self, data: &[T]) -> Result<()> {
        self.runtime.upload(self.handle, data)
    }

    /// Reads the whole buffer.
    pub fn read(&mut self) -> Result<Vec<T>> {
        self.runtime.read(self.handle)
    }

    /// Reads `len` elements from element `offset`.
    pub fn read_range(&mut self, offset: u64, len: u64) -> Result<Vec<T>> {
        self.runtime.read_range(self.handle, offset, len)
    }

    /// Gives the buffer `len` elements, keeping the common prefix and
    /// zero-filling the rest.
    pub fn resize(&mut self, len: u64) -> Result<()> {
        self.runtime.resize(self.handle, len)
    }
}
