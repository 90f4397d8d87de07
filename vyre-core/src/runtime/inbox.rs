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

/// The words every entry of one publish call shares: its opcode, tenant
/// and ticket word (0 outside service mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryHeader {
    pub(crate) opcode: u32,
    pub(crate) tenant: u32,
    pub(crate) ticket: u32,
}

impl EntryHeader {
    /// Writes the header words of entry `e`.
    #[inline]
    fn write(&self, e: &mut [u32]) {
        e[entry::OPCODE as usize] = self.opcode;
        e[entry::TENANT as usize] = self.tenant;
        e[entry::TICKET as usize] = self.ticket;
    }
}

/// A `publish_range` not yet (fully) in a device inbox: `count` tasks
/// whose first argument runs from `first`, the other arguments being
/// `rest`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingRange {
    pub(crate) header: EntryHeader,
    pub(crate) first: u32,
    pub(crate) count: u32,
    pub(crate) rest: [u32; MAX_ARGS - 1],
}

/// A batch of `count` tasks, each taking `arity` argument words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch {
    pub(crate) header: EntryHeader,
    pub(crate) count: usize,
    pub(crate) arity: usize,
}

/// The words a run of host-queue entries shares: tenant and ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tag {
    tenant: u32,
    ticket: u32,
}

/// One partition's host queue: explicit entries (oldest first, from
/// `start`), then ranges.
#[derive(Debug, Default)]
struct Queue {
    /// Compact entries without their tenant and ticket words (`[opcode,
    /// args…]`, two words fewer than the device's entries); the first
    /// `start` are gone. Tenants and tickets are kept as runs in `tags`:
    /// they change between calls, not between a call's tasks (outside a
    /// service both are nearly always 0), and each word fewer per entry
    /// is less memory traffic on `publish`'s path (a third less for a
    /// one-argument task; 9.9 → 9.4 ns a task in `cpu_paths`'
    /// `publish/single_1m` on the development machine, 2026-12-05).
    words: Vec<u32>,
    /// Entries already flushed from the front of `words`.
    start: usize,
    /// `(entry, tag)`: the entries of `words` from `entry` on carry `tag`,
    /// up to the next run; entries before the first run carry tenant 0,
    /// ticket 0.
    tags: Vec<(usize, Tag)>,
    ranges: VecDeque<PendingRange>,
    /// Tasks the ranges still hold.
    range_tasks: u64,
}

impl Queue {
    fn entries(&self, host_words: usize) -> usize {
        self.words.len() / host_words - self.start
    }

    /// `count` new entries of `hw` words carrying `header`'s tenant and
    /// ticket, zeroed for the caller to fill.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooLarge`] (`host queue`) when the host cannot hold
    /// them; nothing is added then.
    fn append(&mut self, header: EntryHeader, count: usize, hw: usize) -> Result<&mut [u32]> {
        let too_large = || Error::BufferTooLarge {
            name: "host queue".to_string(),
            bytes: (count as u64).saturating_mul(hw as u64 * 4),
            max: isize::MAX as u64,
        };
        let added = count.checked_mul(hw).ok_or_else(too_large)?;
        self.words.try_reserve(added).map_err(|_| too_large())?;
        let from = self.words.len();
        if count > 0 {
            self.mark(from / hw, header);
        }
        self.words.resize(from + added, 0);
        Ok(&mut self.words[from..])
    }

    /// Records that the entries from `entry` on carry `header`'s tenant
    /// and ticket.
    #[inline]
    fn mark(&mut self, entry: usize, header: EntryHeader) {
        let tag = Tag {
            tenant: header.tenant,
            ticket: header.ticket,
        };
        let current = self.tags.last().map_or(Tag::default(), |&(_, t)| t);
        if tag != current {
            self.tags.push((entry, tag));
        }
    }

    /// The index of the first run that starts after `entry`.
    fn run_after(&self, entry: usize) -> usize {
        self.tags.partition_point(|&(e, _)| e <= entry)
    }

    /// Forgets the first `n` entries of `words` (already removed).
    fn drop_front(&mut self, n: usize) {
        let after = self.run_after(n);
        let carried = after
            .checked_sub(1)
            .map_or(Tag::default(), |i| self.tags[i].1);
        let mut kept = Vec::with_capacity(self.tags.len() - after + 1);
        if carried != Tag::default() {
            kept.push((0, carried));
        }
        kept.extend(self.tags[after..].iter().map(|&(e, t)| (e - n, t)));
        self.tags = kept;
    }
}

/// Host-queue words of an entry: the device's less its tenant and ticket
/// words.
const fn host_words(entry_words: usize) -> usize {
    entry_words - 2
}

