//! The engine's device buffers: their sizes and range checks, their
//! allocation, the bind group that ties them to the pipelines, and the
//! resize of a declared buffer.

use crate::error::{Error, Result};
use crate::gpu::cache::Pipelines;
use crate::gpu::context::GpuContext;
use crate::lower::{buffer_binding, CTRL_BINDING, INBOX_BINDING, INDIRECT_BINDING, RING_BINDING};

use super::{WgpuEngine, INBOX, WORD};

/// A device buffer and its length in words.
#[derive(Debug)]
pub(super) struct DeviceBuffer {
    pub(super) buffer: wgpu::Buffer,
    pub(super) words: u64,
}

/// A declared buffer: its device buffer holds `len + 1` elements (the
/// extra one keeps an empty buffer bindable; WGSL computes
/// `len = arrayLength - 1`).
#[derive(Debug)]
pub(super) struct UserBuffer {
    pub(super) name: String,
    pub(super) buffer: wgpu::Buffer,
    /// Elements.
    pub(super) len: u64,
    /// Words per element: 2 for `u64` and `i64`, 1 otherwise.
    pub(super) elem_words: u64,
}

/// `(len + 1)` elements of `elem_words` words, in bytes, or `None` on
/// overflow.
fn element_bytes(len: u64, elem_words: u64) -> Option<u64> {
    len.checked_add(1)?
        .checked_mul(elem_words)?
        .checked_mul(WORD)
}

/// Checks `offset .. offset + len` against a buffer of `size` words.
pub(super) fn check_range(name: &str, size: u64, offset: u64, len: u64) -> Result<()> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        end => Err(Error::BufferRange {
            name: name.to_string(),
            len: size,
            offset,
            end: end.unwrap_or(u64::MAX),
        }),
    }
}

/// Creates a zeroed storage buffer of `bytes` bytes, checking the device's
/// limits first so that an oversized request is a typed error.
pub(super) fn create_storage(
    ctx: &GpuContext,
    name: &str,
    bytes: u64,
    max: u64,
) -> Result<wgpu::Buffer> {
    create_buffer(ctx, name, bytes, max, wgpu::BufferUsages::empty())
}

/// [`create_storage`] with more usages (`INDIRECT` for the dispatch
/// arguments).
pub(super) fn create_buffer(
    ctx: &GpuContext,
    name: &str,
    bytes: u64,
    max: u64,
    extra: wgpu::BufferUsages,
) -> Result<wgpu::Buffer> {
    if bytes > max {
        return Err(Error::BufferTooLarge {
            name: name.to_string(),
            bytes,
            max,
        });
    }
    // wgpu zero-initialises every buffer before its first use, which is
    // what the protocol needs: zeroed memory is an empty ring, an idle
    // control block and zero-filled user data.
    ctx.scoped(&format!("buffer `{name}` ({bytes} bytes)"), || {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(name),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC
                | extra,
            mapped_at_creation: false,
        })
    })
}

/// The engine's protocol buffers, as the bind group names them.
pub(super) struct Protocol<'a> {
    pub(super) ring: &'a wgpu::Buffer,
    pub(super) control: &'a wgpu::Buffer,
    pub(super) inbox: &'a wgpu::Buffer,
}

/// The bind group (group 0) of the engine's buffers; `replace`
/// substitutes the device buffer of one declared buffer (a resize in
/// progress).
pub(super) fn bind_group(
    ctx: &GpuContext,
    label: &str,
    pipelines: &Pipelines,
    protocol: Protocol<'_>,
    buffers: &[UserBuffer],
    replace: Option<(usize, &wgpu::Buffer)>,
) -> Result<wgpu::BindGroup> {
    let mut entries = vec![
        wgpu::BindGroupEntry {
            binding: RING_BINDING,
            resource: protocol.ring.as_entire_binding(),
        },
        wgpu::BindGroupEntry {
            binding: CTRL_BINDING,
            resource: protocol.control.as_entire_binding(),
        },
        wgpu::BindGroupEntry {
            binding: INBOX_BINDING,
            resource: protocol.inbox.as_entire_binding(),
        },
    ];
    for (i, b) in buffers.iter().enumerate() {
        let buffer = match replace {
            Some((j, new)) if j == i => new,
            _ => &b.buffer,
        };
        entries.push(wgpu::BindGroupEntry {
            binding: buffer_binding(i),
            resource: buffer.as_entire_binding(),
        });
    }
    ctx.scoped(&format!("bind group of `{label}`"), || {
        ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &pipelines.layout,
            entries: &entries,
        })
    })
}

