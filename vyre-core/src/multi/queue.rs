//! The set's host queue: published tasks not yet handed to a device, per
//! priority, and the chunks `run()` hands out from it.

use std::collections::VecDeque;
use std::ops::Range;

use crate::error::Result;
use crate::protocol::{Priority, MAX_ARGS, PRIORITIES};
use crate::runtime::{EntryHeader, Runtime};

/// Tasks of one publish call whose argument words are packed: `words.len()
/// / stride` tasks of `arity` real words each.
#[derive(Debug, Clone)]
pub(crate) struct Packed {
    pub(crate) opcode: u32,
    pub(crate) tenant: u32,
    pub(crate) arity: usize,
    /// Words a task takes in `words`: `arity`, or 1 when it is 0 (so that
    /// a task without arguments still has its place).
    pub(crate) stride: usize,
    pub(crate) words: Vec<u32>,
}

impl Packed {
    fn count(&self) -> u64 {
        (self.words.len() / self.stride) as u64
    }

    /// Splits off the first `n` tasks.
    fn split_front(&mut self, n: u64) -> Packed {
        let rest = self.words.split_off(n as usize * self.stride);
        Packed {
            words: std::mem::replace(&mut self.words, rest),
            ..*self
        }
    }

    fn publish_into(&self, rt: &mut Runtime, priority: Priority) -> Result<()> {
        let header = EntryHeader {
            opcode: self.opcode,
            tenant: self.tenant,
            ticket: 0,
        };
        let count = self.words.len() / self.stride;
        // Tasks without arguments carry a placeholder word here, none there.
        let (arity, words) = if self.arity == 0 {
            (0, &[][..])
        } else {
            (self.arity, &self.words[..])
        };
        rt.queue_words(header, priority, count, arity, words)
    }
}

/// One task per index of `indices`, the index as the first argument word
/// and `rest` after it.
#[derive(Debug, Clone)]
pub(crate) struct Indexed {
    pub(crate) opcode: u32,
    pub(crate) tenant: u32,
    pub(crate) indices: Range<u32>,
    pub(crate) rest: [u32; MAX_ARGS - 1],
}

impl Indexed {
    fn count(&self) -> u64 {
        u64::from(self.indices.end.saturating_sub(self.indices.start))
    }

    /// Splits off the first `n` indices.
    fn split_front(&mut self, n: u64) -> Indexed {
        let cut = self.indices.start + n as u32;
        let front = self.indices.start..cut;
        self.indices.start = cut;
        Indexed {
            indices: front,
            ..*self
        }
    }
}

/// Tasks of one publish call.
#[derive(Debug, Clone)]
pub(crate) enum Work {
    /// Packed argument words.
    Packed(Packed),
    /// An index range.
    Indexed(Indexed),
}

impl Work {
    /// Tasks it holds.
    pub(crate) fn count(&self) -> u64 {
        match self {
            Work::Packed(p) => p.count(),
            Work::Indexed(r) => r.count(),
        }
    }

    /// Splits off its first `n` tasks (`n < count`).
    fn split_front(&mut self, n: u64) -> Work {
        match self {
            Work::Packed(p) => Work::Packed(p.split_front(n)),
            Work::Indexed(r) => Work::Indexed(r.split_front(n)),
        }
    }

    /// Publishes it on `rt` at `priority` (already checked against the
    /// program and the tenants when the set accepted it).
    pub(crate) fn publish_into(&self, rt: &mut Runtime, priority: Priority) -> Result<()> {
        match self {
            Work::Packed(p) => p.publish_into(rt, priority),
            Work::Indexed(r) => {
                rt.queue_range(r.tenant, priority, r.opcode, r.indices.clone(), r.rest);
                Ok(())
            }
        }
    }
}

/// Published tasks not yet handed to a device, in publish order per
/// priority.
#[derive(Debug, Default)]
pub(crate) struct SetQueue {
    parts: [VecDeque<Work>; PRIORITIES],
    counts: [u64; PRIORITIES],
}

impl SetQueue {
    /// Queues `work` at `priority`.
    pub(crate) fn push(&mut self, priority: Priority, work: Work) {
        let n = work.count();
        if n == 0 {
            return;
        }
        self.counts[priority.index()] += n;
        self.parts[priority.index()].push_back(work);
    }

