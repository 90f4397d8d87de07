//! Sizes and limits that shape the generated program.

use crate::error::AssemblyError;
use crate::protocol::{Priority, PRIORITIES};

/// Largest supported ring, in slots.
pub const MAX_SLOTS: u32 = 1 << 22;
/// Largest supported workgroup size (WebGPU's default limit).
pub const MAX_WORKGROUP_SIZE: u32 = 256;
/// Largest supported tenant table.
pub const MAX_TENANTS: u32 = 1 << 16;

/// Sizes and limits of one megakernel program. Every field has a default
/// ([`ProgramConfig::default`]); [`validate`](ProgramConfig::validate)
/// says what is out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramConfig {
    /// Lanes per workgroup (1 ..= 256).
    pub workgroup_size: u32,
    /// Ring slots, all partitions together (5 ..= 4,194,304).
    pub slots: u32,
    /// Slots per partition, CRITICAL first; `None` splits `slots` evenly
    /// (the remainder goes to NORMAL). When given, they must add up to
    /// `slots` and each be at least 1.
    pub partition_sizes: Option<[u32; PRIORITIES]>,
    /// Size of the tenant table (1 ..= 65,536). Tenant 0 always exists.
    pub tenants: u32,
    /// Inbox entries per partition (a power of two): host publishes waiting
    /// for a slot.
    pub inbox_capacity: u32,
    /// Tasks one lane may claim in one dispatch before it returns.
    pub claim_budget: u32,
    /// Loop iterations one lane may run in one dispatch before it stops
    /// claiming new tasks (the running task finishes or hits `loop_limit`).
    pub iteration_budget: u32,
    /// Loop iterations one task may run in total; more faults the slot.
    pub loop_limit: u32,
    /// After this many consecutive claims by one lane, its next claim scans
    /// from IDLE upward so that lower priorities are never starved; 0 means
    /// strict priority.
    pub starvation_limit: u32,
    /// Printf records kept per submission; more are counted as dropped.
    pub printf_capacity: u32,
}

impl Default for ProgramConfig {
    fn default() -> Self {
        ProgramConfig {
            workgroup_size: 64,
            slots: 1 << 14,
            partition_sizes: None,
            tenants: 16,
            inbox_capacity: 4096,
            claim_budget: 64,
            iteration_budget: 1 << 14,
            loop_limit: 1 << 16,
            starvation_limit: 16,
            printf_capacity: 4096,
        }
    }
}

impl ProgramConfig {
    /// Checks every field; the error says which one and what is allowed.
    pub fn validate(&self) -> Result<(), AssemblyError> {
        let bad = |field: &'static str, value: u32, allowed: String| {
            Err(AssemblyError::InvalidConfig {
                field,
                value,
                allowed,
            })
        };
        if self.workgroup_size == 0 || self.workgroup_size > MAX_WORKGROUP_SIZE {
            return bad(
                "workgroup_size",
                self.workgroup_size,
                format!("1 ..= {MAX_WORKGROUP_SIZE}"),
            );
        }
        if self.slots < PRIORITIES as u32 || self.slots > MAX_SLOTS {
            return bad(
                "slots",
                self.slots,
                format!("{PRIORITIES} ..= {MAX_SLOTS} (one slot per priority at least)"),
            );
        }
        if let Some(sizes) = self.partition_sizes {
            let sum: u64 = sizes.iter().map(|&s| s as u64).sum();
            if sizes.contains(&0) || sum != self.slots as u64 {
                return Err(AssemblyError::PartitionSizes {
                    sizes,
                    slots: self.slots,
                });
            }
        }
        if self.tenants == 0 || self.tenants > MAX_TENANTS {
            return bad("tenants", self.tenants, format!("1 ..= {MAX_TENANTS}"));
        }
        let positive: [(&'static str, u32, u32); 5] = [
            ("inbox_capacity", self.inbox_capacity, MAX_SLOTS),
            ("claim_budget", self.claim_budget, 1 << 20),
            ("iteration_budget", self.iteration_budget, 1 << 30),
            ("loop_limit", self.loop_limit, 1 << 30),
            ("printf_capacity", self.printf_capacity, 1 << 20),
        ];
        if !self.inbox_capacity.is_power_of_two() {
            return bad(
                "inbox_capacity",
                self.inbox_capacity,
                "powers of two (so inbox counters wrap cleanly)".into(),
            );
        }
        for (field, value, max) in positive {
            if value == 0 || value > max {
                return bad(field, value, format!("1 ..= {max}"));
            }
        }
        Ok(())
    }

    /// `(first slot, slot count)` of each partition, CRITICAL first.
    pub fn partitions(&self) -> [(u32, u32); PRIORITIES] {
        let sizes = self.partition_sizes.unwrap_or_else(|| {
            let n = PRIORITIES as u32;
            let mut s = [self.slots / n; PRIORITIES];
            s[Priority::Normal.index()] += self.slots % n;
            s
        });
        let mut out = [(0, 0); PRIORITIES];
        let mut start = 0;
        for (i, size) in sizes.into_iter().enumerate() {
            out[i] = (start, size);
            start += size;
        }
        out
    }

    /// Word offset, in the ring buffer, of partition `p`'s inbox.
    pub fn inbox_base(&self, p: usize) -> u64 {
        let slot_words = crate::protocol::SLOT_WORDS as u64;
        (self.slots as u64 + p as u64 * self.inbox_capacity as u64) * slot_words
    }

    /// Total words of the ring buffer: the slots, then the five inboxes.
    pub fn ring_words(&self) -> u64 {
        self.inbox_base(PRIORITIES)
    }
}