/// The bind group (group 1) of the indirect dispatch arguments.
pub(super) fn indirect_group(
    ctx: &GpuContext,
    label: &str,
    pipelines: &Pipelines,
    indirect: &wgpu::Buffer,
) -> Result<wgpu::BindGroup> {
    ctx.scoped(&format!("indirect bind group of `{label}`"), || {
        ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &pipelines.indirect_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: INDIRECT_BINDING,
                resource: indirect.as_entire_binding(),
            }],
        })
    })
}

impl WgpuEngine {
    /// The protocol buffers, for [`bind_group`].
    pub(super) fn protocol(&self) -> Protocol<'_> {
        Protocol {
            ring: &self.ring.buffer,
            control: &self.control.buffer,
            inbox: &self.inbox.buffer,
        }
    }

    /// Replaces the inboxes by a zeroed buffer of `words` words and binds
    /// it (the host does this only while every inbox is empty).
    pub(super) fn replace_inbox(&mut self, words: u64) -> Result<()> {
        let max = self.ctx.max_storage_buffer_bytes();
        let bytes = words.max(1).saturating_mul(WORD);
        let new = create_storage(&self.ctx, INBOX, bytes, max)?;
        let group = bind_group(
            &self.ctx,
            &self.program_name,
            &self.pipelines,
            Protocol {
                inbox: &new,
                ..self.protocol()
            },
            &self.buffers,
            None,
        )?;
        self.inbox = DeviceBuffer {
            buffer: new,
            words: words.max(1),
        };
        self.bind_group = group;
        Ok(())
    }

    /// A new, empty ring of `partitions`, and a control block that keeps
    /// every word before the claim lists and the lane state (copied on the
    /// device), with the new sizes; the maintain grid follows the ring.
    pub(super) fn replace_ring(
        &mut self,
        partitions: [(u32, u32); crate::protocol::PRIORITIES],
    ) -> Result<()> {
        use crate::lower::MAINTAIN_WORKGROUP_SIZE;
        use crate::protocol::{self, ctrl, indirect, SLOT_WORDS};
        let slots: u64 = partitions.iter().map(|&(_, size)| u64::from(size)).sum();
        let max = self.ctx.max_storage_buffer_bytes();
        let too_large = |name: &str, bytes: u64| Error::BufferTooLarge {
            name: name.to_string(),
            bytes,
            max,
        };
        let slots32 = u32::try_from(slots).map_err(|_| too_large(super::RING, u64::MAX))?;
        let layout = self.layout.with_slots(slots32);
        let ring_words = slots * u64::from(SLOT_WORDS);
        let ring_storage = protocol::ring_storage_words(slots);
        let control_words = u64::from(layout.lane_state) + u64::from(self.lanes);
        let max_groups = self.ctx.limits().max_compute_workgroups_per_dimension;
        let grid =
            super::submit::maintain_grid(slots32.div_ceil(MAINTAIN_WORKGROUP_SIZE), max_groups)
                .ok_or_else(|| too_large(super::RING, ring_storage * WORD))?;
        let ring = create_storage(&self.ctx, super::RING, ring_storage * WORD, max)?;
        let control = create_storage(&self.ctx, super::CONTROL, control_words * WORD, max)?;
        let (old, new) = (&self.control.buffer, &control);
        let kept = u64::from(self.layout.claim_list) * WORD;
        let lanes = u64::from(self.lanes) * WORD;
        let (old_lanes, new_lanes) = (
            u64::from(self.layout.lane_state) * WORD,
            u64::from(layout.lane_state) * WORD,
        );
        let ctx = &self.ctx;
        ctx.scoped("ring resize", || {
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("vyre ring resize"),
                    });
            encoder.copy_buffer_to_buffer(old, 0, new, 0, kept);
            if lanes > 0 {
                encoder.copy_buffer_to_buffer(old, old_lanes, new, new_lanes, lanes);
            }
            ctx.queue().submit([encoder.finish()]);
            // Queue writes land before the next submission, after the copy.
            let q = ctx.queue();
            q.write_buffer(
                new,
                u64::from(ctrl::SLOTS) * WORD,
                bytemuck::cast_slice(&protocol::ring_words(&partitions)),
            );
            // The first prepare of each submission gives the first
            // maintain dispatch this grid.
            let full = [grid.0, grid.1, 1];
            q.write_buffer(
                &self.indirect,
                u64::from(indirect::FULL_MAINTAIN) * WORD,
                bytemuck::cast_slice(&full),
            );
        })?;
        let group = bind_group(
            &self.ctx,
            &self.program_name,
            &self.pipelines,
            Protocol {
                ring: &ring,
                control: &control,
                inbox: &self.inbox.buffer,
            },
            &self.buffers,
            None,
        )?;
        self.ring = DeviceBuffer {
            buffer: ring,
            words: ring_words,
        };
        self.control = DeviceBuffer {
            buffer: control,
            words: control_words,
        };
        self.bind_group = group;
        self.layout = layout;
        Ok(())
    }

    /// The declared buffer `buffer`, or a typed error naming the valid range.
    pub(super) fn user(&self, buffer: usize) -> Result<&UserBuffer> {
        self.buffers
            .get(buffer)
            .ok_or_else(|| Error::UnknownBuffer {
                name: format!("#{buffer}"),
                declared: self.buffers.iter().map(|b| b.name.clone()).collect(),
            })
    }

    /// Gives declared buffer `buffer` a logical length of `len`: a new
    /// zeroed device buffer holding the common prefix of the old one, and a
    /// bind group that names it.
    pub(super) fn resize(&mut self, buffer: usize, len: u64) -> Result<()> {
        let b = self.user(buffer)?;
        if b.len == len {
            return self.ctx.health();
        }
        let max = self.ctx.max_storage_buffer_bytes();
        let bytes = element_bytes(len, b.elem_words).ok_or_else(|| Error::BufferTooLarge {
            name: b.name.clone(),
            bytes: u64::MAX,
            max,
        })?;
        let name = b.name.clone();
        let new = create_storage(&self.ctx, &name, bytes, max)?;
        // The new buffer is zeroed; copy the common prefix over it.
        let keep = b.len.min(len) * b.elem_words * WORD;
        if keep > 0 {
            let ctx = &self.ctx;
            let old = &b.buffer;
            ctx.scoped(&format!("resize of `{name}`"), || {
                let mut encoder =
                    ctx.device()
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("vyre resize"),
                        });
                encoder.copy_buffer_to_buffer(old, 0, &new, 0, keep);
                ctx.queue().submit([encoder.finish()]);
            })?;
        }
        // Dropping the old buffer is safe: wgpu keeps it alive until the
        // copy that reads it has executed.
        self.replace(buffer, new, len)
    }

    /// Makes `new` the device buffer of declared buffer `buffer`, of
    /// logical length `len`: a new bind group first, so that a failure
    /// changes nothing.
    fn replace(&mut self, buffer: usize, new: wgpu::Buffer, len: u64) -> Result<()> {
        let group = bind_group(
            &self.ctx,
            &self.program_name,
            &self.pipelines,
            self.protocol(),
            &self.buffers,
            Some((buffer, &new)),
        )?;
        let b = &mut self.buffers[buffer];
        b.buffer = new;
        b.len = len;
        self.bind_group = group;
        Ok(())
    }
}

