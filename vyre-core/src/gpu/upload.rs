//! Large uploads at bus speed: two persistent, mapped staging chunks used
//! in turn, packed by several host threads while the copy of the other
//! chunk runs.
//!
//! `Queue::write_buffer` allocates a fresh staging buffer for every call;
//! for hundreds of megabytes that memory is new to the process each time,
//! and first touching it ran at about 2 GB/s on the H200's host
//! (docs/benchmarks.md). These chunks stay allocated and mapped between
//! uploads, so their pages are touched once per engine. Host threads pack
//! a chunk's units into a reused scratch buffer (each its own part), one
//! copy moves it into the mapped chunk, and chunk *k + 1* is packed while
//! the device copies chunk *k*.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::context::GpuContext;

/// Bytes of one staging chunk.
const CHUNK_BYTES: u64 = 32 << 20;
/// Uploads smaller than this go through `Queue::write_buffer`.
pub(crate) const SMALL_BYTES: u64 = 1 << 20;
/// A chunk is packed by several threads only above this many bytes (a
/// thread costs tens of microseconds to start).
const PARALLEL_BYTES: u64 = 4 << 20;

/// A chunk's map: not yet back, mapped, or failed.
const MAP_PENDING: u32 = 0;
const MAP_DONE: u32 = 1;
const MAP_FAILED: u32 = 2;

/// What fills an upload: `fill(first_unit, words)` writes units
/// `first_unit ..` into `words` (whole units of `unit_words` words).
pub(crate) type Fill<'a> = &'a (dyn Fn(usize, &mut [u32]) + Sync);

/// The data of one upload: `count` units of `words` words each, produced
/// by `fill`.
pub(crate) struct Units<'a> {
    pub(crate) count: usize,
    pub(crate) words: usize,
    pub(crate) fill: Fill<'a>,
}

/// One staging chunk and the map it waits for.
#[derive(Debug)]
struct Chunk {
    buffer: wgpu::Buffer,
    /// The state of the map requested after the chunk's last use (set by
    /// wgpu's callback); `None` while it is mapped.
    map: Option<Arc<AtomicU32>>,
    /// The submission that copies out of it.
    submission: Option<wgpu::SubmissionIndex>,
}

/// The two chunks and the packing scratch, made on the first large upload.
#[derive(Debug, Default)]
pub(crate) struct Uploader {
    chunks: Vec<Chunk>,
    next: usize,
    scratch: Vec<u32>,
}

impl Uploader {
    /// Writes `data` at byte `offset` of `target`, in chunks; returns
    /// once every chunk's copy is submitted (the queue runs them before
    /// any later submission).
    pub(crate) fn upload(
        &mut self,
        ctx: &GpuContext,
        target: &wgpu::Buffer,
        offset: u64,
        data: Units<'_>,
        timeout: Option<Duration>,
    ) -> Result<()> {
        let Units {
            count: units,
            words: unit_words,
            fill,
        } = data;
        let unit_bytes = (unit_words * 4) as u64;
        let per_chunk = (CHUNK_BYTES / unit_bytes).max(1) as usize;
        let mut done = 0usize;
        while done < units {
            let n = per_chunk.min(units - done);
            let bytes = n as u64 * unit_bytes;
            // Pack first (the other chunk's copy runs meanwhile), then wait
            // for this chunk and copy the packed words in.
            let words = n * unit_words;
            if self.scratch.len() < words {
                self.scratch.resize(words, 0);
            }
            pack(&mut self.scratch[..words], done, unit_words, fill);
            let packed = bytemuck::cast_slice::<u32, u8>(&self.scratch[..words]);
            let chunk = chunk(&mut self.chunks, &mut self.next, ctx, timeout, bytes)?;
            match chunk.buffer.slice(0..bytes).get_mapped_range_mut() {
                Ok(mut view) => view.copy_from_slice(packed),
                Err(e) => {
                    return Err(Error::Gpu {
                        stage: "inbox upload".into(),
                        message: e.to_string(),
                    })
                }
            }
            chunk.buffer.unmap();
            let submission = ctx.scoped("inbox upload", || {
                let mut encoder =
                    ctx.device()
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("vyre upload"),
                        });
                encoder.copy_buffer_to_buffer(
                    &chunk.buffer,
                    0,
                    target,
                    offset + done as u64 * unit_bytes,
                    bytes,
                );
                ctx.queue().submit([encoder.finish()])
            })?;
            // Map it again as soon as the copy has run.
            let state = Arc::new(AtomicU32::new(MAP_PENDING));
            let set = Arc::clone(&state);
            chunk.buffer.map_async(wgpu::MapMode::Write, .., move |r| {
                set.store(
                    if r.is_ok() { MAP_DONE } else { MAP_FAILED },
                    Ordering::Release,
                );
            });
            chunk.map = Some(state);
            chunk.submission = Some(submission);
            done += n;
        }
        Ok(())
    }
}

