//! Transfers between the host and the engine's buffers: writes go
//! through the queue, reads copy into a staging buffer and map it.

use crate::error::Result;
use crate::gpu::readback::read_words;
use crate::protocol::{self, SLOT_WORDS};

use super::buffers::check_range;
use super::{WgpuEngine, INBOX, RING, WORD};

/// The slots whose status word lies in words `offset .. offset + len` of
/// the ring as the host addresses it: `first .. end`.
fn statuses_in(offset: u64, len: u64) -> (u64, u64) {
    let sw = u64::from(SLOT_WORDS);
    (offset.div_ceil(sw), (offset + len).div_ceil(sw))
}

impl WgpuEngine {
    /// Reads `len` words of the ring from word `offset`, as the host
    /// addresses it (slots of [`SLOT_WORDS`] words, status first): a
    /// slot's status comes from the status plane
    /// ([`protocol::ring_storage_words`]).
    ///
    /// # Errors
    ///
    /// [`Error::BufferRange`](crate::Error::BufferRange) outside the ring; GPU errors as elsewhere.
    pub fn read_ring(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(RING, self.ring.words, offset, len)?;
        let buffer = self.ring.buffer.clone();
        let mut words = self.read(RING, &buffer, offset, len)?;
        let (first, end) = statuses_in(offset, len);
        if first < end {
            let plane = self.status_plane(first);
            let statuses = self.read(RING, &buffer, plane, end - first)?;
            for (s, status) in (first..end).zip(statuses) {
                words[(s * u64::from(SLOT_WORDS) - offset) as usize] = status;
            }
        }
        Ok(words)
    }

    /// Writes `words` into the ring from word `offset`, as the host
    /// addresses it ([`read_ring`](Self::read_ring)): the slots' status
    /// words go to the status plane.
    ///
    /// # Errors
    ///
    /// [`Error::BufferRange`](crate::Error::BufferRange) outside the ring; GPU errors as elsewhere.
    pub fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        let len = words.len() as u64;
        check_range(RING, self.ring.words, offset, len)?;
        // The status words land in the slots' unused status words too:
        // one write for the rest, then one for the statuses.
        self.write(RING, &self.ring.buffer, offset, words)?;
        let (first, end) = statuses_in(offset, len);
        if first < end {
            let statuses: Vec<u32> = (first..end)
                .map(|s| words[(s * u64::from(SLOT_WORDS) - offset) as usize])
                .collect();
            let plane = self.status_plane(first);
            self.write(RING, &self.ring.buffer, plane, &statuses)?;
        }
        Ok(())
    }

    /// The ring word holding slot `slot`'s status.
    fn status_plane(&self, slot: u64) -> u64 {
        protocol::status_word(self.ring.words / u64::from(SLOT_WORDS), slot)
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