impl WgpuEngine {
    /// Makes `new` (an application's buffer, its size and usages checked
    /// by the runtime) the device buffer of declared buffer `buffer`; its
    /// logical length is its size in elements less the spare one. A
    /// buffer of another device fails the bind group, a typed error, and
    /// changes nothing.
    pub(super) fn adopt(&mut self, buffer: usize, new: wgpu::Buffer) -> Result<()> {
        let elements = new.size() / (self.user(buffer)?.elem_words * WORD);
        self.replace(buffer, new, elements.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_bytes_counts_the_extra_element() {
        assert_eq!(element_bytes(0, 1), Some(4));
        assert_eq!(element_bytes(10, 1), Some(44));
        assert_eq!(element_bytes(10, 2), Some(88));
        assert_eq!(element_bytes(u64::MAX, 1), None);
        assert_eq!(element_bytes(u64::MAX / 4, 1), None);
        assert_eq!(element_bytes(u64::MAX / 8, 2), None);
    }

    #[test]
    fn ranges_are_checked_without_overflow() {
        assert!(check_range("x", 10, 0, 10).is_ok());
        assert!(check_range("x", 10, 10, 0).is_ok());
        assert!(matches!(
            check_range("x", 10, 5, 6),
            Err(Error::BufferRange { end: 11, .. })
        ));
        assert!(matches!(
            check_range("x", 10, u64::MAX, 2),
            Err(Error::BufferRange { end: u64::MAX, .. })
        ));
    }
}
