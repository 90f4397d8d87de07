//! Every limit of a program: what a task and a printf record carry, the
//! opcode ids reserved for the system, and the range and default of each
//! field of a program's configuration (`megakernel!` checks its literal
//! fields against the same table that `ProgramConfig::validate` uses).

/// Task arguments a ring slot holds.
pub const MAX_ARGS: usize = 12;
/// Most elements of one local array (`[T; N]` in a handler): arrays live
/// in each lane's private memory, which large arrays exhaust (registers
/// spill, occupancy drops).
pub const MAX_ARRAY_LEN: u32 = 1024;
/// Arguments a `printf!` record holds.
pub const PRINTF_MAX_ARGS: usize = 6;
/// First opcode id reserved for the system; ids from here to `u32::MAX`
/// are the reserved range.
pub const RESERVED_ID_START: u32 = 0xFFFF_0000;
/// The reserved id range as messages write it.
pub const RESERVED_ID_RANGE: &str = "0xFFFF_0000..=0xFFFF_FFFF";

/// Whether `id` is an opcode id reserved for the system.
pub const fn is_reserved_id(id: u32) -> bool {
    id >= RESERVED_ID_START
}

/// Largest supported ring, in slots.
pub const MAX_SLOTS: u32 = 1 << 22;
/// Largest supported workgroup size (WebGPU's default limit).
pub const MAX_WORKGROUP_SIZE: u32 = 256;
/// Largest supported tenant table.
pub const MAX_TENANTS: u32 = 1 << 16;

/// The range and default of one numeric configuration field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigLimit {
    /// The field's name (as in `ProgramConfig` and `megakernel!`).
    pub field: &'static str,
    /// Smallest allowed value.
    pub min: u32,
    /// Largest allowed value.
    pub max: u32,
    /// Whether the value must be a power of two.
    pub power_of_two: bool,
    /// The value when none is given.
    pub default: u32,
    /// Completes "`field` is N, but …" in the macro's messages.
    pub why: &'static str,
}

impl ConfigLimit {
    /// Whether `value` is allowed.
    pub const fn admits(&self, value: u32) -> bool {
        value >= self.min && value <= self.max && (!self.power_of_two || value.is_power_of_two())
    }
}

/// `workgroup_size`: lanes per workgroup.
pub const WORKGROUP_SIZE: ConfigLimit = ConfigLimit {
    field: "workgroup_size",
    min: 1,
    max: MAX_WORKGROUP_SIZE,
    power_of_two: false,
    default: 64,
    why: "a workgroup has 1 ..= 256 lanes (WebGPU's default limit); 64 is a good start",
};
/// `slots`: ring slots, all partitions together; each priority owns one
/// at least.
pub const SLOTS: ConfigLimit = ConfigLimit {
    field: "slots",
    min: crate::PRIORITIES as u32,
    max: MAX_SLOTS,
    power_of_two: false,
    default: 1 << 14,
    why: "the ring has 5 ..= 4194304 slots: each of the five priorities owns at least one",
};
/// `tenants`: the size of the tenant table.
pub const TENANTS: ConfigLimit = ConfigLimit {
    field: "tenants",
    min: 1,
    max: MAX_TENANTS,
    power_of_two: false,
    default: 16,
    why: "the tenant table has 1 ..= 65536 entries (tenant 0 always exists)",
};
/// `inbox_capacity`: inbox entries per partition.
pub const INBOX_CAPACITY: ConfigLimit = ConfigLimit {
    field: "inbox_capacity",
    min: 1,
    max: MAX_SLOTS,
    power_of_two: true,
    default: 4096,
    why: "an inbox holds 1 ..= 4194304 entries, a power of two so that its counters wrap cleanly",
};
/// `claim_budget`: tasks one lane may claim in one dispatch.
pub const CLAIM_BUDGET: ConfigLimit = ConfigLimit {
    field: "claim_budget",
    min: 1,
    max: 1 << 20,
    power_of_two: false,
    default: 64,
    why: "a lane claims 1 ..= 1048576 tasks per dispatch",
};
/// `iteration_budget`: loop iterations one lane may run in one dispatch.
pub const ITERATION_BUDGET: ConfigLimit = ConfigLimit {
    field: "iteration_budget",
    min: 1,
    max: 1 << 30,
    power_of_two: false,
    default: 1 << 14,
    why: "a lane runs 1 ..= 1073741824 loop iterations per dispatch",
};
/// `loop_limit`: loop iterations one task may run in total.
pub const LOOP_LIMIT: ConfigLimit = ConfigLimit {
    field: "loop_limit",
    min: 1,
    max: 1 << 30,
    power_of_two: false,
    default: 1 << 16,
    why: "a task may run 1 ..= 1073741824 loop iterations before it faults",
};
/// `starvation_limit`: consecutive claims before a lane scans from IDLE up.
pub const STARVATION_LIMIT: ConfigLimit = ConfigLimit {
    field: "starvation_limit",
    min: 0,
    max: u32::MAX,
    power_of_two: false,
    default: 16,
    why: "any u32 (0 means strict priority)",
};
/// `printf_capacity`: printf records kept per submission.
pub const PRINTF_CAPACITY: ConfigLimit = ConfigLimit {
    field: "printf_capacity",
    min: 1,
    max: 1 << 20,
    power_of_two: false,
    default: 4096,
    why: "the printf log keeps 1 ..= 1048576 records per submission",
};

/// `request_slots`: device→host requests one submission can make.
pub const REQUEST_SLOTS: ConfigLimit = ConfigLimit {
    field: "request_slots",
    min: 1,
    max: 1 << 16,
    power_of_two: false,
    default: 1024,
    why: "1 ..= 65536 request slots (used only by programs that declare request kinds)",
};

/// Every numeric configuration field, in the order of `ProgramConfig`.
pub const CONFIG: [ConfigLimit; 10] = [
    WORKGROUP_SIZE,
    SLOTS,
    TENANTS,
    INBOX_CAPACITY,
    CLAIM_BUDGET,
    ITERATION_BUDGET,
    LOOP_LIMIT,
    STARVATION_LIMIT,
    PRINTF_CAPACITY,
    REQUEST_SLOTS,
];

/// The limit of the configuration field `field`.
pub fn config_limit(field: &str) -> Option<&'static ConfigLimit> {
    CONFIG.iter().find(|l| l.field == field)
}

const _: () = {
    let mut i = 0;
    while i < CONFIG.len() {
        assert!(CONFIG[i].admits(CONFIG[i].default));
        i += 1;
    }
};
