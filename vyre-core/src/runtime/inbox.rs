//! The host's half of publishing: per-priority queues of compact entries
//! (and of ranges the device expands), flushed into the device inboxes
//! (`docs/protocol.md`, "Inboxes"), which grow to fit what waits; large
//! batches go straight to the device as their argument words alone, which
//! the device expands into entries.

use std::collections::VecDeque;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::program::Program;
use crate::protocol::{
    self, ctrl, entry, range, ControlLayout, MAX_ARGS, PRIORITIES, RANGE_SLOTS, RANGE_WORDS,
};

/// The smallest batch [`Inbox::publish_direct`] writes straight into a
/// device inbox; smaller ones join the host queue, which `run()` flushes
/// in one upload. Measured on an H200 (2026-12-05): a million one-task
/// `publish_with` calls, each written to the device, took 12.2 s — 11.6 µs
/// a call, where appending to the host queue costs nanoseconds.
pub(crate) const DIRECT_MIN_TASKS: usize = 1 << 12;

/// A `publish_range` not yet (fully) in a device inbox: `count` tasks of
/// `opcode` whose first argument runs from `first`, the other arguments
/// being `rest`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingRange {
    pub(crate) opcode: u32,
    pub(crate) tenant: u32,
    pub(crate) first: u32,
    pub(crate) count: u32,
    pub(crate) rest: [u32; MAX_ARGS - 1],
}

/// A batch of `count` tasks of `opcode` for `tenant`, each taking `arity`
/// argument words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch {
    pub(crate) opcode: u32,
    pub(crate) tenant: u32,
    pub(crate) count: usize,
    pub(crate) arity: usize,
}

/// Tasks of one opcode and tenant published one after another, waiting
/// in a host queue: their argument words, `arity` a task, from word
/// `start` of the queue's `args`.
#[derive(Debug, Clone, Copy)]
struct Run {
    opcode: u32,
    tenant: u32,
    arity: usize,
    start: usize,
    count: usize,
}

/// One partition's host queue: explicit tasks (oldest first) as runs of
/// one opcode and tenant, which store only argument words — a publishing
/// loop writes 4 bytes a one-argument task, not a 12-byte entry; `flush`
/// writes the entries — then ranges.
#[derive(Debug, Default)]
struct Queue {
    runs: VecDeque<Run>,
    /// The runs' argument words; those before the first run's `start` are
    /// gone.
    args: Vec<u32>,
    /// Tasks in the runs.
    tasks: usize,
    ranges: VecDeque<PendingRange>,
    /// Tasks the ranges still hold.
    range_tasks: u64,
}

impl Queue {
    /// The run a task of `opcode`, `tenant` and `arity` joins: the last
    /// one when it matches, else a new one.
    #[inline]
    fn run_for(&mut self, opcode: u32, tenant: u32, arity: usize) -> &mut Run {
        let start = self.args.len();
        let joins = matches!(self.runs.back(), Some(r) if r.opcode == opcode && r.tenant == tenant && r.arity == arity);
        if !joins {
            self.runs.push_back(Run {
                opcode,
                tenant,
                arity,
                start,
                count: 0,
            });
        }
        // Just pushed, or matched: there is a last run.
        let last = self.runs.len() - 1;
        &mut self.runs[last]
    }

    /// Forgets the argument words no run holds any more.
    fn compact(&mut self) {
        match self.runs.front() {
            None => self.args.clear(),
            Some(first) if first.start > self.args.len() / 2 => {
                let gone = first.start;
                self.args.drain(..gone);
                for r in &mut self.runs {
                    r.start -= gone;
                }
            }
            Some(_) => {}
        }
    }
}

/// Host queues and the host's view of the inbox rings.
#[derive(Debug)]
pub(crate) struct Inbox {
    entry_words: usize,
    queues: [Queue; PRIORITIES],
    /// Entries written per partition (the device's `INBOX_TAIL`).
    tail: [u32; PRIORITIES],
    /// Entries consumed per partition, as of the last summary.
    head: [u32; PRIORITIES],
    /// Entries each inbox holds (powers of two).
    capacity: [u32; PRIORITIES],
    /// First entry of each inbox in `vy_inbox`.
    base: [u32; PRIORITIES],
    /// Where the control block keeps the range descriptors.
    ranges_at: u32,
    /// The batch area: words of `vy_inbox` after the inboxes, where a
    /// batch's argument words wait for the expand pass.
    batch_at: u64,
    /// Its size in words.
    batch_words: u64,
}

