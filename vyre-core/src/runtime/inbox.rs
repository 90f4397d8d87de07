//! The host's half of publishing: per-priority queues flushed into the
//! device inboxes (`docs/protocol.md`, "Inboxes").

use std::collections::VecDeque;

use crate::engine::Engine;
use crate::error::Result;
use crate::host::RawTask;
use crate::program::ProgramConfig;
use crate::protocol::{ctrl, slot, status, Priority, PRIORITIES, SLOT_WORDS};

/// Host queues and the host's view of the inbox rings.
#[derive(Debug)]
pub(crate) struct Inbox {
    queues: [VecDeque<RawTask>; PRIORITIES],
    /// Entries written per partition (the device's `INBOX_TAIL`).
    tail: [u32; PRIORITIES],
    /// Entries consumed per partition, as of the last summary.
    head: [u32; PRIORITIES],
    capacity: u32,
    bases: [u64; PRIORITIES],
}

impl Inbox {
    pub(crate) fn new(config: &ProgramConfig) -> Self {
        let mut bases = [0; PRIORITIES];
        for (p, b) in bases.iter_mut().enumerate() {
            *b = config.inbox_base(p);
        }
        Inbox {
            queues: Default::default(),
            tail: [0; PRIORITIES],
            head: [0; PRIORITIES],
            capacity: config.inbox_capacity,
            bases,
        }
    }

    /// Makes room for `additional` more tasks in the queue of `priority`.
    pub(crate) fn reserve(&mut self, priority: Priority, additional: usize) {
        self.queues[priority.index()].reserve(additional);
    }

    pub(crate) fn push(&mut self, priority: Priority, task: RawTask) {
        self.queues[priority.index()].push_back(task);
    }

    /// Entries in the device inbox of partition `p` not yet placed.
    pub(crate) fn pending(&self, p: usize) -> u32 {
        self.tail[p].wrapping_sub(self.head[p])
    }

    /// Tasks still in the host queue of partition `p`.
    pub(crate) fn queued(&self, p: usize) -> usize {
        self.queues[p].len()
    }

    /// Records the device's `INBOX_HEAD` words from a summary.
    pub(crate) fn observe(&mut self, summary: &[u32]) {
        for p in 0..PRIORITIES {
            self.head[p] = summary[(ctrl::INBOX_HEAD as usize) + p];
        }
    }

    /// Moves as many queued tasks as fit into the device inboxes and
    /// publishes the new tails. Returns how many moved.
    pub(crate) fn flush(&mut self, engine: &mut dyn Engine) -> Result<u64> {
        let mut moved = 0u64;
        for p in 0..PRIORITIES {
            let room = self.capacity - self.pending(p).min(self.capacity);
            let n = (room as usize).min(self.queues[p].len());
            if n == 0 {
                continue;
            }
            // Entries go to positions tail .. tail+n modulo the capacity (a
            // power of two, so the u32 counters wrap consistently): at most
            // two contiguous runs.
            let words: Vec<u32> = self.queues[p]
                .drain(..n)
                .flat_map(|task| entry_words(p as u32, &task))
                .collect();
            let start = self.tail[p] % self.capacity;
            let first = ((self.capacity - start) as usize).min(n) * SLOT_WORDS as usize;
            self.write_run(engine, p, start, &words[..first])?;
            if first < words.len() {
                self.write_run(engine, p, 0, &words[first..])?;
            }
            self.tail[p] = self.tail[p].wrapping_add(n as u32);
            engine.write_control(ctrl::INBOX_TAIL as u64 + p as u64, &[self.tail[p]])?;
            moved += n as u64;
        }
        Ok(moved)
    }

    fn write_run(&self, engine: &mut dyn Engine, p: usize, pos: u32, words: &[u32]) -> Result<()> {
        engine.write_ring(self.bases[p] + pos as u64 * SLOT_WORDS as u64, words)
    }
}

fn entry_words(priority: u32, task: &RawTask) -> [u32; SLOT_WORDS as usize] {
    let mut w = [0u32; SLOT_WORDS as usize];
    w[slot::STATUS as usize] = status::PUBLISHED;
    w[slot::OPCODE as usize] = task.opcode;
    w[slot::TENANT as usize] = task.tenant;
    w[slot::PRIORITY as usize] = priority;
    w[slot::ARG0 as usize..].copy_from_slice(&task.args);
    w
}