/// Where a host-queue entry's argument words start.
const HOST_ARG0: usize = 1;
// Host entries are device entries without the tenant and ticket words,
// which come right after the opcode.
const _: () =
    assert!(entry::OPCODE == 0 && entry::TENANT == 1 && entry::TICKET == 2 && entry::ARG0 == 3);

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
        header: EntryHeader,
        count: usize,
        mut fill: impl FnMut(usize, &mut [u32]),
    ) -> Result<()> {
        let hw = host_words(self.entry_words);
        let entries = self.queues[p].append(header, count, hw)?;
        for (k, e) in entries.chunks_exact_mut(hw).enumerate() {
            e[0] = header.opcode;
            fill(k, &mut e[HOST_ARG0..]);
        }
        Ok(())
    }

    /// Appends `count` entries to the queue of partition `p` whose
    /// argument words are `words` (`arity` a task, back to back): the
    /// copy of a service's batch call, one tight loop without a call per
    /// task.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooLarge`] (`host queue`) when the host cannot hold
    /// them; nothing is queued then.
    pub(crate) fn push_words(
        &mut self,
        p: usize,
        header: EntryHeader,
        count: usize,
        arity: usize,
        words: &[u32],
    ) -> Result<()> {
        let hw = host_words(self.entry_words);
        let n = arity.min(hw - HOST_ARG0);
        if n == 0 || words.len() < count * arity {
            return self.push_with(p, header, count, |k, out| {
                let a = &words[(k * arity).min(words.len())..];
                let m = n.min(a.len());
                out[..m].copy_from_slice(&a[..m]);
            });
        }
        let entries = self.queues[p]
            .append(header, count, hw)?
            .chunks_exact_mut(hw);
        let args = words.chunks_exact(arity);
        // One argument (the common case) as a plain store, not a copy of
        // a length known only at run time.
        if n == 1 {
            for (e, a) in entries.zip(args) {
                e[0] = header.opcode;
                e[HOST_ARG0] = a[0];
            }
        } else {
            for (e, a) in entries.zip(args) {
                e[0] = header.opcode;
                e[HOST_ARG0..HOST_ARG0 + n].copy_from_slice(&a[..n]);
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
            header,
            count,
            arity,
        } = batch;
        if self.queued(p) != 0 || !(DIRECT_MIN_TASKS..=1 << 31).contains(&count) {
            return Ok(false);
        }
        crate::trace::stage!("publish_direct", tasks = count);
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
            let mut d = descriptor(p, self.tail[p], count as u32, header);
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
            expand(engine, self.ranges_at, &mut d.to_vec(), &mut widest)?;
            return Ok(true);
        }
        let ew = self.entry_words;
        let pack = |from: usize| {
            move |first: usize, out: &mut [u32]| {
                for (j, e) in out.chunks_exact_mut(ew).enumerate() {
                    header.write(e);
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

    /// Appends one entry with argument words `args` (those past the
    /// program's widest handler are dropped: no handler reads them).
    #[inline]
    pub(crate) fn push(&mut self, p: usize, header: EntryHeader, args: &[u32]) {
        let hw = host_words(self.entry_words);
        let q = &mut self.queues[p];
        q.mark(q.words.len() / hw, header);
        // The entry goes straight from registers into the queue: an entry
        // assembled in a stack array and copied from there made the copy
        // wait on store forwarding (the array's words written one by one,
        // read back as wider loads), which was most of a publish's time.
        let a = |i: usize| args.get(i).copied().unwrap_or(0);
        let words = &mut q.words;
        match hw {
            1 => words.push(header.opcode),
            2 => words.extend_from_slice(&[header.opcode, a(0)]),
            3 => words.extend_from_slice(&[header.opcode, a(0), a(1)]),
            4 => words.extend_from_slice(&[header.opcode, a(0), a(1), a(2)]),
            _ => {
                let at = words.len();
                words.push(header.opcode);
                words.extend_from_slice(&args[..args.len().min(hw - HOST_ARG0)]);
                words.resize(at + hw, 0);
            }
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
        q.entries(host_words(self.entry_words)) as u64 + q.range_tasks
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
    /// them first when they are empty and too small, unless `in_flight`),
    /// has the device expand the ranges among them, and publishes the new
    /// tails. Returns how many tasks moved.
    ///
    /// With `in_flight`, a submission is running: only the entries free as
    /// of the last summary are written (the device reads none of them
    /// before the next submission: they lie past the tail it was given),
    /// and the inboxes keep their buffers.
    pub(crate) fn flush(&mut self, engine: &mut dyn Engine, in_flight: bool) -> Result<u64> {
        if (0..PRIORITIES).all(|p| self.queued(p) == 0) {
            return Ok(0);
        }
        crate::trace::stage!("inbox_flush", in_flight = in_flight);
        if !in_flight {
            self.grow(engine, [0; PRIORITIES], 0)?;
        }
        let ew = self.entry_words;
        let hw = host_words(ew);
        let mut moved = 0u64;
        let mut descriptors: Vec<u32> = Vec::new();
        let mut widest = 0u32;
        for p in 0..PRIORITIES {
            let cap = self.capacity[p];
            let mut room = cap - self.pending(p).min(cap);
            let before = self.tail[p];
            // Explicit entries, in at most two contiguous runs.
            let n = (room as usize).min(self.queues[p].entries(hw));
            let mut done = 0usize;
            while done < n {
                let pos = self.tail[p] & (cap - 1);
                let run = ((cap - pos) as usize).min(n - done);
                let q = &self.queues[p];
                let first_entry = q.start + done;
                let at = u64::from(self.base[p] + pos) * ew as u64;
                engine.write_inbox_with(at, run, ew, &|first, out: &mut [u32]| {
                    expand_entries(q, first_entry + first, hw, out)
                })?;
                self.tail[p] = self.tail[p].wrapping_add(run as u32);
                done += run;
            }
            let q = &mut self.queues[p];
            q.start += n;
            if q.start * hw == q.words.len() {
                q.words.clear();
                q.tags.clear();
                q.start = 0;
            } else if q.start * hw > q.words.len() / 2 {
                q.words.drain(..q.start * hw);
                let gone = q.start;
                q.drop_front(gone);
                q.start = 0;
            }
            room -= n as u32;
            // Ranges: the device writes their entries.
            while room > 0 {
                let Some(r) = q.ranges.front_mut() else { break };
                let k = room.min(r.count);
                let mut d = descriptor(p, self.tail[p], k, r.header);
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
        crate::trace::event!("flushed", tasks = moved);
        Ok(moved)
    }
}

/// Device entries (`[opcode, tenant, ticket, args…]`, `hw + 2` words
/// each) for `out` from the host entries of `q` from `entry` on, their
/// tenant and ticket words from the queue's runs.
fn expand_entries(q: &Queue, entry: usize, hw: usize, out: &mut [u32]) {
    // The common widths as constants: the loop below is inlined into each
    // arm, so its copies of the argument words are unrolled there instead
    // of a call to `memcpy` per entry.
    match hw {
        1 => expand_width(q, entry, 1, out),
        2 => expand_width(q, entry, 2, out),
        3 => expand_width(q, entry, 3, out),
        4 => expand_width(q, entry, 4, out),
        _ => expand_width(q, entry, hw, out),
    }
}

/// [`expand_entries`] for host entries of `hw` words.
#[inline(always)]
fn expand_width(q: &Queue, entry: usize, hw: usize, out: &mut [u32]) {
    let mut run = q.run_after(entry);
    let mut tag = run.checked_sub(1).map_or(Tag::default(), |i| q.tags[i].1);
    let mut next = q.tags.get(run).map_or(usize::MAX, |&(e, _)| e);
    let src = &q.words[entry * hw..];
    for (j, (e, h)) in out
        .chunks_exact_mut(hw + 2)
        .zip(src.chunks_exact(hw))
        .enumerate()
    {
        // Runs that start at the same entry: the last one holds.
        while entry + j >= next {
            tag = q.tags[run].1;
            run += 1;
            next = q.tags.get(run).map_or(usize::MAX, |&(e, _)| e);
        }
        e[entry::OPCODE as usize] = h[0];
        e[entry::TENANT as usize] = tag.tenant;
        e[entry::TICKET as usize] = tag.ticket;
        e[entry::ARG0 as usize..].copy_from_slice(&h[HOST_ARG0..]);
    }
}

/// The descriptor of `count` entries with `header` at inbox position
/// `position` of partition `p`; its arguments still zero.
fn descriptor(
    p: usize,
    position: u32,
    count: u32,
    header: EntryHeader,
) -> [u32; RANGE_WORDS as usize] {
    let mut d = [0u32; RANGE_WORDS as usize];
    d[range::PARTITION as usize] = p as u32;
    d[range::POSITION as usize] = position;
    d[range::COUNT as usize] = count;
    d[range::OPCODE as usize] = header.opcode;
    d[range::TENANT as usize] = header.tenant;
    d[range::TICKET as usize] = header.ticket;
    d
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The header of tenant `tenant` and ticket `ticket` (opcode 9).
    fn header(tenant: u32, ticket: u32) -> EntryHeader {
        EntryHeader {
            opcode: 9,
            tenant,
            ticket,
        }
    }

    /// A queue of one-argument entries (host entries of two words) whose
    /// tenants are `tenants[k]` (1 where not given) and tickets
    /// `tickets[k]`, entry `k`'s argument `k`.
    fn queue_of(tenants: &[u32], tickets: &[u32]) -> Queue {
        let mut q = Queue::default();
        for (k, &t) in tickets.iter().enumerate() {
            q.mark(k, header(tenants.get(k).copied().unwrap_or(1), t));
            q.words.extend_from_slice(&[9, k as u32]);
        }
        q
    }

    fn queue(tickets: &[u32]) -> Queue {
        queue_of(&[], tickets)
    }

    /// The device entries of `q` from `entry` on, `n` of them.
    fn expanded(q: &Queue, entry: usize, n: usize) -> Vec<[u32; 4]> {
        let mut out = vec![0u32; n * 4];
        expand_entries(q, entry, 2, &mut out);
        out.chunks_exact(4)
            .map(|e| [e[0], e[1], e[2], e[3]])
            .collect()
    }

    #[test]
    fn tenant_and_ticket_words_come_back_from_the_runs() {
        let tickets = [0, 0, 5, 5, 0, 7, 7, 7];
        let q = queue(&tickets);
        // Runs only where the tag changes (tenant 1 from the start).
        let tag = |ticket| Tag { tenant: 1, ticket };
        assert_eq!(q.tags, [(0, tag(0)), (2, tag(5)), (4, tag(0)), (5, tag(7))]);
        for from in 0..tickets.len() {
            let got = expanded(&q, from, tickets.len() - from);
            for (j, e) in got.iter().enumerate() {
                let k = from + j;
                assert_eq!(*e, [9, 1, tickets[k], k as u32], "entry {k} from {from}");
            }
        }
        // Tenants change between runs as tickets do.
        let tenants = [0, 0, 3, 3, 3, 0];
        let q = queue_of(&tenants, &[0, 4, 4, 4, 0, 0]);
        let got = expanded(&q, 0, 6);
        assert_eq!(got.iter().map(|e| e[1]).collect::<Vec<_>>(), tenants);
        assert_eq!(
            got.iter().map(|e| e[2]).collect::<Vec<_>>(),
            [0, 4, 4, 4, 0, 0]
        );
        // A queue of tenant 0 outside a service has no runs at all.
        assert!(queue_of(&[0; 6], &[0; 6]).tags.is_empty());
    }

    #[test]
    fn runs_that_start_together_keep_the_last() {
        let mut q = queue(&[3, 3]);
        // An empty call's run, then a call's: both start at entry 2.
        q.mark(2, header(1, 8));
        q.mark(2, header(1, 4));
        q.words.extend_from_slice(&[9, 2, 9, 3]);
        let got = expanded(&q, 0, 4);
        assert_eq!(got.iter().map(|e| e[2]).collect::<Vec<_>>(), [3, 3, 4, 4]);
    }

    #[test]
    fn dropping_flushed_entries_keeps_the_later_tags() {
        let tickets = [0, 5, 5, 0, 7, 7];
        for n in 0..=tickets.len() {
            let mut q = queue(&tickets);
            q.words.drain(..n * 2);
            q.drop_front(n);
            let rest = &tickets[n..];
            let got = expanded(&q, 0, rest.len());
            assert_eq!(
                got.iter().map(|e| e[2]).collect::<Vec<_>>(),
                rest,
                "after dropping {n}"
            );
            assert!(got.iter().all(|e| e[1] == 1), "after dropping {n}");
            // Marking goes on from the right current tag: the last
            // entry's, flushed or not.
            let before = q.tags.len();
            q.mark(rest.len(), header(1, tickets[tickets.len() - 1]));
            assert_eq!(q.tags.len(), before, "after dropping {n}");
        }
    }

    #[test]
    fn the_unrolled_widths_write_what_the_general_loop_writes() {
        // Widths 1 to 4 (unrolled) and 5 (the general loop), against the
        // entries as pushed.
        for hw in 1..=5usize {
            let mut q = Queue::default();
            for k in 0..40u32 {
                q.mark(k as usize, header(k / 7, k / 5));
                q.words.push(9);
                q.words.extend((1..hw as u32).map(|i| k * 10 + i));
            }
            for from in [0usize, 3, 39] {
                let n = 40 - from;
                let mut got = vec![0u32; n * (hw + 2)];
                expand_entries(&q, from, hw, &mut got);
                let want: Vec<u32> = (from as u32..40)
                    .flat_map(|k| {
                        [9, k / 7, k / 5]
                            .into_iter()
                            .chain((1..hw as u32).map(move |i| k * 10 + i))
                    })
                    .collect();
                assert_eq!(got, want, "width {hw} from {from}");
                // Spot check: entry `from`'s tenant, ticket and last word.
                let k = from as u32;
                assert_eq!(&got[1..3], &[k / 7, k / 5], "width {hw} from {from}");
                if hw > 1 {
                    assert_eq!(got[hw + 1], k * 10 + hw as u32 - 1);
                }
            }
        }
    }
}
