//! The five task priorities; each owns a partition of the ring.

/// Number of priority levels (and ring partitions).
pub const PRIORITIES: usize = 5;

/// Task priorities, highest first. Each has its own ring partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Priority {
    /// Claimed before everything else.
    Critical = 0,
    /// Claimed after CRITICAL.
    High = 1,
    /// The default level.
    Normal = 2,
    /// Claimed after NORMAL.
    Low = 3,
    /// Claimed last.
    Idle = 4,
}

impl Priority {
    /// All priorities, highest first.
    pub const ALL: [Priority; PRIORITIES] = [
        Priority::Critical,
        Priority::High,
        Priority::Normal,
        Priority::Low,
        Priority::Idle,
    ];

    /// The priority's index (0 = CRITICAL).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The priority with index `i`, if `i < 5`.
    pub fn from_index(i: u32) -> Option<Priority> {
        Priority::ALL.get(i as usize).copied()
    }

    /// The variant's Rust name (`Critical`, ...), as in `Priority::Critical`.
    pub fn variant_name(self) -> &'static str {
        ["Critical", "High", "Normal", "Low", "Idle"][self.index()]
    }

    /// The priority whose Rust variant name is `name`.
    pub fn from_variant_name(name: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.variant_name() == name)
    }

    /// Upper-case name (`CRITICAL`, ...).
    pub fn name(self) -> &'static str {
        ["CRITICAL", "HIGH", "NORMAL", "LOW", "IDLE"][self.index()]
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

const _: () = assert!(Priority::Idle as usize + 1 == PRIORITIES);
