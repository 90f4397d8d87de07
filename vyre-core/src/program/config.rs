//! Sizes and limits that shape the generated program.

use super::AssemblyError;
use crate::protocol::{Priority, PRIORITIES};

use vyre_lang::limits::{self, ConfigLimit};
pub use vyre_lang::limits::{MAX_SLOTS, MAX_TENANTS, MAX_WORKGROUP_SIZE};

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
    /// Inbox entries per partition to start with (a power of two): host
    /// publishes waiting for a slot. The runtime grows an inbox (between
    /// submissions, while it is empty) when more tasks wait for it.
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
    /// Device→host requests one submission can make (request slots in
    /// the control block, only for a program that declares request
    /// kinds); more are refused, like spawns into a full partition.
    pub request_slots: u32,
    /// Whether the runtime may grow the ring to fit the work published:
    /// between runs, while the ring is empty, a partition with more tasks
    /// waiting than slots grows to the next power of two that holds them
    /// (at most what [`MAX_SLOTS`] and the device's largest binding leave
    /// beside the other partitions), without recompiling. `false`
    /// (the default of `ProgramConfig`) keeps `slots` and
    /// `partition_sizes` exactly; `megakernel!` sets it when the macro
    /// declares neither `slots` nor `partitions`.
    pub grow_ring: bool,
    /// Whether the wgpu backend may choose the work pass's dispatch for
    /// the adapter when the instance does not set workgroups: on a hardware
    /// GPU, [`HARDWARE_WORKGROUP_SIZE`]-lane workgroups,
    /// [`HARDWARE_WORKGROUPS`] of them (the bench's best on an H100 and an
    /// H200, `docs/benchmarks.md`; cooperative claims share each
    /// workgroup's atomics among more lanes); elsewhere `workgroup_size`.
    /// `false` (the default of `ProgramConfig`) keeps `workgroup_size`;
    /// `megakernel!` sets it when the macro does not declare
    /// `workgroup_size`.
    pub auto_dispatch: bool,
    /// The sharded scheduling form: each lane of the work pass owns a
    /// fixed set of slots (lane `l` of `n` owns slots `l`, `l + n`, `l +
    /// 2n`, …) and runs every claimable task in them, in slot order,
    /// without claim lists or the priority scan. For uniform work where
    /// priorities do not matter: every claimable task of a round still
    /// runs in that round (budgets allowing), but CRITICAL work no longer
    /// goes first. `false` (the default): the priority form
    /// (`docs/protocol.md`, "work" and "Sharded lanes").
    pub sharded: bool,
}

/// Lanes per workgroup [`ProgramConfig::auto_dispatch`] chooses on a
/// hardware GPU.
pub const HARDWARE_WORKGROUP_SIZE: u32 = 256;
/// Work workgroups [`ProgramConfig::auto_dispatch`] chooses on a hardware
/// GPU.
pub const HARDWARE_WORKGROUPS: u32 = 528;

impl Default for ProgramConfig {
    fn default() -> Self {
        ProgramConfig {
            workgroup_size: limits::WORKGROUP_SIZE.default,
            slots: limits::SLOTS.default,
            partition_sizes: None,
            tenants: limits::TENANTS.default,
            inbox_capacity: limits::INBOX_CAPACITY.default,
            claim_budget: limits::CLAIM_BUDGET.default,
            iteration_budget: limits::ITERATION_BUDGET.default,
            loop_limit: limits::LOOP_LIMIT.default,
            starvation_limit: limits::STARVATION_LIMIT.default,
            printf_capacity: limits::PRINTF_CAPACITY.default,
            request_slots: limits::REQUEST_SLOTS.default,
            grow_ring: false,
            auto_dispatch: false,
            sharded: false,
        }
    }
}

impl ProgramConfig {
    /// Checks every field; the error says which one and what is allowed.
    pub fn validate(&self) -> Result<(), AssemblyError> {
        let check = |limit: &ConfigLimit, value: u32, note: &str| {
            if limit.power_of_two && !value.is_power_of_two() {
                return Err(AssemblyError::InvalidConfig {
                    field: limit.field,
                    value,
                    allowed: "powers of two (so inbox counters wrap cleanly)".into(),
                });
            }
            if limit.admits(value) {
                return Ok(());
            }
            Err(AssemblyError::InvalidConfig {
                field: limit.field,
                value,
                allowed: format!("{} ..= {}{note}", limit.min, limit.max),
            })
        };
        check(&limits::WORKGROUP_SIZE, self.workgroup_size, "")?;
        check(
            &limits::SLOTS,
            self.slots,
            " (one slot per priority at least)",
        )?;
        if let Some(sizes) = self.partition_sizes {
            let sum: u64 = sizes.iter().map(|&s| s as u64).sum();
            if sizes.contains(&0) || sum != self.slots as u64 {
                return Err(AssemblyError::PartitionSizes {
                    sizes,
                    slots: self.slots,
                });
            }
        }
        check(&limits::TENANTS, self.tenants, "")?;
        check(&limits::INBOX_CAPACITY, self.inbox_capacity, "")?;
        check(&limits::CLAIM_BUDGET, self.claim_budget, "")?;
        check(&limits::ITERATION_BUDGET, self.iteration_budget, "")?;
        check(&limits::LOOP_LIMIT, self.loop_limit, "")?;
        check(&limits::PRINTF_CAPACITY, self.printf_capacity, "")?;
        check(&limits::REQUEST_SLOTS, self.request_slots, "")?;
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
        crate::protocol::partitions(sizes)
    }

    /// Words of the ring as the host addresses it: `slots` slots of
    /// [`SLOT_WORDS`](crate::protocol::SLOT_WORDS) (the GPU's buffer also
    /// holds their status plane:
    /// [`ring_storage_words`](crate::protocol::ring_storage_words)).
    pub fn ring_words(&self) -> u64 {
        self.slots as u64 * crate::protocol::SLOT_WORDS as u64
    }
}