    /// Tasks queued, per priority.
    pub(crate) fn counts(&self) -> [u64; PRIORITIES] {
        self.counts
    }

    /// Tasks queued.
    pub(crate) fn len(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Up to `max` tasks from the front, highest priority first: a chunk
    /// never holds a task while a task of higher priority stays queued.
    pub(crate) fn take(&mut self, max: u64) -> Vec<(Priority, Work)> {
        let mut left = max;
        let mut chunk = Vec::new();
        for priority in Priority::ALL {
            let p = priority.index();
            while left > 0 {
                let work = match self.parts[p].front_mut() {
                    None => break,
                    Some(front) if front.count() > left => front.split_front(left),
                    Some(_) => match self.parts[p].pop_front() {
                        Some(whole) => whole,
                        None => break,
                    },
                };
                let taken = work.count();
                left -= taken;
                self.counts[p] -= taken;
                chunk.push((priority, work));
            }
        }
        chunk
    }

    /// Puts back a chunk that `take` returned and no device took: at the
    /// front, in its order.
    pub(crate) fn put_back(&mut self, chunk: Vec<(Priority, Work)>) {
        for (priority, work) in chunk.into_iter().rev() {
            self.counts[priority.index()] += work.count();
            self.parts[priority.index()].push_front(work);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(opcode: u32, tasks: &[u32]) -> Work {
        Work::Packed(Packed {
            opcode,
            tenant: 0,
            arity: 1,
            stride: 1,
            words: tasks.to_vec(),
        })
    }

    fn range(indices: Range<u32>) -> Work {
        Work::Indexed(Indexed {
            opcode: 9,
            tenant: 0,
            indices,
            rest: [0; MAX_ARGS - 1],
        })
    }

    #[test]
    fn chunks_take_higher_priorities_first_and_split_calls() {
        let mut q = SetQueue::default();
        q.push(Priority::Idle, words(1, &[1, 2, 3]));
        q.push(Priority::Critical, range(10..15));
        q.push(Priority::Normal, words(2, &[7, 8]));
        assert_eq!(q.len(), 10);
        let chunk = q.take(6);
        let got: Vec<(Priority, u64)> = chunk.iter().map(|(p, w)| (*p, w.count())).collect();
        assert_eq!(got, vec![(Priority::Critical, 5), (Priority::Normal, 1)]);
        assert_eq!(q.counts(), [0, 0, 1, 0, 3]);
        let chunk = q.take(100);
        match &chunk[0].1 {
            Work::Packed(p) => assert_eq!(p.words, vec![8]),
            other => panic!("{other:?}"),
        }
        assert_eq!(q.len(), 0);
        assert!(q.take(5).is_empty());
    }

    #[test]
    fn ranges_split_into_contiguous_pieces() {
        let mut q = SetQueue::default();
        q.push(Priority::High, range(0..10));
        let a = q.take(4);
        let b = q.take(4);
        let c = q.take(4);
        let span = |c: &[(Priority, Work)]| match &c[0].1 {
            Work::Indexed(r) => r.indices.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!((span(&a), span(&b), span(&c)), (0..4, 4..8, 8..10));
    }

    #[test]
    fn put_back_restores_order_and_counts() {
        let mut q = SetQueue::default();
        q.push(Priority::High, words(1, &[1, 2, 3, 4]));
        q.push(Priority::Low, words(1, &[5]));
        let chunk = q.take(5);
        q.put_back(chunk);
        assert_eq!(q.counts(), [0, 4, 0, 1, 0]);
        let again: Vec<u64> = q.take(5).iter().map(|(_, w)| w.count()).collect();
        assert_eq!(again, vec![4, 1]);
    }

    #[test]
    fn tasks_without_arguments_keep_their_count() {
        let mut q = SetQueue::default();
        q.push(
            Priority::Normal,
            Work::Packed(Packed {
                opcode: 3,
                tenant: 0,
                arity: 0,
                stride: 1,
                words: vec![0; 7],
            }),
        );
        assert_eq!(q.take(3)[0].1.count(), 3);
        assert_eq!(q.len(), 4);
    }
}
