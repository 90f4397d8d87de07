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
    name: &'static str,
    handle: Result<BufferHandle<T>>,
}

impl<'a, T: Element> BufferAccess<'a, T> {
    /// The accessor of the declared buffer `name` of `runtime`'s program,
    /// whose element type is `T` (the generated code knows both; a name or
    /// type that does not fit makes every method return the error).
    #[doc(hidden)]
    pub fn __new(runtime: &'a mut Runtime, name: &'static str) -> Self {
        let handle = runtime.buffer::<T>(name);
        BufferAccess {
            runtime,
            name,
            handle,
        }
    }

    /// The buffer's handle, for the [`Runtime`] API.
    pub fn handle(&self) -> Result<BufferHandle<T>> {
        self.handle.clone()
    }

    /// The buffer's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Number of elements.
    pub fn len(&self) -> u64 {
        match &self.handle {
            Ok(h) => self.runtime.len(*h),
            Err(_) => 0,
        }
    }

    /// Whether the buffer has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes `data` from element `offset`; the range must lie inside the
    /// buffer.
    pub fn write(&mut self, offset: u64, data: &[T]) -> Result<()> {
        let h = self.handle.clone()?;
        self.runtime.write(h, offset, data)
    }

    /// Replaces the contents with `data`, resizing the buffer to fit.
    pub fn upload(&mut self, data: &[T]) -> Result<()> {
        let h = self.handle.clone()?;
        self.runtime.upload(h, data)
    }

    /// Reads the whole buffer.
    pub fn read(&mut self) -> Result<Vec<T>> {
        let h = self.handle.clone()?;
        self.runtime.read(h)
    }

    /// Reads `len` elements from element `offset`.
    pub fn read_range(&mut self, offset: u64, len: u64) -> Result<Vec<T>> {
        let h = self.handle.clone()?;
        self.runtime.read_range(h, offset, len)
    }

    /// Gives the buffer `len` elements, keeping the common prefix and
    /// zero-filling the rest.
    pub fn resize(&mut self, len: u64) -> Result<()> {
        let h = self.handle.clone()?;
        self.runtime.resize(h, len)
    }
}
