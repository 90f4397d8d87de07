//! Transfers between the host and the engine's buffers: writes go
//! through the queue, reads copy into a staging buffer and map it.

use crate::error::Result;
use crate::gpu::readback::read_words;

use super::buffers::check_range;
use super::{WgpuEngine, INBOX, RING, WORD};

impl WgpuEngine {
    /// Reads `len` words of the ring buffer from word `offset`.
    ///
    /// # Errors
    ///
    /// [`Error::BufferRange`](crate::Error::BufferRange) outside the ring; GPU errors as elsewhere.
    pub fn read_ring(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(RING, self.ring.words, offset, len)?;
        let buffer = self.ring.buffer.clone();
        self.read(RING, &buffer, offset, len)
    }

    /// Reads `len` words of the inboxes from word `offset`.
    ///
    /// # Errors
    ///
    /// [`Error::BufferRange`](crate::Error::BufferRange) outside them; GPU errors as elsewhere.
    pub fn read_inbox(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(INBOX, self.inbox.words, offset, len)?;
        let buffer = self.inbox.buffer.clone();
        self.read(INBOX, &buffer, offset, len)
    }

    /// Reads the indirect dispatch arguments ([`protocol::indirect`](crate::protocol::indirect)):
    /// the live work and maintain grids the last finalize pass wrote, then
    /// the full grids. For tests and diagnostics: vyre leaves wgpu's own
    /// validation of these arguments off, and its tests read them back to
    /// show they never pass the adapter's limits.
    ///
    /// # Errors
    ///
    /// GPU errors as elsewhere.
    pub fn read_indirect(&mut self) -> Result<Vec<u32>> {
        let buffer = self.indirect.clone();
        let words = u64::from(crate::protocol::indirect::WORDS);
        self.read("indirect arguments", &buffer, 0, words)
    }

    /// Copies `len` words at word `offset` of `source` into the read
    /// staging buffer and returns them.
    pub(super) fn read(
        &mut self,
        name: &str,
        source: &wgpu::Buffer,
        offset: u64,
        len: u64,
    ) -> Result<Vec<u32>> {
        if len == 0 {
            self.ctx.health()?;
            return Ok(Vec::new());
        }
        let bytes = len * WORD;
        let staging = self.read_staging.get(&self.ctx, bytes)?;
        let ctx = &self.ctx;
        let submission = ctx.scoped(&format!("read of `{name}`"), || {
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("vyre read"),
                    });
            encoder.copy_buffer_to_buffer(source, offset * WORD, &staging, 0, bytes);
            ctx.queue().submit([encoder.finish()])
        })?;
        read_words(ctx, &staging, bytes, submission, self.poll_timeout)
    }

    /// Writes `words` at word `offset` of `target` through the queue.
    pub(super) fn write(
        &self,
        name: &str,
        target: &wgpu::Buffer,
        offset: u64,
        words: &[u32],
    ) -> Result<()> {
        if words.is_empty() {
            return self.ctx.health();
        }
        self.ctx.scoped(&format!("write to `{name}`"), || {
            self.ctx
                .queue()
                .write_buffer(target, offset * WORD, bytemuck::cast_slice(words));
        })
    }
}