/// A staging chunk of at least `bytes` (a power of two between 1 MB and
/// [`CHUNK_BYTES`]), mapped for writing.
fn new_chunk(ctx: &GpuContext, bytes: u64) -> Result<Chunk> {
    let size = bytes.next_power_of_two().clamp(SMALL_BYTES, CHUNK_BYTES);
    let buffer = ctx.scoped("upload staging", || {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("vyre upload staging"),
            size,
            usage: wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: true,
        })
    })?;
    Ok(Chunk {
        buffer,
        map: None,
        submission: None,
    })
}

/// The next of `chunks`, mapped for writing and holding at least `bytes`:
/// made on first use and remade larger when too small (small uploads do
/// not pay for 32 MB of fresh memory), otherwise waiting for its last copy
/// and its map.
fn chunk<'c>(
    chunks: &'c mut Vec<Chunk>,
    next: &mut usize,
    ctx: &GpuContext,
    timeout: Option<Duration>,
    bytes: u64,
) -> Result<&'c mut Chunk> {
    let fail = |message: String| Error::Gpu {
        stage: "inbox upload".into(),
        message,
    };
    if chunks.len() < 2 {
        chunks.push(new_chunk(ctx, bytes)?);
        let last = chunks.len() - 1;
        return Ok(&mut chunks[last]);
    }
    let i = *next;
    *next = (i + 1) % chunks.len();
    let chunk = &mut chunks[i];
    if chunk.buffer.size() < bytes {
        // wgpu keeps the old buffer alive until its pending copy has run.
        *chunk = new_chunk(ctx, bytes)?;
        return Ok(chunk);
    }
    if let Some(state) = chunk.map.take() {
        if let Some(s) = chunk.submission.take() {
            if let Err(e) = ctx.device().poll(wgpu::PollType::Wait {
                submission_index: Some(s),
                timeout,
            }) {
                ctx.health()?;
                return Err(fail(e.to_string()));
            }
        }
        // The callback runs in whichever thread polls next.
        let deadline = Instant::now() + timeout.unwrap_or(Duration::from_secs(30));
        loop {
            match state.load(Ordering::Acquire) {
                MAP_DONE => break,
                MAP_FAILED => return Err(fail("the staging chunk could not be mapped".into())),
                _ if Instant::now() >= deadline => {
                    ctx.health()?;
                    return Err(fail("the staging chunk's map did not complete".into()));
                }
                _ => {
                    let _ = ctx.device().poll(wgpu::PollType::Poll);
                    std::thread::yield_now();
                }
            }
        }
    }
    Ok(chunk)
}

/// Packs units `first ..` into `out` (whole units), on several threads
/// when it is large, each thread its own part.
fn pack(out: &mut [u32], first: usize, unit_words: usize, fill: Fill<'_>) {
    let units = out.len() / unit_words;
    let threads = if (out.len() * 4) as u64 >= PARALLEL_BYTES {
        std::thread::available_parallelism().map_or(1, |t| t.get().min(8))
    } else {
        1
    };
    if threads <= 1 {
        fill(first, out);
        return;
    }
    let per_thread = units.div_ceil(threads);
    std::thread::scope(|s| {
        for (k, part) in out.chunks_mut(per_thread * unit_words).enumerate() {
            s.spawn(move || fill(first + k * per_thread, part));
        }
    });
}