impl Inbox {
    /// The host's view of the inboxes the engine made for `program`
    /// (`inbox_capacity` entries each, one after the other).
    pub(crate) fn new(program: &Program, layout: &ControlLayout) -> Self {
        let capacity = [program.config().inbox_capacity; PRIORITIES];
        let words = protocol::inbox_words(&capacity);
        let mut base = [0; PRIORITIES];
        base.copy_from_slice(&words[..PRIORITIES]);
        let entry_words = program.entry_words() as usize;
        let entries: u64 = capacity.iter().map(|&c| u64::from(c)).sum();
        Inbox {
            entry_words,
            batch_at: entries * entry_words as u64,
            batch_words: 0,
            queues: Default::default(),
            tail: [0; PRIORITIES],
            head: [0; PRIORITIES],
            capacity,
            base,
            ranges_at: layout.ranges,
        }
    }

    /// Appends `count` entries to the queue of partition `p`: `fill(k,
    /// entry)` writes entry `k` (every word zeroed but the header).
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooLarge`] (`host queue`) when the host cannot hold
    /// them; nothing is queued then.
    pub(crate) fn push_with(
        &mut self,
        p: usize,
        batch: Batch,
        mut fill: impl FnMut(usize, &mut [u32]),
    ) -> Result<()> {
        let Batch {
            opcode,
            tenant,
            count,
            arity,
        } = batch;
        let arity = arity.min(self.entry_words - entry::ARG0 as usize);
        let q = &mut self.queues[p];
        let from = q.args.len();
        let too_large = || Error::BufferTooLarge {
            name: "host queue".to_string(),
            bytes: (count as u64).saturating_mul(arity as u64 * 4),
            max: isize::MAX as u64,
        };
        let added = count.checked_mul(arity).ok_or_else(too_large)?;
        q.args.try_reserve(added).map_err(|_| too_large())?;
        // The run first: a new one starts at the words added next.
        q.run_for(opcode, tenant, arity).count += count;
        q.tasks += count;
        q.args.resize(from + added, 0);
        if arity > 0 {
            for (k, a) in q.args[from..].chunks_exact_mut(arity).enumerate() {
                fill(k, a);
            }
        }
        Ok(())
    }

    /// Writes a batch straight into the device inbox of partition `p` when
    /// nothing of `p` waits on the host and the inbox (grown if needed and
    /// possible) has room for all of it: the bulk path, which then costs
    /// no host queue and no upload inside `run()`. Only the argument words
    /// cross the bus when the batch area holds them (`arity` words a task,
    /// none for an opcode without arguments): the expand pass writes the
    /// entries; otherwise whole entries are packed here. `args(k, words)`
    /// writes the `arity` argument words of task `k` (zeroed); it may run
    /// on several threads. Returns whether it wrote them; if not, nothing
    /// happened and the caller queues them. Batches under
    /// [`DIRECT_MIN_TASKS`] are always queued: a device write costs
    /// microseconds whatever its size.
    pub(crate) fn publish_direct(
        &mut self,
        engine: &mut dyn Engine,
        p: usize,
        batch: Batch,
        args: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<bool> {
        let Batch {
            opcode,
            tenant,
            count,
            arity,
        } = batch;
        if self.queued(p) != 0 || !(DIRECT_MIN_TASKS..=1 << 31).contains(&count) {
            return Ok(false);
        }
        let mut extra = [0; PRIORITIES];
        extra[p] = count as u64;
        let area = count as u64 * arity as u64;
        self.grow(engine, extra, area)?;
        let cap = self.capacity[p];
        if (count as u64) > u64::from(cap - self.pending(p).min(cap)) {
            return Ok(false);
        }
        let source = u32::try_from(self.batch_at).ok();
        if let (true, Some(first)) = (area <= self.batch_words, source) {
            if arity > 0 {
                engine.write_inbox_with(self.batch_at, count, arity, &|from, out| {
                    for (j, a) in out.chunks_exact_mut(arity).enumerate() {
                        a.fill(0);
                        args(from + j, a);
                    }
                })?;
            }
            let mut d = vec![0u32; RANGE_WORDS as usize];
            d[range::PARTITION as usize] = p as u32;
            d[range::POSITION as usize] = self.tail[p];
            d[range::COUNT as usize] = count as u32;
            d[range::OPCODE as usize] = opcode;
            d[range::TENANT as usize] = tenant;
            // No argument words: a range of zeros' worth (the entries'
            // first argument word, which no handler of the opcode reads,
            // holds the task's index).
            if arity > 0 {
                d[range::FIRST as usize] = first;
                d[range::SOURCE_WORDS as usize] = arity as u32;
            }
            self.tail[p] = self.tail[p].wrapping_add(count as u32);
            engine.write_control(ctrl::INBOX_TAIL as u64 + p as u64, &[self.tail[p]])?;
            let mut widest = count as u32;
            expand(engine, self.ranges_at, &mut d, &mut widest)?;
            return Ok(true);
        }
        let ew = self.entry_words;
        let pack = |from: usize| {
            move |first: usize, out: &mut [u32]| {
                for (j, e) in out.chunks_exact_mut(ew).enumerate() {
                    e[entry::OPCODE as usize] = opcode;
                    e[entry::TENANT as usize] = tenant;
                    let a = &mut e[entry::ARG0 as usize..];
                    a.fill(0);
                    args(from + first + j, a);
                }
            }
        };
        let mut done = 0usize;
        while done < count {
            let pos = self.tail[p] & (cap - 1);
            let run = ((cap - pos) as usize).min(count - done);
            let at = u64::from(self.base[p] + pos) * ew as u64;
            engine.write_inbox_with(at, run, ew, &pack(done))?;
            self.tail[p] = self.tail[p].wrapping_add(run as u32);
            done += run;
        }
        engine.write_control(ctrl::INBOX_TAIL as u64 + p as u64, &[self.tail[p]])?;
        Ok(true)
    }

    /// Appends one task with argument words `args` (those past the
    /// program's widest handler are dropped: no handler reads them).
    #[inline]
    pub(crate) fn push(&mut self, p: usize, opcode: u32, tenant: u32, args: &[u32]) {
        // `publish` is the per-task path: the run's counter and the
        // argument words, no more.
        let n = args.len().min(self.entry_words - entry::ARG0 as usize);
        let q = &mut self.queues[p];
        q.run_for(opcode, tenant, n).count += 1;
        q.tasks += 1;
        // Copies of a length known here compile to a few moves instead of
        // a call to `memcpy` (the common tasks are small).
        match n {
            0 => {}
            1 => q.args.push(args[0]),
            2 => q.args.extend_from_slice(&args[..2]),
            3 => q.args.extend_from_slice(&args[..3]),
            _ => q.args.extend_from_slice(&args[..n]),
        }
    }

    /// Queues a range for partition `p`.
    pub(crate) fn push_range(&mut self, p: usize, range: PendingRange) {
        let q = &mut self.queues[p];
        q.range_tasks += u64::from(range.count);
        q.ranges.push_back(range);
    }

    /// Entries in the device inbox of partition `p` not yet placed.
    pub(crate) fn pending(&self, p: usize) -> u32 {
        self.tail[p].wrapping_sub(self.head[p])
    }

    /// Tasks still in the host queue of partition `p`.
    pub(crate) fn queued(&self, p: usize) -> u64 {
        let q = &self.queues[p];
        q.tasks as u64 + q.range_tasks
    }

    /// Records the device's `INBOX_HEAD` words from a summary.
    pub(crate) fn observe(&mut self, summary: &[u32]) {
        for p in 0..PRIORITIES {
            self.head[p] = summary[(ctrl::INBOX_HEAD as usize) + p];
        }
    }

    /// Grows the inboxes, when every one is empty, so that each holds what
    /// its queue has waiting (powers of two, within what the engine can
    /// bind): one flush then moves a whole batch. The batch area after them
    /// grows to `batch` words when that fits too (it is never in use then:
    /// the expand pass has read it before the device consumed the entries
    /// it wrote).
    fn grow(
        &mut self,
        engine: &mut dyn Engine,
        extra: [u64; PRIORITIES],
        batch: u64,
    ) -> Result<()> {
        if (0..PRIORITIES).any(|p| self.pending(p) != 0) {
            return Ok(());
        }
        let ew = self.entry_words as u64;
        let max_words = engine.max_inbox_words();
        let mut want = self.capacity;
        for (p, w) in want.iter_mut().enumerate() {
            let queued = (self.queued(p) + extra[p]).min(1 << 31) as u32;
            *w = (*w).max(queued.next_power_of_two());
        }
        let entry_words = |want: &[u32; PRIORITIES]| -> u64 {
            want.iter().map(|&c| u64::from(c)).sum::<u64>() * ew
        };
        // Halve the largest new capacity until all fit with the batch area
        // (never below the current ones, which fit already).
        loop {
            if entry_words(&want) + self.batch_words <= max_words {
                break;
            }
            let Some((p, _)) = want
                .iter()
                .enumerate()
                .filter(|&(p, &c)| c > self.capacity[p])
                .max_by_key(|&(_, &c)| c)
            else {
                want = self.capacity;
                break;
            };
            want[p] /= 2;
        }
        let entries = entry_words(&want);
        let area = if batch > self.batch_words && entries + batch <= max_words {
            batch
        } else {
            self.batch_words
        };
        if want == self.capacity && area == self.batch_words {
            return Ok(());
        }
        engine.resize_inbox(entries + area)?;
        let words = protocol::inbox_words(&want);
        engine.write_control(ctrl::INBOX_BASE as u64, &words)?;
        self.capacity = want;
        self.base.copy_from_slice(&words[..PRIORITIES]);
        self.batch_at = entries;
        self.batch_words = area;
        Ok(())
    }

    /// Moves as many queued tasks as fit into the device inboxes (growing
    /// them first when they are empty and too small), has the device expand
    /// the ranges among them, and publishes the new tails. Returns how many
    /// tasks moved.
    pub(crate) fn flush(&mut self, engine: &mut dyn Engine) -> Result<u64> {
        if (0..PRIORITIES).all(|p| self.queued(p) == 0) {
            return Ok(0);
        }
        self.grow(engine, [0; PRIORITIES], 0)?;
        let ew = self.entry_words;
        let mut moved = 0u64;
        let mut descriptors: Vec<u32> = Vec::new();
        let mut widest = 0u32;
        for p in 0..PRIORITIES {
            let cap = self.capacity[p];
            let mut room = cap - self.pending(p).min(cap);
            let before = self.tail[p];
            // Explicit tasks, run by run, each in at most two contiguous
            // pieces of the inbox: the entries written from the runs'
            // argument words.
            while room > 0 {
                let Some(&r) = self.queues[p].runs.front() else {
                    break;
                };
                let n = (room as usize).min(r.count);
                let mut done = 0usize;
                while done < n {
                    let pos = self.tail[p] & (cap - 1);
                    let piece = ((cap - pos) as usize).min(n - done);
                    let from = r.start + done * r.arity;
                    let src = &self.queues[p].args[from..from + piece * r.arity];
                    let at = u64::from(self.base[p] + pos) * ew as u64;
                    engine.write_inbox_with(at, piece, ew, &|first, out: &mut [u32]| {
                        for (j, e) in out.chunks_exact_mut(ew).enumerate() {
                            e[entry::OPCODE as usize] = r.opcode;
                            e[entry::TENANT as usize] = r.tenant;
                            let a = &mut e[entry::ARG0 as usize..];
                            let k = (first + j) * r.arity;
                            a[..r.arity].copy_from_slice(&src[k..k + r.arity]);
                            a[r.arity..].fill(0);
                        }
                    })?;
                    self.tail[p] = self.tail[p].wrapping_add(piece as u32);
                    done += piece;
                }
                let q = &mut self.queues[p];
                q.tasks -= n;
                room -= n as u32;
                if n == r.count {
                    q.runs.pop_front();
                } else if let Some(front) = q.runs.front_mut() {
                    front.start += n * r.arity;
                    front.count -= n;
                }
            }
            let q = &mut self.queues[p];
            q.compact();
            // Ranges: the device writes their entries.
            while room > 0 {
                let Some(r) = q.ranges.front_mut() else { break };
                let k = room.min(r.count);
                let mut d = [0u32; RANGE_WORDS as usize];
                d[range::PARTITION as usize] = p as u32;
                d[range::POSITION as usize] = self.tail[p];
                d[range::COUNT as usize] = k;
                d[range::OPCODE as usize] = r.opcode;
                d[range::TENANT as usize] = r.tenant;
                d[range::FIRST as usize] = r.first;
                d[range::REST as usize..range::SOURCE_WORDS as usize].copy_from_slice(&r.rest);
                descriptors.extend_from_slice(&d);
                widest = widest.max(k);
                self.tail[p] = self.tail[p].wrapping_add(k);
                room -= k;
                q.range_tasks -= u64::from(k);
                r.first = r.first.wrapping_add(k);
                r.count -= k;
                if r.count == 0 {
                    q.ranges.pop_front();
                }
                if descriptors.len() == (RANGE_SLOTS * RANGE_WORDS) as usize {
                    expand(engine, self.ranges_at, &mut descriptors, &mut widest)?;
                }
            }
            if self.tail[p] != before {
                engine.write_control(ctrl::INBOX_TAIL as u64 + p as u64, &[self.tail[p]])?;
                moved += u64::from(self.tail[p].wrapping_sub(before));
            }
        }
        expand(engine, self.ranges_at, &mut descriptors, &mut widest)?;
        Ok(moved)
    }
}

/// Has the engine write the entries of `descriptors` (at most
/// [`RANGE_SLOTS`], stored at control word `ranges_at`) and empties the
/// list.
fn expand(
    engine: &mut dyn Engine,
    ranges_at: u32,
    descriptors: &mut Vec<u32>,
    widest: &mut u32,
) -> Result<()> {
    if descriptors.is_empty() {
        return Ok(());
    }
    let count = (descriptors.len() / RANGE_WORDS as usize) as u32;
    engine.write_control(u64::from(ranges_at), descriptors)?;
    engine.write_control(ctrl::RANGE_COUNT as u64, &[count])?;
    engine.expand(count, *widest)?;
    descriptors.clear();
    *widest = 0;
    Ok(())
}
