//! Exact task accounting across the life of a runtime.

/// Every task a runtime has seen, by where it is now. At every stop:
/// `published + spawned == executed + faulted + parked + waiting`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Tasks accepted by `publish`.
    pub published: u64,
    /// Tasks spawned on the device.
    pub spawned: u64,
    /// Spawn *attempts* refused because their partition was full. They
    /// never became tasks, so they are not part of the balance; the
    /// handler saw `spawn` return `false`.
    pub spawn_overflows: u64,
    /// Tasks that completed.
    pub executed: u64,
    /// Tasks that faulted.
    pub faulted: u64,
    /// Tasks of disabled tenants waiting in the ring.
    pub parked: u64,
    /// Runnable tasks not yet executed: claimable slots, inbox entries and
    /// the host queue.
    pub waiting: u64,
}

impl Accounting {
    /// Whether the books balance: `published + spawned == executed +
    /// faulted + parked + waiting` (spawn overflows excluded).
    pub fn balanced(&self) -> bool {
        self.published + self.spawned == self.executed + self.faulted + self.parked + self.waiting
    }
}
