//! Buffers shared with an application's own wgpu work (bring your own
//! wgpu, `Gpu::from_wgpu`): a declared buffer's device buffer handed out,
//! and an application's buffer bound in a declared buffer's place.

use super::{BufferHandle, Element, Runtime};
use crate::engine::BackendKind;
use crate::error::{Error, Result};

/// The usages vyre needs of a buffer it binds: storage for the passes,
/// copies for reads, writes and resizes.
const NEEDED: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

impl Runtime {
    /// The device buffer of `buffer`, for the application's own passes (a
    /// render pass drawing from it, say). It holds `len + 1` elements: the
    /// spare last one keeps an empty buffer bindable, and element `i` of
    /// the declared buffer is element `i` of this one (two words per
    /// `u64`/`i64`, a struct's words for a struct buffer). Read it between
    /// runs; a [`resize`](Self::resize) or [`upload`](Self::upload) of
    /// another length gives the declared buffer a new device buffer.
    ///
    /// # Errors
    ///
    /// [`Error::Interop`] on a CPU backend, [`Error::ForeignBuffer`] for a
    /// handle of another runtime.
    pub fn wgpu_buffer<T: Element>(&self, buffer: BufferHandle<T>) -> Result<wgpu::Buffer> {
        let index = self.own(buffer)?;
        self.engine
            .wgpu_buffer(index)
            .ok_or_else(|| self.no_device(index))
    }

    /// Binds the application's `device_buffer` as `buffer`: the program's
    /// handlers then read and write it in place, and the application sees
    /// what they wrote. Its logical length becomes its size in elements
    /// less one (the spare element vyre keeps at the end: a buffer of
    /// `n + 1` elements holds `n`). It must be on the runtime's device
    /// (`Gpu::from_wgpu`) with `STORAGE | COPY_SRC | COPY_DST` usages.
    ///
    /// # Errors
    ///
    /// [`Error::Interop`] for a CPU backend, missing usages, or a size that
    /// is not whole elements or holds not even the spare one;
    /// [`Error::BufferTooLarge`] past the device's binding limit. Nothing
    /// changes then. The buffer must come from the runtime's own device:
    /// wgpu 30 offers no way to ask a buffer for its device and accepts a
    /// buffer of another device in a bind group without an error (seen on
    /// lavapipe: the handlers then read zeros), so vyre cannot refuse it.
    pub fn bind_wgpu_buffer<T: Element>(
        &mut self,
        buffer: BufferHandle<T>,
        device_buffer: wgpu::Buffer,
    ) -> Result<()> {
        let index = self.own(buffer)?;
        if self.engine.kind() != BackendKind::Wgpu {
            return Err(self.no_device(index));
        }
        let name = self.program.buffers()[index].name.clone();
        let unfit = |reason: String| Error::Interop {
            buffer: name.clone(),
            reason,
        };
        let usage = device_buffer.usage();
        if !usage.contains(NEEDED) {
            return Err(unfit(format!(
                "it has usages {usage:?}; vyre needs STORAGE | COPY_SRC | COPY_DST (missing {:?})",
                NEEDED.difference(usage)
            )));
        }
        let elem_bytes = u64::from(self.program.buffers()[index].kind.element_words()) * 4;
        let size = device_buffer.size();
        if size % elem_bytes != 0 || size < elem_bytes {
            return Err(unfit(format!(
                "its {size} bytes are not whole elements of {elem_bytes} bytes with the spare one \
                 (a buffer of n elements needs (n + 1) × {elem_bytes} bytes)"
            )));
        }
        let max = self.max_buffer_bytes();
        if size > max {
            return Err(Error::BufferTooLarge {
                name,
                bytes: size,
                max,
            });
        }
        self.engine.bind_wgpu_buffer(index, device_buffer)
    }

    /// The largest storage binding of the device: what its inboxes, and
    /// any bound buffer, may have.
    fn max_buffer_bytes(&self) -> u64 {
        self.engine.max_inbox_words().saturating_mul(4)
    }

    #[cold]
    fn no_device(&self, index: usize) -> Error {
        Error::Interop {
            buffer: self.program.buffers()[index].name.clone(),
            reason: format!(
                "the {} backend keeps its buffers in host memory; use a wgpu backend \
                 (`Gpu::wgpu`, `Gpu::from_wgpu`)",
                self.engine.kind().name()
            ),
        }
    }
}
